"""MEDLINE and JATS parsing on hand-made snippets: every extraction and dropping rule."""

from __future__ import annotations

import gzip

from lxml import etree
from pubmed_snippets import jats_article, medline_article, medline_file

from anestools.corpus.pubmed.clean import CITE, clean_paragraphs
from anestools.corpus.pubmed.jats import iter_jats
from anestools.corpus.pubmed.medline import iter_medline
from anestools.corpus.pubmed.steps import jats_document, medline_document


def test_medline_structured_abstract_inline_markup_and_metadata(tmp_path):
    abstract = (
        '<AbstractText Label="BACKGROUND" NlmCategory="BACKGROUND">A fast-acting &#946;\n\t\t\t<sub>2</sub>-agonist '
        "and CO<sub>2</sub> at 10<sup>-3</sup> M (<i>P</i> &lt; 0.05).</AbstractText>"
        '<AbstractText Label="RESULTS">Hypotension fell.</AbstractText>'
    )
    f = medline_file(
        tmp_path / "m.xml",
        medline_article(
            pmid="42", abstract=abstract, year="<MedlineDate>1998 Dec-1999 Jan</MedlineDate>",
            pub_types=("Randomized Controlled Trial", "Journal Article"),
            mesh=(("D000775", "Anesthesia, Spinal"), ("D006801", "Humans")),
            title="[Spinal anaesthesia in the elderly].",
        ),
    )
    (rec,) = list(iter_medline(str(f)))
    assert rec.pmid == "42"
    assert rec.abstract[0] == "BACKGROUND: A fast-acting β2-agonist and CO2 at 10-3 M (P < 0.05)."
    assert rec.abstract[1] == "RESULTS: Hypotension fell."
    assert rec.year == 1998
    assert rec.language == "en"
    assert rec.journal == "Anesthesia and analgesia" and rec.journal_abbrev == "Anesth Analg"
    assert rec.mesh_uis == ["D000775", "D006801"]
    assert rec.mesh_names == ["Anesthesia, Spinal", "Humans"]
    assert rec.publication_types == ["Randomized Controlled Trial", "Journal Article"]
    assert rec.title == "Spinal anaesthesia in the elderly."  # translated-title brackets removed
    doc = medline_document(rec, str(f))
    assert doc.text.startswith("Spinal anaesthesia in the elderly.\n\nBACKGROUND: A fast-acting β2-agonist")
    assert "<" not in doc.text.replace("P < 0.05", "")
    assert doc.metadata["source"] == "pubmed" and doc.metadata["pmid"] == "42"


def test_medline_retraction_flag_language_and_delete_citation(tmp_path):
    retracted = medline_article(
        pmid="7", extra_citation='<CommentsCorrectionsList><CommentsCorrections RefType="RetractionIn">'
        "<RefSource>x</RefSource></CommentsCorrections></CommentsCorrectionsList>",
    )
    commented = medline_article(
        pmid="8", language="ger", extra_citation='<CommentsCorrectionsList><CommentsCorrections RefType="CommentIn">'
        "<RefSource>x</RefSource></CommentsCorrections></CommentsCorrectionsList>",
    )
    f = medline_file(tmp_path / "m.xml", retracted, commented, "<DeleteCitation><PMID>9</PMID></DeleteCitation>")
    recs = list(iter_medline(str(f)))
    assert [r.pmid for r in recs] == ["7", "8"]
    assert recs[0].retracted and not recs[1].retracted  # CommentIn is not a retraction
    assert recs[1].language == "de"


def test_medline_gzip_stream(tmp_path):
    body = medline_file(tmp_path / "m.xml", *(medline_article(pmid=str(i)) for i in range(50))).read_bytes()
    gz = tmp_path / "m.xml.gz"
    gz.write_bytes(gzip.compress(body))
    with gzip.open(gz, "rb") as fh:
        assert [r.pmid for r in iter_medline(fh)] == [str(i) for i in range(50)]


