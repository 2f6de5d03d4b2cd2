"""One record per PMID / PMCID across a whole ``corpus pubmed`` run, the newest version kept.

Why: PubMed's update files re-issue a PMID each time its record is revised, and PMC bundles
can hold the same article more than once; without this every version became a row. Which
version is newest is a property of the run's file order (docs/pubmed.md): files are ordered
by name with numbers compared as numbers (``pubmed25n0001`` < ``pubmed25n1300``, a baseline
before its updates), and within a file a later record (a later tar member) is newer. A record's
*order* is ``file index << 32 | position in its file`` (``PubmedReader`` puts it in the
metadata), so "newest" is simply the largest order.

Three steps in datatrove's exact-dedup layout, so tasks may be spread over local workers,
Slurm or Ray and memory per task stays bounded:

1. ``PubmedIdSignatures`` (same tasks as the main stage): per task, a file of
   ``(key hash, order)`` pairs sorted by key, from the same reader over the same files;
2. ``PubmedFindDuplicates`` (one task): a k-way merge of those files (streamed); in each
   group of equal keys every order but the largest is a duplicate, written to the list of the
   task that reads its file (``file index % tasks``);
3. ``PubmedDedupFilter`` (in the main stage, before the drop rules, so an older version never
   stands in for a newer one that is retracted or dropped): drops the records on its list,
   counted as ``dropped_duplicate`` in datatrove's stats.

datatrove's ``ExactDedup*`` blocks do this for content hashes, but their priority is 16 bits
and equal priorities keep the first record seen, which cannot express "the later of 1,600
files, then the later record in the file". A record without a PMID or PMCID is never a
duplicate.
"""

from __future__ import annotations

import hashlib
import heapq
import os
import re
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.filters.base_filter import BaseFilter

from anestools.common.atomic import atomic_open

#: Part of a run's identity: a rule change (or a run from before dedup) is not resumed.
DEDUP_RULE = "pmid/pmcid; newest = later file (names compared with numbers as numbers), then later record"
ORDER = "record_order"  # metadata key: file index << 32 | position in the file
SIG = np.dtype([("hi", "<u8"), ("lo", "<u8"), ("order", "<u8")])
SIG_SUFFIX = ".ids"
DROP_SUFFIX = ".drop"
_CHUNK = 65536  # signatures read at once per file in the merge


def newest_last(files: Sequence[Path]) -> list[Path]:
    """``files`` in version order: by name with digit runs compared as numbers, then by path."""
    def key(p: Path) -> tuple:
        parts = re.split(r"(\d+)", p.name)
        return tuple(int(t) if i % 2 else t for i, t in enumerate(parts)), str(p)

    return sorted(files, key=key)


def record_order(file_index: int, position: int) -> int:
    return (file_index << 32) | position


def file_of(order: int) -> int:
    return order >> 32


def record_key(doc: Document) -> str | None:
    """The identity two versions share: ``pubmed-<pmid>`` / ``pmc-<pmcid or pmid>``; ``None`` without an id."""
    m = doc.metadata
    return doc.id if (m.get("pmid") or m.get("pmcid")) else None


def _hash(key: str) -> tuple[int, int]:
    d = hashlib.blake2b(key.encode("utf-8"), digest_size=16).digest()
    return int.from_bytes(d[:8], "little"), int.from_bytes(d[8:], "little")


class PubmedIdSignatures(PipelineStep):
    """Step 1: write this task's ``(key hash, order)`` pairs, sorted, to ``<folder>/<rank>.ids``."""

    name = "PubMed id signatures"
    type = "🫂 - DEDUPS"

    def __init__(self, folder: str | Path):
        super().__init__()
        self.folder = str(folder)

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        cols = (array("Q"), array("Q"), array("Q"))  # 24 bytes per record while the task runs
        for doc in data or ():
            self.stat_update("records")
            key = record_key(doc)
            if key is None:
                self.stat_update("no_id")
                continue
            hi, lo = _hash(key)
            cols[0].append(hi)
            cols[1].append(lo)
            cols[2].append(doc.metadata[ORDER])
        arr = np.empty(len(cols[0]), dtype=SIG)
        for name, col in zip(SIG.names, cols):
            arr[name] = np.frombuffer(col, dtype="<u8") if len(col) else 0
        arr.sort(order=("hi", "lo", "order"))
        os.makedirs(self.folder, exist_ok=True)
        with atomic_open(os.path.join(self.folder, f"{rank:05d}{SIG_SUFFIX}"), "wb", overwrite=True) as fh:
            fh.write(arr.tobytes())
        return
        yield  # a generator step that forwards nothing


def _read_sigs(path: Path) -> Iterator[tuple[int, int, int]]:
    with open(path, "rb") as fh:
        while True:
            chunk = np.frombuffer(fh.read(_CHUNK * SIG.itemsize), dtype=SIG)
            if not len(chunk):
                return
            yield from zip(chunk["hi"].tolist(), chunk["lo"].tolist(), chunk["order"].tolist())


class PubmedFindDuplicates(PipelineStep):
    """Step 2 (one task): merge every task's signatures; list each task's older versions.

    Writes ``<drop_folder>/<rank>.drop`` (sorted orders, uint64) for every rank of the main
    stage, empty ones included, so a filter task knows its list is complete.
    """

    name = "PubMed duplicate ids"
    type = "🫂 - DEDUPS"

    def __init__(self, sig_folder: str | Path, drop_folder: str | Path, tasks: int):
        super().__init__()
        self.sig_folder, self.drop_folder, self.tasks = str(sig_folder), str(drop_folder), tasks

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        files = sorted(Path(self.sig_folder).glob(f"*{SIG_SUFFIX}"))
        drops = [array("Q") for _ in range(self.tasks)]
        last: tuple[int, int] | None = None
        best = -1
        for hi, lo, order in heapq.merge(*(_read_sigs(f) for f in files)):
            if (hi, lo) != last:
                last, best = (hi, lo), order
                continue
            # same key, larger or equal order (sorted): the one held so far is older
            self.stat_update("duplicates")
            drops[file_of(best) % self.tasks].append(best)
            best = order
        os.makedirs(self.drop_folder, exist_ok=True)
        for r, orders in enumerate(drops):
            arr = np.array(orders, dtype="<u8")
            arr.sort()
            with atomic_open(os.path.join(self.drop_folder, f"{r:05d}{DROP_SUFFIX}"), "wb", overwrite=True) as fh:
                fh.write(arr.tobytes())


class PubmedDedupFilter(BaseFilter):
    """Step 3: drop the records step 2 found a newer version of (reason ``duplicate``)."""

    name = "PubMed duplicates"

    def __init__(self, drop_folder: str | Path):
        super().__init__()
        self.drop_folder = str(drop_folder)
        self._drop: np.ndarray = np.array([], dtype="<u8")

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        path = os.path.join(self.drop_folder, f"{rank:05d}{DROP_SUFFIX}")
        with open(path, "rb") as fh:  # missing: step 2 did not finish, a bug in the stage chain
            self._drop = np.frombuffer(fh.read(), dtype="<u8")
        yield from super().run(data, rank, world_size)

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        order = doc.metadata.get(ORDER)
        if order is not None and len(self._drop):
            i = int(np.searchsorted(self._drop, order))
            if i < len(self._drop) and int(self._drop[i]) == order:
                return False, "duplicate"
        return True
