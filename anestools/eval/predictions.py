"""``predictions.jsonl``: one typed record per (question, sample), one writer and one reader.

The journal mechanics (append-only, torn tail trimmed, the record that counts) are the
runtime layer's (:mod:`anestools.runtime.journal`); this module is what a prediction *is*:
:class:`Prediction` (the record), :func:`answered` / :func:`failed` (the only writers),
:func:`check_record` / :func:`read_predictions` (the only reader, typed at the boundary).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from anestools.common.atomic import atomic_path
from anestools.errors import InputError
from anestools.runtime.journal import Entry, latest, read_journal
from anestools.runtime.rundir import RunDir

PREDICTIONS = "predictions.jsonl"
JUDGE_AUDIT = "judge_audit.jsonl"
# what ``--no-resume --overwrite`` removes besides the predictions (the reports of that run)
RUN_OUTPUTS = ("summary.json", "report.md", "accuracy.png", "length_accuracy.png")
FINGERPRINT_MISMATCH = (
    "the output directory holds predictions made with other settings (model, prompt, "
    "temperature or max tokens); choose another --output, or --no-resume --overwrite to start over")


class Prediction(Entry, total=False):
    """One line of ``predictions.jsonl`` (``prompt``/``options`` only with ``--log-samples``,
    ``judge`` only when the judge was asked, ``extract_rule`` only for an answered request)."""

    id: str
    language: str
    level: int
    sample: int
    prompt_hash: str
    request_prompt_hash: str
    seed: int
    prompt: list[dict[str, str]]
    options: dict[str, str]
    extract_rule: str | None
    judge: dict[str, Any]
    response: str | None
    extracted: str | None
    extracted_by: str | None
    gold: str
    correct: bool | None
    completion_tokens: int | None
    prompt_tokens: int | None
    finish_reason: str | None
    latency: float | None
    attempts: int


def answered(rec: Prediction, *, response: str, extracted: str | None, extracted_by: str, gold: str,
             completion_tokens: int | None, prompt_tokens: int | None, finish_reason: str | None,
             latency: float, attempts: int) -> Prediction:
    """``rec`` completed with an answered request."""
    rec.update(response=response, extracted=extracted, extracted_by=extracted_by, gold=gold,
               correct=extracted == gold, completion_tokens=completion_tokens, prompt_tokens=prompt_tokens,
               finish_reason=finish_reason, latency=round(latency, 4), attempts=attempts, error=None)
    return rec


def failed(rec: Prediction, *, gold: str, attempts: int, error: str) -> Prediction:
    """``rec`` completed with a request that failed after its retries (asked again on resume)."""
    rec.update(response=None, extracted=None, extracted_by=None, gold=gold, correct=None, completion_tokens=None,
               prompt_tokens=None, finish_reason=None, latency=None, attempts=attempts, error=error)
    return rec


def run_dir(path: Path, command: str) -> RunDir:
    """An eval run directory: ``predictions.jsonl`` is its journal."""
    return RunDir(path, command, owned=RUN_OUTPUTS, journal=PREDICTIONS)


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


def latest_by_key(records: Iterable[dict[str, Any]], fingerprint: str | None = None
                  ) -> dict[tuple[str, int], dict[str, Any]]:
    """The record that counts for each (question key, sample): the last success, else the last error.

    With ``fingerprint``, a record made with other settings is a ``ConfigError`` (a run dir
    holds one configuration; use another ``--output`` for another).
    """
    return latest(records, lambda r: (r["key"], int(r["sample"])), fingerprint=fingerprint,
                  mismatch=FINGERPRINT_MISMATCH)


def jsonl_bytes(rows: Sequence[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in rows)


def write_jsonl(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    """Replace ``path`` (a file the run owns, e.g. the judge audit) with ``rows`` as JSON lines, atomically."""
    with atomic_path(path, overwrite=True) as tmp:
        tmp.write_bytes(jsonl_bytes(rows))
