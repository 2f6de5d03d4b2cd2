"""Low-level XML helpers shared by the MEDLINE and JATS parsers.

Why a module of its own: both parsers need the same "inline markup to text" rule (``<sub>``,
``<sup>``, ``<i>`` become plain characters, pretty-printing indentation does not become a space
inside "β2") and the same way of turning lxml/gzip failures into one-line ``InputError``s.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable

from lxml import etree

from anestools.errors import InputError

#: Inline tags glued to the preceding text (no space inserted: "β<sub>2</sub>" -> "β2").
GLUE_TAGS = frozenset({"sub", "sup"})


def local(tag: object) -> str:
    """Tag name without namespace (``{http://www.w3.org/1998/Math/MathML}math`` -> ``math``)."""
    if not isinstance(tag, str):  # comments, processing instructions
        return ""
    return tag.rsplit("}", 1)[-1]


def inline_text(
    elem: etree._Element,
    handler: Callable[[etree._Element, list[str]], bool] | None = None,
) -> str:
    """Text of ``elem`` with inline markup flattened.

    ``handler(child, parts)`` may append its own rendering of a child to ``parts`` and return
    True to skip the default (used by JATS to drop formulas and mark citations). The child's
    tail is always kept.
    """
    parts: list[str] = []
    _walk(elem, parts, handler)
    return "".join(parts)


def _walk(elem, parts: list[str], handler) -> None:
    if elem.text:
        parts.append(elem.text)
    for child in elem:
        name = local(child.tag)
        if name and not (handler and handler(child, parts)):
            if name in GLUE_TAGS and parts and "\n" in parts[-1][-40:]:
                # "&#946;\n\t\t<sub>2</sub>" in pretty-printed MEDLINE: glue "β2".
                parts[-1] = parts[-1].rstrip()
            _walk(child, parts, handler)
        if child.tail:
            parts.append(child.tail)


def describe_error(path: str, exc: BaseException) -> InputError:
    """Map parser/decompression failures to one line naming the file and the failure mode."""
    if isinstance(exc, InputError):
        return exc
    if isinstance(exc, EOFError | zlib.error | gzip.BadGzipFile) or "end-of-stream marker" in str(exc):
        return InputError(f"{path}: truncated or corrupt gzip ({exc})")
    if isinstance(exc, etree.XMLSyntaxError):
        msg = str(exc).splitlines()[0] if str(exc) else "syntax error"
        if "Document is empty" in msg or "Premature end" in msg or "EndTag" in msg:
            return InputError(f"{path}: malformed or truncated XML ({msg})")
        return InputError(f"{path}: malformed XML ({msg})")
    if isinstance(exc, ValueError):  # our own schema checks ("not a JATS article")
        return InputError(f"{path}: {exc}")
    if isinstance(exc, OSError):
        return InputError(f"{path}: cannot read ({exc})")
    return InputError(f"{path}: {type(exc).__name__}: {exc}")
