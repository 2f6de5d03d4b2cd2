"""Tasks-done progress bar for ``corpus build`` and ``corpus pubmed`` (fed by ``run.run_stages``).

Why tasks: datatrove marks each finished task with a file in ``<stage>/completions/``, whatever
process or node ran it, so counting them works for local, Slurm and Ray runs alike.

Why a lock held across ``fork()``: datatrove's local executor forks helper processes (its
``multiprocess.Manager``). A thread caught by ``fork()`` in the middle of drawing would leave
the console lock held forever in the child, so drawing happens under ``_RENDER``, which
``os.register_at_fork`` takes before every fork and releases on both sides.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from anestools.common import console as con

_RENDER = threading.Lock()


def _release_render() -> None:
    _RENDER.release()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(before=_RENDER.acquire, after_in_parent=_release_render, after_in_child=_release_render)


@contextmanager
def tasks_progress(label: str = "datatrove tasks") -> Iterator[Callable[[int, int], None]]:
    """Yield ``update(done, total)``; safe to call from another thread."""
    with con.progress(auto_refresh=False) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            with _RENDER:
                bar.update(task, completed=done, total=total)
                bar.refresh()

        yield update
