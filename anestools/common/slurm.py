"""Slurm seen from the submitting side: the job environment, the jobs a run submitted, their fate.

Why: ``sbatch`` returns as soon as a job is queued, so a run whose array tasks all fail (e.g.
``launch_pickled_pipeline`` not on the job's PATH) used to look "submitted" forever, and its
dependent jobs waited in ``DependencyNeverSatisfied``. Here:

- :func:`interpreter_env_command` puts the running interpreter's ``bin/`` first on the job's
  PATH, so jobs run in the environment that submitted them unless told otherwise;
- :class:`JobRecorder` is given to the executor as its sbatch-output parser: it returns the job
  id like the default one and appends it to a ledger (``slurm_jobs.jsonl``), one line per job,
  tagged with the run (one CLI invocation) that submitted it;
- :func:`run_status` asks the controller (``scontrol``, else ``sacct``) what became of the
  newest run's jobs, task by task, with each task's log path; :func:`wait_for_run` polls it
  until nothing can run any more.

Stage-agnostic: it knows job ids and log files, not pipelines.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

LEDGER = "slurm_jobs.jsonl"
ACTIVE = {"PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "REQUEUED", "RESIZING", "SUSPENDED",
          "REQUEUE_HOLD", "REQUEUE_FED", "SIGNALING", "STAGE_OUT", "RESV_DEL_HOLD"}
# Pending reasons that mean the job can never start on its own.
BLOCKED = {"DependencyNeverSatisfied", "JobHeldAdmin", "JobHeldUser", "BadConstraints", "PartitionDown",
           "InvalidAccount", "InvalidQOS", "PartitionConfig"}


def interpreter_env_command(executable: str | None = None) -> str:
    """Shell line that makes a job use this interpreter's environment (its ``bin/`` first on PATH).

    Not resolved through symlinks: a virtualenv's ``bin/python`` links to the base interpreter,
    but its console scripts (``launch_pickled_pipeline``, ``anestools``) live next to the link.
    """
    exe = Path(executable or sys.executable)
    line = f"export PATH={shlex.quote(str(exe.parent))}:$PATH"
    prefix = exe.parent.parent
    if (prefix / "pyvenv.cfg").is_file():
        line += f"; export VIRTUAL_ENV={shlex.quote(str(prefix))}"
    return line


def new_run_id() -> str:
    """Identifies one submission (one CLI invocation) in the ledger."""
    return f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"


@dataclass
class JobRecorder:
    """sbatch-output parser that also records the job id (``job_id_retriever`` of datatrove)."""

    ledger: str
    name: str
    run: str
    log_dir: str | None = None

    def __call__(self, sbatch_output: str) -> str:
        job_id = sbatch_output.split()[-1]  # "Submitted batch job 123"
        Path(self.ledger).parent.mkdir(parents=True, exist_ok=True)
        entry = {"run": self.run, "job_id": job_id, "name": self.name, "log_dir": self.log_dir,
                 "submitted": time.strftime("%Y-%m-%dT%H:%M:%S")}
        with open(self.ledger, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")
        return job_id


@dataclass
class TaskState:
    """One job or array task as the controller sees it."""

    job_id: str  # "12" or "12_3" (array task) or "12_[0-3%2]" (pending, not yet split)
    name: str
    state: str
    reason: str = ""
    exit_code: str = ""
    log: str | None = None

    @property
    def blocked(self) -> bool:
        return self.state == "PENDING" and self.reason in BLOCKED

    @property
    def active(self) -> bool:
        return self.state in ACTIVE and not self.blocked

    @property
    def failed(self) -> bool:
        return not self.active and self.state != "COMPLETED"

    def describe(self) -> str:
        what = f"{self.name} (job {self.job_id}) {self.state}"
        if self.blocked or (self.reason and self.reason != "None" and self.state != "COMPLETED"):
            what += f" ({self.reason})"
        if self.exit_code and self.exit_code != "0:0" and self.state != "PENDING":
            what += f", exit code {self.exit_code}"
        if self.log:
            what += f", log: {self.log}"
        return what


@dataclass
class RunStatus:
    """The newest run recorded in a ledger and the state of each of its tasks."""

    run: str
    tasks: list[TaskState] = field(default_factory=list)

    @property
    def active(self) -> list[TaskState]:
        return [t for t in self.tasks if t.active]

    @property
    def failed(self) -> list[TaskState]:
        """Tasks that will not complete: the ones that ran and failed first, then their dependents."""
        return sorted((t for t in self.tasks if t.failed), key=lambda t: (t.reason == "DependencyNeverSatisfied", t.job_id))

    @property
    def finished(self) -> bool:
        return not self.active

    @property
    def ok(self) -> bool:
        return self.finished and not self.failed

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for t in self.tasks:
            key = "BLOCKED" if t.blocked else t.state
            out[key] = out.get(key, 0) + 1
        return dict(sorted(out.items()))

    def summary(self) -> str:
        return ", ".join(f"{n} {s.lower()}" for s, n in self.counts().items()) or "no jobs"


def read_ledger(ledger: Path) -> list[dict]:
    if not ledger.is_file():
        return []
    entries = []
    for line in ledger.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line:
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut by a crash: the others still count
    return entries


def _parse_scontrol(text: str) -> list[dict[str, str]]:
    records = []
    for line in text.splitlines():
        rec: dict[str, str] = {}
        for token in line.split():
            key, sep, value = token.partition("=")
            if sep:
                rec[key] = value
        if "JobId" in rec:
            records.append(rec)
    return records


def _scontrol_tasks(job_id: str, name: str) -> list[TaskState] | None:
    """All tasks of a job (array tasks one by one); ``None`` when the controller forgot it."""
    proc = subprocess.run(["scontrol", "-o", "show", "job", job_id], capture_output=True, text=True)
    if proc.returncode != 0:
        return None
    tasks = []
    for rec in _parse_scontrol(proc.stdout):
        task_id = rec.get("ArrayTaskId")
        jid = f"{rec.get('ArrayJobId', rec['JobId'])}_{task_id.split('%')[0]}" if task_id else rec["JobId"]
        log = rec.get("StdOut")
        if log and ("%" in log or "4294967294" in log):  # not yet expanded (pending array)
            log = None
        tasks.append(TaskState(job_id=jid, name=rec.get("JobName", name), state=rec.get("JobState", "UNKNOWN"),
                               reason=rec.get("Reason", ""), exit_code=rec.get("ExitCode", ""), log=log))
    return tasks


def _sacct_tasks(job_id: str, name: str) -> list[TaskState]:
    if shutil.which("sacct"):
        proc = subprocess.run(["sacct", "-n", "-P", "-X", "-j", job_id, "-o", "JobID,JobName,State,ExitCode"],
                              capture_output=True, text=True)
        rows = [r.split("|") for r in proc.stdout.splitlines() if r.count("|") == 3] if proc.returncode == 0 else []
        if rows:
            return [TaskState(job_id=r[0], name=r[1], state=r[2].split()[0], exit_code=r[3]) for r in rows]
    return [TaskState(job_id=job_id, name=name, state="UNKNOWN",
                      reason="no longer known to the controller and no accounting (sacct)")]


def run_status(ledger: Path, run: str | None = None) -> RunStatus | None:
    """State of every job of ``run`` (default: the newest run) in ``ledger``.

    ``None``: no Slurm job was recorded. A given ``run`` that submitted nothing (every task was
    already complete) has an empty, finished status.
    """
    entries = read_ledger(Path(ledger))
    if not entries:
        return None if run is None else RunStatus(run=run)
    run = run or entries[-1]["run"]
    status = RunStatus(run=run)
    for e in entries:
        if e.get("run") != run:
            continue
        tasks = _scontrol_tasks(str(e["job_id"]), e.get("name", ""))
        status.tasks.extend(tasks if tasks is not None else _sacct_tasks(str(e["job_id"]), e.get("name", "")))
    return status


def active_tasks(ledger: Path) -> list[TaskState]:
    """Tasks of *any* run in ``ledger`` that are still queued or running.

    Why every run and not the newest: a rerun submitted while an earlier run's jobs were still
    pending would write the same shards twice; each run's jobs must be finished (or cancelled)
    before the next starts. Nothing without Slurm's ``scontrol`` here (nothing can be asked).
    """
    if not Path(ledger).is_file() or shutil.which("scontrol") is None:
        return []
    found: list[TaskState] = []
    for e in read_ledger(Path(ledger)):
        tasks = _scontrol_tasks(str(e["job_id"]), e.get("name", "")) or []
        found.extend(t for t in tasks if t.active)
    return found


def wait_for_run(ledger: Path, run: str | None = None, poll: float = 10.0,
                 on_update: Callable[[RunStatus], None] | None = None, timeout: float | None = None) -> RunStatus:
    """Poll :func:`run_status` until no task can run any more (or ``timeout`` seconds passed)."""
    start = time.monotonic()
    last = ""
    while True:
        status = run_status(ledger, run) or RunStatus(run=run or "")
        if on_update is not None and status.summary() != last:
            on_update(status)
            last = status.summary()
        if status.finished or (timeout is not None and time.monotonic() - start > timeout):
            return status
        time.sleep(poll)
