"""Run directory: append-only ``predictions.jsonl`` with resume, ``summary.json``, ``report.md``, plot.

Why append-only JSONL: every answer is on disk the moment it arrives, so killing a run loses
at most the requests in flight, and a re-run skips exactly what is done. A line cut short by a
hard kill is trimmed on resume. A question that errored is logged too (auditable) and asked
again on resume; the last successful line for a (question, sample) is the one that counts,
so nothing is ever counted twice.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from anestools.common.atomic import atomic_path, write_error
from anestools.errors import ConfigError, InputError, OutputExistsError
from anestools.eval.bench import Item
from anestools.eval.metrics import ItemResult, group_label, summarize

PREDICTIONS = "predictions.jsonl"
SUMMARY = "summary.json"
REPORT = "report.md"
PLOT = "accuracy.png"


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
    if not path.exists():
        return
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    with fh:
        try:
            for lineno, line in enumerate(fh, 1):
                if not line.endswith(b"\n"):
                    return  # torn write from a hard kill; trimmed by PredictionLog
                if line.strip():
                    try:
                        rec = orjson.loads(line)
                    except orjson.JSONDecodeError as exc:
                        raise InputError(f"{path} line {lineno}: invalid JSON ({exc})") from exc
                    yield check_record(rec, f"{path} line {lineno}")
        except OSError as exc:  # a directory named predictions.jsonl, an I/O error
            raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def _trim_torn_tail(path: Path) -> None:
    with open(path, "rb+") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        if size == 0:
            return
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return
        pos = size
        while pos > 0:
            step = min(65536, pos)
            fh.seek(pos - step)
            chunk = fh.read(step)
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                fh.truncate(pos - step + nl + 1)
                return
            pos -= step
        fh.truncate(0)


class PredictionLog:
    """Append-only writer; each record is one ``write`` of a whole line, flushed at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists():
                _trim_torn_tail(path)
            self._fh = open(path, "ab", buffering=0)  # noqa: SIM115 - closed in close()
        except OSError as exc:
            raise _write_failed(exc, path) from exc

    def append(self, record: dict[str, Any]) -> None:
        line = memoryview(orjson.dumps(record) + b"\n")
        start = self._fh.tell()
        try:
            while line:  # a raw write may be partial (disk full): finish it or undo it
                line = line[self._fh.write(line):]
        except OSError as exc:
            with contextlib.suppress(OSError):
                self._fh.truncate(start)  # never leave a torn line in the middle of the file
            raise _write_failed(exc, self.path) from exc

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> PredictionLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _write_failed(exc: OSError, path: Path) -> Exception:
    err = write_error(exc, path)
    return err if err is not exc else InputError(f"{path}: cannot write ({exc.strerror or exc})")


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
        for name in (SUMMARY, REPORT, PLOT):
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
        "config": config,
    }


def _pct(score: dict | None) -> str:
    if not score or score.get("accuracy") is None:
        return "–"
    return f"{100 * score['accuracy']:.1f} [{100 * score['ci_low']:.1f}, {100 * score['ci_high']:.1f}]"


def render_report(summary: dict[str, Any]) -> str:
    """Markdown report of one run (the numbers come from ``summary.json`` only)."""
    cfg = summary["config"]
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
        "Accuracy in %, with 95% Wilson interval. No-answer: responses from which no option "
        "could be extracted (scored wrong, reported apart).",
        "",
    ]
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
    lines += ["", f"![accuracy per level and language]({PLOT})", ""]
    return "\n".join(lines)


def plot_summary(summary: dict[str, Any], path: Path) -> None:
    """Grouped bars: accuracy per level (and overall) for each language, Wilson error bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scores = summary["scores"]
    langs = sorted({k.split(",")[0].split("=")[1] for k in scores if k.startswith("language=")})
    groups = ["1", "2", "3", "all"]
    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.8 / max(1, len(langs))
    for i, lang in enumerate(langs):
        xs, ys, lo, hi = [], [], [], []
        for j, g in enumerate(groups):
            key = f"language={lang}" if g == "all" else f"language={lang},level={g}"
            sc = scores.get(key, {}).get("accuracy")
            if not sc or sc["accuracy"] is None:
                continue
            xs.append(j + (i - (len(langs) - 1) / 2) * width)
            ys.append(100 * sc["accuracy"])
            lo.append(max(0.0, 100 * (sc["accuracy"] - sc["ci_low"])))
            hi.append(max(0.0, 100 * (sc["ci_high"] - sc["accuracy"])))
        ax.bar(xs, ys, width, yerr=[lo, hi], capsize=3, label=lang)
    ax.set_xticks(range(len(groups)), ["level 1", "level 2", "level 3", "all levels"])
    ax.set_ylim(0, 100)
    ax.set_ylabel("accuracy (%)")
    ax.set_title(f"AnesBench: {summary['model']}", fontsize=10)
    if langs:
        ax.legend(title="language")
    fig.tight_layout()
    with atomic_path(path, overwrite=True) as tmp:
        fig.savefig(tmp, format="png", dpi=110)
    plt.close(fig)


def write_outputs(run_dir: Path, summary: dict[str, Any]) -> list[Path]:
    """summary.json, report.md and the PNG, each published atomically."""
    paths = [run_dir / SUMMARY, run_dir / REPORT, run_dir / PLOT]
    with atomic_path(paths[0], overwrite=True) as tmp:
        tmp.write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n")
    with atomic_path(paths[1], overwrite=True) as tmp:
        tmp.write_text(render_report(summary), encoding="utf-8")
    plot_summary(summary, paths[2])
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
    cfg = data["config"]
    _expect(cfg.get("checkpoint_step"), (int, _OPT), f"{path}: field 'config.checkpoint_step'")
    _expect(cfg.get("prompt_hash"), (str, _OPT), f"{path}: field 'config.prompt_hash'")
    for group, entry in data["scores"].items():
        where = f"{path}: field 'scores.{group}'"
        _expect(entry, (dict,), where)
        _check_score(entry.get("accuracy"), f"{where}.accuracy")
        _check_score(entry.get("majority"), f"{where}.majority")
        _expect(entry.get("no_answer_rate"), (*_NUM, _OPT), f"{where}.no_answer_rate")
    return data


def load_run(run_dir: Path) -> RunInfo:
    path = run_dir / SUMMARY if run_dir.is_dir() else run_dir
    if not path.exists():
        raise InputError(f"{run_dir}: no {SUMMARY} (not an evaluation run directory?)")
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}: invalid JSON ({exc})") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    return RunInfo(path.parent, check_summary(data, path))
