"""datatrove statistics recorded once per batch of documents instead of once per document.

Usage::

    from anestools.corpus.steps.batch_stats import BatchStatsFilter, add_counts, add_lengths

    class MyFilter(BatchStatsFilter):          # instead of datatrove's BaseFilter
        def filter(self, doc): ...

    add_counts(step, "forwarded", 250)         # = 250 x step.stat_update("forwarded")
    add_lengths(step, "doc_len", [len(d.text) for d in docs])   # = update_doc_stats per doc

Why: datatrove's ``BaseFilter.run`` updates three or four statistics per document and step
(``total``, ``forwarded``/``dropped``, the reason, ``doc_len``), each a Python method call with
a running-variance update. On the ~1% of web pages that survive the relevance screen that is
about 5 µs per page and step, a few per cent of a whole ``corpus build``. Merging a batch's
values with ``MetricStats.__add__`` (datatrove's own parallel mean/variance formula, the one it
uses to merge tasks) gives the same totals, counts, means, minima and maxima; only the variance
can differ in the last bits of floating point.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.filters.base_filter import BaseFilter, get_filter_result
from datatrove.utils.batching import batched
from datatrove.utils.stats import MetricStats


def add_counts(step: PipelineStep, label: str, n: int) -> None:
    """Same as ``n`` calls of ``step.stat_update(label)``."""
    if n > 0:
        step.stats[label] += MetricStats(total=n, n=n, mean=1.0, min=1, max=1)


def add_lengths(step: PipelineStep, label: str, values: Sequence[int], unit: str = "doc") -> None:
    """Same as ``step.stat_update(label, value=v, unit=unit)`` for each value (variance up to rounding)."""
    n = len(values)
    if not n:
        return
    total = sum(values)
    mean = total / n
    running_variance = sum((v - mean) ** 2 for v in values) if n > 1 else 0.0
    step.stats[label] += MetricStats(total=total, n=n, mean=mean, min=min(values), max=max(values),
                                     _running_variance=running_variance, unit=unit)


class BatchStatsFilter(BaseFilter):
    """``BaseFilter`` whose ``run`` records its statistics once per batch (see the module docstring).

    Same documents out, in the same order, with the same counts and drop reasons. Per-document
    filters (``filter``) are still called one document at a time; ``batch_size`` only sets how
    many documents share one statistics update (and one ``filter_batch`` call).
    """

    def filter_batch(self, batch: list) -> list:
        # datatrove warns when batch_size > 1 without a custom filter_batch; ours may batch
        # only for the statistics, so the per-document loop is the intended one
        return list(map(self.filter, batch))

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if self.exclusion_writer is not None:  # excluded documents are written one by one anyway
            yield from super().run(data, rank, world_size)
            return
        for batch in batched(data, self.batch_size):
            with self.track_time("batch"):
                results = self.filter_batch(batch)
            kept, reasons = [], Counter()
            for doc, result in zip(batch, results):
                ok, reason = get_filter_result(result)
                if ok:
                    kept.append(doc)
                elif reason:
                    reasons[reason] += 1
            self.stat_update("batches")
            add_counts(self, "total", len(batch))
            add_counts(self, "forwarded", len(kept))
            add_counts(self, "dropped", len(batch) - len(kept))
            for reason, n in reasons.items():
                add_counts(self, f"dropped_{reason}", n)
            add_lengths(self, "doc_len", [len(d.text) for d in kept])
            add_lengths(self, "doc_len_tokens", [d.metadata["token_count"] for d in kept if d.metadata.get("token_count")])
            yield from kept
