"""Files-done progress bar for datatrove runs, shared by ``corpus build`` and ``corpus pubmed``.

Why marker files: datatrove tasks run in other processes (or on other nodes), so reader steps
append one byte per finished input file to ``<folder>/<rank>``; the CLI sums the sizes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from anestools.common import console as con


def files_done(folder: str | os.PathLike[str]) -> int:
    """Input files finished so far by all reader tasks (sum of the marker files' sizes)."""
    d = Path(folder)
    return sum(f.stat().st_size for f in d.iterdir() if f.is_file()) if d.is_dir() else 0


@contextmanager
def files_progress(label: str, interval: float = 0.5) -> Iterator[Callable[[int, Path], None]]:
    """Yield ``start(n_files, marker_folder)``; once called, the bar follows the markers."""
    stop = threading.Event()
    folder: list[Path] = []
    with con.progress() as bar:
        task = bar.add_task(label, total=None)

        def start(n_files: int, marker_folder: Path) -> None:
            folder.append(Path(marker_folder))
            bar.update(task, total=n_files)

            def poll() -> None:
                while not stop.wait(interval):
                    bar.update(task, completed=files_done(marker_folder))

            threading.Thread(target=poll, name="files-progress", daemon=True).start()

        try:
            yield start
        finally:
            stop.set()
            if folder:
                bar.update(task, completed=files_done(folder[0]))
