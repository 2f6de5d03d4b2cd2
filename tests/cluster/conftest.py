"""Fixtures for the tests on real clusters (``make test-cluster``), started by
``scripts/cluster/with-clusters.sh``: a Slurm cluster with this host as a one-node partition and
two more nodes (one slurmd each in its own network namespace) as a two-node partition, and a Ray
cluster with its head on the host and a worker in a namespace.

Every test here is marked ``cluster``: plain ``make test`` deselects them; run directly without
the clusters they skip and the skip says exactly why (the reason written by the start script
when a daemon could not start).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
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


def _skip(why: str):
    print(f"\nSKIP REASON: {why}", file=sys.stderr)
    pytest.skip(why)


@dataclass(frozen=True)
class Nodes:
    """The two namespaces ("nodes") of with-clusters.sh and their addresses on the test bridge."""

    netns: tuple[str, str]
    addrs: tuple[str, str]
    host_addr: str
    ifname: str

    def run_in(self, i: int, cmd: list[str]) -> list[str]:
        """``cmd`` run inside node ``i``'s network namespace (filesystem and processes shared)."""
        return ["nsenter", f"--net=/run/netns/{self.netns[i]}", *cmd]


@pytest.fixture(scope="session")
def nodes() -> Nodes:
    if os.environ.get("ANESTOOLS_NETNS_UNAVAILABLE"):
        _skip(f"no two-node setup: {os.environ['ANESTOOLS_NETNS_UNAVAILABLE']}")
    if not os.environ.get("ANESTOOLS_NETNS_1"):
        _skip("no two-node setup (ANESTOOLS_NETNS_1 unset): run `make test-cluster` as root")
    e = os.environ
    return Nodes((e["ANESTOOLS_NETNS_1"], e["ANESTOOLS_NETNS_2"]), (e["ANESTOOLS_NODE_ADDR_1"], e["ANESTOOLS_NODE_ADDR_2"]),
                 e["ANESTOOLS_HOST_ADDR"], e["ANESTOOLS_NET_IFNAME"])


@pytest.fixture(scope="session")
def pair_partition(slurm_partition, nodes) -> str:
    """The two-node Slurm partition (node1, node2), each node in its own network namespace."""
    if os.environ.get("ANESTOOLS_SLURM_PAIR_UNAVAILABLE"):
        _skip(f"two-node Slurm partition unavailable: {os.environ['ANESTOOLS_SLURM_PAIR_UNAVAILABLE']}")
    if not os.environ.get("ANESTOOLS_SLURM_PAIR_PARTITION"):
        _skip("no two-node Slurm partition (ANESTOOLS_SLURM_PAIR_PARTITION unset)")
    return os.environ["ANESTOOLS_SLURM_PAIR_PARTITION"]


@pytest.fixture(scope="session")
def ray_pair(ray_address, nodes) -> str:
    if os.environ.get("ANESTOOLS_RAY_PAIR_UNAVAILABLE"):
        _skip(f"two-node Ray cluster unavailable: {os.environ['ANESTOOLS_RAY_PAIR_UNAVAILABLE']}")
    if os.environ.get("ANESTOOLS_RAY_NODES") != "2":
        _skip("the Ray cluster has one node (ANESTOOLS_RAY_NODES unset)")
    return ray_address


def task_nodes(job_id: str) -> dict[str, str]:
    """Array task (or job) id -> the node it ran on, from the controller's job records."""
    out = subprocess.run(["scontrol", "-o", "show", "job", job_id], capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        rec = dict(tok.split("=", 1) for tok in line.split() if "=" in tok)
        task = f"{rec.get('ArrayJobId', rec['JobId'])}_{rec['ArrayTaskId']}" if rec.get("ArrayTaskId") else rec["JobId"]
        found[task] = rec.get("BatchHost") or rec.get("NodeList", "")
    return found


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


@pytest.fixture(scope="session")
def local_build(tmp_path_factory) -> Path:
    """The embedded sample built with the local executor: what every cluster build must equal."""
    out = tmp_path_factory.mktemp("local") / "corpus"
    proc = run_anestools("corpus", "build", "--output", str(out), "--tasks", "2", "--workers", "2")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def ledger(out: Path) -> list[dict]:
    """The Slurm jobs a corpus run submitted (``OUTPUT/_logs/slurm_jobs.jsonl``)."""
    return [json.loads(line) for line in (out / "_logs" / "slurm_jobs.jsonl").read_text().splitlines()]


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
