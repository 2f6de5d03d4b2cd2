"""Synthetic MEDLINE files of any size, for the memory test and ``scripts/bench/pubmed.py``.

Real baseline files are ~1 GB each and cannot ship with the project; the memory and speed
claims are about parser behaviour, so a file with realistic record shape (structured
abstract, inline markup, MeSH list, publication types) repeated with distinct PMIDs is enough.
"""

from __future__ import annotations

import gzip
from pathlib import Path

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<PubmedArticleSet>\n'
)
_TAIL = "</PubmedArticleSet>\n"
_TOPICS = [
    ("Anesthesia, Spinal", "D000775", "Anesth Analg", "Anesthesia and analgesia",
     "spinal anesthesia with hyperbaric bupivacaine for cesarean delivery and phenylephrine for hypotension"),
    ("Asthma", "D001249", "N Engl J Med", "The New England journal of medicine",
     "as-needed budesonide-formoterol in mild asthma and the rate of severe exacerbations"),
    ("Pain, Postoperative", "D010149", "Br J Anaesth", "British journal of anaesthesia",
     "an erector spinae plane block with ropivacaine to reduce opioid consumption after thoracic surgery"),
    ("Psoriasis", "D011565", "J Dermatol", "Journal of dermatology",
     "topical calcipotriol with betamethasone in chronic plaque psoriasis over eight weeks"),
]


def _authors(pmid: int) -> str:
    out = []
    for i in range(6):
        out.append(
            "\t\t\t\t\t<Author ValidYN=\"Y\">\n"
            f"\t\t\t\t\t\t<LastName>Author{(pmid + i) % 997}</LastName>\n"
            f"\t\t\t\t\t\t<ForeName>Given {i}</ForeName>\n\t\t\t\t\t\t<Initials>G</Initials>\n"
            "\t\t\t\t\t\t<AffiliationInfo>\n\t\t\t\t\t\t\t<Affiliation>Department of Anesthesiology and "
            "Perioperative Medicine, Example University Hospital, Example City, Country.</Affiliation>\n"
            "\t\t\t\t\t\t</AffiliationInfo>\n\t\t\t\t\t</Author>\n"
        )
    return "\t\t\t\t<AuthorList CompleteYN=\"Y\">\n" + "".join(out) + "\t\t\t\t</AuthorList>\n"


def _mesh(mesh: str, ui: str) -> str:
    rows = [(ui, mesh, "Y")] + [
        (f"D00{6801 + k:04d}", name, "N")
        for k, name in enumerate(["Humans", "Adult", "Aged", "Female", "Male", "Middle Aged", "Treatment Outcome",
                                  "Prospective Studies", "Double-Blind Method", "Young Adult"])
    ]
    return (
        "\t\t\t<MeshHeadingList>\n"
        + "".join(
            f"\t\t\t\t<MeshHeading>\n\t\t\t\t\t<DescriptorName MajorTopicYN=\"{y}\" UI=\"{u}\">{n}</DescriptorName>\n"
            "\t\t\t\t\t<QualifierName MajorTopicYN=\"N\" UI=\"Q000009\">adverse effects</QualifierName>\n"
            "\t\t\t\t</MeshHeading>\n"
            for u, n, y in rows
        )
        + "\t\t\t</MeshHeadingList>\n"
    )


def _pubmed_data(pmid: int) -> str:
    refs = "".join(
        "\t\t\t\t<Reference>\n\t\t\t\t\t<Citation>Example A, Example B. A cited study of perioperative care "
        f"number {k}. Example J Med. 20{k:02d};{k}:1-10.</Citation>\n\t\t\t\t\t<ArticleIdList>\n"
        f"\t\t\t\t\t\t<ArticleId IdType=\"pubmed\">{pmid - k - 1}</ArticleId>\n"
        "\t\t\t\t\t</ArticleIdList>\n\t\t\t\t</Reference>\n"
        for k in range(15)
    )
    dates = "".join(
        f"\t\t\t\t<PubMedPubDate PubStatus=\"{st}\">\n\t\t\t\t\t<Year>2020</Year>\n\t\t\t\t\t<Month>5</Month>\n"
        "\t\t\t\t\t<Day>17</Day>\n\t\t\t\t</PubMedPubDate>\n"
        for st in ("received", "accepted", "entrez", "pubmed", "medline")
    )
    return (
        f"\t\t<PubmedData>\n\t\t\t<History>\n{dates}\t\t\t</History>\n"
        "\t\t\t<PublicationStatus>ppublish</PublicationStatus>\n\t\t\t<ArticleIdList>\n"
        f"\t\t\t\t<ArticleId IdType=\"pubmed\">{pmid}</ArticleId>\n"
        f"\t\t\t\t<ArticleId IdType=\"doi\">10.0000/synthetic.{pmid}</ArticleId>\n\t\t\t</ArticleIdList>\n"
        f"\t\t\t<ReferenceList>\n{refs}\t\t\t</ReferenceList>\n\t\t</PubmedData>\n"
    )


