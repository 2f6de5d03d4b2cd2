"""CLI side of :mod:`anestools.common.slurm`: ``--wait`` after a submission, and the status lines
of ``corpus stats``. Prints (to stderr) and raises ``EngineError`` so the exit code is non-zero."""

from __future__ import annotations

import shutil
from pathlib import Path

from anestools.common import console as con
from anestools.common.slurm import RunStatus, read_ledger, run_status, wait_for_run
from anestools.errors import EngineError


def _print_tasks(title: str, tasks, limit: int = 20) -> None:
    con.console.print(title, highlight=False, soft_wrap=True)
    for t in tasks[:limit]:
        con.console.print(f"  {t.describe()}", highlight=False, soft_wrap=True)
    if len(tasks) > limit:
        con.console.print(f"  ... {len(tasks) - limit} more", highlight=False)


def wait_for_jobs(ledger: Path, run: str, rerun_hint: str, poll: float = 10.0) -> RunStatus:
    """Watch the jobs ``run`` submitted until none can run any more; raise if any task did not complete."""

    def update(status: RunStatus) -> None:
        if status.tasks and not con.quiet():
            con.console.print(f"slurm: {status.summary()}", highlight=False)

    status = wait_for_run(ledger, run, poll=poll, on_update=update)
    if not status.tasks:
        con.console.print("slurm: nothing was submitted (every task had already completed)", highlight=False)
    if status.failed:
        _print_tasks(f"[red]{len(status.failed)} Slurm task(s) did not complete:[/]", status.failed)
        raise EngineError(f"{len(status.failed)} of {len(status.tasks)} Slurm task(s) did not complete "
                          f"(logs above); {rerun_hint}")
    return status


def run_status_of(ledger: Path) -> RunStatus | None:
    """The newest Slurm run recorded in ``ledger``, as the controller sees it now.

    ``None``: the output was not built on Slurm, or Slurm's commands are not on this machine
    (then nothing can be said beyond "no _SUCCESS").
    """
    if not ledger.is_file() or shutil.which("scontrol") is None:
        return None
    return run_status(ledger)


def newest_run(ledger: Path) -> str | None:
    """Id of the newest run in ``ledger`` (read from the file only; no Slurm command)."""
    entries = read_ledger(ledger)
    return entries[-1].get("run") if entries else None


def unfinished_reason(status: RunStatus | None) -> str:
    """Why a corpus has no ``_SUCCESS`` yet: its Slurm run failed, is pending, or was interrupted."""
    if status is None:
        return "its run was interrupted or is still running; rerun the same corpus command to finish it"
    if status.failed:
        return (f"its Slurm run {status.run} FAILED ({status.summary()}; failed tasks listed with their logs); "
                "rerun the same corpus command to resume")
    if status.active:
        return (f"its Slurm run {status.run} is still pending/running ({status.summary()}); "
                "try again when it has finished (--incomplete shows the partial counts)")
    return (f"its Slurm run {status.run} ended without writing it ({status.summary()}); "
            "rerun the same corpus command to finish it")


def run_state(complete: bool, status: RunStatus | None) -> str:
    """``complete``, ``failed``, ``pending`` or ``interrupted`` (no _SUCCESS, nothing running)."""
    if complete:
        return "complete"
    if status is not None and status.failed:
        return "failed"
    if status is not None and status.active:
        return "pending"
    return "interrupted"


def status_payload(status: RunStatus | None) -> dict | None:
    """JSON form of a run's status (``corpus stats --json``)."""
    if status is None:
        return None
    return {"run": status.run, "finished": status.finished, "failed": bool(status.failed),
            "counts": status.counts(), "failed_tasks": [t.describe() for t in status.failed]}


def print_failed(status: RunStatus | None) -> None:
    """The tasks of a failed run with their logs (stderr)."""
    if status is not None and status.failed:
        _print_tasks(f"[red]{len(status.failed)} Slurm task(s) did not complete:[/]", status.failed)


def print_run_status(status: RunStatus | None) -> None:
    """One line saying whether the Slurm run of an unfinished corpus failed or is still going; failed tasks."""
    if status is None:
        return
    if status.failed:
        verdict = "[red]FAILED[/] (rerun the same corpus command to resume)"
    elif status.active:
        verdict = "[yellow]still pending/running: the shards above are incomplete[/]"
    else:
        verdict = "[yellow]jobs ended without writing _SUCCESS (rerun the same corpus command)[/]"
    con.out.print(f"Slurm run {status.run}: {verdict} ({status.summary()})", highlight=False, soft_wrap=True)
    for t in status.failed[:20]:
        con.out.print(f"  {t.describe()}", highlight=False, soft_wrap=True)
