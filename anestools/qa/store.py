"""Output directory of ``qa generate`` / ``qa translate``: journal, AnesQA parquet, drops, summary.

Layout (files starting with ``_`` are skipped when ``anestools convert`` reads the folder)::

    OUT/anesqa.parquet     kept pairs: the AnesQA contract (question, answer, language) + provenance;
                           only once the run is complete (every selected item done, none failed)
    OUT/_anesqa.partial.parquet   the kept pairs of an incomplete run (interrupted, or items failed):
                           never under the final name, so no later stage mistakes it for the set
    OUT/_journal.jsonl     append-only, one line per finished work item (passage or source pair)
    OUT/_dropped.jsonl     every dropped pair / unusable reply, with its reason, for inspection
    OUT/summary.json       counts per drop reason, settings, prompt hash
    OUT/prompts.json       the prompt templates used
    OUT/engine.log         the teacher server's log (when anestools started it)

Why a journal plus a rewrite: every finished item is on disk the moment it is done (the eval
runtime's append-only journal: a torn last line from ``kill -9`` is trimmed), so a rerun asks
only for what is missing; the parquet and drops are written in selection order as the run goes
(:class:`Rebuild`, temp files published together at the end), so they are the same whatever
the order in which replies arrived or how many times the run was interrupted.

Why a partial name: outputs appear under their final names only when complete (docs/
reliability.md). A rerun resumes from the journal and publishes ``anesqa.parquet`` once nothing
is missing; an incomplete one removes a stale ``anesqa.parquet`` of an earlier selection, so
the folder never holds a final set that its ``summary.json`` does not describe.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from anestools import __version__
from anestools.common.atomic import atomic_path, atomic_paths, write_error
from anestools.common.digest import json_digest
from anestools.errors import InputError
from anestools.runtime.journal import Entry, latest, read_journal
from anestools.runtime.rundir import RunDir

DATASET = "anesqa.parquet"
PARTIAL = "_anesqa.partial.parquet"
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


def run_dir(out: Path, command: str) -> RunDir:
    """A qa output folder: ``_journal.jsonl`` is its journal; ``anesqa.parquet`` is never replaced silently."""
    return RunDir(out, f"anestools {command} --output {out}", owned=(DATASET, PARTIAL, DROPPED, SUMMARY, PROMPTS),
                  journal=JOURNAL, final=DATASET)


class QARecord(Entry, total=False):
    """One line of ``_journal.jsonl``: a finished work item (a passage, or a source pair) with the
    stage's own fields (``pairs`` / ``row`` …), ``requests`` it took, and a reply that did not
    parse (``malformed``, ``raw``; ``empty`` when it had no content at all)."""

    requests: int
    malformed: str | None
    raw: str
    empty: bool


def _check_journal_record(rec: Any, where: str) -> dict[str, Any]:
    """A qa journal line: an object with a string ``key`` (the passage or source pair)."""
    if not isinstance(rec, dict) or not isinstance(rec.get("key"), str):
        raise InputError(f"{where}: not a qa journal record (needs a string 'key')")
    return rec


def latest_records(out: Path, fingerprint: str) -> dict[str, dict[str, Any]]:
    """The record that counts per key: the last success, else the last error."""
    return latest(read_journal(out / JOURNAL, _check_journal_record), lambda r: r["key"], fingerprint=fingerprint,
                  mismatch=f"{out / JOURNAL} holds results made with other settings (teacher, prompts, "
                           "filters or chunking); choose another --output, or --no-resume --overwrite")


@dataclass
class Outcome:
    """What ``qa generate`` / ``qa translate`` return: the folder, its summary, how many items
    this run asked for and how many a previous run had already done."""

    output: Path
    summary: dict[str, Any]
    new: int
    skipped_done: int


def fingerprint(settings: dict[str, Any]) -> str:
    """A short hash of the settings that shape a run's results: a rerun with other ones is refused."""
    return json_digest(settings)


class Sink(Protocol):
    """What a stage's :data:`Convert` hands its rows and drops to."""

    def keep(self, row: dict[str, Any]) -> None: ...

    def drop(self, reason: str, detail: str, record: dict[str, Any]) -> None: ...

    def malformed(self, detail: str, record: dict[str, Any]) -> None: ...


# A stage's rule for one finished (error-free) journal record: its rows and drops, into the sink.
Convert = Callable[[str, dict[str, Any], Sink], None]