def test_medline_elements_are_cleared_while_streaming(tmp_path):
    # The root must not accumulate processed records: after each record only it remains.
    f = medline_file(tmp_path / "m.xml", *(medline_article(pmid=str(i)) for i in range(200)))
    sizes = []
    ctx = etree.iterparse(str(f), events=("end",), tag="PubmedArticle")
    for _, elem in ctx:  # control: without clearing, the root keeps every record
        sizes.append(len(elem.getparent()))
    assert sizes[-1] == 200
    # With iter_medline every earlier record is gone when the next one is handed over (only the
    # parser's read-ahead, never the processed records, stays under the root).
    seen = []
    from anestools.corpus.pubmed import medline as m

    original = m.parse_article

    def spy(elem):
        prev = list(elem.itersiblings(preceding=True))
        # at most the previous record, already emptied by clear()
        seen.append((len(prev) <= 1 and all(len(p) == 0 for p in prev), len(elem.getparent())))
        return original(elem)

    m.parse_article = spy
    try:
        assert len(list(m.iter_medline(str(f)))) == 200
    finally:
        m.parse_article = original
    assert all(first for first, _ in seen)
    assert max(n for _, n in seen) < 100


BODY = (
    '<sec id="s1"><title>introduction</title>'
    '<p>Propofol is common [<xref ref-type="bibr" rid="B1">1</xref>]. Ranges too '
    '[<xref ref-type="bibr" rid="B2">2</xref>&#8211;<xref ref-type="bibr" rid="B5">5</xref>] and '
    'parentheses (<xref ref-type="bibr" rid="B1">1</xref>,<xref ref-type="bibr" rid="B3">3</xref>). '
    'Bracketed xrefs <xref ref-type="bibr" rid="B4">[41]</xref>, <xref ref-type="bibr" rid="B5">[42]</xref>, '
    'then more. See <xref ref-type="fig" rid="F1">Figure 1</xref> and '
    '<ext-link ext-link-type="uri" xlink:href="https://x.org/a">https://x.org/a</ext-link> or mail '
    "<email>someone@example.org</email>. Plain marker [12] too.</p></sec>"
    '<sec sec-type="methods"><title>Methods</title>'
    '<sec><title>Dosing</title><p>Dose was <inline-formula><mml:math><mml:mi>D</mml:mi></mml:math></inline-formula> '
    "per kg.</p>"
    '<disp-formula id="E1"><mml:math><mml:mi>FORMULA</mml:mi></mml:math></disp-formula>'
    '<table-wrap id="T1"><label>Table 1</label><caption><title>Table caption text</title></caption>'
    "<table><tr><td>CELLRESIDUE</td></tr></table><table-wrap-foot><fn><p>TFOOT</p></fn></table-wrap-foot></table-wrap>"
    '<fig id="F1"><label>Figure 1</label><caption><title>Figure caption text</title><p>Figure legend.</p></caption>'
    '<graphic xlink:href="f1.jpg"/></fig></sec></sec>'
    '<sec><title>Results</title><p>Results paragraph.</p>'
    '<supplementary-material id="S1"><caption><p>SUPPRESIDUE</p></caption></supplementary-material></sec>'
    '<sec><title>Competing interests</title><p>COIRESIDUE</p></sec>'
    '<sec sec-type="funding"><title>Support</title><p>FUNDRESIDUE</p></sec>'
    "<sec><title>Acknowledgements</title><p>ACKRESIDUE</p></sec>"
)
BACK = (
    "<ack><p>ACKBACK</p></ack>"
    '<fn-group><fn fn-type="conflict"><p>CONFLICTRESIDUE</p></fn></fn-group>'
    "<ref-list><title>References</title><ref id='B1'><mixed-citation>REFRESIDUE</mixed-citation></ref></ref-list>"
)


def _jats_text(keep_captions=False, sections="full", **kw):
    xml = jats_article(body=BODY, back=BACK, **kw).encode()
    (rec,) = list(iter_jats(xml, keep_captions=keep_captions, sections=sections))
    return rec, jats_document(rec, "a.nxml")


