"""One rich console (stderr) and progress bars, honouring ``-v``/``-q``.

Library code may *report progress* through :func:`progress` (a no-op when quiet) but never
prints results: the CLI does that.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

console = Console(stderr=True)
out = Console()  # results (tables, paths) go to stdout so they can be piped
_verbosity = 0


def set_verbosity(verbose: int = 0, quiet: bool = False) -> None:
    """Configure logging: ``-q`` only errors, default info, ``-v`` debug."""
    global _verbosity
    _verbosity = -1 if quiet else verbose
    level = logging.ERROR if quiet else (logging.DEBUG if verbose else logging.INFO)
    logging.basicConfig(
        level=level,
        format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False, show_time=False)],
        force=True,
    )
    logging.getLogger("anestools").setLevel(level)
    # Silence chatty third-party loggers unless -v.
    # -q means errors only, for them too (a Hub retry must not print WARNING lines under -q).
    library_level = logging.ERROR if quiet else (logging.DEBUG if verbose > 1 else logging.WARNING)
    for name in ("datasets", "urllib3", "httpx", "filelock", "fsspec", "huggingface_hub"):
        logging.getLogger(name).setLevel(library_level)
    if quiet:  # these two set their level again when first imported; their variables win then
        os.environ.setdefault("HF_HUB_VERBOSITY", "error")
        os.environ.setdefault("DATASETS_VERBOSITY", "error")


def quiet() -> bool:
    return _verbosity < 0


def summary(renderable: object) -> None:
    """A command's summary table (stdout); ``-q`` silences it. Paths of what was written are not summaries."""
    if not quiet():
        out.print(renderable)


def verbosity() -> int:
    return _verbosity


@contextmanager
def progress(transient: bool = False, auto_refresh: bool = True) -> Iterator[Progress]:
    """A rich progress bar with throughput-friendly columns (disabled with ``-q``).

    ``auto_refresh=False``: no rich refresh thread; the caller calls ``bar.refresh()``.
    """
    bar = Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=transient,
        auto_refresh=auto_refresh,
        disable=quiet(),
    )
    with bar:
        yield bar
