"""datatrove's ``LocalPipelineExecutor`` with a leaner ``run``: no manager process, no pickling.

Usage (through ``anestools.corpus.executors.build_executor``)::

    LocalExecutor(pipeline, tasks=8, workers=2, logging_dir="out/_logs/1-filter", start_method="fork").run()

Why: datatrove's ``run`` starts a ``multiprocess.Manager`` process for every stage (about 20 ms
to start and stop, plus a proxy round trip per task) only to hand out "local rank" numbers,
which decide which task may log to the terminal; and with a pool it pickles the executor, whole
pipeline included, once per task. Here tasks that run one at a time run in this process (local
rank 0), pool workers take their number from their pool identity, and forked workers inherit
the executor instead of unpickling a copy per task.

Everything else is datatrove's own: completion markers and skipping (``get_incomplete_ranks``),
the per-task ``_run_for_rank`` (task logs, per-task stats, completion marker), a fresh deep copy
of the pipeline per task, ``executor.json`` and the merged ``stats.json``. The stage-level
messages datatrove logs from ``datatrove.executor.local`` come from this module instead (loguru
name ``anestools.corpus.local_executor``: disable it too where you disable ``datatrove``).
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from datatrove.executor import LocalPipelineExecutor
from datatrove.utils.logging import logger
from datatrove.utils.stats import PipelineStats

_FORKED: Any = None  # (executor, pipeline) whose tasks the forked pool workers run (inherited)


def _worker_index() -> int:
    import multiprocess

    identity = multiprocess.current_process()._identity
    return identity[-1] - 1 if identity else 0


def _run_forked_task(rank: int) -> PipelineStats:
    executor, pipeline = _FORKED
    executor.pipeline = deepcopy(pipeline)  # fresh steps (and stats) for every task, as unpickling gives
    return executor._run_for_rank(rank, _worker_index())


def _run_pickled_task(job: tuple[LocalPipelineExecutor, int]) -> PipelineStats:
    executor, rank = job
    return executor._run_for_rank(rank, _worker_index())


class LocalExecutor(LocalPipelineExecutor):
    """``LocalPipelineExecutor`` with the ``run`` described in the module docstring."""

    def run(self) -> PipelineStats | None:
        if self.depends is not None and not self.depends._launched:
            self.depends.run()
        if self.depends is not None and (left := self.depends.get_incomplete_ranks(skip_completed=True)):
            raise RuntimeError(f"{len(left)} task(s) of the previous stage did not complete")
        self._launched = True
        ranks = self.get_incomplete_ranks(range(self.local_rank_offset, self.local_rank_offset + self.local_tasks))
        if not ranks:
            logger.info(f"Not doing anything as all {self.local_tasks} tasks have already been completed.")
            return None
        self.save_executor_as_json()
        skipped = self.local_tasks - len(ranks)
        if skipped:
            logger.info(f"Skipping {skipped} already completed tasks")
        if self.workers == 1 or len(ranks) == 1:
            stats = self._run_here(ranks)
        else:
            stats = self._run_in_pool(ranks, skipped)
        merged = sum(stats, start=PipelineStats())
        with self.logging_dir.open("stats.json", "wt") as f:
            merged.save_to_disk(f)
        logger.success(merged.get_repr(f"All {self.local_tasks} tasks"))
        return merged

    def _run_here(self, ranks: list[int]) -> list[PipelineStats]:
        pipeline, stats = self.pipeline, []
        try:
            for rank in ranks:
                self.pipeline = deepcopy(pipeline)  # fresh steps (and stats) for every task
                stats.append(self._run_for_rank(rank, 0))
        finally:
            self.pipeline = pipeline
        return stats

    def _run_in_pool(self, ranks: list[int], skipped: int) -> list[PipelineStats]:
        global _FORKED
        import multiprocess

        ctx = multiprocess.get_context(self.start_method)
        forked = self.start_method == "fork"
        stats: list[PipelineStats] = []
        if forked:
            _FORKED = (self, self.pipeline)  # set before the pool forks its workers
        try:
            with ctx.Pool(min(self.workers, len(ranks))) as pool:
                if forked:
                    results = pool.imap_unordered(_run_forked_task, ranks)
                else:
                    results = pool.imap_unordered(_run_pickled_task, [(self, rank) for rank in ranks])
                for done, st in enumerate(results, start=skipped + 1):
                    stats.append(st)
                    logger.info(f"{done}/{self.world_size} tasks completed.")
        finally:
            _FORKED = None
        return stats
