"""What ``corpus build`` and ``corpus pubmed`` share around their datatrove stages.

Usage::

    from anestools.corpus.run import Stage, prepare_output, run_stages, CompletionMarker

    state = prepare_output(out, identity, overwrite=False, stage_dirs=[...])   # resume / refuse
    run_stages(stages, out, show_logs=False, progress=lambda done, total: ...)

- **Output folder and resume.** ``OUTPUT/_logs/run.json`` holds the settings that decide the
  output (content hashes of lexicon / MeSH / journal lists, not their paths). The same settings
  resume: datatrove skips the tasks with a completion marker. Other settings are refused, unless
  nothing was written yet (no completed task, no shard), in which case the run just starts over.
- **One writer.** ``locked_output`` holds ``OUTPUT``'s output lock around the whole run (a second
  run is refused, exit 7) and removes the stale temporary files of a killed run under it. Local
  workers are forked inside ``forks_die_with_us``: a ``kill -9`` of the driver kills them too,
  and they hold the lock (inherited open file) until they are gone. With Slurm the lock covers
  the submission only (the jobs run after this process exits), so a run is also refused (exit
  7, naming the jobs) while any job recorded in ``OUTPUT/_logs/slurm_jobs.jsonl`` is queued or
  running.
- **Completion marker.** ``CompletionMarker`` is the last stage (one task): it writes
  ``OUTPUT/_SUCCESS`` (``anestools.common.corpus_marker``), so on Slurm/Ray too the marker
  appears only once every shard is written.
- **Terminal.** datatrove logs each task to ``<stage>/logs/task_*.log`` and also to the
  terminal (about 15 lines per task, and a ~150-line traceback per failed task). Unless
  ``show_logs`` (``-v``), the process's stderr is pointed at ``OUTPUT/_logs/console.log`` while
  the stages run (workers inherit it); our own console keeps the terminal. A failure then
  reaches the user as one line that names the log.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from anestools.common import jsonio
from anestools.common.atomic import atomic_open
from anestools.common.corpus_marker import MARKER, RUN_RECORD
from anestools.common.digest import files_digest
from anestools.common.proc import forks_die_with_us
from anestools.common.slurm import LEDGER, active_tasks
from anestools.errors import (
    AnestoolsError,
    EngineError,
    InputError,
    OutputExistsError,
    OutputLockedError,
    OutputWriteError,
)
from anestools.runtime.rundir import RunDir

CONSOLE_LOG = "_logs/console.log"
SHARD_DIRS = ("en", "zh")


@dataclass
class Stage:
    """One datatrove executor of a run and where it logs."""

    executor: Any
    logging_dir: Path
    tasks: int


def content_digest(paths: Sequence[str | os.PathLike[str]]) -> str | None:
    """sha256 of the files' contents (None for no files): a list edited in place changes it."""
    return files_digest(paths)


def _completed_tasks(out: Path) -> int:
    logs = out / "_logs"
    if not logs.is_dir():
        return 0
    return sum(len(list((d / "completions").iterdir())) for d in logs.iterdir() if (d / "completions").is_dir())


def _shards(out: Path) -> list[Path]:
    return [f for d in SHARD_DIRS if (out / d).is_dir() for f in (out / d).iterdir()
            if f.is_file() and f.name.endswith((".parquet", ".jsonl.gz"))]


def _clear(out: Path, managed: Sequence[str]) -> None:
    """Remove what a corpus command wrote: its folders, shards and marker (never other files)."""
    for name in managed:
        p = out / name
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
    for f in _shards(out):
        f.unlink()
    (out / MARKER).unlink(missing_ok=True)


@contextlib.contextmanager
def locked_output(out: Path, command: str) -> Iterator[Path]:
    """Hold ``out``'s output lock for a whole run and clean stale temps (the runtime's ``RunDir``).

    A second ``corpus`` run into the same folder is refused (exit 7) while this one, or any
    worker it forked, lives. The temporary files a killed run left (``.NAME.XXXXXXXX.tmp``, at
    any depth) are removed only here, under the lock, where none of them can be in use.
    """
    if out.exists() and not out.is_dir():
        raise OutputExistsError(f"{out} exists and is not a directory")
    # before the lock's stale-temp cleanup: a running job's temporary files are not stale
    refuse_while_jobs_run(out)
    with RunDir(out, f"anestools {command} --output {out}", recursive_temps=True).locked():
        yield out


def refuse_while_jobs_run(out: Path, limit: int = 5) -> None:
    """``OutputLockedError`` naming the Slurm jobs of an earlier run into ``out`` still queued/running."""
    tasks = active_tasks(out / "_logs" / LEDGER)
    if not tasks:
        return
    shown = "; ".join(t.describe() for t in tasks[:limit]) + (f"; ... {len(tasks) - limit} more" if len(tasks) > limit else "")
    jobs = " ".join(dict.fromkeys(t.job_id.split("_")[0] for t in tasks))
    raise OutputLockedError(
        f"{out}: {len(tasks)} Slurm job(s) of an earlier run into it are still queued or running ({shown}); "
        f"rerun once they have finished, or cancel them first (scancel {jobs})")


