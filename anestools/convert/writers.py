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

    def write(self, record: dict[str, Any]) -> None:
        data = orjson.dumps(record)
        if self._fmt == "jsonl":
            self._fh.write(data + b"\n")
        else:
            self._fh.write(data if self._first else b",\n" + data)
        self._first = False
        self.count += 1

    def write_many(self, records: list[dict[str, Any]]) -> None:
        """Serialise a batch and write it with one call (the hot path: one join, one write)."""
        if not records:
            return
        dumps = orjson.dumps
        if self._fmt == "jsonl":
            nl = orjson.OPT_APPEND_NEWLINE
            self._fh.write(b"".join([dumps(r, option=nl) for r in records]))
        else:
            body = b",\n".join([dumps(r) for r in records])
            self._fh.write(body if self._first else b",\n" + body)
        self._first = False
        self.count += len(records)

    def close(self) -> None:
        if self._fmt == "json":
            self._fh.write(b"\n]\n" if not self._first else b"]\n")


@contextlib.contextmanager
def open_records(path: Path, fmt: str, overwrite: bool) -> Iterator[RecordWriter]:
    """Context manager: a ``RecordWriter`` whose file is renamed into place only on success."""
    with atomic_open(path, "wb", overwrite=overwrite) as fh:
        writer = RecordWriter(fh, fmt)
        yield writer
        writer.close()
