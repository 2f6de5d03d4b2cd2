"""Streaming row sources for ``convert``: local parquet and JSON lines, ``hf://`` parquet, Hub ids.

JSON lines may be compressed (``.jsonl.gz`` as ``corpus build --format jsonl`` writes them,
``.bz2``, ``.zst``): :mod:`anestools.common.jsonl` streams them block by block.

Every source yields pyarrow ``RecordBatch``es holding only the requested columns, so memory is
bounded by the batch size whatever the input size. Local and fsspec parquet files are read with
a buffered stream (``buffer_size``) so that even a single huge row group is not loaded at once.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from anestools.common.inputs import is_remote, looks_like_hub_id, resolve_inputs
from anestools.common.jsonl import JSONL_SUFFIXES, is_jsonl, jsonl_batches, jsonl_schema
from anestools.common.paths import Output
from anestools.errors import InputError

log = logging.getLogger(__name__)

BATCH_ROWS = 2048
READ_BUFFER = 1 << 20


@dataclass
class Source:
    """One input unit: a parquet file (local or remote) or a Hub dataset split."""

    name: str  # what the user sees in errors and the summary
    kind: str  # "parquet" | "jsonl" | "hub"
    path: str
    fs: object | None = None  # fsspec filesystem for remote parquet
    hub_split: str | None = None

    def _open_parquet(self) -> pq.ParquetFile:
        try:
            if self.fs is not None:
                return pq.ParquetFile(self.fs.open(self.path, "rb"), buffer_size=READ_BUFFER)
            return pq.ParquetFile(self.path, buffer_size=READ_BUFFER, pre_buffer=False)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(f"{self.name}: not a readable parquet file ({exc})") from exc

    def schema(self) -> pa.Schema:
        """Arrow schema of the source (read from the footer / dataset features only)."""
        if self.kind == "parquet":
            return self._open_parquet().schema_arrow
        if self.kind == "jsonl":
            return jsonl_schema(self.path)
        ds = _load_hub(self.path, self.hub_split)
        features = ds.features
        if features is None:  # pragma: no cover - streaming datasets without metadata
            first = next(iter(ds))
            return pa.RecordBatch.from_pylist([first]).schema
        return features.arrow_schema

    def num_rows(self) -> int | None:
        if self.kind == "parquet":
            return self._open_parquet().metadata.num_rows
        return None

    def batches(self, columns: Sequence[str]) -> Iterator[pa.RecordBatch]:
        """Yield record batches with only ``columns``; corrupt pages raise ``InputError``."""
        if self.kind == "parquet":
            pf = self._open_parquet()
            try:
                yield from prefetch(_validated(pf.iter_batches(batch_size=BATCH_ROWS, columns=list(columns)),
                                               self.name))
            except (pa.ArrowException, OSError) as exc:
                raise InputError(f"{self.name}: corrupt parquet data ({exc})") from exc
            return
        if self.kind == "jsonl":
            # pyarrow's JSON reader does not check UTF-8 either: the same full validation as parquet.
            yield from prefetch(_validated(jsonl_batches(self.path, columns), self.name))
            return
        ds = _load_hub(self.path, self.hub_split).select_columns(list(columns))
        buf: list[dict] = []
        for row in ds:
            buf.append(row)
            if len(buf) >= BATCH_ROWS:
                yield pa.RecordBatch.from_pylist(buf)
                buf = []
        if buf:
            yield pa.RecordBatch.from_pylist(buf)


def _validated(batches: Iterable[pa.RecordBatch], name: str) -> Iterator[pa.RecordBatch]:
    """Batches after a full Arrow validation (UTF-8 of string columns included).

    Why: the parquet reader does not check that string values are UTF-8; an invalid one would
    surface later as a ``UnicodeDecodeError`` deep in the writer. Validation runs in the
    prefetch thread and is cheap next to the JSON encoding (figures in docs/reliability.md).
    """
    row = 0
    for batch in batches:
        try:
            batch.validate(full=True)
        except pa.ArrowInvalid as exc:
            bad = next((i for i, col in enumerate(batch.columns) if not _valid(col)), None)
            if bad is None:
                raise InputError(f"{name}: invalid value in rows {row + 1}-{row + batch.num_rows} "
                                 f"({str(exc).strip()})") from exc
            at = _first_invalid(batch.column(bad))
            where = f"row {row + at + 1}" if at is not None else f"rows {row + 1}-{row + batch.num_rows}"
            raise InputError(f"{name}: column {batch.schema.field(bad).name!r} holds an invalid value in {where} "
                             f"({str(exc).strip()})") from exc
        row += batch.num_rows
        yield batch


def _first_invalid(col: pa.Array) -> int | None:
    """Index of the first value that does not validate (bisection over slices; error path only)."""
    lo, hi = 0, len(col)
    if _valid(col):
        return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _valid(col.slice(lo, mid - lo)):
            lo = mid
        else:
            hi = mid
    return lo


def _valid(col: pa.Array) -> bool:
    try:
        col.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def prefetch(items: Iterable[pa.RecordBatch], depth: int = 3) -> Iterator[pa.RecordBatch]:
    """Decode the next batches in a background thread while the caller serialises this one.

    Why: parquet decompression/decoding releases the GIL, JSON serialisation does not; on two
    cores overlapping them nearly halves the wall time. At most ``depth`` batches are queued, so
    memory stays bounded. Exceptions from the reader are re-raised in the caller.
    """
    q: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                q.put(item)
            q.put(done)
        except BaseException as exc:  # handed to the consumer
            q.put(exc)

    worker = threading.Thread(target=produce, name="parquet-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            try:
                q.get_nowait()
            except queue.Empty:
                worker.join(timeout=0.05)


def _load_hub(dataset_id: str, split: str | None):
    try:
        from datasets import load_dataset
    except ImportError as exc:  # pragma: no cover
        raise InputError(f"{dataset_id}: reading Hub datasets needs the 'datasets' package") from exc
    try:
        return load_dataset(dataset_id, split=split or "train", streaming=True)
    except Exception as exc:  # datasets raises many unrelated types (network, missing config...)
        raise InputError(f"{dataset_id}: cannot load Hub dataset ({type(exc).__name__}: {exc})") from exc


def _remote_sources(spec: str) -> list[Source]:
    import fsspec

    try:
        fs, _, paths = fsspec.get_fs_token_paths(spec)
    except Exception as exc:
        raise InputError(f"{spec}: cannot open remote path ({exc})") from exc
    files: list[str] = []
    for p in paths:
        if fs.isdir(p):
            files.extend(sorted(f for f in fs.find(p) if f.endswith(".parquet")))
        else:
            files.append(p)
    if not files:
        raise InputError(f"{spec}: no parquet files found")
    protocol = spec.split("://", 1)[0]
    return [Source(name=f"{protocol}://{f}", kind="parquet", path=f, fs=fs) for f in files]


def resolve_sources(inputs: Sequence[str], outputs: Sequence[Output] = ()) -> list[Source]:
    """Turn ``INPUT...`` into sources: local files/dirs/globs, fsspec URLs, Hub ids (``id[:split]``).

    ``outputs``: the files this run writes; the shared check refuses an input that is one of them
    and leaves them out of the folders it scans (``convert in -o in`` reads the same rows each time).
    """
    if not inputs:
        raise InputError("no input given: pass parquet files, directories, globs or a Hub dataset id")
    sources: list[Source] = []
    local: list[str] = []
    for spec in inputs:
        if is_remote(spec):
            sources.extend(_remote_sources(spec))
        elif looks_like_hub_id(spec.split(":", 1)[0]) and not Path(spec).exists():
            dataset_id, _, split = spec.partition(":")
            sources.append(Source(name=spec, kind="hub", path=dataset_id, hub_split=split or None))
        else:
            local.append(spec)
    if local:
        # unfinished corpus or QA runs are refused there too (common.corpus_marker.check_complete)
        for f in resolve_inputs(local, (".parquet", ".pq", *JSONL_SUFFIXES), outputs, "convert"):
            kind = "jsonl" if is_jsonl(f.name) else "parquet"
            sources.append(Source(name=str(f), kind=kind, path=str(f)))
    return sources