def prepare_output(out: Path, identity: dict, overwrite: bool, managed: Sequence[str]) -> str:
    """Create/validate ``out``; returns ``"new"``, ``"resume"`` or ``"complete"``.

    ``managed``: folders under ``out`` that belong to the command (``_logs``, ``_work``...).
    Call it inside :func:`locked_output`.
    """
    record = out / RUN_RECORD
    if out.exists() and not out.is_dir():
        raise OutputExistsError(f"{out} exists and is not a directory")
    state = "new"
    if overwrite:
        _clear(out, managed)
    elif record.is_file():
        try:
            previous = jsonio.read_json(record)
        except InputError:
            previous = None
        written = _completed_tasks(out) > 0 or bool(_shards(out))
        if previous == identity:
            state = "complete" if (out / MARKER).is_file() else "resume"
        elif not written:
            _clear(out, managed)  # settings changed before anything was written: just start over
        elif previous is None:
            raise OutputExistsError(f"{record}: not valid JSON (torn write?); pass --overwrite to rebuild {out}")
        else:
            diff = sorted(k for k in set(identity) | set(previous) if previous.get(k) != identity.get(k))
            raise OutputExistsError(
                f"{out} holds a corpus built with other settings (differs: {', '.join(diff)}); "
                "pass --overwrite to rebuild it, or choose another --output")
    elif _shards(out) or (out / "_logs").exists():
        raise OutputExistsError(f"{out} already holds corpus shards or logs not written by this command; "
                                "pass --overwrite or choose another --output")
    if state != "complete":
        (out / MARKER).unlink(missing_ok=True)
        record.parent.mkdir(parents=True, exist_ok=True)
        with atomic_open(record, "w", overwrite=True, encoding="utf-8") as f:
            f.write(json.dumps(identity, indent=2, ensure_ascii=False) + "\n")
    return state


def write_marker(out: Path, command: str) -> None:
    """``OUTPUT/_SUCCESS``: the corpus is complete (written last, atomically)."""
    with atomic_open(Path(out) / MARKER, "w", overwrite=True, encoding="utf-8") as f:
        f.write(json.dumps({"command": command}) + "\n")


class CompletionMarker(PipelineStep):
    """Last stage of a corpus run (one task): write ``OUTPUT/_SUCCESS``."""

    name = "completion marker"
    type = "marker"

    def __init__(self, output: str, command: str):
        super().__init__()
        self.output = output
        self.command = command

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        write_marker(Path(self.output), self.command)


# -- running -------------------------------------------------------------------------------


@contextlib.contextmanager
def _terminal_to(log: Path) -> Iterator[None]:
    """Point fd 2 (inherited by worker processes) at ``log``; our console keeps the terminal."""
    from anestools.common import console as con

    log.parent.mkdir(parents=True, exist_ok=True)
    try:
        console_on_fd2 = sys.stderr.fileno() == 2  # False under a test runner's captured stderr
    except (AttributeError, OSError, ValueError):
        console_on_fd2 = False
    sys.stderr.flush()
    saved = os.dup(2)
    terminal = os.fdopen(os.dup(saved), "w", buffering=1, encoding="utf-8", errors="replace")
    old_file = con.console.file
    with open(log, "ab") as fh:
        os.dup2(fh.fileno(), 2)
    if console_on_fd2:
        con.console.file = terminal
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        if console_on_fd2:
            con.console.file = old_file
        terminal.close()


def _poll_progress(stages: Sequence[Stage], progress: Callable[[int, int], None], stop: threading.Event) -> None:
    total = sum(s.tasks for s in stages)

    def done() -> int:
        n = 0
        for s in stages:
            d = s.logging_dir / "completions"
            n += len(os.listdir(d)) if d.is_dir() else 0
        return n

    while True:
        progress(min(done(), total), total)
        if stop.wait(0.5):
            progress(min(done(), total), total)
            return


def run_stages(
    stages: Sequence[Stage],
    out: Path,
    show_logs: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Run (local) or submit (Slurm/Ray) the chain ending in ``stages[-1]``; one-line errors.

    The last stage should be ``CompletionMarker``; a local run whose stages were all complete
    already (a marker removed by hand) gets its marker back from the caller's ``write_marker``.
    """
    stop = threading.Event()
    poller = None
    if progress is not None:
        poller = threading.Thread(target=_poll_progress, args=(stages, progress, stop), daemon=True)
        poller.start()
    redirect = contextlib.nullcontext() if show_logs else _terminal_to(out / CONSOLE_LOG)
    try:
        with redirect, forks_die_with_us():
            stages[-1].executor.run()
    except KeyboardInterrupt:
        raise
    except AnestoolsError:
        raise
    except Exception as exc:
        raise worker_error(exc, out) from exc
    finally:
        stop.set()
        if poller is not None:
            poller.join()


def worker_error(exc: BaseException, out: Path) -> AnestoolsError:
    """One line for an exception raised in a datatrove task (the traceback is in the logs)."""
    seen, e = 0, exc
    while e is not None and seen < 10:
        if isinstance(e, AnestoolsError):
            return e
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            # a write failure (exit 1, as everywhere), not an engine failure: datatrove ran fine
            return OutputWriteError(f"no space left to write the corpus ({e.strerror}: {e.filename or out}); "
                                    "free some space and rerun the same command to resume")
        e = e.__cause__ or e.__context__
        seen += 1
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return EngineError(f"a datatrove task failed: {type(exc).__name__}: {msg[:300]} "
                       f"(traceback in {out / '_logs'}/<stage>/logs/; rerun the same command to resume)")


def logged_warnings(out: Path, limit: int = 3) -> tuple[int, list[str]]:
    """datatrove warnings of this run's tasks (e.g. an unreadable JSONL line it skipped)."""
    n, first = 0, []
    logs = out / "_logs"
    if not logs.is_dir():
        return 0, []
    for f in sorted(logs.glob("*/logs/task_*.log")):
        with open(f, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if "| WARNING  |" in line and "No files found on" not in line:
                    n += 1
                    if len(first) < limit:
                        first.append(line.split(" - ", 1)[-1].strip()[:200])
    return n, first
