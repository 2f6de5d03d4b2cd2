"""Scores with uncertainty: accuracy, 95% Wilson intervals, majority vote, no-answer rate.

Why Wilson intervals: AnesBench's level-3 subsets are small (211 Chinese questions), and the
normal approximation misbehaves near 0/1 and for small n; a difference between checkpoints is
only worth reporting when the intervals say so.

Why errors are kept apart: a request that failed after all retries says nothing about the
model; it is neither right nor wrong, is excluded from accuracy and is retried on resume.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

Z95 = 1.959963984540054


def wilson_interval(successes: float, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion (``successes`` may be fractional: mean over samples)."""
    if n <= 0:
        return (0.0, 1.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)))


def majority_vote(answers: Sequence[str | None]) -> str | None:
    """Most frequent non-None answer; ties go to the answer reached first (sample order)."""
    counts = Counter(a for a in answers if a is not None)
    if not counts:
        return None
    top = max(counts.values())
    for a in answers:
        if a is not None and counts[a] == top:
            return a
    return None  # pragma: no cover - unreachable


@dataclass
class Score:
    """Accuracy of one group of questions."""

    n: int
    correct: float
    accuracy: float | None
    ci_low: float | None
    ci_high: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Score:
        n = len(values)
        k = float(sum(values))
        if not n:
            return cls(0, 0.0, None, None, None)
        lo, hi = wilson_interval(k, n)
        return cls(n, round(k, 6), k / n, lo, hi)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ItemResult:
    """All samples of one question that got a response (errors excluded)."""

    key: str
    language: str
    level: int | None
    gold: str
    answers: tuple[str | None, ...]
    tokens: tuple[int | None, ...]
    truncated: int = 0  # samples cut at the token limit (finish_reason "length")

    @property
    def mean_correct(self) -> float:
        return sum(a == self.gold for a in self.answers) / len(self.answers)

    @property
    def majority_correct(self) -> float:
        return float(majority_vote(self.answers) == self.gold)


def _groups(results: Iterable[ItemResult]) -> dict[str, list[ItemResult]]:
    groups: dict[str, list[ItemResult]] = defaultdict(list)
    for r in results:
        groups["overall"].append(r)
        groups[f"language={r.language}"].append(r)
        if r.level is not None:  # custom banks may have no levels
            groups[f"level={r.level}"].append(r)
            groups[f"language={r.language},level={r.level}"].append(r)
    return dict(sorted(groups.items(), key=lambda kv: (kv[0] != "overall", kv[0])))


def summarize(results: Sequence[ItemResult], samples: int) -> dict:
    """Scores overall, per language, per level and per language x level.

    ``accuracy`` is the mean over samples of per-sample accuracy (plain accuracy when
    ``samples == 1``); ``majority`` is self-consistency accuracy (added when ``samples > 1``).
    """
    out: dict[str, dict] = {}
    for name, group in _groups(results).items():
        answers = [a for r in group for a in r.answers]
        tokens = [t for r in group for t in r.tokens if t is not None]
        entry = {
            "accuracy": Score.of([r.mean_correct for r in group]).as_dict(),
            "no_answer_rate": (sum(a is None for a in answers) / len(answers)) if answers else None,
            "responses": len(answers),
            "truncated": sum(r.truncated for r in group),
            "response_tokens_mean": statistics.fmean(tokens) if tokens else None,
            "response_tokens_median": statistics.median(tokens) if tokens else None,
        }
        if samples > 1:
            entry["majority"] = Score.of([r.majority_correct for r in group]).as_dict()
        out[name] = entry
    return out


LEVEL_NAMES = {"1": "System 1", "2": "System 1.x", "3": "System 2"}  # the paper's names; ids stay 1/2/3


def group_label(name: str) -> str:
    """``language=zh,level=3`` -> ``zh System 2`` for tables and plots."""
    if name == "overall":
        return "overall"
    parts = dict(p.split("=") for p in name.split(","))
    lang = parts.get("language")
    level = parts.get("level")
    return " ".join(x for x in (lang, LEVEL_NAMES.get(level, f"level {level}") if level else None) if x)
