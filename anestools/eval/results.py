"""Run directory: append-only ``predictions.jsonl`` with resume, ``summary.json``, ``report.md``, plot.

Why append-only JSONL: every answer is on disk the moment it arrives, so killing a run loses
at most the requests in flight, and a re-run skips exactly what is done. A line cut short by a
hard kill is trimmed on resume. A question that errored is logged too (auditable) and asked
again on resume; the last successful line for a (question, sample) is the one that counts,
so nothing is ever counted twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from anestools.common import jsonio
from anestools.common.atomic import atomic_path
from anestools.common.journal import JournalWriter, read_journal
from anestools.errors import ConfigError, InputError, OutputExistsError
from anestools.eval.answer_pass import summary_line as answer_pass_line
from anestools.eval.bench import Item
from anestools.eval.metrics import LEVEL_NAMES, ItemResult, group_label, summarize
from anestools.eval.report_parts import (
    LENGTH_PLOT,
    extra_markdown,
    model_label,
    plot_length_accuracy,
    summary_extras,
    truncation_warning,
)

PREDICTIONS = "predictions.jsonl"
SUMMARY = "summary.json"
REPORT = "report.md"
PLOT = "accuracy.png"
JUDGE_AUDIT = "judge_audit.jsonl"


# Types of the fields a prediction record must have to be counted (other fields are kept as is).
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "response": (str,), "extracted": (str,), "gold": (str,), "correct": (bool,), "error": (str,),
    "completion_tokens": (int,), "prompt_tokens": (int,), "finish_reason": (str,),
    "latency": (int, float), "attempts": (int,),
}


def check_record(rec: Any, where: str) -> dict[str, Any]:
    """A prediction record read back from disk, validated at the boundary.

    Not an object, or no ``key``/``sample``: the file is not a predictions file (``InputError``).
    A known field of the wrong type (a record written by an older, buggy version): the record
    is turned into an error for its question, so it is asked again and never counted.
    """
    if not isinstance(rec, dict):
        raise InputError(f"{where}: expected a JSON object, found {type(rec).__name__}")
    sample = rec.get("sample")
    if not isinstance(rec.get("key"), str) or not isinstance(sample, int) or isinstance(sample, bool) or sample < 0:
        raise InputError(f"{where}: not a prediction record (needs a string 'key' and an integer 'sample')")
    for name, kinds in _FIELD_TYPES.items():
        value = rec.get(name)
        if value is not None and (not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds)):
            return {**rec, "error": f"invalid record in {where}: field {name!r} is {type(value).__name__}"}
    return rec


def read_predictions(path: Path) -> Iterator[dict[str, Any]]:
    """Complete, validated records of a predictions file (a torn last line is ignored)."""
    return read_journal(path, check_record)


#: The predictions file's appender: the project's one journal writer (whole lines or nothing).
PredictionLog = JournalWriter


def jsonl_bytes(rows: Sequence[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in rows)


def write_jsonl(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    """Replace ``path`` (a file the run owns, e.g. the judge audit) with ``rows`` as JSON lines, atomically."""
    with atomic_path(path, overwrite=True) as tmp:
        tmp.write_bytes(jsonl_bytes(rows))


def extraction_counts(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Who decided each answered response: a rule, the answer pass, the judge, or nobody (no answer)."""
    counts = {"rule": 0, "answer_pass": 0, "judge": 0, "none": 0}
    for rec in records:
        by = rec.get("extracted_by") or ("rule" if rec.get("extracted") else "none")  # older runs: rules only
        counts[by] = counts.get(by, 0) + 1
    total = sum(counts.values())
    return {**counts, "rates": {k: (v / total if total else None) for k, v in counts.items()}}


def latest_by_key(records: Iterator[dict[str, Any]], fingerprint: str | None = None
                  ) -> dict[tuple[str, int], dict[str, Any]]:
    """The record that counts for each (question key, sample): the last success, else the last error.

    With ``fingerprint``, a record made with other settings is a ``ConfigError`` (a run dir
    holds one configuration; use another ``--output`` for another).
    """
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for rec in records:
        if fingerprint is not None and rec.get("fingerprint") != fingerprint:
            raise ConfigError(
                "the output directory holds predictions made with other settings (model, prompt, "
                "temperature or max tokens); choose another --output, or --no-resume --overwrite to start over")
        k = (rec["key"], int(rec["sample"]))
        prev = out.get(k)
        if prev is None or rec.get("error") is None or prev.get("error") is not None:
            out[k] = rec
    return out


