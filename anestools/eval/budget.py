"""Test-time scaling: accuracy vs the thinking budget (``--max-new-tokens``) across runs.

Why a check before the table: a budget curve only means something when everything but the
budget is held fixed. Two runs that also differ in model, prompt, temperature or question set
would draw a curve that mixes both effects, so such runs get one line naming what differs
instead of a table (``--by max-tokens`` turns that line into an error). The settings compared
are the ones that change what a response is or how it is scored; endpoint details (URL,
concurrency, timeouts) do not. Everything is read from each run's ``summary.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anestools.errors import InputError
from anestools.eval.metrics import group_label
from anestools.eval.report_parts import model_label
from anestools.eval.summary import RunInfo

BY = ("auto", "max-tokens")
GROUPS = ["overall", "language=en", "language=zh", "level=1", "level=2", "level=3"]
# summary.json "config" fields that must agree for runs to form one budget sweep
SETTINGS = ("model", "benchmark", "benchmark_mapping", "languages", "levels", "limit", "samples", "temperature",
            "prompt_hash", "seed", "engine", "judge_model", "answer_pass_mode")
REWRITE = ("re-run the same `anestools eval` command on it to rewrite summary.json from its predictions.jsonl "
           "(nothing is asked again)")


@dataclass(frozen=True)
class BudgetCheck:
    """Whether the runs form a budget sweep; ``note``: the one line saying why not, when they
    differ in budget but are no sweep."""

    sweep: bool
    note: str | None = None


def _name(run: RunInfo) -> str:
    return run.path.name or str(run.path)


def budget(run: RunInfo) -> int | None:
    """The run's ``max_new_tokens`` (``config``, else ``provenance.sampling``); None if not recorded."""
    value = run.summary["config"].get("max_new_tokens")
    if value is None:
        value = ((run.summary.get("provenance") or {}).get("sampling") or {}).get("max_new_tokens")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _settings(run: RunInfo) -> dict[str, Any]:
    cfg = run.summary["config"]
    prov = run.summary.get("provenance") or {}
    out = {k: cfg.get(k) for k in SETTINGS}
    out["question set"] = (prov.get("question_set") or {}).get("sha256")
    out["extractor version"] = prov.get("extractor_version")
    return out


def _show(value: Any) -> str:
    text = "unknown" if value is None else ",".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 40 else text[:12] + "…"


def differing_settings(runs: Sequence[RunInfo]) -> list[str]:
    """``temperature (a=0.0, b=0.7)`` for each compared setting the runs do not share."""
    settings = [_settings(r) for r in runs]
    out = []
    for key in settings[0]:
        values = [s[key] for s in settings]
        if any(v != values[0] for v in values):
            out.append(f"{key} (" + ", ".join(f"{_name(r)}={_show(v)}" for r, v in zip(runs, values)) + ")")
    return out


def check_budget_sweep(runs: Sequence[RunInfo], by: str = "auto") -> BudgetCheck:
    """Do ``runs`` differ in ``max_new_tokens`` alone? ``by="max-tokens"``: they must (else an
    ``InputError`` with the reason); ``"auto"``: a note when the budgets differ but more does too."""
    if by not in BY:
        raise InputError(f"--by {by!r}: expected one of {', '.join(BY)}")
    strict = by == "max-tokens"

    def no(reason: str, budgets_differ: bool) -> BudgetCheck:
        if strict:
            raise InputError(f"--by max-tokens: {reason}")
        return BudgetCheck(False, reason if budgets_differ else None)

    if len(runs) < 2:
        return no("a budget sweep needs at least two runs", False)
    budgets = [budget(r) for r in runs]
    known = {b for b in budgets if b is not None}
    missing = [_name(r) for r, b in zip(runs, budgets) if b is None]
    if missing:
        return no(f"{', '.join(missing)}: summary.json records no max_new_tokens (made by an older anestools); "
                  f"{REWRITE}", len(known) > 1)
    if len(known) < 2:
        return no(f"every run has max_new_tokens {budgets[0]}; a budget sweep needs runs at different "
                  "--max-new-tokens", False)
    diffs = differing_settings(runs)
    if diffs:
        return no("not a thinking-budget sweep: besides max_new_tokens the runs differ in " + "; ".join(diffs), True)
    seen: dict[int, str] = {}
    for r, b in zip(runs, budgets):
        if b in seen:
            return no(f"not a thinking-budget sweep: {seen[b]} and {_name(r)} both have max_new_tokens {b}", True)
        seen[b] = _name(r)
    return BudgetCheck(True)


