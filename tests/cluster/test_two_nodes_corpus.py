"""corpus build / corpus pubmed on two nodes (node1, node2: one slurmd each in its own network
namespace) and on a two-node Ray cluster (head on the host, worker in a namespace): the tasks
land on both nodes, as the controller's job records (Slurm) and each node's own worker logs (Ray)
show, and the output is the local executor's, row for row."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from conftest import corpus_rows, ledger, run_anestools, shard_rows, task_nodes

pytestmark = pytest.mark.cluster

SAMPLES = Path(__file__).resolve().parents[2] / "anestools" / "resources" / "samples"
# 2 CPUs per task on 2-CPU nodes: a task fills a node, so the two array tasks run one per node
# (with 1 CPU each, the scheduler would pack both onto node1).
SPREAD = ("--slurm-cpus-per-task", "2", "--slurm-time", "00:10:00", "--wait")


def _nodes_of(out: Path, name: str) -> dict[str, str]:
    job = next(e["job_id"] for e in ledger(out) if e["name"] == name)
    return task_nodes(job)


def _build_on(partition: str, out: Path):
    start = time.monotonic()
    proc = run_anestools("corpus", "build", "--output", str(out), "--executor", "slurm", "--tasks", "2",
                         "--workers", "2", "--slurm-partition", partition, *SPREAD)
    return proc, time.monotonic() - start


def test_slurm_build_on_two_nodes_equals_local(pair_partition, slurm_partition, local_build, tmp_path):
    out = tmp_path / "pair"
    proc, wall = _build_on(pair_partition, out)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "kept documents: en: 70, zh: 35" in proc.stdout
    filter_nodes = _nodes_of(out, "anescorpus-filter")
    assert len(filter_nodes) == 2 and sorted(filter_nodes.values()) == ["node1", "node2"], filter_nodes
    for entry in ledger(out):  # every stage ran on the pair, nothing on the host's own node
        assert set(task_nodes(entry["job_id"]).values()) <= {"node1", "node2"}, entry
    assert corpus_rows(out) == corpus_rows(local_build)
    assert shard_rows(out) == shard_rows(local_build)
    assert (out / "_SUCCESS").is_file()
    print(f"\nSCALING 2 nodes: filter tasks per node {sorted(filter_nodes.values())}, wall {wall:.0f} s", file=sys.stderr)
    if os.environ.get("ANESTOOLS_TIME_TWINS"):  # the one-node twin, for docs/cluster.md
        one, wall1 = _build_on(slurm_partition, tmp_path / "one")
        assert one.returncode == 0, one.stderr[-3000:]
        nodes1 = _nodes_of(tmp_path / "one", "anescorpus-filter")
        assert corpus_rows(tmp_path / "one") == corpus_rows(local_build)
        print(f"\nSCALING 1 node: filter tasks per node {sorted(nodes1.values())}, wall {wall1:.0f} s", file=sys.stderr)


def test_slurm_pubmed_on_two_nodes_equals_local(pair_partition, tmp_path):
    inputs = [str(SAMPLES / "pubmed_sample.xml"), str(SAMPLES / "pmc_sample.nxml")]
    local = run_anestools("corpus", "pubmed", *inputs, "--output", str(tmp_path / "local"), "--tasks", "2")
    assert local.returncode == 0, local.stderr[-3000:]
    out = tmp_path / "pair"
    proc = run_anestools("corpus", "pubmed", *inputs, "--output", str(out), "--tasks", "2", "--executor", "slurm",
                         "--slurm-partition", pair_partition, *SPREAD)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert sorted(_nodes_of(out, "anescorpus-pubmed").values()) == ["node1", "node2"]
    expected = corpus_rows(tmp_path / "local")
    assert expected and corpus_rows(out) == expected
    assert shard_rows(out) == shard_rows(tmp_path / "local")


def _ray_task_logs(temp_dir: str) -> dict[str, str]:
    """Worker log files of one Ray node (its own temp folder) -> their text."""
    return {str(p): p.read_text(errors="replace") for p in Path(temp_dir).glob("session_*/logs/worker-*")}


def test_ray_build_on_two_nodes_equals_local(ray_pair, local_build, tmp_path):
    head, worker = os.environ["ANESTOOLS_RAY_TEMP_DIR"], os.environ["ANESTOOLS_RAY_WORKER_TEMP_DIR"]
    before = {**_ray_task_logs(head), **_ray_task_logs(worker)}
    out = tmp_path / "ray"
    proc = run_anestools("corpus", "build", "--output", str(out), "--executor", "ray", "--tasks", "2", "--workers", "2")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "kept documents: en: 70, zh: 35" in proc.stdout
    assert corpus_rows(out) == corpus_rows(local_build)
    assert shard_rows(out) == shard_rows(local_build)
    # each node (1 CPU) ran tasks of this build: datatrove's rank actors started on both, each node
    # logging its own workers in its own temp folder
    for temp_dir in (head, worker):
        new = [text for path, text in _ray_task_logs(temp_dir).items() if text != before.get(path)]
        assert any(":actor_name:RankWorker" in text for text in new), f"no rank of this build ran on {temp_dir}"