def prepare_output(run_dir: Path, resume: bool, overwrite: bool) -> None:
    """Refuse to mix or clobber runs: existing predictions need ``--resume`` or ``--overwrite``."""
    pred = run_dir / PREDICTIONS
    if pred.exists() and pred.stat().st_size and not resume:
        if not overwrite:
            raise OutputExistsError(f"{pred} already exists: resume it (default), or pass --no-resume "
                                    "--overwrite to start over")
        pred.unlink()
        for name in (SUMMARY, REPORT, PLOT, LENGTH_PLOT):
            (run_dir / name).unlink(missing_ok=True)


def item_results(items: Sequence[Item], latest: dict[tuple[str, int], dict[str, Any]], samples: int
                 ) -> tuple[list[ItemResult], int, int]:
    """Results of the selected items; returns (results, missing (errored or not run), truncated)."""
    results = []
    missing = 0
    truncated = 0
    for it in items:
        answers: list[str | None] = []
        tokens: list[int | None] = []
        for s in range(samples):
            rec = latest.get((it.key, s))
            if rec is None or rec.get("error") is not None:
                missing += 1
                continue
            answers.append(rec.get("extracted"))
            tokens.append(rec.get("completion_tokens"))
            truncated += rec.get("finish_reason") == "length"
        if answers:
            results.append(ItemResult(it.key, it.language, it.level, it.answer, tuple(answers), tuple(tokens)))
    return results, missing, truncated


def build_summary(items: Sequence[Item], latest: dict[tuple[str, int], dict[str, Any]], samples: int,
                  config: dict[str, Any], elapsed: float | None = None) -> dict[str, Any]:
    results, missing, truncated = item_results(items, latest, samples)
    errors = sum(1 for it in items for s in range(samples)
                 if (rec := latest.get((it.key, s))) is not None and rec.get("error") is not None)
    return {
        "model": config.get("model"),
        "questions": len(items),
        "samples": samples,
        "answered_questions": len(results),
        "responses": sum(len(r.answers) for r in results),
        "errors": errors,
        "not_run": missing - errors,
        "truncated_responses": truncated,
        "complete": missing == 0,
        "elapsed_s": round(elapsed, 2) if elapsed is not None else None,
        "scores": summarize(results, samples),
        "extraction": extraction_counts([rec for it in items for s in range(samples)
                                         if (rec := latest.get((it.key, s))) is not None and rec.get("error") is None]),
        **summary_extras(items, results),
        "config": config,
    }


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


@dataclass(frozen=True)
class RunInfo:
    path: Path
    summary: dict[str, Any]


_NUM = (int, float)
_OPT = type(None)


def _expect(value: Any, kinds: tuple[type, ...], where: str) -> Any:
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        names = " or ".join("null" if k is _OPT else {"dict": "object", "str": "string"}.get(k.__name__, k.__name__)
                            for k in kinds)
        raise InputError(f"{where} is {type(value).__name__}, expected {names}")
    return value


def _check_score(score: Any, where: str) -> None:
    if score is None:
        return
    _expect(score, (dict,), where)
    for key in ("accuracy", "ci_low", "ci_high"):
        _expect(score.get(key), (*_NUM, _OPT), f"{where}.{key}")
    _expect(score.get("n", 0), (int,), f"{where}.n")


# Optional fields the reports read (#14 provenance/extraction/judge, #15 chance/consistency/length,
# the trained step of a sweep's final model), checked parent before child: absent or null is fine,
# a wrong type is one line naming the field instead of a traceback in the report.
_OPTIONAL_FIELDS: tuple[tuple[str, tuple[type, ...]], ...] = (
    *((k, (int, _OPT)) for k in ("answered_questions", "responses", "errors", "not_run", "truncated_responses")),
    ("config.checkpoint_step", (int, _OPT)), ("config.trained_step", (int, _OPT)),
    ("config.prompt_hash", (str, _OPT)), ("config.max_new_tokens", (int, _OPT)), ("config.prompt", (dict, _OPT)),
    ("extraction", (dict, _OPT)), ("extraction.rates", (dict, _OPT)),
    ("judge", (dict, _OPT)), ("judge.audit", (dict, _OPT)), ("judge.audit.rate", (*_NUM, _OPT)),
    ("judge.audit.agree", (int, _OPT)), ("judge.audit.n", (int, _OPT)),
    ("provenance", (dict, _OPT)), ("provenance.question_set", (dict, _OPT)),
    ("provenance.question_set.sha256", (str, _OPT)), ("provenance.question_set.items", (int, _OPT)),
    ("chance_accuracy", (dict, _OPT)), ("chance_accuracy.overall", (*_NUM, _OPT)),
    ("bilingual_consistency", (dict, _OPT)),
    *((f"bilingual_consistency.{k}", (int, _OPT)) for k in ("pairs", "both", "only_en", "only_zh", "neither")),
    ("length_vs_accuracy", (list, _OPT)),
)


