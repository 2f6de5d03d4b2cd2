"""Statistics merged per batch must equal datatrove's per-document ones."""

from __future__ import annotations

import math

import pytest
from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter

from anestools.corpus.steps.batch_stats import BatchStatsFilter, add_counts, add_lengths


class _Rule:
    name = "rule"

    def filter(self, doc):
        n = len(doc.text)
        if n % 3 == 0:
            return False, "multiple_of_3"
        return n % 5 != 0  # dropped without a reason


class Theirs(_Rule, BaseFilter):
    pass


class Ours(_Rule, BatchStatsFilter):
    pass


def _docs():
    return [Document("x" * n, str(n), metadata={"token_count": n // 2}) for n in range(1, 200)]


@pytest.mark.parametrize("batch_size", [1, 7, 1000])
def test_same_documents_counts_and_length_stats_as_datatrove(batch_size):
    theirs, ours = Theirs(batch_size=batch_size), Ours(batch_size=batch_size)
    kept_theirs = [d.id for d in theirs.run(iter(_docs()))]
    kept_ours = [d.id for d in ours.run(iter(_docs()))]
    assert kept_ours == kept_theirs
    for key in ("total", "forwarded", "dropped", "dropped_multiple_of_3", "doc_len", "doc_len_tokens"):
        a, b = theirs.stats[key], ours.stats[key]
        assert (a.total, a.n, a.min, a.max) == (b.total, b.n, b.min, b.max), key
        assert math.isclose(a.mean, b.mean) and math.isclose(a.variance, b.variance, rel_tol=1e-9, abs_tol=1e-12), key


def test_helpers_equal_repeated_updates():
    step_a, step_b = Theirs(), Theirs()
    values = [5, 1, 9, 9, 2, 40]
    for v in values:
        step_a.stat_update("len", value=v, unit="doc")
        step_a.stat_update("count")
    add_lengths(step_b, "len", values)
    add_counts(step_b, "count", len(values))
    add_counts(step_b, "nothing", 0)
    add_lengths(step_b, "nothing", [])
    assert "nothing" not in step_b.stats.stats
    assert step_a.stats["count"].to_dict() == step_b.stats["count"].to_dict() == 6
    a, b = step_a.stats["len"], step_b.stats["len"]
    assert (a.total, a.n, a.min, a.max, a.mean) == (b.total, b.n, b.min, b.max, b.mean)
    assert math.isclose(a.variance, b.variance)
