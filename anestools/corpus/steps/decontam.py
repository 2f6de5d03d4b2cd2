"""Benchmark decontamination: drop documents sharing a long n-gram with any AnesBench item.

Usage::

    from anestools.common.anesbench import AnesBenchIndex
    from anestools.corpus.steps.decontam import DecontaminationFilter
    index = AnesBenchIndex.from_files(["anesbench_en.json"])
    pipeline = [..., DecontaminationFilter(index), ...]

The n-gram rule (13 words, 20 Chinese characters) is :mod:`anestools.common.ngrams`'s.
Dropped documents are counted as ``dropped_benchmark_overlap``.
"""

from __future__ import annotations

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

from anestools.common.ngrams import NGramIndex

__all__ = ["DecontaminationFilter", "NGramIndex"]

class DecontaminationFilter(BaseFilter):
    """Drop documents overlapping the benchmark index."""

    name = "AnesBench decontamination"

    def __init__(self, index: NGramIndex, exclusion_writer: DiskWriter | None = None):
        super().__init__(exclusion_writer)
        self.index = index

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        if self.index.overlaps(doc.text):
            return False, "benchmark_overlap"
        return True
