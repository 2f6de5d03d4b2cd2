"""Paired comparison of two runs on the questions both answered: one decision rule, one matched interval.

Why paired: two checkpoints answer the *same* questions, so most of the sampling noise is
shared. Comparing two independent Wilson intervals throws that away and calls real gains
"overlapping"; the paired analysis looks only at the discordant questions (right in one run,
wrong in the other).

Why one rule: a report that prints p = 0.0625 next to "B better" contradicts itself. The verdict
is decided by McNemar's exact (binomial) test at ``ALPHA`` = 0.05 alone — the test the field
reports for paired accuracies, exact at any sample size. The interval printed beside it is the
one that inverts that same test (Clopper-Pearson on how the discordant questions split between
A and B, put on the accuracy-difference scale with the discordant count held fixed), so it
excludes 0 exactly when p < 0.05: the interval describes the size, the test decides, and they
cannot disagree. Newcombe's unconditional interval (:func:`newcombe_paired`) is kept as a
library function; it can disagree with the test near the boundary, so the report does not use it.

A question counts as right for a run when its majority vote over samples is the gold letter
(the one sample when ``--samples 1``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

from anestools.eval.metrics import majority_vote, wilson_interval

#: Significance level of the verdict (two-sided exact McNemar test); the interval is at 1 - ALPHA.
ALPHA = Fraction(1, 20)
DECISION_RULE = ("verdict: McNemar's exact two-sided test at α = 0.05 decides (p < 0.05: `B better` / "
                 "`A better`, else `within noise`); the 95% interval is the one that inverts that test "
                 "(exact Clopper-Pearson interval of the discordant split, on the delta scale, discordant "
                 "count held fixed), so it excludes 0 exactly when p < 0.05")


def _lower_tail_half(n: int, k: int) -> Fraction:
    """P(X <= k) for X ~ Bin(n, 1/2), exactly (binomial coefficients built incrementally)."""
    total, term = 0, 1
    for i in range(k + 1):
        total += term
        term = term * (n - i) // (i + 1)
    return Fraction(total, 2 ** n)


def _mcnemar_fraction(b: int, c: int) -> Fraction:
    if b < 0 or c < 0:
        raise ValueError("discordant counts must be >= 0")
    n = b + c
    if n == 0:
        return Fraction(1)
    return min(Fraction(1), 2 * _lower_tail_half(n, min(b, c)))


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value for ``b`` and ``c`` discordant pairs (binomial, p = 1/2)."""
    return float(_mcnemar_fraction(b, c))


