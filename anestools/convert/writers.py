"""Streaming JSONL / JSON-array writers (orjson), published atomically.

Why not ``json.dump(list)``: the corpus has millions of rows; we write each record as it comes,
so memory stays flat, and the file only appears under its final name once complete.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
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


class BackgroundFileWriter:
    """Write byte chunks to ``fh`` from a helper thread, flushing to disk as it goes.

    Why: ``write`` and ``fdatasync`` release the GIL, so on a second core they overlap with the
    JSON encoding of the next batch, and the final ``fsync`` before the atomic rename only has
    the last few MB left to flush. At most ``depth`` chunks wait in the queue (bounded memory);
    an I/O error is re-raised in the caller on the next ``write`` or on ``close``.
    """

    def __init__(self, fh, depth: int = 4, sync_every: int = 256 << 20) -> None:
        self._fh = fh
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._sync_every = sync_every
        self._thread = threading.Thread(target=self._run, name="jsonl-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        unsynced = 0
        while True:
            chunk = self._queue.get()
            if chunk is None:
                return
            if self._error is not None:
                continue  # drain after a failure so the producer never blocks
            try:
                self._fh.write(chunk)
                unsynced += len(chunk)
                if unsynced >= self._sync_every:
                    self._fh.flush()
                    os.fdatasync(self._fh.fileno())
                    unsynced = 0
            except BaseException as exc:  # handed to the producer
                self._error = exc

    def write(self, chunk: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(chunk)

    def close(self) -> None:
        """Wait until every chunk is written; re-raise the first write error."""
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error


@contextlib.contextmanager
def open_records(path: Path, fmt: str, overwrite: bool) -> Iterator[RecordWriter]:
    """Context manager: a ``RecordWriter`` whose file is renamed into place only on success."""
    with atomic_open(path, "wb", overwrite=overwrite) as fh, _records(fh, fmt) as writer:
        yield writer


@contextlib.contextmanager
def write_records(path: Path, fmt: str) -> Iterator[RecordWriter]:
    """A ``RecordWriter`` on ``path`` itself, flushed to disk on success.

    For a temporary path the caller publishes together with other files
    (:func:`anestools.common.atomic.atomic_paths`).
    """
    with open(path, "wb") as fh:
        with _records(fh, fmt) as writer:
            yield writer
        fh.flush()
        os.fsync(fh.fileno())


@contextlib.contextmanager
def _records(fh, fmt: str) -> Iterator[RecordWriter]:
    background = BackgroundFileWriter(fh)
    try:
        writer = RecordWriter(background, fmt)
        yield writer
        writer.close()
    finally:
        background.close()  # on error too: stop the thread before the temp file is removed
