"""Where datatrove's logs go when ``anestools corpus ...`` runs: files always, terminal on request.

Usage::

    from anestools.corpus.logs import route_datatrove_logs, silence_tqdm

    route_datatrove_logs(console_level="WARNING")   # before running the executors
    silence_tqdm()                                  # our progress bar is the only one

Why: datatrove writes every task's log to ``<logging_dir>/logs/task_<rank>.log`` and, in the
same call, to the terminal at INFO level (about 15 lines per task: pipeline, per-step stats).
On a local build that is a wall of text over our progress bar, and ``logger.disable`` (the only
switch loguru offers per module) would also empty the log files. So the terminal sink datatrove
adds for each task, and the default sink it restores between tasks, get ``console_level``
(``-v``: INFO, default: WARNING, ``-q``: ERROR), while the file sinks keep everything.

How: datatrove (0.6-0.10) sets its sinks up in ``datatrove.utils.logging.add_task_logger``
(called by name from ``datatrove.executor.base``) and ``setup_default_logger``; we replace both
with versions that do the same with a level on the terminal sink. If a datatrove version no
longer has them, nothing is replaced and its own behaviour applies.
"""

from __future__ import annotations

import sys
from typing import Any

_STATE: dict[str, Any] = {"level": "INFO"}


def route_datatrove_logs(console_level: str = "WARNING") -> None:
    """Show datatrove's messages at ``console_level`` and above on the terminal (idempotent)."""
    _STATE["level"] = console_level
    try:
        import datatrove.executor.base as executor_base
        import datatrove.utils.logging as dt_logging
        from loguru import logger
    except ImportError:
        return
    if not all(hasattr(m, n) for m, n in ((dt_logging, "add_task_logger"), (dt_logging, "setup_default_logger"),
                                          (executor_base, "add_task_logger"))):
        return
    if getattr(dt_logging.setup_default_logger, "anestools_routed", False):
        dt_logging.setup_default_logger()
        return
    colorize_files = getattr(dt_logging, "DATATROVE_COLORIZE_LOG_FILES", False)

    def setup_default_logger() -> None:
        logger.remove()
        logger.add(sys.stderr, level=_STATE["level"], colorize=dt_logging.DATATROVE_COLORIZE_LOGS)

    def add_task_logger(logging_dir, rank: int, local_rank: int = 0, node_rank: int = -1):
        # datatrove's sinks for a task: everything to logs/task_<rank>.log, the terminal at our level
        logger.remove()
        logfile = logging_dir.open(f"logs/task_{rank:05d}.log", "w")
        node = f"[NODE {node_rank}] " if node_rank != -1 else ""
        fmt = node + "{time:YYYY-MM-DD HH:mm:ss.SSS} | <level>{level: <8}</level> | {name}:{function}:{line} - <level>{message}</level>"
        terminal = _STATE["level"] if local_rank == 0 else "ERROR"
        logger.add(sys.stderr, level=terminal, format=fmt, colorize=dt_logging.DATATROVE_COLORIZE_LOGS)
        logger.add(logfile, level="DEBUG", format=fmt, colorize=colorize_files)
        logger.info(f"Launching pipeline for {rank=}")
        return logfile

    setup_default_logger.anestools_routed = True  # type: ignore[attr-defined]
    dt_logging.setup_default_logger = setup_default_logger
    dt_logging.add_task_logger = add_task_logger
    executor_base.add_task_logger = add_task_logger  # imported by name there
    setup_default_logger()


def silence_tqdm() -> None:
    """Turn off the tqdm bars datatrove draws without asking (exact dedup's "Initializing pq...",
    duplicate-index loading): they would tear through our progress bar. Bars that pass their own
    ``disable=`` (datatrove's opt-in reader progress) keep it. Idempotent."""
    from functools import partialmethod

    try:
        from tqdm import tqdm
    except ImportError:
        return
    if not getattr(tqdm.__init__, "anestools_silenced", False):
        silenced = partialmethod(tqdm.__init__, disable=True)
        silenced.anestools_silenced = True  # type: ignore[attr-defined]
        tqdm.__init__ = silenced

