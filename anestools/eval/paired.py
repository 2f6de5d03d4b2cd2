"""Paired comparison of two runs on the questions both answered: McNemar and a paired interval.

Why paired: two checkpoints answer the *same* questions, so most of the sampling noise is
shared. Comparing two independent Wilson intervals throws that away and calls real gains
"overlapping"; the paired analysis looks only at the discordant questions (right in one run,
wrong in the other). The test is McNemar's exact (binomial) test; the interval for the change
in accuracy is Newcombe's (1998, method 10) score interval for paired proportions, built from
Wilson intervals, hence asymmetric — printed as [low, high]. A change whose interval contains
0 is labelled "within noise".

A question counts as right for a run when its majority vote over samples is the gold letter
(the one sample when ``--samples 1``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

from anestools.eval.metrics import majority_vote, wilson_interval


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value for ``b`` and ``c`` discordant pairs (binomial, p = 1/2)."""
    if b < 0 or c < 0:
        raise ValueError("discordant counts must be >= 0")
    n = b + c
    if n == 0:
        return 1.0
    k = min(b, c)
    tail = Fraction(sum(math.comb(n, i) for i in range(k + 1)), 2 ** n)
    return float(min(Fraction(1), 2 * tail))


def newcombe_paired(both: int, only_a: int, only_b: int, neither: int) -> tuple[float, float]:
    """95% interval for accuracy(B) - accuracy(A) on paired data (Newcombe 1998, method 10)."""
    n = both + only_a + only_b + neither
    if n == 0:
        return (-1.0, 1.0)
    p1, p2 = (both + only_a) / n, (both + only_b) / n  # accuracy of A, of B
    l1, u1 = wilson_interval(both + only_a, n)
    l2, u2 = wilson_interval(both + only_b, n)
    margins = [both + only_a, only_b + neither, both + only_b, only_a + neither]
    prod = math.prod(margins)
    # Correlation of the two accuracies, with Newcombe's shrinkage of a positive value by n/2.
    cross = both * neither - only_a * only_b
    phi = 0.0 if prod == 0 or 0 <= cross <= n / 2 else (cross - n / 2 if cross > 0 else cross) / math.sqrt(prod)
    theta = p1 - p2
    lo = theta - math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    hi = theta + math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    return (max(-1.0, -hi), min(1.0, -lo))  # interval for p2 - p1


@dataclass
class PairedScore:
    """One group (overall, a language, a level, language x level) of a paired comparison."""

    n: int
    both: int
    only_a: int
    only_b: int
    neither: int
    acc_a: float | None
    acc_b: float | None
    delta: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float
    verdict: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def paired_score(pairs: Iterable[tuple[bool, bool]]) -> PairedScore:
    """From (A right, B right) per question."""
    both = only_a = only_b = neither = 0
    for a, b in pairs:
        if a and b:
            both += 1
        elif a:
            only_a += 1
        elif b:
            only_b += 1
        else:
            neither += 1
    n = both + only_a + only_b + neither
    p = mcnemar_exact(only_a, only_b)
    if not n:
        return PairedScore(0, 0, 0, 0, 0, None, None, None, None, None, p, "no shared questions")
    lo, hi = newcombe_paired(both, only_a, only_b, neither)
    delta = (only_b - only_a) / n
    verdict = "within noise" if lo <= 0 <= hi else ("B better" if delta > 0 else "A better")
    return PairedScore(n, both, only_a, only_b, neither, (both + only_a) / n, (both + only_b) / n, delta,
                       lo, hi, p, verdict)


def question_outcomes(latest: Mapping[tuple[str, int], dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per question key: language, level, gold, majority answer, right or not (errors left out)."""
    answers: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (key, _), rec in sorted(latest.items()):
        if rec.get("error") is None:
            answers[key].append(rec)
    out = {}
    for key, recs in answers.items():
        first = recs[0]
        vote = majority_vote([r.get("extracted") for r in recs])
        out[key] = {"id": first.get("id"), "language": first.get("language"), "level": first.get("level"),
                    "gold": first.get("gold"), "answer": vote, "right": vote == first.get("gold"),
                    "extracted_by": first.get("extracted_by"), "response": first.get("response")}
    return out


def compare_pairs(a: Mapping[str, dict[str, Any]], b: Mapping[str, dict[str, Any]]
                  ) -> tuple[dict[str, PairedScore], list[dict[str, Any]]]:
    """Scores per group (overall, language, level, language x level) and the per-question diff rows.

    Only questions answered in both runs with the same gold letter are compared.
    """
    shared = sorted(k for k in a.keys() & b.keys() if a[k]["gold"] == b[k]["gold"])
    groups: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    rows = []
    for k in shared:
        qa, qb = a[k], b[k]
        pair = (bool(qa["right"]), bool(qb["right"]))
        lang, level = qa["language"], qa["level"]
        for g in ("overall", f"language={lang}", f"level={level}", f"language={lang},level={level}"):
            groups[g].append(pair)
        change = {(True, True): "both right", (False, False): "both wrong", (True, False): "worse in B",
                  (False, True): "better in B"}[pair]
        rows.append({"key": k, "id": qa["id"], "language": lang, "level": level, "gold": qa["gold"],
                     "a": qa["answer"], "b": qb["answer"], "a_extracted_by": qa["extracted_by"],
                     "b_extracted_by": qb["extracted_by"], "change": change,
                     "a_response": qa["response"], "b_response": qb["response"]})
    order = sorted(groups, key=lambda g: (g != "overall", g.count(","), g))
    return {g: paired_score(groups[g]) for g in order}, rows


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}"


def paired_markdown(name_a: str, name_b: str, scores: Mapping[str, PairedScore], diff_name: str | None) -> str:
    """Markdown section: per group, accuracies, delta [95% interval], discordant counts, McNemar p."""
    from anestools.eval.metrics import group_label

    lines = [f"## Paired comparison: A = {name_a}, B = {name_b}", "",
             "On the questions both runs answered (same gold letter). Delta = accuracy(B) - accuracy(A) in "
             "points, with Newcombe's paired 95% interval [low, high]; McNemar's exact test on the "
             "discordant questions (A only right / B only right). An interval containing 0 is within noise.", "",
             "| group | n | A % | B % | delta [95% CI] | A only | B only | McNemar p | verdict |",
             "|---|---|---|---|---|---|---|---|---|"]
    for g, s in scores.items():
        delta = "–" if s.delta is None else (f"{100 * s.delta:+.1f} [{100 * s.ci_low:+.1f}, "
                                             f"{100 * s.ci_high:+.1f}]")
        lines.append(f"| {group_label(g)} | {s.n} | {_pct(s.acc_a)} | {_pct(s.acc_b)} | {delta} | {s.only_a} | "
                     f"{s.only_b} | {s.p_value:.3g} | {s.verdict} |")
    if diff_name:
        lines += ["", f"Per-question differences: `{diff_name}`."]
    return "\n".join(lines) + "\n"
