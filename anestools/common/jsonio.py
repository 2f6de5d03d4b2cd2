"""The one reader of user JSON and JSON lines: strict, depth-limited, and every failure an ``InputError``.

Why one: each stage used to call ``json.loads`` on its own, so a file nested 100k levels deep was
a ``RecursionError`` traceback in one command and an invalid byte a ``UnicodeDecodeError`` in
another. Parsing is orjson's (RFC 8259, UTF-8 validated, nesting capped at ``MAX_DEPTH`` without
recursing in Python); this module only names the file, line and column of what went wrong.
A leading UTF-8 byte-order mark (editors on Windows write one) is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from anestools.errors import InputError

#: orjson's own nesting limit; deeper documents are refused, never recursed into.
MAX_DEPTH = 1024
_BOM = b"\xef\xbb\xbf"


def _reason(exc: orjson.JSONDecodeError, data: bytes) -> tuple[str, int, int]:
    """(message, line, column) of a decoding error, with the real place of an invalid UTF-8 byte."""
    if "UTF-8" in exc.msg and "BOM" not in exc.msg:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as bad:
            line = data.count(b"\n", 0, bad.start) + 1
            col = bad.start - (data.rfind(b"\n", 0, bad.start) + 1) + 1
            return f"not UTF-8 text (byte 0x{data[bad.start]:02x})", line, col
        return "not UTF-8 text (a lone surrogate escape)", exc.lineno, exc.colno
    if "depth" in exc.msg or "recursion" in exc.msg.lower():
        return f"nested deeper than {MAX_DEPTH} levels", exc.lineno, exc.colno
    return f"invalid JSON ({exc.msg})", exc.lineno, exc.colno


def parse(data: bytes | str, where: str, line: int | None = None) -> Any:
    """Parse one JSON document; ``where`` names its file (``line``: its line in a JSONL file)."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if raw.startswith(_BOM):
        raw = raw[len(_BOM):]
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        reason, lineno, colno = _reason(exc, raw)
        place = f"line {line}" if line is not None else f"line {lineno} column {colno}"
        raise InputError(f"{where} {place}: {reason}") from None


def read_json(path: str | Path) -> Any:
    """A whole JSON file (benchmark array, ``dataset_info.json``, ``summary.json``...)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    return parse(data, str(path))


def iter_jsonl(path: str | Path, complete_lines_only: bool = False) -> Iterator[tuple[int, Any]]:
    """``(line number, value)`` of each non-blank line, streamed (constant memory).

    ``complete_lines_only``: stop at a last line without its newline (an append-only journal
    torn by a hard kill; its owner trims it) instead of parsing it.
    """
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    with fh:
        try:
            for lineno, raw in enumerate(fh, 1):
                if complete_lines_only and not raw.endswith(b"\n"):
                    return
                if lineno == 1 and raw.startswith(_BOM):
                    raw = raw[len(_BOM):]
                if raw.strip():
                    yield lineno, parse(raw, str(path), line=lineno)
        except OSError as exc:  # a directory under a .jsonl name, an I/O error
            raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
