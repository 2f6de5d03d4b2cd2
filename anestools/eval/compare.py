"""``anestools eval report``: compare runs side by side, accuracy vs step for checkpoint sweeps and
vs budget for ``--max-new-tokens`` sweeps (:mod:`anestools.eval.budget`).

Reads each run's ``summary.json`` (the file contract), so runs made on different machines
or with different engines can be compared, and it warns when their prompts differ. Runs on
different question sets (``provenance.question_set``) are refused unless ``allow_mismatch``;
then they are marked. Two runs also get a paired comparison (:mod:`anestools.eval.paired`)
from their ``predictions.jsonl``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from anestools.errors import InputError
from anestools.eval.budget import BudgetCheck, budget_markdown
from anestools.eval.metrics import group_label
from anestools.eval.paired import compare_pairs, paired_markdown, question_outcomes
from anestools.eval.predictions import PREDICTIONS, latest_by_key, read_predictions
from anestools.eval.report_parts import model_label
from anestools.eval.summary import RunInfo, load_run

COLUMNS = ["overall", "language=en", "language=zh", "level=1", "level=2", "level=3"]


def _cell(summary: dict[str, Any], group: str) -> str:
    s = summary["scores"].get(group, {}).get("accuracy")
    if not s or s.get("accuracy") is None:
        return "–"
    return f"{100 * s['accuracy']:.1f} [{100 * s['ci_low']:.1f}, {100 * s['ci_high']:.1f}]"  # Wilson: asymmetric


def _name(run: RunInfo) -> str:
    return run.path.name or str(run.path)


def load_runs(run_dirs: Sequence[str | Path]) -> list[RunInfo]:
    if not run_dirs:
        raise InputError("give at least one run directory")
    runs = [load_run(Path(d)) for d in run_dirs]
    # Checkpoint sweeps read best in step order (runs without a step, e.g. the final model,
    # after them); otherwise the order given is kept (the sort is stable).
    def step(r: RunInfo) -> tuple[bool, int]:
        s = r.summary["config"].get("checkpoint_step")
        return (s is None, s or 0)

    runs.sort(key=step)
    return runs


def question_set(run: RunInfo) -> str | None:
    """sha256 of the questions a run asked (``None`` for runs made before provenance was recorded)."""
    return ((run.summary.get("provenance") or {}).get("question_set") or {}).get("sha256")


def extractor_version(run: RunInfo) -> str | None:
    """``EXTRACTOR_VERSION`` that scored a run (``None`` for runs made before it was recorded)."""
    return (run.summary.get("provenance") or {}).get("extractor_version")


def check_question_sets(runs: Sequence[RunInfo], allow_mismatch: bool) -> bool:
    """True when the runs' question sets differ; an ``InputError`` then, unless ``allow_mismatch``."""
    known = {question_set(r) for r in runs if question_set(r)}
    if len(known) <= 1:
        return False
    if not allow_mismatch:
        listing = ", ".join(f"{_name(r)}={(question_set(r) or 'unknown')[:12]}" for r in runs)
        raise InputError(f"the runs were evaluated on different question sets ({listing}); compare runs on the "
                         "same benchmark selection, or pass --allow-mismatch to set them side by side anyway")
    return True