def _betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b), a, b > 0: the binomial tails of any p, in O(sqrt n).

    Continued fraction evaluated by the modified Lentz method, on the side where it converges fast.
    """
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    if x > (a + 1) / (a + b + 2):
        return 1.0 - _betainc(b, a, 1.0 - x)
    tiny = 1e-300

    def clamp(v: float) -> float:
        return v if abs(v) > tiny else tiny

    c, d = 1.0, 1.0 / clamp(1.0 - (a + b) * x / (a + 1))
    h = d
    for m in range(1, 1000):
        even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        d, c = 1.0 / clamp(1.0 + even * d), clamp(1.0 + even / c)
        h *= d * c
        odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        d, c = 1.0 / clamp(1.0 + odd * d), clamp(1.0 + odd / c)
        h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    return math.exp(log_front) * h / a


def _root(f: Callable[[float], float], target: float, lo: float, hi: float) -> float:
    """p in [lo, hi] with f(p) = target, f increasing (bisection to float resolution)."""
    for _ in range(200):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def discordant_interval(only_a: int, only_b: int, alpha: Fraction = ALPHA) -> tuple[float, float]:
    """Clopper-Pearson interval for the share of discordant questions that B got right.

    Each bound is searched on the side of 1/2 that the exact test puts it (the comparison at 1/2
    is done in exact fractions), so "excludes 1/2" and "p < alpha" agree by construction, not by
    floating-point luck.
    """
    d, x = only_a + only_b, only_b
    if d == 0:
        return (0.0, 1.0)
    half = float(alpha) / 2
    upper_tail_half = _lower_tail_half(d, d - x)  # P(X >= x | 1/2)
    lower_tail_half = _lower_tail_half(d, x)  # P(X <= x | 1/2)
    low = 0.0
    if x > 0:  # P(X >= x | p) = I_p(x, d - x + 1), increasing in p
        def f_low(p: float) -> float:
            return _betainc(x, d - x + 1, p)

        if upper_tail_half < alpha / 2:
            low = max(_root(f_low, half, 0.5, 1.0), math.nextafter(0.5, 1.0))
        else:
            low = min(_root(f_low, half, 0.0, 0.5), 0.5)
    high = 1.0
    if x < d:  # P(X <= x | p) = 1 - I_p(x + 1, d - x), decreasing in p
        def f_high(p: float) -> float:
            return _betainc(x + 1, d - x, p)  # increasing; equals 1 - alpha/2 at the bound

        if lower_tail_half < alpha / 2:
            high = min(_root(f_high, 1 - half, 0.0, 0.5), math.nextafter(0.5, 0.0))
        else:
            high = max(_root(f_high, 1 - half, 0.5, 1.0), 0.5)
    return (low, high)


def newcombe_paired(both: int, only_a: int, only_b: int, neither: int) -> tuple[float, float]:
    """95% interval for accuracy(B) - accuracy(A) on paired data (Newcombe 1998, method 10).

    Unconditional and square-and-add, so near the boundary it can exclude 0 while the exact test
    says p >= 0.05 (or the reverse): not used for the report's verdict (see the module note).
    """
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
    p = _mcnemar_fraction(only_a, only_b)
    if not n:
        return PairedScore(0, 0, 0, 0, 0, None, None, None, None, None, float(p), "no shared questions")
    return PairedScore(n, both, only_a, only_b, neither, (both + only_a) / n, (both + only_b) / n,
                       (only_b - only_a) / n, *delta_interval(only_a, only_b, n), float(p),
                       verdict(only_a, only_b))


def verdict(only_a: int, only_b: int) -> str:
    """The one decision rule: the exact McNemar test at ``ALPHA`` (compared in exact fractions)."""
    if _mcnemar_fraction(only_a, only_b) >= ALPHA:
        return "within noise"
    return "B better" if only_b > only_a else "A better"


def delta_interval(only_a: int, only_b: int, n: int) -> tuple[float, float]:
    """The test's own interval on the delta scale: (2·share − 1)·discordant/n for each bound.

    Holding the discordant count fixed is what the exact test does too; it is why the interval and
    the verdict agree. With no discordant question it is [0, 0]: the runs agreed on every question.
    """
    low, high = discordant_interval(only_a, only_b)
    scale = (only_a + only_b) / n
    return ((2 * low - 1) * scale, (2 * high - 1) * scale)


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


def _points(x: float) -> str:
    """Signed points, one decimal; more where rounding would print a nonzero bound as ±0.0."""
    text = f"{100 * x:+.1f}"
    return f"{100 * x:+.2g}" if x != 0 and float(text) == 0 else text


def p_text(p: float) -> str:
    """Three significant digits, more where rounding would carry a p below ALPHA up to it."""
    for digits in range(3, 18):
        text = f"{p:.{digits}g}"
        if (float(text) < ALPHA) == (p < ALPHA):
            return text
    return repr(p)  # pragma: no cover - 17 digits always round-trip


def paired_markdown(name_a: str, name_b: str, scores: Mapping[str, PairedScore], diff_name: str | None) -> str:
    """Markdown section: per group, accuracies, delta [95% interval], discordant counts, McNemar p."""
    from anestools.eval.metrics import group_label

    lines = [f"## Paired comparison: A = {name_a}, B = {name_b}", "",
             "On the questions both runs answered (same gold letter). Delta = accuracy(B) - accuracy(A) in "
             "points; A only / B only = the discordant questions (right in one run only). One decision rule: "
             + DECISION_RULE + ".", "",
             "| group | n | A % | B % | delta [95% CI] | A only | B only | McNemar p | verdict |",
             "|---|---|---|---|---|---|---|---|---|"]
    for g, s in scores.items():
        delta = "–" if s.delta is None else (f"{_points(s.delta)} [{_points(s.ci_low)}, "
                                             f"{_points(s.ci_high)}]")
        lines.append(f"| {group_label(g)} | {s.n} | {_pct(s.acc_a)} | {_pct(s.acc_b)} | {delta} | {s.only_a} | "
                     f"{s.only_b} | {p_text(s.p_value)} | {s.verdict} |")
    if diff_name:
        lines += ["", f"Per-question differences: `{diff_name}`."]
    return "\n".join(lines) + "\n"
