"""Text cleaning shared by the MEDLINE and JATS readers.

Parsers hand over a list of paragraphs (headings are paragraphs too); everything here works on
plain strings so it can be unit-tested without XML. The order matters: mojibake repair must run
before NFKC (ftfy needs the raw code points), and citation sentinels must be removed before
whitespace is collapsed (their separators are whitespace-sensitive).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import ftfy

#: Placed by the JATS parser where an ``<xref ref-type="bibr">`` stood; removed by
#: :func:`strip_citation_sentinels` together with the brackets/commas around it.
CITE = "\ue000"

# Characters that appear when UTF-8 was decoded as Latin-1/cp1252 ("Ã©", "â€“", "Â "): ftfy is
# slow (~0.3 ms per KB), so it only runs on text that shows one of these symptoms.
_MOJIBAKE_HINT = re.compile("[\u00c2\u00c3\u00e2\u00ef\u0080-\u009f\ufffd]")

_URL = re.compile(r"(?:\bhttps?://|\bftp://|\bwww\.)[^\s<>\"']+[^\s<>\"'.,;:)\]]", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# "Copyright © 2018 Elsevier Ltd. All rights reserved." and friends, as a paragraph or as the
# trailing sentence of an abstract.
_COPYRIGHT_PARA = re.compile(
    r"^\s*(?:copyright\b|©|\(c\)\s*(?:19|20)\d\d|published by\b.{0,80}\b(?:19|20)\d\d\b)",
    re.IGNORECASE,
)
_COPYRIGHT_TAIL = re.compile(r"\s*(?:copyright\s*)?(?:©|\(c\)|copyright)\s*(?:\d{4}|the author).*$", re.IGNORECASE)
# Citation groups made of sentinels and separators, optionally bracketed or parenthesised:
# "[\ue000, \ue000]", "(\ue000–\ue000)", "\ue000, \ue000".
_SEP = r"[\s,;\u2013\u2014\-]*"
_CITE_GROUP = re.compile(
    rf"\s*[\[(]{_SEP}{CITE}(?:{_SEP}{CITE})*{_SEP}[\])]|\s*{CITE}(?:{_SEP}{CITE})*"
)
# Plain-text numeric citation markers that were not tagged: "[12]", "[2-5]", "[1, 3, 7–9]".
_BRACKET_NUMS = re.compile(r"\s*\[\d{1,3}(?:\s*[,\u2013\u2014\-]\s*\d{1,3})*\]")
_EMPTY_BRACKETS = re.compile(r"\s*(?:\[\s*[,;]?\s*\]|\(\s*[,;]?\s*\))")
_DANGLING_CLOSE = re.compile(r"\s*[,;:]\s*([)\]])")
_DANGLING_OPEN = re.compile(r"([(\[])\s*[,;:]\s*")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?)\]])")
_REPEATED_COMMA = re.compile(r",(?:\s*,)+")
_DOUBLE_DOT = re.compile(r"(?<!\.)\.\.(?!\.)")  # "et al. [3]." -> "et al.." -> "et al." (not "...")
_HYPHEN_BREAK = re.compile(r"(\w)-\s*\n\s*([a-z])")


def fix_unicode(text: str) -> str:
    """Repair mojibake (only where it shows) and apply NFKC normalization."""
    if _MOJIBAKE_HINT.search(text):
        text = ftfy.fix_text(text, normalization="NFC")
    text = text.replace("\u00ad", "")  # soft hyphen: invisible, splits words for tokenizers
    return unicodedata.normalize("NFKC", text)


def strip_citation_sentinels(text: str) -> str:
    """Remove citation sentinels plus the brackets and separators that only served them."""
    if CITE in text:
        text = _CITE_GROUP.sub("", text)
        text = text.replace(CITE, "")
    return text


def normalize_paragraph(text: str) -> str:
    """One paragraph: de-hyphenate line breaks, drop URLs/e-mails/markers, collapse whitespace.

    Each rule is guarded by a cheap substring test: most abstracts need none of them, and the
    regular expressions would otherwise dominate the cost of reading a baseline file.
    """
    text = fix_unicode(text)
    n = len(text)
    if "\n" in text and "-" in text:
        text = _HYPHEN_BREAK.sub(r"\1\2", text)
    text = strip_citation_sentinels(text)
    if "[" in text:
        text = _BRACKET_NUMS.sub("", text)
    if "://" in text or "www." in text or "WWW." in text:
        text = _URL.sub("", text)
    if "@" in text:
        text = _EMAIL.sub("", text)
    text = " ".join(text.split())
    if len(text) < n - 1 or " ," in text or " ." in text:
        # Something was cut out: tidy the punctuation it leaves behind ("at ." / "(2011; )").
        text = _DANGLING_CLOSE.sub(r"\1", text)
        text = _DANGLING_OPEN.sub(r"\1", text)
        text = _EMPTY_BRACKETS.sub("", text)
        text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
        text = _REPEATED_COMMA.sub(",", text)
        text = _DOUBLE_DOT.sub(".", text).strip()
    if "©" in text or "opyright" in text or "(c)" in text or "(C)" in text:
        if _COPYRIGHT_PARA.search(text):
            return ""
        text = _COPYRIGHT_TAIL.sub("", text).strip()
    return text


def clean_paragraphs(paragraphs: Iterable[str]) -> str:
    """Normalize paragraphs, drop empty and copyright ones, join with blank lines."""
    out = []
    for p in paragraphs:
        p = normalize_paragraph(p)
        if p and p[-1] in ",;":
            p = p[:-1].rstrip()
        if p:
            out.append(p)
    return "\n\n".join(out)


def word_count(text: str) -> int:
    """Whitespace word count (the ``--min-words`` unit)."""
    return len(text.split())