def comparison_markdown(runs: Sequence[RunInfo], plot_name: str | None = None, mismatch: bool = False) -> str:
    """Markdown table: one row per run, accuracy (%) [95% interval]."""
    head = ["run", "model", "step", "n", *[group_label(c) for c in COLUMNS],
            "no-answer %", "majority", "complete", "question set", "extractor"]
    lines = ["# AnesBench comparison", "",
             "Accuracy in % [95% Wilson interval].", "",
             "| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
    for r in runs:
        s = r.summary
        overall = s["scores"].get("overall", {})
        nar = overall.get("no_answer_rate")
        maj = overall.get("majority")
        row = [_name(r), str(s.get("model")), _step_cell(s["config"]),
               str(s.get("questions")), *[_cell(s, c) for c in COLUMNS],
               "–" if nar is None else f"{100 * nar:.1f}",
               "–" if not maj or maj.get("accuracy") is None else f"{100 * maj['accuracy']:.1f}",
               "yes" if s.get("complete") else "no",
               ((question_set(r) or "unknown")[:12] + (" ≠" if mismatch else "")), extractor_version(r) or "unknown"]
        lines.append("| " + " | ".join(row) + " |")
    versions = {extractor_version(r) for r in runs}
    if len(versions) > 1:
        lines += ["", f"**Warning:** the runs were scored by different extractor versions "
                  f"({', '.join(sorted(map(str, versions)))}); their answers were read by different rules."]
    hashes = {r.summary["config"].get("prompt_hash") for r in runs}
    if len(hashes) > 1:
        lines += ["", f"**Warning:** the runs used different prompts (hashes {', '.join(sorted(map(str, hashes)))}); "
                  "their scores are not directly comparable."]
    if mismatch:
        lines += ["", "**Warning:** these runs asked different question sets (marked ≠; --allow-mismatch); "
                  "their scores are not directly comparable."]
    if plot_name:
        lines += ["", f"![accuracy vs checkpoint step]({plot_name})"]
    return "\n".join(lines) + "\n"


def _step_cell(cfg: dict[str, Any]) -> str:
    if cfg.get("checkpoint_step") is not None:
        return str(cfg["checkpoint_step"])
    return f"final ({cfg['trained_step']})" if cfg.get("trained_step") is not None else "–"


def sweep_steps(runs: Sequence[RunInfo]) -> list[float | None]:
    """x position of each run on the sweep chart: its checkpoint step; the final model (no
    checkpoint-N name) at the steps it was trained for, else one interval after the last checkpoint."""
    steps: list[float | None] = [r.summary["config"].get("checkpoint_step") for r in runs]
    known = sorted(s for s in steps if s is not None)
    if not known:
        return steps
    gap = (known[-1] - known[0]) / max(1, len(known) - 1) or known[-1] or 1
    for i, r in enumerate(runs):
        if steps[i] is None:
            trained = r.summary["config"].get("trained_step")
            steps[i] = trained if trained is not None and trained > known[-1] else known[-1] + gap
    return steps


def is_sweep(runs: Sequence[RunInfo]) -> bool:
    """At least two different checkpoint steps: the report gets an accuracy-vs-step plot (runs of
    one checkpoint, e.g. at several --max-new-tokens, would all sit at one x)."""
    return len({r.summary["config"].get("checkpoint_step") for r in runs} - {None}) >= 2


def plot_sweep(runs: Sequence[RunInfo], path: Path) -> bool:
    """Draw accuracy vs checkpoint step (overall and per language), the final model included as the
    last point, into ``path`` (a temporary or scratch file: the caller publishes it); False when
    fewer than 2 checkpoints."""
    if not is_sweep(runs):
        return False
    steps = sweep_steps(runs)
    finals = [x for r, x in zip(runs, steps) if r.summary["config"].get("checkpoint_step") is None]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for group, label in (("overall", "overall"), ("language=en", "en"), ("language=zh", "zh")):
        pts = []
        for r, step in zip(runs, steps):
            s = r.summary["scores"].get(group, {}).get("accuracy")
            if step is not None and s and s.get("accuracy") is not None:
                pts.append((step, 100 * s["accuracy"], 100 * s["ci_low"], 100 * s["ci_high"]))
        if not pts:
            continue
        pts.sort()
        xs = [p[0] for p in pts]
        ax.plot(xs, [p[1] for p in pts], marker="o", label=label)
        ax.fill_between(xs, [p[2] for p in pts], [p[3] for p in pts], alpha=0.15)
    for x in finals:
        ax.axvline(x, color="grey", linestyle=":", linewidth=1)
        ax.annotate("final model", (x, 2), rotation=90, fontsize=7, ha="right", va="bottom", color="grey")
    ax.set_xlabel("checkpoint step (dotted: final model)")
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 100)
    ax.legend()
    ax.set_title(f"AnesBench accuracy vs checkpoint step: {model_label(runs[-1].summary.get('model'))}",
                 fontsize=10)
    fig.tight_layout()
    try:
        fig.savefig(path, format="png", dpi=110)
    finally:
        plt.close(fig)
    return True


def _paired(runs: Sequence[RunInfo], diff_name: str | None) -> tuple[str, list[dict]]:
    outcomes = []
    for r in runs:
        pred = r.path / PREDICTIONS
        if not pred.exists():
            raise InputError(f"{r.path}: no {PREDICTIONS}; the paired comparison needs each run's predictions")
        outcomes.append(question_outcomes(latest_by_key(read_predictions(pred))))
    scores, rows = compare_pairs(*outcomes)
    return paired_markdown(_name(runs[0]), _name(runs[1]), scores, diff_name), rows


def comparison_document(runs: Sequence[RunInfo], plot_name: str | None = None, mismatch: bool = False,
                        diff_name: str | None = None, budget: BudgetCheck | None = None
                        ) -> tuple[str, list[dict]]:
    """The side-by-side table, the accuracy-vs-budget table (``budget.sweep``; ``plot_name`` is then
    its chart) or the line saying why the runs are no budget sweep, then (exactly two runs) the
    paired comparison; with its per-question rows.

    One place builds what both the markdown (``write_comparison``) and the HTML page show.
    """
    if budget is not None and budget.sweep:
        text = comparison_markdown(runs, None, mismatch=mismatch) + "\n" + budget_markdown(runs, plot_name)
    else:
        text = comparison_markdown(runs, plot_name, mismatch=mismatch)
        if budget is not None and budget.note:
            text += f"\n**Note:** {budget.note}.\n"
    if len(runs) != 2:
        return text, []
    paired, rows = _paired(runs, diff_name)
    return text + "\n" + paired, rows