def _field(data: dict[str, Any], dotted: str) -> Any:
    """``data["a"]["b"]`` for ``"a.b"``; None where a level is missing or not an object."""
    value: Any = data
    for name in dotted.split("."):
        value = value.get(name) if isinstance(value, dict) else None
    return value


def check_summary(data: Any, path: Path) -> dict[str, Any]:
    """The fields readers of ``summary.json`` use, type-checked: one ``InputError`` naming the field."""
    _expect(data, (dict,), f"{path}: the summary")
    for key in ("config", "scores"):
        if key not in data:
            raise InputError(f"{path}: no {key!r} (not a summary.json written by anestools eval?)")
        _expect(data[key], (dict,), f"{path}: field {key!r}")
    for key, kinds in (("model", (str, _OPT)), ("questions", (int, _OPT)), ("samples", (int, _OPT)),
                       ("complete", (bool, _OPT))):
        _expect(data.get(key), kinds, f"{path}: field {key!r}")
    for dotted, kinds in _OPTIONAL_FIELDS:
        parent, _, name = dotted.rpartition(".")
        holder = _field(data, parent) if parent else data
        if isinstance(holder, dict):
            _expect(holder.get(name), kinds, f"{path}: field {dotted!r}")
    for key, value in (_field(data, "extraction.rates") or {}).items():
        _expect(value, (*_NUM, _OPT), f"{path}: field 'extraction.rates.{key}'")
    for i, row in enumerate(_field(data, "length_vs_accuracy") or []):
        _expect(row, (dict,), f"{path}: field 'length_vs_accuracy[{i}]'")
        for key, kinds in (("language", (str,)), ("tokens_median", _NUM), ("accuracy", _NUM), ("n", (int,))):
            _expect(row.get(key), kinds, f"{path}: field 'length_vs_accuracy[{i}].{key}'")
    for group, entry in data["scores"].items():
        where = f"{path}: field 'scores.{group}'"
        _expect(entry, (dict,), where)
        _check_score(entry.get("accuracy"), f"{where}.accuracy")
        _check_score(entry.get("majority"), f"{where}.majority")
        _expect(entry.get("no_answer_rate"), (*_NUM, _OPT), f"{where}.no_answer_rate")
    return data


# What ``render_report`` prints of a run besides its scores (``eval --html`` renders one per run).
_REPORT_FIELDS: tuple[tuple[str, tuple[type, ...]], ...] = (
    ("model", (str,)), ("samples", (int,)), ("complete", (bool,)),
    *((k, (int,)) for k in ("questions", "answered_questions", "errors", "not_run", "truncated_responses")),
)
# The selection ``eval`` compares with the previous run in the same directory (``rundir``).
_SELECTION_FIELDS: tuple[tuple[str, tuple[type, ...]], ...] = (
    ("languages", (list, _OPT)), ("levels", (list, _OPT)), ("limit", (int, _OPT)), ("samples", (int, _OPT)),
    ("seed", (int, _OPT)), ("benchmark", (str, list, _OPT)),
)


def check_report_fields(summary: dict[str, Any], path: Path) -> dict[str, Any]:
    """``summary`` (already through :func:`check_summary`) holds what a run's report prints."""
    for key, kinds in _REPORT_FIELDS:
        if key not in summary:
            raise InputError(f"{path}: no {key!r} (not a summary.json written by anestools eval?)")
        _expect(summary[key], kinds, f"{path}: field {key!r}")
    return summary


def check_selection(summary: dict[str, Any], path: Path) -> dict[str, Any]:
    """``summary["config"]``'s selection fields, typed (the resume check compares them)."""
    cfg = summary["config"]
    for key, kinds in _SELECTION_FIELDS:
        _expect(cfg.get(key), kinds, f"{path}: field 'config.{key}'")
    for key, kinds in (("languages", (str,)), ("levels", (int,))):
        for i, value in enumerate(cfg.get(key) or []):
            _expect(value, kinds, f"{path}: field 'config.{key}[{i}]'")
    return cfg


def load_run(run_dir: Path) -> RunInfo:
    path = run_dir / SUMMARY if run_dir.is_dir() else run_dir
    if not path.exists():
        raise InputError(f"{run_dir}: no {SUMMARY} (not an evaluation run directory?)")
    data = jsonio.read_json(path)
    return RunInfo(path.parent, check_summary(data, path))