def _by_budget(runs: Sequence[RunInfo]) -> list[RunInfo]:
    return sorted(runs, key=lambda r: budget(r) or 0)


def _cell(summary: dict[str, Any], group: str) -> str:
    s = (summary["scores"].get(group) or {}).get("accuracy")
    if not s or s.get("accuracy") is None:
        return "–"
    return f"{100 * s['accuracy']:.1f} [{100 * s['ci_low']:.1f}, {100 * s['ci_high']:.1f}]"


def truncated_share(summary: dict[str, Any]) -> float | None:
    """Share of responses cut at the budget (``finish_reason: length``); None when not recorded."""
    cut, responses = summary.get("truncated_responses"), summary.get("responses")
    return None if cut is None or not responses else cut / responses


def budget_markdown(runs: Sequence[RunInfo], plot_name: str | None = None) -> str:
    """The accuracy-vs-budget table (rows by budget), with the chart's image line."""
    head = ["max tokens", "run", "n", *[group_label(g) for g in GROUPS], "truncated %", "mean tokens"]
    lines = ["## Accuracy vs thinking budget (max_new_tokens)", "",
             f"Runs of {runs[0].summary.get('model')} that differ only in max_new_tokens. Accuracy in % "
             "[95% Wilson interval]; truncated: responses cut at the budget (finish_reason length), of all "
             "responses; mean tokens: mean completion tokens per response.", "",
             "| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
    old = []
    for r in _by_budget(runs):
        s = r.summary
        share = truncated_share(s)
        if share is None and s.get("responses"):
            old.append(_name(r))
        mean = (s["scores"].get("overall") or {}).get("response_tokens_mean")
        n = ((s["scores"].get("overall") or {}).get("accuracy") or {}).get("n")
        row = [str(budget(r)), _name(r), "–" if n is None else str(n), *[_cell(s, g) for g in GROUPS],
               "–" if share is None else f"{100 * share:.1f} ({s['truncated_responses']}/{s['responses']})",
               "–" if mean is None else f"{mean:.1f}"]
        lines.append("| " + " | ".join(row) + " |")
    if old:
        lines += ["", f"{', '.join(old)}: summary.json records no truncation count (made by an older anestools); "
                  f"{REWRITE}."]
    if plot_name:
        lines += ["", f"![accuracy vs thinking budget]({plot_name})"]
    return "\n".join(lines) + "\n"


def budget_figure(runs: Sequence[RunInfo]):
    """Two panels, accuracy vs budget by language and by level (Wilson bands), each with the
    truncated share as a dashed grey line; a log2 axis when the budgets span 4x or more."""
    from matplotlib.figure import Figure

    ordered = _by_budget(runs)
    xs = [budget(r) for r in ordered]
    fig = Figure(figsize=(10, 4.2))
    axes = fig.subplots(1, 2, sharey=True)
    panels = ((axes[0], ("overall", "language=en", "language=zh"), "by language"),
              (axes[1], ("level=1", "level=2", "level=3"), "by cognitive level"))
    cut = [(x, 100 * share) for x, r in zip(xs, ordered) if (share := truncated_share(r.summary)) is not None]
    for ax, groups, title in panels:
        for group in groups:
            pts = [(x, 100 * a["accuracy"], 100 * a["ci_low"], 100 * a["ci_high"]) for x, r in zip(xs, ordered)
                   if (a := (r.summary["scores"].get(group) or {}).get("accuracy")) and a.get("accuracy") is not None]
            if not pts:
                continue
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=group_label(group))
            ax.fill_between([p[0] for p in pts], [p[2] for p in pts], [p[3] for p in pts], alpha=0.12)
        if cut:
            ax.plot([c[0] for c in cut], [c[1] for c in cut], color="grey", linestyle="--", marker=".",
                    label="truncated %")
        if xs[-1] >= 4 * max(1, xs[0]):
            ax.set_xscale("log", base=2)
        ax.set_xticks(xs, [str(x) for x in xs])
        ax.minorticks_off()
        ax.set_xlabel("max new tokens (thinking budget)")
        ax.set_title(title, fontsize=9)
        ax.set_ylim(0, 105)
        ax.legend(fontsize=8)
    axes[0].set_ylabel("accuracy (%); dashed: truncated (%)")
    fig.suptitle(f"AnesBench accuracy vs thinking budget: {model_label(ordered[0].summary.get('model'))}",
                 fontsize=10)
    fig.tight_layout()
    return fig


def plot_budget(runs: Sequence[RunInfo], path: Path) -> None:
    """Write the chart to ``path`` (a temporary or scratch file: the caller publishes it)."""
    budget_figure(runs).savefig(path, format="png", dpi=110)
