"""``anestools eval report``: compare runs side by side, and accuracy vs step for sweeps.

Reads only each run's ``summary.json`` (the file contract), so runs made on different machines
or with different engines can be compared, and it warns when their prompts differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from anestools.common.atomic import atomic_path, check_writable
from anestools.errors import InputError
from anestools.eval.results import RunInfo, load_run

COLUMNS = ["overall", "language=en", "language=zh", "level=1", "level=2", "level=3"]


def _cell(summary: dict[str, Any], group: str) -> str:
    s = summary["scores"].get(group, {}).get("accuracy")
    if not s or s.get("accuracy") is None:
        return "–"
    return f"{100 * s['accuracy']:.1f} ±{50 * (s['ci_high'] - s['ci_low']):.1f}"


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


def comparison_markdown(runs: Sequence[RunInfo], plot_name: str | None = None) -> str:
    """Markdown table: one row per run, accuracy (%) ± half-width of the 95% interval."""
    head = ["run", "model", "step", "n", *[c.replace("language=", "").replace("level=", "L") for c in COLUMNS],
            "no-answer %", "majority", "complete"]
    lines = ["# AnesBench comparison", "",
             "Accuracy in % ± half-width of the 95% Wilson interval.", "",
             "| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
    for r in runs:
        s = r.summary
        overall = s["scores"].get("overall", {})
        nar = overall.get("no_answer_rate")
        maj = overall.get("majority")
        row = [_name(r), str(s.get("model")), str(s["config"].get("checkpoint_step") or "–"),
               str(s.get("questions")), *[_cell(s, c) for c in COLUMNS],
               "–" if nar is None else f"{100 * nar:.1f}",
               "–" if not maj or maj.get("accuracy") is None else f"{100 * maj['accuracy']:.1f}",
               "yes" if s.get("complete") else "no"]
        lines.append("| " + " | ".join(row) + " |")
    hashes = {r.summary["config"].get("prompt_hash") for r in runs}
    if len(hashes) > 1:
        lines += ["", f"**Warning:** the runs used different prompts (hashes {', '.join(sorted(map(str, hashes)))}); "
                  "their scores are not directly comparable."]
    if plot_name:
        lines += ["", f"![accuracy vs checkpoint step]({plot_name})"]
    return "\n".join(lines) + "\n"


def is_sweep(runs: Sequence[RunInfo]) -> bool:
    """At least two runs with a checkpoint step: the report gets an accuracy-vs-step plot."""
    return sum(r.summary["config"].get("checkpoint_step") is not None for r in runs) >= 2


def plot_sweep(runs: Sequence[RunInfo], path: Path, overwrite: bool = True) -> bool:
    """Accuracy vs checkpoint step (overall and per language); False when fewer than 2 steps."""
    steps = [r.summary["config"].get("checkpoint_step") for r in runs]
    if not is_sweep(runs):
        return False
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
    ax.set_xlabel("checkpoint step")
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 100)
    ax.legend()
    ax.set_title("AnesBench accuracy vs checkpoint step", fontsize=10)
    fig.tight_layout()
    try:
        with atomic_path(path, overwrite=overwrite) as tmp:
            fig.savefig(tmp, format="png", dpi=110)
    finally:
        plt.close(fig)
    return True


def write_comparison(run_dirs: Sequence[str | Path], output: Path | None, overwrite: bool = False
                     ) -> tuple[str, list[Path]]:
    """Render the comparison; with ``output``, write it (and ``<output>.png`` for sweeps)."""
    runs = load_runs(run_dirs)
    if output is None:
        return comparison_markdown(runs), []
    # Every file this report writes is checked before the first one is written: the plot next
    # to the markdown is a user's file too (never replaced silently).
    plot_path = output.with_suffix(".png")
    if output.is_dir():
        raise InputError(f"--output {output} is a directory; give a file name such as {output / 'report.md'}")
    if is_sweep(runs) and plot_path == output:
        raise InputError(f"--output {output}: the markdown and its plot would share this name; use a .md name")
    for path in (output, *([plot_path] if is_sweep(runs) else [])):
        check_writable(path, overwrite)
    written = []
    has_plot = plot_sweep(runs, plot_path, overwrite=overwrite)
    if has_plot:
        written.append(plot_path)
    text = comparison_markdown(runs, plot_path.name if has_plot else None)
    with atomic_path(output, overwrite=overwrite) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return text, [output, *written]