class Rebuild:
    """``anesqa.parquet`` and ``_dropped.jsonl`` built in selection order while the run goes on.

    Keys are announced in selection order (:meth:`expect`) and records arrive in any order
    (:meth:`deliver`: this run's replies as they finish, or a previous run's from the journal);
    every record is turned into rows as soon as all earlier keys are in, so the end of a run
    costs only its last few records instead of a pass over the whole journal. Both files are
    written to temporary siblings and published together on a clean exit (``with``); an
    exception leaves the previous outputs untouched. Out-of-order records wait in memory: as
    many as finished while an earlier key was still in flight (about the concurrency).
    """

    def __init__(self, out: Path, convert: Convert, batch: int = 2000) -> None:
        self.out, self.convert, self.batch = out, convert, batch
        self.counts = {"selected": 0, "done": 0, "errors": 0, "not_run": 0, "malformed_replies": 0}
        self.requests = 0
        self.empty_replies = 0  # replies with no content at all (counted apart from malformed_replies)
        self.first_error: str | None = None
        self.kept = 0
        self._order: deque[str] = deque()
        self._ready: dict[str, dict[str, Any]] = {}
        self._rows: list[dict[str, Any]] = []
        self._drop_counts: Counter[str] = Counter()
        self._drop_details: dict[str, Counter[str]] = {}
        self._drop_examples: dict[str, str] = {}  # shape -> its first real detail (what is shown)
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> Rebuild:
        with contextlib.ExitStack() as stack:
            dataset, dropped = stack.enter_context(atomic_paths([self.out / PARTIAL, self.out / DROPPED],
                                                                overwrite=True))
            self._writer = stack.enter_context(pq.ParquetWriter(dataset, SCHEMA))
            self._drops = stack.enter_context(open(dropped, "wb"))
            self._stack = stack.pop_all()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        if exc_type is None:
            try:
                self.counts["not_run"] += len(self._order)  # selected, never finished (interrupted)
                self._order.clear()
                self._flush(final=True)
            except BaseException:
                self._stack.__exit__(*sys.exc_info())
                raise
        self._stack.__exit__(exc_type, exc, tb)
        if exc_type is None:
            self._publish()

    def _publish(self) -> None:
        """The set just written as :data:`PARTIAL` goes under its final name only when complete."""
        try:
            if self.complete:
                os.replace(self.out / PARTIAL, self.out / DATASET)
            else:
                (self.out / DATASET).unlink(missing_ok=True)  # a final set this run does not describe
        except OSError as exc:
            err = write_error(exc, self.out / DATASET)
            if err is exc:
                raise
            raise err from exc

    @property
    def dataset(self) -> Path:
        """Where the kept pairs are: ``anesqa.parquet`` when complete, else the partial name."""
        return self.out / (DATASET if self.complete else PARTIAL)

    def expect(self, key: str) -> None:
        """``key`` is the next one in selection order."""
        self.counts["selected"] += 1
        self._order.append(key)
        self._advance()

    def deliver(self, rec: dict[str, Any]) -> None:
        """The record that counts for its key (a key is delivered once)."""
        self._ready[rec["key"]] = rec
        self._advance()

    @property
    def complete(self) -> bool:
        return self.counts["errors"] == 0 and self.counts["not_run"] == 0 and not self._order

    def report(self, skipped: dict[str, int], started: float, request_seconds: float | None, prompt_hash: str,
               fingerprint: str) -> dict[str, Any]:
        """The summary fields every qa stage reports (``started``: ``time.perf_counter()`` at the start)."""
        return {"complete": self.complete, "kept": self.kept, "dropped": self.drop_summary(), "skipped_rows": skipped,
                "requests": self.requests, "empty_replies": self.empty_replies, "first_error": self.first_error,
                "seconds": round(time.perf_counter() - started, 2),  # requests + publishing the outputs
                "request_seconds": None if request_seconds is None else round(request_seconds, 2),
                "prompt_hash": prompt_hash, "fingerprint": fingerprint,
                "outputs": {"dataset": str(self.dataset), "dropped": str(self.out / DROPPED)},
                "anestools_version": __version__}

    def drop_summary(self) -> dict[str, dict[str, Any]]:
        order = {r: i for i, r in enumerate(REASONS)}
        return {r: {"count": self._drop_counts[r],
                    "top_details": {self._drop_examples.get(shape, shape): n
                                    for shape, n in self._drop_details[r].most_common(3)}}
                for r in sorted(self._drop_counts, key=lambda r: order.get(r, len(order)))}

    # Sink
    def keep(self, row: dict[str, Any]) -> None:
        self._rows.append({k: row.get(k) for k in SCHEMA.names})
        if len(self._rows) >= self.batch:
            self._flush()

    def drop(self, reason: str, detail: str, record: dict[str, Any]) -> None:
        self._drop_counts[reason] += 1
        shape = _shape(detail)
        self._drop_details.setdefault(reason, Counter())[shape] += 1
        self._drop_examples.setdefault(shape, detail[:160])
        self._drops.write(orjson.dumps({"reason": reason, "detail": detail, **record}) + b"\n")

    def malformed(self, detail: str, record: dict[str, Any]) -> None:
        self.drop("malformed", detail, record)

    def _advance(self) -> None:
        while self._order and self._order[0] in self._ready:
            key = self._order.popleft()
            rec = self._ready.pop(key)
            self.requests += rec.get("requests") or 0
            if rec.get("error") is not None:
                self.counts["errors"] += 1
                self.first_error = self.first_error or f"{key}: {rec['error']}"
                continue
            self.counts["done"] += 1
            if rec.get("empty"):
                self.empty_replies += 1
            elif rec.get("malformed"):
                self.counts["malformed_replies"] += 1
            self.convert(key, rec, self)

    def _flush(self, final: bool = False) -> None:
        if self._rows or (final and not self.kept):  # an empty dataset still gets its schema
            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=SCHEMA))
            self.kept += len(self._rows)
            self._rows = []


def rebuild_from_journal(out: Path, fingerprint: str, keys: Iterable[str], convert: Convert) -> Rebuild:
    """Rebuild the outputs of the selected ``keys`` from the journal alone (after Ctrl-C)."""
    latest = latest_records(out, fingerprint)
    with Rebuild(out, convert) as rb:
        for key in keys:
            rb.expect(key)
            if key in latest:
                rb.deliver(latest[key])
    return rb


def write_json(path: Path, data: Any) -> None:
    with atomic_path(path, overwrite=True) as tmp:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _shape(detail: str) -> str:
    """Group details that differ only by numbers/ids (``pair 2: ...`` and ``pair 3: ...``).

    The shape is a counting key only: what is shown is the first real detail of each shape, so a
    message never reads ``question N < N``.
    """
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
