"""Progress of ``anestools eval``: a rich bar on a terminal, one plain line per interval in a log.

Why two forms: a rich live bar redraws in place, which a file cannot show — with stderr
redirected (a Slurm job) rich prints nothing until the end, so a job's log stayed empty for
hours. In that case, like tqdm in file mode, a background thread writes one self-contained
line every ``interval`` seconds (done/total, questions/s, errors, elapsed, ETA), plus a last
line when the model is done, so ``tail -f slurm-123.out`` shows the run advancing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from anestools.common import console as con
from anestools.common.options import Seconds, refuse

Hook = Callable[[str, int], None]  # the runner's ProgressHook: ("total", N) once, then ("done"|"error", 1)
DEFAULT_INTERVAL = 30.0


class _Rate(ProgressColumn):
    """Items (questions by default) per second (rich has only a bytes-per-second column)."""

    def __init__(self, unit: str = "q") -> None:
        super().__init__()
        self.unit = unit

    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"–  {self.unit}/s" if not speed else f"{speed:.1f} {self.unit}/s", style="cyan")


def _clock(seconds: float | None) -> str:
    return "–" if seconds is None else str(timedelta(seconds=round(seconds)))


class LogProgress:
    """Counts events and renders them as one line; ``line()`` is what a log shows."""

    def __init__(self, label: str, unit: str = "q") -> None:
        self.label = label
        self.unit = unit
        self.total: int | None = None
        self.done = 0
        self.errors = 0
        self._start = time.monotonic()
        self._lock = threading.Lock()

    def hook(self, event: str, n: int) -> None:
        with self._lock:
            if event == "total":
                self.total = n
                self._start = time.monotonic()  # rate over the answering phase, not the model load
            else:
                self.done += n
                self.errors += n if event == "error" else 0

    def line(self) -> str:
        with self._lock:
            elapsed = time.monotonic() - self._start
            rate = self.done / elapsed if elapsed > 0 and self.done else 0.0
            total = self.total
            eta = (total - self.done) / rate if total is not None and rate else None
            pct = f" ({100 * self.done / total:.1f}%)" if total else ""
            return (f"{self.label}: {self.done}/{'?' if total is None else total}{pct} | {rate:.1f} {self.unit}/s | "
                    f"{self.errors} errors | elapsed {_clock(elapsed)} | ETA {_clock(eta)}")


@contextmanager
def _log_lines(label: str, interval: float, unit: str) -> Iterator[Hook]:
    state = LogProgress(label, unit)
    stop = threading.Event()

    def emit() -> None:
        con.console.print(state.line(), markup=False, highlight=False, soft_wrap=True)

    def loop() -> None:
        while not stop.wait(interval):
            emit()

    thread = threading.Thread(target=loop, name="eval-progress", daemon=True)
    thread.start()
    try:
        yield state.hook
    finally:
        stop.set()
        thread.join(timeout=5)
    emit()  # the last count, once the model is done (an error is reported by the CLI instead)


@contextmanager
def _rich_bar(label: str, unit: str) -> Iterator[Hook]:
    bar = Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   _Rate(unit), TextColumn("[red]{task.fields[errors]} errors"), TimeElapsedColumn(),
                   TimeRemainingColumn(), console=con.console)
    with bar:
        task = bar.add_task(label, total=None, errors=0)

        def hook(event: str, n: int) -> None:
            if event == "total":
                bar.update(task, total=n)
                return
            bar.advance(task, n)
            if event == "error":
                bar.update(task, errors=bar.tasks[task].fields["errors"] + n)

        yield hook


def check_progress_interval(seconds: float) -> None:
    """``--progress-interval``: a finite number of seconds > 0 (the same check for every command)."""
    refuse("--progress-interval", Seconds(), seconds)


@contextmanager
def eval_progress(label: str, interval: float = DEFAULT_INTERVAL, unit: str = "q") -> Iterator[Hook]:
    """Yield the runner's progress hook: rich bar on a terminal, log lines otherwise, nothing with ``-q``.

    Also the progress of ``qa generate | translate`` (``unit`` names what is counted per second)."""
    if con.quiet():
        yield lambda event, n: None
    elif con.console.is_terminal:
        with _rich_bar(label, unit) as hook:
            yield hook
    else:
        with _log_lines(label, interval, unit) as hook:
            yield hook