def test_jats_sections_in_order_with_headings_and_dropped_parts():
    rec, doc = _jats_text(
        abstract="<sec><title>Background</title><p>Why.</p></sec><sec><title>Results</title><p>What.</p></sec>",
        meta_extra='<funding-group><funding-statement>FUNDFRONT</funding-statement></funding-group>',
    )
    text = doc.text
    paras = text.split("\n\n")
    assert paras[:5] == ["An article title", "Background", "Why.", "Results", "What."]
    # headings in order, lowercase heading capitalised
    body = paras[5:]
    order = [body.index(h) for h in ("Introduction", "Methods", "Dosing", "Results")]
    assert order == sorted(order)
    for residue in ("REFRESIDUE", "CELLRESIDUE", "TFOOT", "FORMULA", "SUPPRESIDUE", "COIRESIDUE", "FUNDRESIDUE",
                    "ACKRESIDUE", "ACKBACK", "CONFLICTRESIDUE", "FUNDFRONT", "Table caption text",
                    "Figure caption text", "https://", "someone@", "References"):
        assert residue not in text, residue
    intro = paras[paras.index("Introduction") + 1]
    assert intro.startswith("Propofol is common. Ranges too and parentheses. Bracketed xrefs, then more.")
    assert "[" not in intro and "(1" not in intro and "[12]" not in intro
    assert "See Figure 1 and or mail." in intro
    assert "Dose was per kg." in text
    assert rec.pmcid == "PMC123" and rec.pmid == "456" and rec.year == 2021
    assert doc.metadata["source"] == "pmc" and doc.id == "pmc-PMC123"


def test_jats_keep_captions_and_abstract_only():
    _, doc = _jats_text(keep_captions=True)
    assert "Table caption text" in doc.text and "Figure caption text" in doc.text and "Figure legend." in doc.text
    assert "CELLRESIDUE" not in doc.text
    _, doc = _jats_text(sections="abstract")
    assert doc.text == "An article title\n\nAbstract text."


def test_jats_articleset_graphical_abstract_and_notice_types():
    xml = (
        "<pmc-articleset>"
        + jats_article(abstract="<p>Main abstract.</p>").replace(
            "</article-meta>", '<abstract abstract-type="graphical"><p>GRAPHICAL</p></abstract></article-meta>')
        + jats_article(article_type="correction")
        + "</pmc-articleset>"
    ).encode()
    recs = list(iter_jats(xml))
    assert len(recs) == 2
    assert "GRAPHICAL" not in " ".join(recs[0].abstract)
    assert recs[1].article_type == "correction"


def test_clean_rules_unicode_hyphenation_whitespace_copyright():
    text = clean_paragraphs([
        "The ﬁrst ｆｕｌｌ-width anaes-\n  thesia cafÃ© result   with\ttabs\nand newlines.",
        "Copyright © 2020 Elsevier Inc. All rights reserved.",
        "Second paragraph (95% CI [CI], 1 to 2) [3, 4-6] ends here. © 2021 The Authors.",
        "   ",
    ])
    paras = text.split("\n\n")
    assert paras[0] == "The first full-width anaesthesia café result with tabs and newlines."
    assert paras[1] == "Second paragraph (95% CI [CI], 1 to 2) ends here."
    assert len(paras) == 2
    # a citation removed after an abbreviation leaves no double period; ellipses survive
    assert clean_paragraphs([f"as described by Smith et al. {CITE}. Then... done."]) == (
        "as described by Smith et al. Then... done.")


def test_jats_lists_and_definition_lists_render_once():
    xml = jats_article(body=(
        "<sec><title>Methods</title><p>We used:<list><list-item><p>propofol</p></list-item>"
        "<list-item><p>ketamine</p></list-item></list> as agents.</p><def-list><def-item><term>ASA</term>"
        "<def><p>American Society of Anesthesiologists</p></def></def-item></def-list></sec>"
    )).encode()
    (rec,) = list(iter_jats(xml))
    assert rec.body == ["Methods", "We used: as agents.", "propofol", "ketamine",
                        "ASA: American Society of Anesthesiologists"]
