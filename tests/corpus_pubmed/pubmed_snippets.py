"""Hand-made MEDLINE/JATS snippets shared by the corpus pubmed tests."""

from __future__ import annotations

from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "anestools" / "resources" / "samples"

MEDLINE_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n'
MEDLINE_TAIL = "</PubmedArticleSet>\n"


def medline_article(
    pmid: str = "1",
    title: str = "Spinal anesthesia for cesarean delivery.",
    abstract: str = '<AbstractText Label="BACKGROUND">Background text about spinal anesthesia.</AbstractText>',
    journal: str = "Anesthesia and analgesia",
    abbrev: str = "Anesth Analg",
    year: str = "<Year>2020</Year>",
    language: str = "eng",
    pub_types: tuple[str, ...] = ("Journal Article",),
    mesh: tuple[tuple[str, str], ...] = (("D000775", "Anesthesia, Spinal"),),
    extra_citation: str = "",
) -> str:
    """One ``PubmedArticle`` with the given parts (empty ``abstract`` -> no <Abstract>)."""
    ab = f"<Abstract>{abstract}</Abstract>" if abstract else ""
    pts = "".join(f"<PublicationType>{p}</PublicationType>" for p in pub_types)
    mh = "".join(
        f'<MeshHeading><DescriptorName UI="{ui}" MajorTopicYN="N">{name}</DescriptorName></MeshHeading>'
        for ui, name in mesh
    )
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE"><PMID Version="1">{pmid}</PMID>'
        f"<Article><Journal><JournalIssue><PubDate>{year}</PubDate></JournalIssue><Title>{journal}</Title>"
        f"<ISOAbbreviation>{abbrev}</ISOAbbreviation></Journal><ArticleTitle>{title}</ArticleTitle>{ab}"
        f"<Language>{language}</Language><PublicationTypeList>{pts}</PublicationTypeList></Article>"
        f"{extra_citation}<MeshHeadingList>{mh}</MeshHeadingList></MedlineCitation></PubmedArticle>\n"
    )


def medline_file(path: Path, *articles: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(MEDLINE_HEAD + "".join(articles) + MEDLINE_TAIL, encoding="utf-8")
    return path


def jats_article(body: str = "", abstract: str = "<p>Abstract text.</p>", back: str = "",
                 article_type: str = "research-article", journal: str = "BMC Anesthesiol",
                 title: str = "An article title", meta_extra: str = "") -> str:
    return (
        f'<article xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:mml="http://www.w3.org/1998/Math/MathML" '
        f'article-type="{article_type}" xml:lang="en"><front><journal-meta>'
        f'<journal-id journal-id-type="nlm-ta">{journal}</journal-id>'
        f"<journal-title-group><journal-title>{journal}</journal-title></journal-title-group></journal-meta>"
        f'<article-meta><article-id pub-id-type="pmc">123</article-id><article-id pub-id-type="pmid">456</article-id>'
        f"<title-group><article-title>{title}</article-title></title-group>"
        f'<pub-date pub-type="epub"><year>2021</year></pub-date>{meta_extra}'
        f"<abstract>{abstract}</abstract></article-meta></front>"
        f"<body>{body}</body><back>{back}</back></article>"
    )
