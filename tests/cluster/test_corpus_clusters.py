"""corpus build / corpus pubmed on a real one-node Slurm cluster and a local Ray cluster: the same
documents as the local executor; a cancelled array task is reported and a rerun resumes it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import corpus_rows, ledger, run_anestools, scontrol_job, shard_rows

pytestmark = pytest.mark.cluster

SAMPLES = Path(__file__).resolve().parents[2] / "anestools" / "resources" / "samples"


def _ledger(out: Path) -> list[dict]:
    return ledger(out)


def test_slurm_build_equals_local(slurm_partition, local_build, tmp_path):
    out = tmp_path / "slurm"
    # no --slurm-env-command: the jobs must find launch_pickled_pipeline in this interpreter's env
    proc = run_anestools("corpus", "build", "--output", str(out), "--executor", "slurm", "--tasks", "2",
                         "--workers", "2", "--slurm-partition", slurm_partition, "--slurm-time", "00:10:00", "--wait")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "slurm: " in proc.stderr and "kept documents: en: 70, zh: 35" in proc.stdout
    expected = corpus_rows(local_build)
    assert sum(map(len, expected.values())) == 105
    assert corpus_rows(out) == expected
    assert shard_rows(out) == shard_rows(local_build)
    # each stage was a real sbatch array / job on the cluster, recorded in the ledger
    names = {e["name"] for e in _ledger(out)}
    assert {"anescorpus-filter", "anescorpus-dedup-find", "anescorpus-write", "anescorpus-complete"} <= names
    assert (out / "_SUCCESS").is_file()  # written by the `complete` job, the last dependent one
    first = _ledger(out)[0]["job_id"]
    assert scontrol_job(f"{first}_1")["JobState"] == "COMPLETED"
    stats = run_anestools("corpus", "stats", str(out))
    assert stats.returncode == 0 and "completed" in stats.stdout
    assert json.loads(run_anestools("corpus", "stats", str(out), "--json").stdout)["status"] == "complete"
    # the same command again: a complete corpus, nothing submitted, exit 0
    submitted = len(_ledger(out))
    again = run_anestools("corpus", "build", "--output", str(out), "--executor", "slurm", "--tasks", "2",
                          "--workers", "2", "--slurm-partition", slurm_partition, "--slurm-time", "00:10:00", "--wait")
    assert again.returncode == 0 and "nothing to do" in again.stdout, again.stderr[-3000:]
    assert len(_ledger(out)) == submitted
    assert corpus_rows(out) == expected


def test_slurm_cancelled_task_is_reported_and_rerun_resumes(slurm_partition, local_build, tmp_path):
    out = tmp_path / "cancelled"
    args = ("corpus", "build", "--output", str(out), "--executor", "slurm", "--tasks", "2", "--workers", "1",
            "--slurm-partition", slurm_partition, "--slurm-time", "00:10:00")
    proc = run_anestools(*args)  # submitted, not waited for; --workers 1: task 1 runs after task 0
    assert proc.returncode == 0, proc.stderr[-3000:]
    filter_job = _ledger(out)[0]["job_id"]
    # no _SUCCESS yet: stats refuses and says the Slurm run is still pending/running
    pending = run_anestools("corpus", "stats", str(out))
    assert pending.returncode == 2 and "still pending/running" in pending.stderr, pending.stderr[-2000:]
    assert json.loads(run_anestools("corpus", "stats", str(out), "--json", "--incomplete").stdout)["status"] == "pending"
    cancelled = None
    deadline = time.monotonic() + 300
    while cancelled is None and time.monotonic() < deadline:
        for task in ("0", "1"):
            state = subprocess.run(["scontrol", "-o", "show", "job", f"{filter_job}_{task}"], capture_output=True,
                                   text=True).stdout
            if "JobState=RUNNING" in state:
                subprocess.run(["scancel", f"{filter_job}_{task}"], check=True)
                cancelled = task
                break
        time.sleep(0.2)
    assert cancelled is not None, "no filter task was seen running"
    # corpus stats says the run failed, and nothing was published
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        stats = run_anestools("corpus", "stats", str(out), "--json", "--incomplete")
        payload = json.loads(stats.stdout)
        if payload["slurm"]["finished"]:
            break
        time.sleep(2)
    slurm = payload["slurm"]
    assert payload["status"] == "failed" and not payload["complete"]
    assert slurm["failed"] and any(f"{filter_job}_{cancelled}" in t and "CANCELLED" in t for t in slurm["failed_tasks"])
    assert shard_rows(out) == {} and not (out / "_SUCCESS").exists()
    refused = run_anestools("corpus", "stats", str(out))
    assert refused.returncode == 2 and "FAILED" in refused.stderr and f"{filter_job}_{cancelled}" in refused.stderr
    assert "FAILED" in run_anestools("corpus", "stats", str(out), "--incomplete").stdout
    # rerun: only the incomplete work runs; the result is exactly the local one, no duplicates
    done_before = len(list((out / "_logs" / "1-filter" / "completions").glob("*")))
    proc = run_anestools(*args, "--wait")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    rows = corpus_rows(out)
    assert rows == corpus_rows(local_build)
    assert all(len(ids) == len(set(ids)) for ids in rows.values())
    assert shard_rows(out) == shard_rows(local_build)
    # the rerun submitted only the filter tasks without a completion marker (the cancelled one)
    ranks = json.loads((out / "_logs" / "1-filter" / "ranks_to_run.json").read_text())
    assert done_before < 2 and len(ranks) == 2 - done_before and int(cancelled) in ranks or len(ranks) == 2
    assert (out / "_SUCCESS").is_file()
    assert "completed" in run_anestools("corpus", "stats", str(out)).stdout


def test_wait_reports_failed_tasks_with_logs_and_exits_non_zero(slurm_partition, tmp_path):
    """The failure that went unnoticed before: jobs without the environment's bin/ on PATH."""
    out = tmp_path / "broken"
    proc = run_anestools("corpus", "build", "--output", str(out), "--executor", "slurm", "--tasks", "2",
                         "--slurm-partition", slurm_partition, "--slurm-env-command", "export PATH=/usr/bin:/bin",
                         "--wait")
    assert proc.returncode == 4, proc.stderr[-3000:]
    assert "Slurm task(s) did not complete" in proc.stderr
    log = out / "_logs" / "1-filter" / "slurm_logs"
    assert f"log: {log}" in proc.stderr.replace("\n", "")
    assert "launch_pickled_pipeline" in "".join(p.read_text() for p in log.glob("*.out"))
    # the dependent stages were cancelled by Slurm instead of pending forever
    assert "DependencyNeverSatisfied" in proc.stderr
    assert subprocess.run(["squeue", "-h", "-n", "anescorpus-complete"], capture_output=True, text=True).stdout == ""
    assert not (out / "_SUCCESS").exists()


