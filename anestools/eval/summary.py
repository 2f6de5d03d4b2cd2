"""``summary.json``: what it holds (:class:`Summary`) and its one reader, type-checked at the boundary.

Written by :func:`anestools.eval.aggregate.build_summary` (plus the runner's provenance and
judge blocks); read back by the reports, the comparison and the resume check through
:func:`check_summary` / :func:`load_run`, so a hand-edited or corrupt file is one line naming
the field, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from anestools.common import jsonio
from anestools.errors import InputError

SUMMARY = "summary.json"


class Summary(TypedDict, total=False):
    """The top level of ``summary.json`` (scores, extras and provenance are nested objects)."""

    model: str | None
    questions: int
    samples: int
    answered_questions: int
    responses: int
    errors: int
    not_run: int
    truncated_responses: int
    empty_responses: int
    unparsable_responses: int
    complete: bool
    elapsed_s: float | None
    scores: dict[str, Any]
    extraction: dict[str, Any]
    config: dict[str, Any]
    provenance: dict[str, Any]
    judge: dict[str, Any]


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


# Optional fields the reports read (provenance/extraction/judge, chance/consistency/length,
# the trained step of a sweep's final model), checked parent before child: absent or null is fine,
# a wrong type is one line naming the field instead of a traceback in the report.
_OPTIONAL_FIELDS: tuple[tuple[str, tuple[type, ...]], ...] = (
    *((k, (int, _OPT)) for k in ("answered_questions", "responses", "errors", "not_run", "truncated_responses",
                                         "empty_responses", "unparsable_responses")),
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
# The selection ``eval`` compares with the previous run in the same directory (``selection``).
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


def read_summary(path: Path, hint: str = "") -> dict[str, Any]:
    """``summary.json`` at ``path``, type-checked (:func:`check_summary`); ``hint`` ends a JSON error."""
    try:
        data = jsonio.read_json(path)
    except InputError as exc:
        if not hint:
            raise
        raise InputError(f"{exc}{hint}") from None
    return check_summary(data, path)


def load_run(run_dir: Path) -> RunInfo:
    path = run_dir / SUMMARY if run_dir.is_dir() else run_dir
    if not path.exists():
        raise InputError(f"{run_dir}: no {SUMMARY} (not an evaluation run directory?)")
    return RunInfo(path.parent, read_summary(path))
