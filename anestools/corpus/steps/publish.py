"""Publish the staged shards of ``corpus build``, without the duplicates dedup found.

Usage::

    from anestools.corpus.steps.publish import PublishShards, publish_tasks

    step = PublishShards("anescorpus", n_ranks=500, fmt="parquet",
                         removals="exact", removals_folder="anescorpus/_work/exact/dups")
    # run as publish_tasks(500) datatrove tasks, after the dedup stages

Why a publish stage instead of a last pass that re-reads every survivor: the filter tasks
already write their survivors as final AnesCorpus shards, under ``_work/staged/<lang>/<rank>``
(``AnesCorpusWriter(record_order=True)``), and take the dedup signatures of the same documents.
Once dedup has decided, most shards have nothing to remove and are published with a rename;
only a shard that holds a duplicate is rewritten (filtered in Arrow, written under a hidden
name, renamed). Before, every survivor was compressed to an intermediate JSONL file, read
back, parsed and written again.

How a duplicate is found in a shard: datatrove's signature steps number a task's documents in
the order the writer wrote them, across both languages. ``<rank>.order`` (one byte per
document: ``e``/``z``) turns that number into a row of the English or Chinese shard.

Resume: publishing is idempotent per shard. A shard already moved to its final name is left
alone, and the counts (``total``, ``dropped``, ``forwarded``) come from the order file and the
dedup results, so a rerun of an interrupted publish task reports the same numbers.
"""

from __future__ import annotations

import gzip
import io
import math
from typing import Literal

import numpy as np
from datatrove.data import DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep

from anestools.corpus.steps.writer import FORMATS, ORDER_CODES, order_name, shard_name, tmp_shard_name
from anestools.errors import InputError

Removals = Literal["none", "exact", "minhash"]
RANKS_PER_TASK = 64
_NAMES = {"none": "📦 publish shards", "exact": "📦 publish shards, exact duplicates removed",
          "minhash": "📦 publish shards, MinHash near-duplicates removed"}
_DUP_DTYPE = np.dtype("<u4")  # datatrove writes both kinds of removal lists as little-endian uint32


def publish_tasks(n_ranks: int) -> int:
    """How many publish tasks for ``n_ranks`` filter tasks: one per 64 ranks.

    A function of the filter tasks only (not of the workers), so that a rerun maps the same
    ranks to the same publish task and datatrove's completion markers stay meaningful.
    """
    return max(1, math.ceil(n_ranks / RANKS_PER_TASK))


