"""What a clinician reads in a report beyond the accuracy table.

Why each part: level *names* (the paper's "System 1 / System 1.x / System 2", the numbers stay
ids in ``summary.json``); the chance level (1 / options) so a score near 25% reads as
guessing; a warning when responses were cut at the token limit (a truncated chain of thought
has no answer, and the score then measures the limit, not the model); for bilingual items
sharing ids, whether the model answers the *same* question right in both languages; and how
accuracy moves with the length of the reasoning. The numbers go into ``summary.json`` (the
file contract that ``eval report`` reads); the charts are drawn from it.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from anestools.common.anesbench import Item
from anestools.common.atomic import atomic_path
from anestools.eval.metrics import LEVEL_NAMES, ItemResult

__all__ = ["LEVEL_NAMES", "model_label", "summary_extras", "truncation_warning", "extra_markdown",
           "length_figure", "plot_length_accuracy"]
TRUNCATION_WARN = 0.05
LENGTH_PLOT = "length_accuracy.png"
LENGTH_BINS = 5
MIN_PER_BIN = 5  # fewer responses per bin would plot noise


def model_label(model: str | None) -> str:
    """What to title a chart with: a Hub id as is, a local path by its last part(s), never absolute."""
    text = str(model or "?").rstrip("/\\")
    parts = [p for p in re.split(r"[\\/]+", text) if p not in ("", ".", "..", "~")]
    if not parts:
        return text or "?"
    looks_local = text.startswith(("/", ".", "~")) or len(parts) > 2
    if not looks_local:
        return "/".join(parts)  # Qwen/Qwen2.5-7B-Instruct
    if re.fullmatch(r"checkpoint-\d+", parts[-1]) and len(parts) > 1:
        return f"{parts[-2]}/{parts[-1]}"
    return parts[-1]


def _chance(results: Sequence[ItemResult], n_options: dict[str, int]) -> dict[str, float]:
    groups: dict[str, list[float]] = defaultdict(list)
    for r in results:
        p = 1 / n_options[r.key]
        groups["overall"].append(p)
        groups[f"language={r.language}"].append(p)
    return {k: statistics.fmean(v) for k, v in groups.items()}


def _right(r: ItemResult) -> bool:
    """One verdict per question: plain correctness, or the majority vote over samples."""
    return r.mean_correct > 0.5 if len(r.answers) == 1 else bool(r.majority_correct)


def _consistency(results: Sequence[ItemResult]) -> dict[str, int] | None:
    by_id: dict[str, dict[str, ItemResult]] = defaultdict(dict)
    for r in results:
        by_id[r.key.split(":", 1)[1]][r.language] = r
    pairs = [(v["en"], v["zh"]) for v in by_id.values() if "en" in v and "zh" in v]
    if not pairs:
        return None
    out = {"pairs": len(pairs), "both": 0, "only_en": 0, "only_zh": 0, "neither": 0}
    for en, zh in pairs:
        a, b = _right(en), _right(zh)
        out["both" if a and b else "only_en" if a else "only_zh" if b else "neither"] += 1
    return out


def _length_bins(results: Sequence[ItemResult]) -> list[dict[str, Any]]:
    """Accuracy of responses by reasoning length (completion tokens), in quantile bins per language."""
    out = []
    by_lang: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for r in results:
        for answer, tokens in zip(r.answers, r.tokens):
            if tokens is not None:
                by_lang[r.language].append((int(tokens), answer == r.gold))
    for lang, pts in sorted(by_lang.items()):
        pts.sort()
        k = max(1, min(LENGTH_BINS, len(pts) // MIN_PER_BIN))
        for i in range(k):
            chunk = pts[i * len(pts) // k:(i + 1) * len(pts) // k]
            if chunk:
                out.append({"language": lang, "tokens_min": chunk[0][0], "tokens_max": chunk[-1][0],
                            "tokens_median": statistics.median(t for t, _ in chunk), "n": len(chunk),
                            "accuracy": sum(c for _, c in chunk) / len(chunk)})
    return out


def summary_extras(items: Sequence[Item], results: Sequence[ItemResult]) -> dict[str, Any]:
    """The report's extra numbers, stored in ``summary.json``."""
    n_options = {it.key: len(it.options) for it in items}
    return {"chance_accuracy": _chance(results, n_options), "bilingual_consistency": _consistency(results),
            "length_vs_accuracy": _length_bins(results)}


def truncation_warning(summary: dict[str, Any]) -> str | None:
    responses = summary.get("responses") or 0
    cut = summary.get("truncated_responses") or 0
    if not responses or cut / responses <= TRUNCATION_WARN:
        return None
    max_tokens = summary.get("config", {}).get("max_new_tokens")
    return (f"{cut} of {responses} responses ({100 * cut / responses:.0f}%) hit the token limit "
            f"(--max-new-tokens {max_tokens}): their reasoning was cut before an answer, so these scores "
            "measure the limit as much as the model; raise --max-new-tokens")


def extra_markdown(summary: dict[str, Any]) -> list[str]:
    """Markdown lines for the warning, the EN/ZH consistency table and the length chart."""
    lines: list[str] = []
    cons = summary.get("bilingual_consistency")
    if cons:
        n = cons["pairs"]
        lines += ["", f"EN/ZH consistency on the {n} questions asked in both languages (same id):", "",
                  "| both right | only EN right | only ZH right | neither |", "|---|---|---|---|",
                  "| " + " | ".join(f"{cons[k]} ({100 * cons[k] / n:.0f}%)"
                                   for k in ("both", "only_en", "only_zh", "neither")) + " |"]
    if length_chart_bins(summary):
        lines += ["", f"![accuracy vs reasoning length]({LENGTH_PLOT})"]
    return lines


def length_figure(bins: list[dict[str, Any]], model: str | None):
    """Accuracy per reasoning-length bin (x: median completion tokens of the bin), one line per language."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4))
    ax = fig.subplots()
    for lang in sorted({b["language"] for b in bins}):
        pts = [b for b in bins if b["language"] == lang]
        xs = [b["tokens_median"] for b in pts]
        ax.plot(xs, [100 * b["accuracy"] for b in pts], marker="o", label=lang)
        for b, x in zip(pts, xs):
            ax.annotate(f"n={b['n']}", (x, 100 * b["accuracy"]), textcoords="offset points", xytext=(0, 6),
                        ha="center", fontsize=7)
    ax.set_xlabel("response length (completion tokens, median of the bin)")
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 105)
    ax.legend(title="language")
    ax.set_title(f"Accuracy vs reasoning length: {model_label(model)}", fontsize=10)
    fig.tight_layout()
    return fig


def length_chart_bins(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The length bins worth a chart: empty below two bins at different lengths.

    Why: with every response the same length (a fixed-length model) every bin sits at one x, and
    the chart is a single vertical line with its labels printed over each other; it says nothing,
    so it is left out.
    """
    bins = summary.get("length_vs_accuracy") or []
    return bins if len({b.get("tokens_median") for b in bins}) >= 2 else []


def plot_length_accuracy(summary: dict[str, Any], path: Path) -> bool:
    """Write the length chart; False (nothing written) below two bins of different lengths."""
    bins = length_chart_bins(summary)
    if not bins:
        return False
    with atomic_path(path, overwrite=True) as tmp:
        length_figure(bins, summary.get("model")).savefig(tmp, format="png", dpi=110)
    return True
