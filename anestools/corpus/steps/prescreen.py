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

Statistics are recorded once per batch (``stat_update(..., value=n)``, datatrove's public call):
``BaseFilter.run`` updates three per page, which on every page of the input costs as much as
the scan itself. With an exclusion writer the base class's per-page ``run`` is used.

Why a step of its own: the reader stays datatrove's, and on real web data (well under 1% of
pages about anesthesia) this scan is most of the work after reading; everything after it
runs on the few survivors. It is a datatrove ``BaseFilter`` with ``filter_batch``: the base class
does the statistics and the optional exclusion writer.
"""

from __future__ import annotations

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter
from datatrove.utils.batching import batched

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

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if self.exclusion_writer is not None:
            yield from super().run(data, rank, world_size)
            return
        screen = self.lexicon.strong_screen()
        for batch in batched(data, self.batch_size):
            with self.track_time("batch"):
                kept = [d for d, ok in zip(batch, screen.screen_texts([d.text for d in batch])) if ok]
            self.stat_update("batches")
            self.stat_update("total", value=len(batch))
            self.stat_update("forwarded", value=len(kept))
            if len(kept) < len(batch):
                self.stat_update("dropped", "dropped_no_strong_term", value=len(batch) - len(kept))
            for doc in kept:
                self.update_doc_stats(doc)
                yield doc
