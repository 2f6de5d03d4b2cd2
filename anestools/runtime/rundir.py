"""One run-directory type for every command that writes a run folder (corpus, eval, qa, tokenize).

What every such folder needs, in one place:

- **one writer**: the output lock (``anestools.common.lock``) held for the whole run, a second
  run refused with exit 7;
- **stale temps**: the ``.NAME.XXXXXXXX.tmp`` files a killed run left, removed under the lock
  (where none of them can be in use);
- **refuse or resume**: an existing journal is resumed (default), refused with ``--no-resume``,
  or cleared with ``--no-resume --overwrite`` — only the files the command owns are removed;
- **fingerprint**: the journal's records carry the run's fingerprint; a record made with other
  settings is refused, naming what a fingerprint covers.

Outputs are published atomically with ``anestools.common.atomic`` (temp + rename).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from anestools.common.atomic import remove_stale_temps
from anestools.common.lock import output_lock
from anestools.errors import OutputExistsError
from anestools.runtime.journal import Check, JournalWriter, latest, read_journal

K = TypeVar("K", bound=Hashable)

__all__ = ["RunDir"]


@dataclass(frozen=True)
class RunDir:
    """``path``, written by ``command``; ``owned``: the names the command writes there (cleared
    by ``--overwrite``, never other files); ``journal``: its append-only journal, if any;
    ``final``: an output that must not be replaced silently when there is no journal to resume."""

    path: Path
    command: str
    owned: tuple[str, ...] = ()
    journal: str | None = None
    final: str | None = None
    recursive_temps: bool = False

    @contextlib.contextmanager
    def locked(self) -> Iterator[RunDir]:
        """Hold the directory's lock and clear stale temporary files under it."""
        with output_lock(self.path, self.command):
            remove_stale_temps(self.path, recursive=self.recursive_temps)
            yield self

    @property
    def journal_path(self) -> Path:
        assert self.journal, "this run directory has no journal"
        return self.path / self.journal

    def start(self, resume: bool, overwrite: bool) -> None:
        """Refuse to mix or clobber runs: an existing journal needs ``--resume`` or ``--overwrite``."""
        if self.journal:
            journal = self.journal_path
            if journal.exists() and journal.stat().st_size and not resume:
                if not overwrite:
                    raise OutputExistsError(f"{journal} already exists: resume it (default), or pass --no-resume "
                                            "--overwrite to start over")
                for name in (self.journal, *self.owned):
                    (self.path / name).unlink(missing_ok=True)
        if self.final and (not resume or not self.journal or not self.journal_path.exists()):
            final = self.path / self.final
            if final.exists() and not overwrite:
                raise OutputExistsError(f"{final} exists but has no journal; choose another --output or --overwrite")

    def records(self, check: Check) -> Iterator[dict[str, Any]]:
        """The journal's complete records, each through ``check``."""
        return read_journal(self.journal_path, check)

    def latest(self, check: Check, key: Callable[[dict[str, Any]], K], fingerprint: str | None,
               mismatch: str) -> dict[K, dict[str, Any]]:
        """The record that counts per key; a record with another fingerprint is refused (``mismatch``)."""
        return latest(self.records(check), key, fingerprint=fingerprint, mismatch=mismatch)

    def writer(self) -> JournalWriter:
        """The journal, opened for appending (a torn last line trimmed)."""
        return JournalWriter(self.journal_path)