def record(pmid: int) -> str:
    """One realistic, pretty-printed ``PubmedArticle`` (~9 KB, like baseline records).

    Structured abstract with inline markup, six authors with affiliations, eleven MeSH
    headings with qualifiers, and ``PubmedData`` with history and a 15-item reference list:
    most of the bytes are elements the parser must skip, as in real baseline files.
    """
    mesh, ui, abbr, title, topic = _TOPICS[pmid % len(_TOPICS)]
    sentence = (
        f"We studied {topic} in a cohort of {100 + pmid % 900} adults with the &#946;\n\t\t\t\t\t\t<sub>2</sub> "
        f"marker measured at baseline and CO<sub>2</sub> recorded each minute (<i>P</i> &lt; 0.05). "
    )
    return (
        "\t<PubmedArticle>\n\t\t<MedlineCitation Status=\"MEDLINE\" Owner=\"NLM\">\n"
        f"\t\t\t<PMID Version=\"1\">{pmid}</PMID>\n"
        "\t\t\t<DateCompleted>\n\t\t\t\t<Year>2020</Year>\n\t\t\t\t<Month>05</Month>\n\t\t\t\t<Day>24</Day>\n"
        "\t\t\t</DateCompleted>\n\t\t\t<Article PubModel=\"Print\">\n\t\t\t\t<Journal>\n"
        "\t\t\t\t\t<ISSN IssnType=\"Electronic\">0000-0000</ISSN>\n\t\t\t\t\t<JournalIssue CitedMedium=\"Internet\">\n"
        f"\t\t\t\t\t\t<Volume>{pmid % 200}</Volume>\n\t\t\t\t\t\t<PubDate>\n\t\t\t\t\t\t\t<Year>{1990 + pmid % 35}</Year>\n"
        "\t\t\t\t\t\t</PubDate>\n\t\t\t\t\t</JournalIssue>\n"
        f"\t\t\t\t\t<Title>{title}</Title>\n\t\t\t\t\t<ISOAbbreviation>{abbr}</ISOAbbreviation>\n"
        "\t\t\t\t</Journal>\n"
        f"\t\t\t\t<ArticleTitle>A randomized study of {topic}, record {pmid}.</ArticleTitle>\n"
        "\t\t\t\t<Abstract>\n"
        f"\t\t\t\t\t<AbstractText Label=\"BACKGROUND\">{sentence * 2}</AbstractText>\n"
        f"\t\t\t\t\t<AbstractText Label=\"METHODS\">{sentence * 2}</AbstractText>\n"
        f"\t\t\t\t\t<AbstractText Label=\"RESULTS\">{sentence * 2}</AbstractText>\n"
        f"\t\t\t\t\t<AbstractText Label=\"CONCLUSIONS\">{sentence}</AbstractText>\n"
        "\t\t\t\t</Abstract>\n"
        + _authors(pmid)
        + "\t\t\t\t<Language>eng</Language>\n\t\t\t\t<PublicationTypeList>\n"
        "\t\t\t\t\t<PublicationType UI=\"D016428\">Journal Article</PublicationType>\n"
        "\t\t\t\t</PublicationTypeList>\n\t\t\t</Article>\n\t\t\t<MedlineJournalInfo>\n"
        f"\t\t\t\t<MedlineTA>{abbr}</MedlineTA>\n\t\t\t</MedlineJournalInfo>\n"
        + _mesh(mesh, ui)
        + "\t\t</MedlineCitation>\n"
        + _pubmed_data(pmid)
        + "\t</PubmedArticle>\n"
    )


def write_medline(path: str | Path, target_bytes: int, start_pmid: int = 10_000_000) -> int:
    """Write a MEDLINE file of about ``target_bytes`` (``.gz`` compresses); return the record count."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    opener = gzip.open if path.name.endswith(".gz") else open
    n = 0
    size = len(_HEAD) + len(_TAIL)
    with opener(path, "wt", encoding="utf-8") as fh:
        fh.write(_HEAD)
        buf: list[str] = []
        while size < target_bytes:
            rec = record(start_pmid + n)
            buf.append(rec)
            size += len(rec)
            n += 1
            if len(buf) >= 2000:
                fh.write("".join(buf))
                buf.clear()
        fh.write("".join(buf))
        fh.write(_TAIL)
    return n
