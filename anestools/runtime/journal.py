"""Append-only JSONL journals (eval's ``predictions.jsonl``, qa's ``_journal.jsonl``): one appender, one reader.

Why a journal: every finished request is on disk the moment it arrives, so killing a run loses
at most the requests in flight, and a re-run skips exactly what is done. An errored item is
journaled too (auditable) and asked again on resume; the last success for a key is the record
that counts (:func:`latest`), so nothing is ever counted twice.

Why one appender: a journal is what a rerun resumes from, so after any failed append (disk
full, quota, file-size limit) the file must still be a whole number of valid lines; the
promise in docs/reliability.md is "no torn line", not "a rerun repairs it".

How: each record is one ``os.write`` of the whole encoded line on an ``O_APPEND`` descriptor,
under a lock (appends from several threads never interleave). Before writing, the size of the
file is taken from ``fstat`` (the kernel's size, never ``tell()``: on an ``O_APPEND`` handle the
position after a truncation is stale). A short write is continued; if the rest fails, the file
is truncated back to that size before the error is raised, so the next append, and the next
run, start after the last whole line. A tail that could not be truncated (the truncation itself
failed) is cut before the next append. A line cut short by a hard kill (``kill -9`` mid-write)
is trimmed when the journal is opened again; the reader ignores it meanwhile.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypedDict, TypeVar

import orjson

from anestools.common import jsonio
from anestools.common.atomic import write_error
from anestools.errors import ConfigError, InputError

K = TypeVar("K", bound=Hashable)
Check = Callable[[Any, str], dict[str, Any]]

__all__ = ["Entry", "JournalWriter", "check_object", "latest", "read_journal", "trim_torn_tail"]


class Entry(TypedDict, total=False):
    """What every journal line has: its item's key, the run's fingerprint, and the error of a
    request that failed after its retries (``None`` for a finished item). Each stage's record
    type extends it (``eval.predictions.Prediction``, ``qa.store.QARecord``)."""

    key: str
    fingerprint: str
    error: str | None


def _write_failed(exc: OSError, path: Path) -> Exception:
    err = write_error(exc, path)
    return err if err is not exc else InputError(f"{path}: cannot write ({exc.strerror or exc})")


def trim_torn_tail(path: Path) -> None:
    """Cut ``path`` after its last newline (a line a hard kill left half-written)."""
    with open(path, "rb+") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            return
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return
        pos = size
        while pos > 0:
            step = min(65536, pos)
            fh.seek(pos - step)
            nl = fh.read(step).rfind(b"\n")
            if nl >= 0:
                fh.truncate(pos - step + nl + 1)
                return
            pos -= step
        fh.truncate(0)


class JournalWriter:
    """Append JSON records to ``path``, one whole line each, or none of it (see the module doc).

    Thread-safe; one writer per file (the run's output lock keeps other processes out). Errors
    are the project's one-line ones: a full disk is ``OutputWriteError``.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._end = 0  # size of the file after the last whole line we know of
        self._fd = -1
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists():
                trim_torn_tail(self.path)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
            self._end = os.fstat(self._fd).st_size
        except OSError as exc:
            raise _write_failed(exc, self.path) from exc

    def append(self, record: dict[str, Any]) -> None:
        """Write ``record`` as one line; on failure the file is left as it was before the call."""
        self.append_bytes(orjson.dumps(record) + b"\n")

    def append_bytes(self, line: bytes) -> None:
        """Append one already encoded line (ending in a newline)."""
        if not line.endswith(b"\n"):
            raise ValueError("a journal line must end with a newline")
        with self._lock:
            if self._fd < 0:
                raise ValueError(f"{self.path}: journal is closed")
            size = self._end
            try:
                if os.fstat(self._fd).st_size != size:  # a tail an earlier failed truncation left: cut it first
                    os.ftruncate(self._fd, size)
                done = os.write(self._fd, line)
                while done < len(line):  # a short write (disk full): finish it, or fail below
                    n = os.write(self._fd, line[done:])
                    if n <= 0:
                        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                    done += n
            except OSError as exc:
                with contextlib.suppress(OSError):  # else cut before the next append (size != self._end)
                    os.ftruncate(self._fd, size)
                raise _write_failed(exc, self.path) from exc
            self._end = size + len(line)

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1

    def __enter__(self) -> JournalWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_object(rec: Any, where: str) -> dict[str, Any]:
    """The least a journal line must be: a JSON object."""
    if not isinstance(rec, dict):
        raise InputError(f"{where}: expected a JSON object, found {type(rec).__name__}")
    return rec


def read_journal(path: Path, check: Callable[[Any, str], dict[str, Any]] | None = None) -> Iterator[dict[str, Any]]:
    """Complete records of a journal written by :class:`JournalWriter` (a torn last line is ignored).

    ``check(record, where)`` validates each record (eval passes the prediction schema, qa its
    own); without it a record must be an object.
    """
    check = check or check_object
    if not path.exists():
        return
    # a torn last line (a hard kill) is left out; the next JournalWriter trims it
    for lineno, rec in jsonio.iter_jsonl(path, complete_lines_only=True):
        yield check(rec, f"{path} line {lineno}")


def latest(records: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], K], *,
           fingerprint: str | None = None, mismatch: str = "") -> dict[K, dict[str, Any]]:
    """The record that counts for each key: the last success, else the last error.

    With ``fingerprint``, a record made with other settings is a ``ConfigError`` whose message
    is ``mismatch`` (a run directory holds one configuration).
    """
    out: dict[K, dict[str, Any]] = {}
    for rec in records:
        if fingerprint is not None and rec.get("fingerprint") != fingerprint:
            raise ConfigError(mismatch)
        k = key(rec)
        prev = out.get(k)
        if prev is None or rec.get("error") is None or prev.get("error") is not None:
            out[k] = rec
    return out
