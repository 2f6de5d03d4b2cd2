"""Streaming JSONL / JSON-array writers (orjson), published atomically.

Why not ``json.dump(list)``: the corpus has millions of rows; we write each record as it comes,
so memory stays flat, and the file only appears under its final name once complete.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from anestools.common.atomic import atomic_open

FORMATS = ("jsonl", "json")


class RecordWriter:
    """Append records to an open binary file as JSONL or as one streamed JSON array."""

    def __init__(self, fh, fmt: str) -> None:
        self._fh = fh
        self._fmt = fmt
        self._first = True
        self.count = 0
        if fmt == "json":
            fh.write(b"[\n")

    def write_many(self, records: list[dict[str, Any]]) -> None:
        """Serialise a batch of records and write it with one call."""
        self.write_chunk(encode_records(records, self._fmt), len(records))

    def write_texts(self, texts: list[str], key: str = "text") -> None:
        """Write ``{key: text}`` records (the corpus hot path, see :func:`encode_texts`)."""
        self.write_chunk(encode_texts(texts, key, self._fmt), len(texts))

    def write_chunk(self, body: bytes, n: int) -> None:
        """Write ``n`` already-encoded records (``encode_*`` output), adding array separators."""
        if not n:
            return
        if self._fmt == "json" and not self._first:
            self._fh.write(b",\n")
        self._fh.write(body)
        self._first = False
        self.count += n

    def close(self) -> None:
        if self._fmt == "json":
            self._fh.write(b"\n]\n" if not self._first else b"]\n")


def encode_records(records: list[dict[str, Any]], fmt: str) -> bytes:
    """JSONL lines (each ending in a newline) or ``,\\n``-joined array items, no brackets."""
    dumps = orjson.dumps
    if fmt == "jsonl":
        nl = orjson.OPT_APPEND_NEWLINE
        return b"".join([dumps(r, option=nl) for r in records])
    return b",\n".join([dumps(r) for r in records])


def encode_texts(texts: list[str], key: str, fmt: str) -> bytes:
    """Encode ``[{key: t} for t in texts]`` exactly like :func:`encode_records`, faster.

    Why: ``orjson.dumps`` of each bare string (C, no dict per row) and a single ``join`` with the
    record boundary as separator: one copy of the batch instead of one bytes object per record
    plus a join.
    """
    if not texts:
        return b""
    head = b'{"' + key.encode() + b'":'
    sep = b"}\n" + head if fmt == "jsonl" else b"},\n" + head
    body = sep.join(map(orjson.dumps, texts))
    return head + body + (b"}\n" if fmt == "jsonl" else b"}")


@contextlib.contextmanager
def open_records(path: Path, fmt: str, overwrite: bool) -> Iterator[RecordWriter]:
    """Context manager: a ``RecordWriter`` whose file is renamed into place only on success."""
    with atomic_open(path, "wb", overwrite=overwrite) as fh:
        writer = RecordWriter(fh, fmt)
        yield writer
        writer.close()
