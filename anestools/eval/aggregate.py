"""Aggregation: the record that counts per (question, sample) -> the numbers of ``summary.json``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from anestools.common.anesbench import Item
from anestools.eval.metrics import ItemResult, summarize
from anestools.eval.report_parts import summary_extras
from anestools.eval.summary import Summary
from anestools.runtime.replies import empty_content


def extraction_counts(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Who decided each answered response: a rule, the answer pass, the judge, or nobody (no answer)."""
    counts = {"rule": 0, "answer_pass": 0, "judge": 0, "none": 0}
    for rec in records:
        by = rec.get("extracted_by") or ("rule" if rec.get("extracted") else "none")  # older runs: rules only
        counts[by] = counts.get(by, 0) + 1
    total = sum(counts.values())
    return {**counts, "rates": {k: (v / total if total else None) for k, v in counts.items()}}


def no_answer_counts(records: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Answered requests with no option decided, split: the server sent no content at all
    (``empty_responses``), or content no rule or judge could read (``unparsable_responses``)."""
    empty = unparsable = 0
    for rec in records:
        if rec.get("extracted") is None:
            if empty_content(rec.get("response") or ""):
                empty += 1
            else:
                unparsable += 1
    return {"empty_responses": empty, "unparsable_responses": unparsable}


def item_results(items: Sequence[Item], latest: dict[tuple[str, int], dict[str, Any]], samples: int
                 ) -> tuple[list[ItemResult], int, int]:
    """Results of the selected items; returns (results, missing (errored or not run), truncated)."""
    results = []
    missing = 0
    truncated = 0
    for it in items:
        answers: list[str | None] = []
        tokens: list[int | None] = []
        cut = 0
        for s in range(samples):
            rec = latest.get((it.key, s))
            if rec is None or rec.get("error") is not None:
                missing += 1
                continue
            answers.append(rec.get("extracted"))
            tokens.append(rec.get("completion_tokens"))
            cut += rec.get("finish_reason") == "length"
        truncated += cut
        if answers:
            results.append(ItemResult(it.key, it.language, it.level, it.answer, tuple(answers), tuple(tokens), cut))
    return results, missing, truncated


def build_summary(items: Sequence[Item], latest: dict[tuple[str, int], dict[str, Any]], samples: int,
                  config: dict[str, Any], elapsed: float | None = None) -> Summary:
    results, missing, truncated = item_results(items, latest, samples)
    errors = sum(1 for it in items for s in range(samples)
                 if (rec := latest.get((it.key, s))) is not None and rec.get("error") is not None)
    answered = [rec for it in items for s in range(samples)
                if (rec := latest.get((it.key, s))) is not None and rec.get("error") is None]
    return {
        "model": config.get("model"),
        "questions": len(items),
        "samples": samples,
        "answered_questions": len(results),
        "responses": sum(len(r.answers) for r in results),
        "errors": errors,
        "not_run": missing - errors,
        "truncated_responses": truncated,
        **no_answer_counts(answered),
        "complete": missing == 0,
        "elapsed_s": round(elapsed, 2) if elapsed is not None else None,
        "scores": summarize(results, samples),
        "extraction": extraction_counts(answered),
        **summary_extras(items, results),
        "config": config,
    }