def test_slurm_pubmed_equals_local(slurm_partition, tmp_path):
    update = tmp_path / "pubmed25n0002.xml"  # re-issues every PMID of the sample: one row each (#27 item 5)
    update.write_bytes((SAMPLES / "pubmed_sample.xml").read_bytes())
    inputs = [str(SAMPLES / "pubmed_sample.xml"), str(SAMPLES / "pmc_sample.nxml"), str(update)]
    local = run_anestools("corpus", "pubmed", *inputs, "--output", str(tmp_path / "local"), "--tasks", "2")
    assert local.returncode == 0, local.stderr[-3000:]
    proc = run_anestools("corpus", "pubmed", *inputs, "--output", str(tmp_path / "slurm"), "--tasks", "2",
                         "--executor", "slurm", "--slurm-partition", slurm_partition, "--slurm-time", "00:10:00",
                         "--wait")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "kept documents" in proc.stdout
    assert (tmp_path / "slurm" / "_SUCCESS").is_file()
    names = {e["name"] for e in _ledger(tmp_path / "slurm")}
    assert names == {"anescorpus-pubmed-ids", "anescorpus-pubmed-duplicates", "anescorpus-pubmed",
                     "anescorpus-pubmed-complete"}
    expected = corpus_rows(tmp_path / "local")
    assert expected and corpus_rows(tmp_path / "slurm") == expected
    ids = [r["id"] for r in pq.read_table(tmp_path / "slurm" / "en").to_pylist()]
    assert len(ids) == len(set(ids))
    dropped = re.findall(r"older versions of a PMID/PMCID dropped: (\d+)", local.stdout + proc.stdout)
    assert len(dropped) == 2 and dropped[0] == dropped[1] and int(dropped[0]) > 0
    assert shard_rows(tmp_path / "slurm") == shard_rows(tmp_path / "local")


def _ray_drivers() -> set[str]:
    """Driver processes that connected to the test cluster (one log each in its session folder)."""
    return {p.name for p in Path(os.environ["ANESTOOLS_RAY_TEMP_DIR"]).glob("session_*/logs/python-core-driver-*")}


def test_ray_build_equals_local(ray_address, local_build, tmp_path):
    out = tmp_path / "ray"
    drivers = _ray_drivers()
    proc = run_anestools("corpus", "build", "--output", str(out), "--executor", "ray", "--tasks", "2", "--workers", "2")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "kept documents: en: 70, zh: 35" in proc.stdout
    assert (out / "_SUCCESS").is_file() and not (out / "_logs" / "slurm_jobs.jsonl").exists()
    assert len(_ray_drivers() - drivers) == 1  # it ran on the cluster, not on a private local Ray
    assert corpus_rows(out) == corpus_rows(local_build)
    assert shard_rows(out) == shard_rows(local_build)
