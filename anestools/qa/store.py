"""Output directory of ``qa generate`` / ``qa translate``: journal, AnesQA parquet, drops, summary.

Layout (files starting with ``_`` are skipped when ``anestools convert`` reads the folder)::

    OUT/anesqa.parquet     kept pairs: the AnesQA contract (question, answer, language) + provenance
    OUT/_journal.jsonl     append-only, one line per finished work item (passage or source pair)
    OUT/_dropped.jsonl     every dropped pair / unusable reply, with its reason, for inspection
    OUT/summary.json       counts per drop reason, settings, prompt hash
    OUT/prompts.json       the prompt templates used
    OUT/engine.log         the teacher server's log (when anestools started it)

Why a journal plus a final rewrite: every finished item is on disk the moment it is done (the
eval stage's append-only log, reused: a torn last line from ``kill -9`` is trimmed), so a
rerun asks only for what is missing; the parquet, drops and summary are then rebuilt from the
journal in selection order (temp file + rename), so they are the same whatever the order in
which replies arrived or how many times the run was interrupted.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from anestools.common.atomic import atomic_open, atomic_path
from anestools.errors import ConfigError, InputError, OutputExistsError
from anestools.eval.results import read_journal

DATASET = "anesqa.parquet"
JOURNAL = "_journal.jsonl"
DROPPED = "_dropped.jsonl"
SUMMARY = "summary.json"
PROMPTS = "prompts.json"

SCHEMA = pa.schema([
    ("question", pa.string()), ("answer", pa.string()), ("language", pa.string()),
    ("pair_id", pa.string()), ("source_id", pa.string()), ("passage_hash", pa.string()),
    ("teacher", pa.string()), ("prompt_hash", pa.string()), ("style", pa.string()),
    ("stem", pa.string()), ("options", pa.list_(pa.string())), ("target", pa.string()), ("level", pa.int8()),
    ("source_pair_id", pa.string()),
])

# The order drops are reported in: cheapest check first, as they are applied.
REASONS = ("malformed", "too_short", "too_long", "benchmark_overlap", "wrong_language", "untranslated_text",
           "length_ratio", "answer_letter_changed", "ungrounded", "duplicate_exact", "duplicate_near")


def prepare_output(out: Path, resume: bool, overwrite: bool) -> None:
    """Refuse to mix or clobber: an existing journal needs ``--resume`` (default) or ``--overwrite``."""
    journal = out / JOURNAL
    if journal.exists() and journal.stat().st_size and not resume:
        if not overwrite:
            raise OutputExistsError(f"{journal} already exists: resume it (default), or pass --no-resume "
                                    "--overwrite to start over")
        for name in (JOURNAL, DATASET, DROPPED, SUMMARY, PROMPTS):
            (out / name).unlink(missing_ok=True)
    if not resume or not journal.exists():
        dataset = out / DATASET
        if dataset.exists() and not overwrite:
            raise OutputExistsError(f"{dataset} exists but has no journal; choose another --output or --overwrite")


def _check_journal_record(rec: Any, where: str) -> dict[str, Any]:
    """A qa journal line: an object with a string ``key`` (the passage or source pair)."""
    if not isinstance(rec, dict) or not isinstance(rec.get("key"), str):
        raise InputError(f"{where}: not a qa journal record (needs a string 'key')")
    return rec


def latest_records(out: Path, fingerprint: str) -> dict[str, dict[str, Any]]:
    """The record that counts per key: the last success, else the last error."""
    latest: dict[str, dict[str, Any]] = {}
    for rec in read_journal(out / JOURNAL, _check_journal_record):
        if rec.get("fingerprint") != fingerprint:
            raise ConfigError(f"{out / JOURNAL} holds results made with other settings (teacher, prompts, "
                              "filters or chunking); choose another --output, or --no-resume --overwrite")
        prev = latest.get(rec["key"])
        if prev is None or rec.get("error") is None or prev.get("error") is not None:
            latest[rec["key"]] = rec
    return latest


class JournalWalk:
    """One pass over the selected keys' latest journal records, counting what a summary reports.

    ``generate`` and ``translate`` rebuild their outputs the same way: a key never run, a key
    that ended in error, or a finished record that :meth:`finished` yields for the stage to turn
    into rows and drops.
    """

    def __init__(self, keys: Sequence[str], latest: dict[str, dict[str, Any]]) -> None:
        self.keys, self.latest = keys, latest
        self.counts = {"selected": len(keys), "done": 0, "errors": 0, "not_run": 0, "malformed_replies": 0}
        self.requests = 0
        self.first_error: str | None = None

    def finished(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for key in self.keys:
            rec = self.latest.get(key)
            if rec is None:
                self.counts["not_run"] += 1
                continue
            self.requests += rec.get("requests") or 0
            if rec.get("error") is not None:
                self.counts["errors"] += 1
                self.first_error = self.first_error or f"{key}: {rec['error']}"
                continue
            self.counts["done"] += 1
            yield key, rec

    @property
    def complete(self) -> bool:
        return self.counts["errors"] == 0 and self.counts["not_run"] == 0


def write_json(path: Path, data: Any) -> None:
    with atomic_path(path, overwrite=True) as tmp:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_dataset(path: Path, rows: Iterable[dict[str, Any]], batch: int = 2000) -> int:
    """Kept pairs -> parquet with :data:`SCHEMA`, streamed in batches, published atomically."""
    n = 0
    with atomic_path(path, overwrite=True) as tmp, pq.ParquetWriter(tmp, SCHEMA) as writer:
        buf: list[dict[str, Any]] = []
        for row in rows:
            buf.append(row)
            if len(buf) >= batch:
                writer.write_table(pa.Table.from_pylist(buf, schema=SCHEMA))
                n += len(buf)
                buf = []
        writer.write_table(pa.Table.from_pylist(buf, schema=SCHEMA))
        n += len(buf)
    return n


class DropLog:
    """Collects dropped items for ``_dropped.jsonl`` and counts them per reason (with examples)."""

    def __init__(self) -> None:
        self.rows: list[bytes] = []
        self.counts: Counter[str] = Counter()
        self.details: dict[str, Counter[str]] = {}

    def add(self, reason: str, detail: str, record: dict[str, Any]) -> None:
        self.counts[reason] += 1
        self.details.setdefault(reason, Counter())[_shape(detail)] += 1
        self.rows.append(orjson.dumps({"reason": reason, "detail": detail, **record}) + b"\n")

    def write(self, path: Path) -> None:
        with atomic_open(path, "wb", overwrite=True) as fh:
            fh.writelines(self.rows)

    def summary(self) -> dict[str, dict[str, Any]]:
        order = {r: i for i, r in enumerate(REASONS)}
        return {r: {"count": self.counts[r], "top_details": dict(self.details[r].most_common(3))}
                for r in sorted(self.counts, key=lambda r: order.get(r, len(order)))}


def _shape(detail: str) -> str:
    """Group details that differ only by numbers/ids (``pair 2: ...`` and ``pair 3: ...``)."""
    import re

    detail = re.sub(r"\b[0-9a-f]{16}\b", "<pair>", detail)
    return re.sub(r"\d+(\.\d+)?", "N", detail)[:160]


def reasons_line(drops: dict[str, dict[str, Any]]) -> str:
    """``malformed 5 (no JSON object in the response), ungrounded 2 (...)`` for the CLI."""
    parts = []
    for reason, info in drops.items():
        top = next(iter(info["top_details"]), "")
        parts.append(f"{reason} {info['count']}" + (f" ({top})" if top else ""))
    return ", ".join(parts) or "none"
