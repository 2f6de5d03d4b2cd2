"""Anesthesia pre-screen: the one step that sees every input page, so the one that must be fast.

Usage::

    from anestools.corpus.steps.prescreen import AnesPrescreen

    pipeline = [ParquetReader(...), AnesPrescreen(lexicon), AnesRelevanceFilter(lexicon), ...]

A batch of documents is screened in one call: their texts go into one Arrow string array and
``Lexicon.strong_screen()`` scans its whole values buffer once with hyperscan (RE2 as the
fallback) for the lexicon's ``[strong]`` spellings. A page without any of them cannot qualify
(the relevance filter needs a strong term), so it is dropped here as ``no_strong_term``; the
screen may let through a page without one (no word boundaries), never the reverse, so the
relevance filter after it decides exactly as it would alone.

Why a step of its own: the reader stays datatrove's, and on real web data (well under 1% of
pages about anesthesia) this scan is most of the work after reading; everything after it
runs on the few survivors. It is a datatrove ``BaseFilter`` with ``filter_batch``: the base class
does the statistics and the optional exclusion writer.
"""

from __future__ import annotations

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

from anestools.corpus.lexicon import Lexicon, load_lexicon


class AnesPrescreen(BaseFilter):
    """Drop pages without any strong anesthesia spelling, a batch per hyperscan scan."""

    name = "anesthesia pre-screen"

    def __init__(self, lexicon: Lexicon | None = None, batch_size: int = 2048,
                 exclusion_writer: DiskWriter | None = None):
        super().__init__(exclusion_writer, batch_size=batch_size)
        self.lexicon = lexicon if lexicon is not None else load_lexicon()

    def filter_batch(self, batch: list[Document]) -> list[bool | tuple[bool, str]]:
        passed = self.lexicon.strong_screen().screen_texts([d.text for d in batch])
        return [True if ok else (False, "no_strong_term") for ok in passed]

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        return self.filter_batch([doc])[0]
