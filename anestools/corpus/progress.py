"""Files-done progress bar for datatrove runs, shared by ``corpus build`` and ``corpus pubmed``.

Why marker files: datatrove tasks run in other processes (or on other nodes), so reader steps
append one byte per finished input file to ``<folder>/<rank>``; the CLI sums the sizes.

Why one thread that pauses at fork: local datatrove workers are forked from this process
(``anestools.corpus.executors``). A thread caught by ``fork()`` in the middle of writing to the
terminal would leave the console or stream locks held forever in the child. So rich's own
refresh thread is off, our poll thread draws under ``_RENDER``, and ``os.register_at_fork``
takes that lock before every fork and releases it on both sides.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from anestools.common import console as con

_RENDER = threading.Lock()  # held while the bar is drawn, and across every fork()


def _release_render() -> None:
    _RENDER.release()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(before=_RENDER.acquire, after_in_parent=_release_render, after_in_child=_release_render)


def files_done(folder: str | os.PathLike[str]) -> int:
    """Input files finished so far by all reader tasks (sum of the marker files' sizes)."""
    d = Path(folder)
    return sum(f.stat().st_size for f in d.iterdir() if f.is_file()) if d.is_dir() else 0


@contextmanager
def files_progress(label: str, interval: float = 0.25) -> Iterator[Callable[[int, Path], None]]:
    """Yield ``start(n_files, marker_folder)``; once called, the bar follows the markers."""
    stop = threading.Event()
    folder: list[Path] = []
    with con.progress(auto_refresh=False) as bar:
        task = bar.add_task(label, total=None)

        def start(n_files: int, marker_folder: Path) -> None:
            folder.append(Path(marker_folder))
            bar.update(task, total=n_files)

            def poll() -> None:
                while not stop.wait(interval):
                    done = files_done(marker_folder)
                    with _RENDER:
                        bar.update(task, completed=done)
                        bar.refresh()

            threading.Thread(target=poll, name="files-progress", daemon=True).start()

        try:
            yield start
        finally:
            stop.set()
            with _RENDER:
                if folder:
                    bar.update(task, completed=files_done(folder[0]))
                bar.refresh()