class PublishShards(PipelineStep):
    """Move ``staging/<lang>/<rank>`` shards to ``output/<lang>/<rank>``, minus the duplicates."""

    name = "📦 publish shards"
    type = "💽 - WRITER"

    def __init__(
        self,
        output_folder: DataFolderLike,
        n_ranks: int,
        fmt: str = "parquet",
        staging: str = "_work/staged",
        removals: Removals = "none",
        removals_folder: DataFolderLike | None = None,
    ):
        self.name = _NAMES[removals]  # before PipelineStep.__init__, which names the stats after it
        super().__init__()
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
        if removals != "none" and removals_folder is None:
            raise ValueError(f"removals={removals!r} needs removals_folder")
        self.output_folder = get_datafolder(output_folder)
        self.n_ranks = n_ranks
        self.fmt = fmt
        self.staging = staging.strip("/")
        self.removals = removals
        self.removals_folder = get_datafolder(removals_folder) if removals_folder is not None else None

    # -- dedup results ----------------------------------------------------------------------
    def _exact_subfolders(self) -> list[str]:
        # ExactFindDedups writes <finder rank>/<signature rank>.c4_dup
        if self.removals != "exact" or not self.removals_folder.exists(""):
            return []
        return self.removals_folder.list_files(include_directories=True, recursive=False)

    def _removed(self, rank: int, subfolders: list[str]) -> np.ndarray:
        """Sorted, unique numbers (in the task's write order) of rank's documents to drop."""
        if self.removals == "exact":
            from datatrove.utils.typeshelper import ExtensionHelperSD

            names = [f"{sub}/{rank:05d}{ExtensionHelperSD.stage_2_duplicates}" for sub in subfolders]
        elif self.removals == "minhash":
            names = [f"{rank:06d}.remove"]
        else:
            return np.empty(0, dtype=_DUP_DTYPE)
        parts = []
        for name in names:
            if self.removals_folder.exists(name):
                with self.removals_folder.open(name, "rb") as f:
                    parts.append(np.frombuffer(f.read(), dtype=_DUP_DTYPE))
        return np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=_DUP_DTYPE)

    # -- one shard ----------------------------------------------------------------------------
    def _staged(self, name: str) -> str:
        return f"{self.staging}/{name}"

    def _rewrite(self, src: str, tmp: str, dst: str, keep: np.ndarray) -> None:
        """Write the rows of ``src`` where ``keep`` is true to ``dst`` (as hidden ``tmp`` first)."""
        if self.fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            with self.output_folder.open(src, "rb") as f:
                table = pq.read_table(f)
            self._check_rows(src, table.num_rows, len(keep))
            with self.output_folder.open(tmp, "wb") as f:
                pq.write_table(table.filter(pa.array(keep)), f, compression="zstd")
        else:
            with self.output_folder.open(src, "rb") as f:
                lines = gzip.decompress(f.read()).splitlines(keepends=True)
            self._check_rows(src, len(lines), len(keep))
            buf = io.BytesIO()
            with gzip.GzipFile(fileobj=buf, mode="wb") as gz:
                gz.writelines(line for line, k in zip(lines, keep.tolist()) if k)
            with self.output_folder.open(tmp, "wb") as f:
                f.write(buf.getvalue())
        self.output_folder.mv(tmp, dst)
        self.output_folder.rm(src)

    @staticmethod
    def _check_rows(path: str, rows: int, expected: int) -> None:
        if rows != expected:
            raise InputError(f"{path}: staged shard has {rows} rows but its task's order file lists {expected}")

    def publish_rank(self, rank: int, subfolders: list[str]) -> None:
        order_file = self._staged(order_name(rank))
        if not self.output_folder.exists(order_file):
            # every finished filter task leaves one, even when it kept nothing
            if any(self.output_folder.exists(self._staged(shard_name(lang, rank, self.fmt))) for lang in ORDER_CODES):
                raise InputError(f"{self.output_folder.path}/{order_file}: missing, so the staged shards "
                                 "of this task cannot be matched with the dedup results")
            return
        with self.output_folder.open(order_file, "rb") as f:
            order = np.frombuffer(f.read(), dtype=np.uint8)
        removed = self._removed(rank, subfolders)
        if len(removed) and int(removed[-1]) >= len(order):
            raise InputError(f"{order_file}: dedup removes document {int(removed[-1])} of a task that wrote {len(order)}")
        self.stat_update("total", value=len(order))
        self.stat_update("dropped", value=len(removed))
        if self.removals != "none":
            self.stat_update("dropped_duplicate", value=len(removed))
        self.stat_update("forwarded", value=len(order) - len(removed))
        for lang, code in ORDER_CODES.items():
            numbers = np.flatnonzero(order == code[0])
            if not len(numbers):
                continue
            keep = ~np.isin(numbers, removed)
            self.stat_update(f"published_{lang}", value=int(keep.sum()))
            final = shard_name(lang, rank, self.fmt)
            staged = self._staged(final)
            if not self.output_folder.exists(staged):
                if self.output_folder.exists(final):
                    continue  # published by an earlier, interrupted run of this task
                raise InputError(f"{self.output_folder.path}/{staged}: staged shard missing "
                                 f"(its task's order file lists {len(numbers)} {lang} documents)")
            self.output_folder.makedirs(lang, exist_ok=True)
            if keep.all():
                self.output_folder.mv(staged, final)
            elif keep.any():
                self._rewrite(staged, tmp_shard_name(lang, rank, self.fmt), final, keep)
            else:
                self.output_folder.rm(staged)  # every row was a duplicate: no empty shard

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        with self.track_time():
            subfolders = self._exact_subfolders()
            for r in range(rank, self.n_ranks, world_size):
                self.publish_rank(r, subfolders)
