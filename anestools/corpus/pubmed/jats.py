"""PMC Open Access full text (JATS ``<article>``) -> title, abstract and body paragraphs.

Each ``.nxml`` holds one article (tens to hundreds of KB), so it is parsed as a tree; folders and
``.tar.gz`` bundles are streamed one member at a time by :mod:`anestools.corpus.pubmed.sources`.
What is kept and dropped follows AnesCorpus: headings and prose in reading order; reference
lists, tables, figures (captions only with ``keep_captions``), formulas, supplementary material,
acknowledgements, funding and competing-interest statements are dropped; ``<xref
ref-type="bibr">`` citations become sentinels that the cleaner removes with their brackets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from anestools.corpus.pubmed.clean import CITE
from anestools.corpus.pubmed.xmlio import inline_text, local

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: Elements dropped wherever they appear (prose never continues inside them).
DROP = frozenset({
    "ref-list", "table", "table-wrap-foot", "disp-formula", "disp-formula-group", "inline-formula",
    "math", "tex-math", "supplementary-material", "media", "graphic", "inline-graphic",
    "ack", "funding-group", "funding-statement", "fn-group", "object-id", "alternatives",
    "permissions", "copyright-statement", "license", "glossary", "processing-meta",
})
#: Floating captions: dropped, or reduced to their caption text with ``keep_captions``.
FLOATS = frozenset({"fig", "fig-group", "table-wrap", "table-wrap-group", "chem-struct-wrap"})
#: Block-level children rendered as their own paragraph.
BLOCKS = frozenset({"p", "list-item", "disp-quote", "statement", "boxed-text", "def-item", "verse-group"})
#: ``sec-type`` / ``fn-type`` values that are not prose about the science.
DROP_TYPES = frozenset({
    "supplementary-material", "COI-statement", "conflict", "coi-statement", "funding",
    "financial-disclosure", "supported-by", "acknowledgment", "acknowledgement", "author-contributions",
    "data-availability", "ethics-statement", "abbr",
})
#: Section titles dropped even when untyped (matched at the start, case-insensitively).
DROP_TITLE = re.compile(
    r"^\s*(?:\d+[.)]?\s*)?(?:acknowledge?ments?|funding|financial (?:support|disclosure)|sources? of funding|"
    r"competing interests?|conflicts? of interests?|declaration of (?:competing )?interests?|"
    r"disclosures?|supporting information|supplementary (?:material|data|information)s?|"
    r"authors?'? contributions?|abbreviations)\b",
    re.IGNORECASE,
)
#: Article types that are notices about other articles, not research prose.
DROP_ARTICLE_TYPES = frozenset({"retraction", "correction", "expression-of-concern", "article-commentary",
                                "addendum", "removal"})


@dataclass(slots=True)
class JatsRecord:
    """One JATS article as paragraphs, plus provenance for the shard metadata."""

    pmcid: str
    pmid: str
    title: str
    abstract: list[str]
    body: list[str]
    journal: str = ""
    journal_abbrev: str = ""
    year: int | None = None
    language: str = "en"
    article_type: str = ""
    doi: str = ""
    keywords: list[str] = field(default_factory=list)
    retracted: bool = False


class _Renderer:
    """Walks a subtree and appends paragraphs; one instance per article."""

    def __init__(self, keep_captions: bool):
        self.keep_captions = keep_captions
        self.out: list[str] = []

    def inline(self, child: etree._Element, parts: list[str]) -> bool:
        name = local(child.tag)
        if name == "xref":
            if child.get("ref-type") == "bibr":
                parts.append(CITE)
                return True
            return False
        # Formulas, floats and inline footnotes are not prose: skip them (their tail is kept).
        return name in DROP or name in FLOATS or name == "fn"

    def para(self, elem: etree._Element) -> None:
        text = inline_text(elem, self.inline).strip()
        if text:
            self.out.append(text)

    def heading(self, elem: etree._Element | None) -> None:
        if elem is None:
            return
        text = " ".join(inline_text(elem, self.inline).split())
        if text:
            if text.islower():
                text = text[0].upper() + text[1:]
            self.out.append(text)

    def caption(self, elem: etree._Element) -> None:
        for cap in elem.iter("caption"):
            for part in cap:
                if local(part.tag) in ("title", "p"):
                    self.para(part)

    def block(self, elem: etree._Element) -> None:
        """Render a container (``body``, ``sec``, ``abstract``...) in document order."""
        for child in elem:
            name = local(child.tag)
            if not name or name in DROP:
                continue
            if name in FLOATS:
                if self.keep_captions:
                    self.caption(child)
                continue
            if name in ("sec", "app"):
                if child.get("sec-type") in DROP_TYPES:
                    continue
                title = child.find("title")
                if title is not None and DROP_TITLE.match(inline_text(title)):
                    continue
                self.heading(title)
                self.block(child)
            elif name == "fn":
                if child.get("fn-type") not in DROP_TYPES:
                    self.block(child)
            elif name in ("title", "label", "sec-meta", "caption"):
                continue
            elif name == "p":
                self.paragraph_with_blocks(child)
            elif name in ("list", "def-list", "app-group"):
                self.block(child)
            elif name == "def-item":
                term = " ".join(inline_text(child.find("term"), self.inline).split()) if child.find(
                    "term") is not None else ""
                definition = child.find("def")
                body = " ".join(inline_text(definition, self.inline).split()) if definition is not None else ""
                if term or body:
                    self.out.append(f"{term}: {body}" if term and body else term or body)
            elif name in BLOCKS:
                if any(local(c.tag) in ("p", "list", "sec") for c in child):
                    self.block(child)
                else:
                    self.para(child)
            else:
                self.para(child)

    def paragraph_with_blocks(self, p: etree._Element) -> None:
        # A <p> may embed floats (dropped inline, captions after it with keep_captions) and
        # lists/quotes (rendered as their own paragraphs after the surrounding text).
        nested = [c for c in p if local(c.tag) in ("list", "disp-quote", "def-list")]
        if not nested:
            self.para(p)
        else:
            skip = set(nested)

            def handler(child, parts):
                return child in skip or self.inline(child, parts)

            text = inline_text(p, handler).strip()
            if text:
                self.out.append(text)
            for c in nested:
                self.block(c)
        if self.keep_captions:
            for c in p:
                if local(c.tag) in FLOATS:
                    self.caption(c)


def _year(meta: etree._Element) -> int | None:
    years = []
    for d in meta.iterfind("pub-date"):
        y = d.findtext("year")
        if y and y.strip().isdigit():
            years.append((0 if d.get("pub-type") in ("epub", "ppub") or d.get("date-type") == "pub" else 1,
                          int(y.strip())))
    return min(years)[1] if years else None


def parse_article(root: etree._Element, keep_captions: bool = False, sections: str = "full") -> JatsRecord:
    """Turn one ``<article>`` element into a :class:`JatsRecord` (paragraphs not yet cleaned)."""
    front = root.find("front")
    meta = front.find("article-meta") if front is not None else None
    jmeta = front.find("journal-meta") if front is not None else None
    if meta is None:
        raise ValueError("no <front>/<article-meta>: not a JATS article")
    ids = {a.get("pub-id-type"): (a.text or "").strip() for a in meta.iterfind("article-id")}
    pmcid = ids.get("pmc") or ids.get("pmcid") or ids.get("pmc-uid") or ""
    if pmcid and not pmcid.upper().startswith("PMC"):
        pmcid = f"PMC{pmcid}"
    journal, abbrev = "", ""
    if jmeta is not None:
        journal = " ".join(inline_text(jmeta.find(".//journal-title")).split()) if jmeta.find(
            ".//journal-title") is not None else ""
        for jid in jmeta.iterfind("journal-id"):
            if jid.get("journal-id-type") in ("nlm-ta", "iso-abbrev") and not abbrev:
                abbrev = (jid.text or "").strip()
    r = _Renderer(keep_captions)
    title_el = meta.find("title-group/article-title")
    title = " ".join(inline_text(title_el, r.inline).split()) if title_el is not None else ""
    abstract_r = _Renderer(keep_captions)
    for ab in meta.iterfind("abstract"):
        if ab.get("abstract-type") in ("graphical", "teaser", "toc", "web-summary"):
            continue
        abstract_r.block(ab)
    body: list[str] = []
    if sections == "full":
        b = root.find("body")
        if b is not None:
            r.block(b)
            body = r.out
    related = {ra.get("related-article-type") for ra in meta.iter("related-article")}
    article_type = root.get("article-type", "")
    return JatsRecord(
        pmcid=pmcid,
        pmid=ids.get("pmid", ""),
        title=title,
        abstract=abstract_r.out,
        body=body,
        journal=journal,
        journal_abbrev=abbrev,
        year=_year(meta),
        language=(root.get(XML_LANG) or "en").lower()[:2],
        article_type=article_type,
        doi=ids.get("doi", ""),
        keywords=[" ".join(inline_text(k).split()) for k in meta.iterfind("kwd-group/kwd")],
        retracted=bool(related & {"retraction-forward", "retracted-article-forward"})
        or title.upper().startswith("RETRACTED"),
    )


def iter_jats(data: bytes, keep_captions: bool = False, sections: str = "full",
              huge_tree: bool = False) -> Iterator[JatsRecord]:
    """Parse one JATS document (``<article>`` or a ``<pmc-articleset>`` of them)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=huge_tree,
                             remove_comments=True, remove_pis=True)
    root = etree.fromstring(data, parser)
    name = local(root.tag)
    if name == "article":
        yield parse_article(root, keep_captions, sections)
    elif name in ("pmc-articleset", "articles"):
        for art in root.iterfind("article"):
            yield parse_article(art, keep_captions, sections)
    else:
        raise ValueError(f"root element <{name}> is not a JATS <article>")
