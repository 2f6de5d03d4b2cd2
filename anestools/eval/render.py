"""Rendering one run: ``report.md`` and the accuracy chart, from ``summary.json`` alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from anestools.common.atomic import atomic_path
from anestools.eval.answer_pass import summary_line as answer_pass_line
from anestools.eval.metrics import LEVEL_NAMES, group_label
from anestools.eval.report_parts import (
    LENGTH_PLOT,
    extra_markdown,
    model_label,
    plot_length_accuracy,
    truncation_warning,
)
from anestools.eval.summary import SUMMARY

REPORT = "report.md"
PLOT = "accuracy.png"


def _pct(score: dict | None) -> str:
    if not score or score.get("accuracy") is None:
        return "–"
    return f"{100 * score['accuracy']:.1f} [{100 * score['ci_low']:.1f}, {100 * score['ci_high']:.1f}]"


def _extraction_line(summary: dict[str, Any]) -> str:
    ext = summary.get("extraction") or {}
    rates = ext.get("rates") or {}
    parts = [f"{k} {100 * v:.1f}%" for k, v in rates.items() if v is not None]
    line = "- answers decided by: " + (", ".join(parts) if parts else "–")
    audit = (summary.get("judge") or {}).get("audit")
    if audit and audit.get("rate") is not None:
        line += (f"; judge audit: agrees with the rules on {audit['agree']}/{audit['n']} "
                 f"({100 * audit['rate']:.1f}%)")
    prov = summary.get("provenance") or {}
    ap_line = answer_pass_line(summary)
    if ap_line:
        line += "  \n" + ap_line
    if prov.get("extractor_version"):
        line += f"  \n- extractor version {prov['extractor_version']}"
    qs = prov.get("question_set") or {}
    if qs:
        line += f"  \n- question set sha256 {qs['sha256'][:16]}… ({qs['items']} items); seed {prov.get('seed')}"
    return line


def render_report(summary: dict[str, Any]) -> str:
    """Markdown report of one run (the numbers come from ``summary.json`` only)."""
    cfg = summary["config"]
    chance = (summary.get("chance_accuracy") or {}).get("overall")
    lines = [f"# AnesBench evaluation: {summary['model']}", ""]
    lines += [
        f"- benchmark: {cfg.get('benchmark')}  ",
        f"- engine: {cfg.get('engine')}; prompt: {cfg.get('prompt', {}).get('style')} "
        f"(hash {cfg.get('prompt_hash')}, {cfg.get('prompt', {}).get('shots', 0)} shots); "
        f"temperature {cfg.get('temperature')}; max new tokens {cfg.get('max_new_tokens')}; "
        f"samples {summary['samples']}  ",
        f"- questions {summary['questions']}, answered {summary['answered_questions']}, "
        f"errors {summary['errors']}, not run {summary['not_run']}, "
        f"truncated responses {summary['truncated_responses']}"
        + ("" if summary["complete"] else " — **incomplete run: re-run the same command to resume**"),
        "",
        _extraction_line(summary),
        "",
        "Accuracy in %, with 95% Wilson interval. No-answer: responses from which no option "
        "could be extracted (scored wrong, reported apart). Levels: System 1 (factual recall), "
        "System 1.x (hybrid), System 2 (complex decision making)."
        + (f" Chance level (1 / options): {100 * chance:.1f}%." if chance else ""),
        "",
    ]
    warning = truncation_warning(summary)
    if warning:
        lines[-1:-1] = ["", f"**Warning:** {warning}."]
    majority = summary["samples"] > 1
    head = ["group", "n", "accuracy [95% CI]"] + (["majority vote [95% CI]"] if majority else [])
    head += ["no-answer %", "tokens mean", "tokens median"]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "|".join(["---"] * len(head)) + "|")
    for name, s in summary["scores"].items():
        row = [group_label(name), str(s["accuracy"]["n"]), _pct(s["accuracy"])]
        if majority:
            row.append(_pct(s.get("majority")))
        nar = s["no_answer_rate"]
        row.append("–" if nar is None else f"{100 * nar:.1f}")
        for key in ("response_tokens_mean", "response_tokens_median"):
            row.append("–" if s[key] is None else f"{s[key]:.0f}")
        lines.append("| " + " | ".join(row) + " |")
    lines += extra_markdown(summary)
    lines += ["", f"![accuracy per level and language]({PLOT})", ""]
    return "\n".join(lines)


def accuracy_figure(summary: dict[str, Any]):
    """Grouped bars: accuracy per level (and overall) for each language, Wilson error bars, n on each
    bar, the chance level (1 / options); titled with the model's name, never a full path."""
    from matplotlib.figure import Figure

    scores = summary["scores"]
    langs = sorted({k.split(",")[0].split("=")[1] for k in scores if k.startswith("language=")})
    groups = [g for g in LEVEL_NAMES if any(k.endswith(f"level={g}") for k in scores)] + ["all"]
    fig = Figure(figsize=(7.5, 4.2))
    ax = fig.subplots()
    width = 0.8 / max(1, len(langs))
    for i, lang in enumerate(langs):
        xs, ys, lo, hi, ns = [], [], [], [], []
        for j, g in enumerate(groups):
            key = f"language={lang}" if g == "all" else f"language={lang},level={g}"
            sc = scores.get(key, {}).get("accuracy")
            if not sc or sc["accuracy"] is None:
                continue
            xs.append(j + (i - (len(langs) - 1) / 2) * width)
            ys.append(100 * sc["accuracy"])
            ns.append(sc["n"])
            lo.append(max(0.0, 100 * (sc["accuracy"] - sc["ci_low"])))
            hi.append(max(0.0, 100 * (sc["ci_high"] - sc["accuracy"])))
        ax.bar(xs, ys, width, yerr=[lo, hi], capsize=3, label=lang)
        for x, y, h, n in zip(xs, ys, hi, ns):  # n above the interval, readable even for a 0% bar
            ax.text(x, y + h + 1, f"n={n}", ha="center", va="bottom", fontsize=7)
    chance = (summary.get("chance_accuracy") or {}).get("overall")
    if chance:
        ax.axhline(100 * chance, color="grey", linestyle="--", linewidth=1,
                   label=f"chance (1/options) {100 * chance:.0f}%")
    ax.set_xticks(range(len(groups)), [LEVEL_NAMES.get(g, "all levels") for g in groups])
    ax.set_ylim(0, 108)
    ax.set_ylabel("accuracy (%)")
    ax.set_title(f"AnesBench: {model_label(summary['model'])}", fontsize=10)
    if langs or chance:
        ax.legend(title="language", fontsize=8)
    fig.tight_layout()
    return fig


def plot_summary(summary: dict[str, Any], path: Path) -> None:
    with atomic_path(path, overwrite=True) as tmp:
        accuracy_figure(summary).savefig(tmp, format="png", dpi=110)


def write_outputs(run_dir: Path, summary: dict[str, Any]) -> list[Path]:
    """summary.json, report.md and the PNG, each published atomically."""
    paths = [run_dir / SUMMARY, run_dir / REPORT, run_dir / PLOT]
    with atomic_path(paths[0], overwrite=True) as tmp:
        tmp.write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n")
    with atomic_path(paths[1], overwrite=True) as tmp:
        tmp.write_text(render_report(summary), encoding="utf-8")
    plot_summary(summary, paths[2])
    if plot_length_accuracy(summary, run_dir / LENGTH_PLOT):
        paths.append(run_dir / LENGTH_PLOT)
    else:  # a chart of an earlier pass of this run would be stale beside a report that no longer shows it
        (run_dir / LENGTH_PLOT).unlink(missing_ok=True)
    return paths
