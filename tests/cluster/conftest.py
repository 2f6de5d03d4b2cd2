"""Fixtures for the tests on real clusters (``make test-cluster``): a one-node Slurm cluster and
a local Ray cluster started by ``scripts/cluster/with-clusters.sh``.

Every test here is marked ``cluster``: plain ``make test`` deselects them; run directly without
the clusters they skip and the skip says exactly why (the reason written by the start script
when a daemon could not start).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[2]
ANESTOOLS = [sys.executable, "-m", "anestools"]


def _why_no_slurm() -> str | None:
    if os.environ.get("ANESTOOLS_SLURM_UNAVAILABLE"):
        return f"Slurm cluster could not start: {os.environ['ANESTOOLS_SLURM_UNAVAILABLE']}"
    if not os.environ.get("SLURM_CONF") or shutil.which("sinfo") is None:
        return "no Slurm cluster up (SLURM_CONF unset or sinfo missing): run `make test-cluster`"
    proc = subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True)
    if proc.returncode != 0:
        return f"sinfo failed: {proc.stderr.strip()}"
    if "idle" not in proc.stdout and "mix" not in proc.stdout and "alloc" not in proc.stdout:
        return f"no usable Slurm node (sinfo states: {proc.stdout.split()})"
    return None


@pytest.fixture(scope="session")
def slurm_partition() -> str:
    why = _why_no_slurm()
    if why:
        print(f"\nSKIP REASON: {why}", file=sys.stderr)
        pytest.skip(why)
    return os.environ.get("ANESTOOLS_SLURM_PARTITION", "debug")


@pytest.fixture(scope="session")
def ray_address() -> str:
    why = None
    if os.environ.get("ANESTOOLS_RAY_UNAVAILABLE"):
        why = f"Ray cluster could not start: {os.environ['ANESTOOLS_RAY_UNAVAILABLE']}"
    elif not os.environ.get("RAY_ADDRESS"):
        why = "no Ray cluster up (RAY_ADDRESS unset): run `make test-cluster`"
    if why:
        print(f"\nSKIP REASON: {why}", file=sys.stderr)
        pytest.skip(why)
    return os.environ["RAY_ADDRESS"]


def run_anestools(*args: str, cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """``anestools ARGS`` in a child process, as a user types it (this checkout first on the path)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    return subprocess.run([*ANESTOOLS, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)


def job_env() -> dict[str, str]:
    """Environment for sbatch: this checkout's anestools and this interpreter's bin/ on PATH."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
    pythonpath = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    return dict(os.environ, PATH=path, PYTHONPATH=pythonpath)


def scontrol_job(job_id: str) -> dict[str, str]:
    out = subprocess.run(["scontrol", "-o", "show", "job", job_id], capture_output=True, text=True, check=True).stdout
    return dict(tok.split("=", 1) for tok in out.split() if "=" in tok)


def wait_job(job_id: str, timeout: float = 900, until=("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL",
                                                      "OUT_OF_MEMORY")) -> dict[str, str]:
    """Poll ``scontrol show job`` until the job reaches one of ``until``; its last record."""
    deadline = time.monotonic() + timeout
    while True:
        rec = scontrol_job(job_id)
        if rec.get("JobState") in until:
            return rec
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {rec.get('JobState')} ({rec.get('Reason')}) after {timeout} s")
        time.sleep(1)


def corpus_rows(out: Path) -> dict[str, list[str]]:
    """Ids per language, sorted, and per shard rows: what two builds must agree on."""
    rows: dict[str, list[str]] = {}
    for shard in sorted(out.glob("*/*.parquet")):
        if shard.parent.name.startswith("_"):
            continue
        rows.setdefault(shard.parent.name, []).extend(pq.read_table(shard, columns=["id"]).column("id").to_pylist())
    return {lang: sorted(ids) for lang, ids in rows.items()}


def shard_rows(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): pq.ParquetFile(p).metadata.num_rows
            for p in sorted(out.glob("*/*.parquet")) if not p.parent.name.startswith("_")}
