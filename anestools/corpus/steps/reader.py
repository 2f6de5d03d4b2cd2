"""Input reader for web corpora: FineWeb-style parquet and JSONL(.gz/.zst), local or remote.

Usage::

    from anestools.corpus.steps.reader import AnesReader, resolve_input_files

    files = resolve_input_files(["data/", "hf://datasets/HuggingFaceFW/fineweb/sample/10BT"])
    reader = AnesReader(files, prescreen=lexicon, skip_bad=False, report_folder="out/_logs/bad")

Each task reads ``files[rank::world_size]`` (datatrove's sharding rule). Parquet is read in
record batches of the needed columns only (``text``, ``id``, ``url``); with ``prescreen`` a
batch is first screened in Arrow (``Lexicon.strong_screen()``: one hyperscan scan of the batch's
text buffer for the lexicon's strong spellings, RE2 regex as the fallback), so Python ``Document``
objects are only created for rows that can possibly qualify. The screen only removes rows the
relevance filter would drop anyway (a qualifying document contains a strong term), and is counted
as ``dropped_prescreen_no_strong_term`` in the stats.

Bad input: a shard that cannot be opened or parsed, or lacks the ``text`` column, raises
``InputError`` naming the file, which fails the task (datatrove marks it incomplete; a rerun
retries it). With ``skip_bad=True`` the file is skipped instead, counted (``bad_files``) and
listed in ``report_folder/<rank>.txt`` for the build summary: nothing vanishes silently.
``progress_folder`` gets one byte per finished file and task, for a progress bar that works
across processes (``anestools.corpus.progress.files_done``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence

from datatrove.data import Document, DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder, open_file
from datatrove.pipeline.readers.base import BaseReader

from anestools.common.inputs import expand_local, is_remote
from anestools.corpus.lexicon import Lexicon
from anestools.corpus.steps.batch_stats import add_counts, add_lengths
from anestools.errors import InputError

PARQUET_SUFFIXES = (".parquet", ".pq")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".json.gz", ".json.zst", ".ndjson", ".jsonl.zstd")
ALL_SUFFIXES = PARQUET_SUFFIXES + JSONL_SUFFIXES
BATCH_ROWS = 2048


def file_format(path: str) -> str:
    """``parquet`` or ``jsonl`` from the file name (error naming the file otherwise)."""
    name = path.lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    raise InputError(f"{path}: unsupported input format (expected {', '.join(ALL_SUFFIXES)})")


def resolve_input_files(specs: Sequence[str]) -> list[str]:
    """Expand files, directories, globs and fsspec URLs (``hf://``) to a sorted list of shards."""
    out: list[str] = []
    local: list[str] = []
    for spec in specs:
        if is_remote(spec):
            import fsspec

            try:
                fs, _, paths = fsspec.get_fs_token_paths(spec)
                files: list[str] = []
                for p in paths:
                    if fs.isdir(p):
                        files.extend(sorted(f for f in fs.find(p) if f.lower().endswith(ALL_SUFFIXES)))
                    else:
                        files.append(p)
            except Exception as exc:  # network, auth, missing repo...
                raise InputError(f"{spec}: cannot list remote input ({type(exc).__name__}: {exc})") from exc
            if not files:
                raise InputError(f"{spec}: no parquet or jsonl files found")
            protocol = spec.split("://", 1)[0]
            out.extend(f if "://" in f else f"{protocol}://{f}" for f in files)
        else:
            local.append(spec)
    if local:
        for f in expand_local(local, suffixes=ALL_SUFFIXES):
            file_format(str(f))
            out.append(str(f.resolve()))
    return out


class AnesReader(BaseReader):
    """datatrove reader over an explicit list of parquet/JSONL shards (local or fsspec URLs)."""

    name = "📖 web shards"

    def __init__(
        self,
        files: Sequence[str],
        prescreen: Lexicon | None = None,
        skip_bad: bool = False,
        report_folder: DataFolderLike | None = None,
        progress_folder: DataFolderLike | None = None,
        limit: int = -1,
        text_key: str = "text",
        id_key: str = "id",
        source: str = "web",
    ):
        super().__init__(limit=limit, text_key=text_key, id_key=id_key, default_metadata={"source": source})
        self.files = list(files)
        self.prescreen = prescreen
        self.skip_bad = skip_bad
        self.report_folder = get_datafolder(report_folder) if report_folder is not None else None
        self.progress_folder = get_datafolder(progress_folder) if progress_folder is not None else None

    def _mark_done(self, rank: int, reset: bool = False) -> None:
        # One byte per finished input file in <progress_folder>/<rank>: the CLI sums the sizes for
        # its progress bar, whichever process (or node) runs the task.
        if self.progress_folder is not None:
            with self.progress_folder.open(f"{rank:05d}", "w" if reset else "a") as f:
                f.write("" if reset else ".")

    # -- per format ---------------------------------------------------------------------
    def _parquet_docs(self, path: str):
        import numpy as np
        import pyarrow as pa
        import pyarrow.parquet as pq

        # built here, not in __init__: the step is pickled to workers and the screen cannot be
        screen = self.prescreen.strong_screen() if self.prescreen is not None else None

        # Local files are memory-mapped by Arrow itself (no Python file object in the read path);
        # remote ones (hf://, s3://) go through datatrove's fsspec I/O.
        opened = contextlib.nullcontext(path) if not is_remote(path) else open_file(path, "rb")
        with opened as fh:
            pf = pq.ParquetFile(fh, memory_map=not is_remote(path))
            names = pf.schema_arrow.names
            if self.text_key not in names:
                raise InputError(f"{path}: missing column {self.text_key!r} (found {names})")
            cols = [c for c in (self.text_key, self.id_key, "url") if c in names]
            base = os.path.basename(path)
            row = 0
            for batch in pf.iter_batches(batch_size=BATCH_ROWS, columns=cols):
                texts = batch.column(self.text_key)
                n = batch.num_rows
                if screen is not None:
                    with self.track_time("batch"):
                        keep = np.flatnonzero(screen.screen_array(texts))
                    self.stat_update("total", value=n)
                    self.stat_update("dropped", "dropped_prescreen_no_strong_term", value=n - len(keep))
                    if len(keep) == 0:
                        row += n
                        continue
                    idx = keep.tolist()
                    batch = batch.take(pa.array(keep))
                else:
                    self.stat_update("total", value=n)
                    idx = range(n)
                cols_py = {c: batch.column(c).to_pylist() for c in cols}
                for j, i in enumerate(idx):
                    text = cols_py[self.text_key][j]
                    if not text:
                        continue
                    doc_id = cols_py[self.id_key][j] if self.id_key in cols_py else None
                    md = {"source": self.default_metadata["source"]}
                    if "url" in cols_py and cols_py["url"][j]:
                        md["url"] = cols_py["url"][j]
                    yield Document(text=text, id=str(doc_id) if doc_id is not None else f"{base}/{row + i}",
                                   metadata=md)
                row += n

    def _jsonl_docs(self, path: str):
        import orjson

        base = os.path.basename(path)
        with open_file(path, "rt", compression="infer") as fh:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                self.stat_update("total")
                try:
                    rec = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    raise InputError(f"{path}:{lineno}: invalid JSON ({exc})") from exc
                if not isinstance(rec, dict) or self.text_key not in rec:
                    raise InputError(f"{path}:{lineno}: record has no {self.text_key!r} field")
                text = rec[self.text_key]
                if not text:
                    continue
                nested = rec.get("metadata") if isinstance(rec.get("metadata"), dict) else {}
                md = {"source": self.default_metadata["source"]}
                url = rec.get("url") or nested.get("url")
                if url:
                    md["url"] = url
                doc_id = rec.get(self.id_key)
                yield Document(text=str(text), id=str(doc_id) if doc_id is not None else f"{base}/{lineno}",
                               metadata=md)

    # -- datatrove entry point ----------------------------------------------------------
    def _report_bad(self, rank: int, path: str, exc: BaseException) -> None:
        self.stat_update("bad_files", "dropped_bad_file")
        if self.report_folder is not None:
            with self.report_folder.open(f"{rank:05d}.txt", "a") as f:
                f.write(f"{path}\t{exc}\n")

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        shard = self.files[rank::world_size]
        if self.report_folder is not None and self.report_folder.exists(f"{rank:05d}.txt"):
            self.report_folder.rm(f"{rank:05d}.txt")  # a rerun of this task reports afresh
        self._mark_done(rank, reset=True)
        emitted = 0
        lengths: list[int] = []  # of the documents passed on since the last statistics update
        try:
            for path in shard:
                self.stat_update("input_files")
                reader = self._parquet_docs if file_format(path) == "parquet" else self._jsonl_docs
                try:
                    for doc in reader(path):
                        if self.limit != -1 and emitted >= self.limit:
                            break
                        lengths.append(len(doc.text))
                        emitted += 1
                        yield doc
                except InputError as exc:
                    if not self.skip_bad:
                        raise
                    self._report_bad(rank, path, exc)
                except Exception as exc:  # corrupt compression, truncated parquet, network...
                    if not self.skip_bad:
                        raise InputError(f"{path}: unreadable input shard ({type(exc).__name__}: {exc})") from exc
                    self._report_bad(rank, path, exc)
                add_counts(self, "forwarded", len(lengths))  # once per file, not per document
                add_lengths(self, "doc_len", lengths)
                lengths.clear()
                self._mark_done(rank)
                if self.limit != -1 and emitted >= self.limit:
                    break
        finally:
            add_counts(self, "forwarded", len(lengths))
            add_lengths(self, "doc_len", lengths)

