"""Input discovery and format detection for ``corpus pubmed``.

Inputs mix MEDLINE files (``.xml``/``.xml.gz``), JATS articles (``.nxml``/``.xml``) and PMC
bundles (``.tar.gz``/``.tgz``). ``.xml`` is ambiguous, so the root element is sniffed from the
first bytes; a file of any other schema is an error naming that file (never silently empty).
"""

from __future__ import annotations

import gzip
import re
import tarfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Literal

from anestools.common.inputs import is_remote, resolve_inputs
from anestools.common.paths import Output
from anestools.corpus.pubmed.xmlio import describe_error
from anestools.errors import InputError

Format = Literal["medline", "jats", "jats-tar"]
SUFFIXES = (".xml", ".xml.gz", ".nxml", ".nxml.gz", ".tar.gz", ".tgz")
MAX_MEMBER_BYTES = 256 * 2**20  # one JATS article / tar member, decompressed

_ROOT = re.compile(rb"<(?![?!])([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_SKIP = re.compile(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>", re.DOTALL)
MEDLINE_ROOTS = {b"PubmedArticleSet"}
JATS_ROOTS = {b"article", b"pmc-articleset"}


def discover(inputs: Sequence[str], outputs: Sequence[Output] = ()) -> list[Path]:
    """Expand files, folders (recursive) and globs into the list of files to read.

    ``outputs``: the run's output folder(s), never inputs (the shared check in
    :func:`anestools.common.inputs.resolve_inputs`).
    """
    remote = [s for s in inputs if is_remote(s)]
    if remote:
        raise InputError(f"{remote[0]}: remote inputs are not supported by corpus pubmed; download the files first")
    return resolve_inputs(inputs, SUFFIXES, outputs, "corpus pubmed")


def open_binary(path: Path) -> IO[bytes]:
    """Open a file for reading, decompressing ``.gz`` transparently."""
    return gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb")


def root_tag(head: bytes) -> bytes | None:
    """Name of the first element in an XML prefix, skipping prolog, comments and DOCTYPE."""
    pos = 0
    while True:
        m = _SKIP.match(head, pos) if head[pos:pos + 1] == b"<" else None
        if m:
            pos = m.end()
            while pos < len(head) and head[pos:pos + 1].isspace():
                pos += 1
            continue
        break
    m = _ROOT.search(head, pos)
    return m.group(2) if m else None


def detect_format(path: Path) -> Format:
    """Classify a file by name and, for XML, by its root element; raise ``InputError`` otherwise."""
    name = path.name.lower()
    if name.endswith((".tar.gz", ".tgz")):
        return "jats-tar"
    try:
        with open_binary(path) as fh:
            head = fh.read(65536)
    except (OSError, EOFError, zlib.error) as exc:
        raise describe_error(str(path), exc) from exc
    if not head.strip():
        raise InputError(f"{path}: empty file")
    tag = root_tag(head.lstrip(b"\xef\xbb\xbf"))
    if tag in MEDLINE_ROOTS:
        return "medline"
    if tag in JATS_ROOTS:
        return "jats"
    if tag is None:
        raise InputError(f"{path}: not XML (no root element in the first 64 KB)")
    raise InputError(
        f"{path}: root element <{tag.decode(errors='replace')}> is neither MEDLINE <PubmedArticleSet> "
        "nor JATS <article>"
    )


def read_capped(fh: IO[bytes], where: str, limit: int = MAX_MEMBER_BYTES) -> bytes:
    """Read a whole (decompressed) file or tar member, refusing one larger than ``limit`` bytes.

    Why: a JATS article is parsed in memory; a gzip or tar "bomb" (a few KB that inflate to GBs)
    must fail at ``limit`` instead of taking the machine's memory first.
    """
    data = fh.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"{where}: decompresses to more than {limit // 2**20} MB (a compression bomb, or raise "
                         "--max-member-mb)")
    return data


def iter_tar_members(path: Path, limit: int = MAX_MEMBER_BYTES) -> Iterator[tuple[str, bytes]]:
    """Stream ``(member name, bytes)`` of the JATS files in a PMC ``.tar.gz`` bundle.

    A member larger than ``limit`` (by its header or once decompressed) raises ``InputError``.
    """
    with tarfile.open(path, "r|*") as tar:
        for member in tar:
            if not member.isfile() or not member.name.lower().endswith((".nxml", ".xml")):
                continue
            where = f"{path}:{member.name}"
            if member.size > limit:
                raise InputError(f"{where}: member of {member.size // 2**20} MB is larger than "
                                 f"{limit // 2**20} MB (raise --max-member-mb)")
            fh = tar.extractfile(member)
            if fh is not None:
                yield member.name, read_capped(fh, where, limit)
