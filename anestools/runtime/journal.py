"""The append-only JSONL journal every model-server stage writes (eval predictions, qa items).

Why append-only: every finished request is on disk the moment it arrives, so killing a run
loses at most the requests in flight, and a re-run skips exactly what is done. A line cut
short by a hard kill is trimmed when the journal is opened again. An errored item is
journaled too (auditable) and asked again on resume; the last success for a key is the
record that counts, so nothing is ever counted twice.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Hashable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypedDict, TypeVar

import orjson

from anestools.common.atomic import write_error
from anestools.errors import ConfigError, InputError

K = TypeVar("K", bound=Hashable)
Check = Callable[[Any, str], dict[str, Any]]

__all__ = ["Entry", "Journal", "check_object", "latest", "read_journal"]


class Entry(TypedDict, total=False):
    """What every journal line has: its item's key, the run's fingerprint, and the error of a
    request that failed after its retries (``None`` for a finished item). Each stage's record
    type extends it (``eval.predictions.Prediction``, ``qa.store.QARecord``)."""

    key: str
    fingerprint: str
    error: str | None


def check_object(rec: Any, where: str) -> dict[str, Any]:
    """The least a journal line must be: a JSON object."""
    if not isinstance(rec, dict):
        raise InputError(f"{where}: expected a JSON object, found {type(rec).__name__}")
    return rec


def read_journal(path: Path, check: Check | None = None) -> Iterator[dict[str, Any]]:
    """Complete records of a journal written by :class:`Journal` (a torn last line is ignored).

    ``check(record, where)`` validates each record at the boundary (each stage passes its
    record schema); without it a record must be an object.
    """
    check = check or check_object
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
                    return  # torn write from a hard kill; trimmed by Journal
                if line.strip():
                    try:
                        rec = orjson.loads(line)
                    except orjson.JSONDecodeError as exc:
                        raise InputError(f"{path} line {lineno}: invalid JSON ({exc})") from exc
                    yield check(rec, f"{path} line {lineno}")
        except OSError as exc:  # a directory named like the journal, an I/O error
            raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc


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


def _write_failed(exc: OSError, path: Path) -> Exception:
    err = write_error(exc, path)
    return err if err is not exc else InputError(f"{path}: cannot write ({exc.strerror or exc})")


class Journal:
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

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
