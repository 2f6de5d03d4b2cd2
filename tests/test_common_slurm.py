"""anestools.common.slurm without a cluster: the job ledger and how task states are judged
(the same code runs against the real one-node cluster in tests/cluster/)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from anestools.common.slurm import (
    JobRecorder,
    RunStatus,
    TaskState,
    interpreter_env_command,
    read_ledger,
    run_status,
)


def test_recorder_returns_the_job_id_and_appends_it_to_the_ledger(tmp_path):
    ledger = tmp_path / "_logs" / "slurm_jobs.jsonl"
    rec = JobRecorder(str(ledger), "anescorpus-filter", "run-1", str(tmp_path / "_logs" / "1-filter"))
    assert rec("Submitted batch job 4242\n") == "4242"
    JobRecorder(str(ledger), "anescorpus-publish", "run-1")("Submitted batch job 4243")
    with ledger.open("a") as f:
        f.write('{"run": "run-1", "job_')  # a line torn by a crash is ignored
    entries = read_ledger(ledger)
    assert [(e["job_id"], e["name"], e["run"]) for e in entries] == [
        ("4242", "anescorpus-filter", "run-1"), ("4243", "anescorpus-publish", "run-1")]
    assert json.loads(ledger.read_text().splitlines()[0])["log_dir"].endswith("1-filter")
    # a run that submitted nothing (all tasks already complete) is finished, not someone else's run
    status = run_status(ledger, run="run-2")
    assert status.run == "run-2" and status.tasks == [] and status.ok
    assert run_status(tmp_path / "missing.jsonl") is None


def test_task_states_failed_active_blocked():
    done = TaskState("1_0", "f", "COMPLETED", "None", "0:0", "/l/1_0.out")
    running = TaskState("1_1", "f", "RUNNING")
    failed = TaskState("1_2", "f", "FAILED", "NonZeroExitCode", "2:0", "/l/1_2.out")
    blocked = TaskState("2", "p", "PENDING", "DependencyNeverSatisfied")
    waiting = TaskState("3", "p", "PENDING", "Dependency")
    assert (done.failed, done.active, running.active, failed.failed, blocked.failed, waiting.active) == (
        False, False, True, True, True, True)
    status = RunStatus("r", [blocked, done, failed, waiting])
    assert not status.finished and [t.job_id for t in status.failed] == ["1_2", "2"]  # ran-and-failed first
    assert failed.describe() == "f (job 1_2) FAILED (NonZeroExitCode), exit code 2:0, log: /l/1_2.out"
    assert RunStatus("r", [done, blocked]).finished and not RunStatus("r", [done, blocked]).ok
    assert RunStatus("r", [done]).ok and RunStatus("r", [done, failed]).summary() == "1 completed, 1 failed"


def test_env_command_puts_this_environment_first_on_path():
    line = interpreter_env_command()
    assert line.startswith(f"export PATH={Path(sys.executable).parent}:$PATH")
    assert interpreter_env_command("/opt/my env/bin/python").startswith("export PATH='/opt/my env/bin':$PATH")


def test_unfinished_corpus_says_pending_failed_or_interrupted():
    """What `corpus stats` says about a corpus without _SUCCESS, from its Slurm run's tasks."""
    from anestools.common.slurm_cli import run_state, unfinished_reason

    done = TaskState("1_0", "anescorpus-filter", "COMPLETED", "None", "0:0")
    pending = TaskState("2", "anescorpus-complete", "PENDING", "Dependency")
    cancelled = TaskState("1_1", "anescorpus-filter", "CANCELLED", "None", "0:15", "/l/1_1.out")
    never = TaskState("2", "anescorpus-complete", "PENDING", "DependencyNeverSatisfied")
    assert run_state(True, None) == "complete"
    assert run_state(False, RunStatus("r", [done, pending])) == "pending"
    assert "still pending/running (1 completed, 1 pending)" in unfinished_reason(RunStatus("r", [done, pending]))
    failed = RunStatus("r", [done, cancelled, never])
    assert run_state(False, failed) == "failed"
    assert "Slurm run r FAILED" in unfinished_reason(failed) and "rerun" in unfinished_reason(failed)
    assert run_state(False, RunStatus("r", [done])) == "interrupted"  # jobs ended, no _SUCCESS
    assert run_state(False, None) == "interrupted" and "interrupted" in unfinished_reason(None)
