"""Training and the checkpoint sweep across two nodes (node1, node2: each its own network
namespace and slurmd), and multi-node training without Slurm (two launches, one per namespace).

One process per node (gloo on CPU): the machine has 2 cores for both nodes, so two per node
would only time-slice four ranks on two cores. The rendezvous goes over the test bridge
(NET_IFNAME=anes0, GLOO_SOCKET_IFNAME), never over loopback: a rank that used loopback could
not reach the other namespace, and the run would fail.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, job_env, run_anestools, scontrol_job, wait_job

pytestmark = pytest.mark.cluster

TRAIN = ROOT / "scripts" / "slurm" / "train.sbatch"
SWEEP = ROOT / "scripts" / "sglang" / "eval_sweep.sbatch"
SAMPLE_QA = ROOT / "anestools" / "resources" / "samples" / "anesqa_sample.parquet"
PAIR = ["--nodes", "2", "--gpus-per-node=0", "--cpus-per-task=2"]
# Two ranks over gloo on two shared cores are several times slower than one rank: fewer steps
# than the one-node twin still leave the requeue landing mid-run.
MAX_STEPS, SAVE_STEPS = 40, 10
LAST_TWO = [MAX_STEPS - SAVE_STEPS, MAX_STEPS]
# SGD without momentum keeps no optimizer tensors. Why: with more than one CPU process,
# accelerate puts each rank on device "cpu:0" and the trainer loads optimizer.pt with that
# map_location, which torch.load rejects ("don't know how to restore data location ... cpu:0"),
# so resuming AdamW state fails on CPU only (on GPUs the device is cuda:N). docs/cluster.md.
CPU_RESUMABLE = ["--set", "optim=sgd"]


def _complete_checkpoints(out: Path) -> list[int]:
    return sorted(int(p.name.split("-")[1]) for p in out.glob("checkpoint-*") if (p / "trainer_state.json").is_file())


@pytest.fixture(scope="module")
def sft_data(tmp_path_factory, slurm_partition) -> Path:
    data = tmp_path_factory.mktemp("sft-data-pair")
    proc = run_anestools("convert", str(SAMPLE_QA), "--output", str(data), "--split", "all")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return data


@pytest.fixture(scope="module")
def pair_training(pair_partition, nodes, tmp_path_factory, tiny_model, sft_data):
    """`sbatch --nodes 2 train.sbatch sft ...`, pre-tokenized once, requeued after a checkpoint."""
    work = tmp_path_factory.mktemp("train-pair")
    out, tok = work / "sft", work / "tokenized"
    env = dict(job_env(), GPUS_PER_NODE="1", NET_IFNAME=nodes.ifname, TOKENIZED_PATH=str(tok))
    start = time.monotonic()
    submit = subprocess.run(
        ["sbatch", "--parsable", "-p", pair_partition, *PAIR, f"--output={work}/train-%j.out", str(TRAIN), "sft",
         "--recipe", "tiny-cpu", "--model", str(tiny_model), "--data-dir", str(sft_data), "--output", str(out),
         "--set", f"max_steps={MAX_STEPS}", "--set", f"save_steps={SAVE_STEPS}", "--set", "save_total_limit=2",
         *CPU_RESUMABLE],
        cwd=work, env=env, capture_output=True, text=True, check=True)
    job = submit.stdout.strip().split(";")[0]
    deadline = time.monotonic() + 600
    while not _complete_checkpoints(out):
        state = scontrol_job(job)["JobState"]
        assert state in ("PENDING", "RUNNING", "CONFIGURING"), (state, (work / f"train-{job}.out").read_text()[-3000:])
        assert time.monotonic() < deadline, "no checkpoint after 600 s"
        time.sleep(0.5)
    newest_at_requeue = _complete_checkpoints(out)[-1]
    assert newest_at_requeue < MAX_STEPS, "training finished before the requeue: the test needs more steps"
    subprocess.run(["scontrol", "requeue", job], check=True)
    wait_job(job, timeout=120, until=("PENDING",))
    subprocess.run(["scontrol", "update", f"JobId={job}", "StartTime=now"], check=True)
    record = wait_job(job, timeout=900)
    return {"job": job, "out": out, "tok": tok, "log": work / f"train-{job}.out", "record": record,
            "newest_at_requeue": newest_at_requeue, "wall_s": time.monotonic() - start}


def test_train_sbatch_on_two_nodes_tokenizes_once_writes_once_and_requeue_resumes_both(pair_training, nodes):
    out, record = pair_training["out"], pair_training["record"]
    job_log = pair_training["log"].read_text()
    assert record["JobState"] == "COMPLETED" and record["ExitCode"] == "0:0", job_log[-4000:]
    assert record["Restarts"] == "1" and record["NodeList"] == "node[1-2]", record
    assert f"anestools train on 2 node(s) x 1 GPU(s), rendezvous {nodes.addrs[0]}:29500" in job_log
    # tokenized once, before the launch, by one task; the requeued attempt found it up to date
    assert job_log.count("tokenized data: ") == 1 and job_log.count("tokenized data up to date") == 1
    node_logs = {0: (out / "train.log").read_text(), 1: (out / "train.node1.log").read_text()}
    for rank, text in node_logs.items():
        assert text.count("=== anestools train") == 2, rank  # both attempts, on both nodes
        assert "Running tokenizer on dataset" not in text, rank  # no rank tokenized
    # the requeued attempt: both nodes resumed from the same, newest complete checkpoint
    resumed = re.findall(r"resuming from (\S+)/checkpoint-(\d+)", job_log)
    assert len(resumed) == 2 and len(set(resumed)) == 1 and resumed[0][0] == str(out), job_log[-3000:]
    assert int(resumed[0][1]) >= pair_training["newest_at_requeue"]
    # rank-0-only writes happened once: one summary (world size 2), one set of weights per
    # checkpoint, while each of the two ranks saved its own RNG state into it
    summary = json.loads((out / "anestools_summary.json").read_text())
    assert summary["world_size"] == 2 and summary["global_step"] == MAX_STEPS
    assert job_log.count("anestools_summary.json") == 1
    assert _complete_checkpoints(out) == LAST_TWO
    for step in LAST_TWO:
        files = sorted(p.name for p in (out / f"checkpoint-{step}").iterdir())
        assert files.count("model.safetensors") == 1 and {"rng_state_0.pth", "rng_state_1.pth"} <= set(files), files
    assert json.loads((out / "trainer_state.json").read_text())["global_step"] == MAX_STEPS
    print(f"\nWALL two-node train sbatch (with requeue): {pair_training['wall_s']:.0f} s", file=sys.stderr)


def test_eval_sweep_sbatch_spreads_checkpoints_over_both_nodes_one_report(pair_training, pair_partition, tmp_path):
    results = tmp_path / "sweep"
    start = time.monotonic()
    submit = subprocess.run(
        ["sbatch", "--parsable", "-p", pair_partition, "--nodes", "2", "--gres=none", "--cpus-per-task=2",
         f"--output={tmp_path}/sweep-%j.out",
         f"--export=ALL,RUN_DIR={pair_training['out']},EVAL_CONFIG=cpu-smoke,FINAL=0,OUT={results}",
         str(SWEEP), "--limit", "2", "--max-new-tokens", "8"],
        cwd=ROOT, env=job_env(), capture_output=True, text=True, check=True)
    job = submit.stdout.strip().split(";")[0]
    record = wait_job(job, timeout=900)
    job_log = (tmp_path / f"sweep-{job}.out").read_text()
    assert record["JobState"] == "COMPLETED" and record["ExitCode"] == "0:0", job_log[-4000:]
    # one checkpoint per node, each evaluated by a step running on that node
    first, second = (f"{pair_training['out']}/checkpoint-{n}" for n in LAST_TWO)
    assert re.search(rf"eval on node1: {re.escape(first)} ", job_log) and re.search(
        rf"eval on node2: {re.escape(second)} ", job_log), job_log[-3000:]
    runs = sorted(p.name for p in results.iterdir() if p.is_dir())
    assert runs == [f"sft-checkpoint-{n}" for n in LAST_TWO]
    for name in runs:
        assert json.loads((results / name / "summary.json").read_text())["complete"]
    report = (results / "report.md").read_text()
    assert all(f"| sft-checkpoint-{n} |" in report for n in LAST_TWO)
    print(f"\nWALL two-node eval sweep: {time.monotonic() - start:.0f} s", file=sys.stderr)


def test_train_two_launches_one_per_namespace_without_slurm(nodes, tiny_model, sft_data, tmp_path):
    """Node 0 with the flags, node 1 from torchrun's environment, each in its own namespace."""
    out = tmp_path / "sft"
    common = ["-m", "anestools", "train", "sft", "--recipe", "tiny-cpu", "--model", str(tiny_model), "--data-dir",
              str(sft_data), "--output", str(out), "--set", "max_steps=6", "--set", "save_steps=3", "--gpus", "1"]
    env = dict(job_env(), GLOO_SOCKET_IFNAME=nodes.ifname)
    env.pop("NNODES", None)
    port = "29531"
    start = time.monotonic()
    node0 = subprocess.Popen(nodes.run_in(0, [sys.executable, *common, "--nnodes", "2", "--node-rank", "0",
                                              "--master-addr", nodes.addrs[0], "--master-port", port]),
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    node1 = subprocess.Popen(nodes.run_in(1, [sys.executable, *common]),
                             env=dict(env, NNODES="2", NODE_RANK="1", MASTER_ADDR=nodes.addrs[0], MASTER_PORT=port),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out0, err0 = node0.communicate(timeout=600)
        out1, err1 = node1.communicate(timeout=120)
    finally:
        for p in (node0, node1):
            if p.poll() is None:
                p.kill()
    wall = time.monotonic() - start
    assert node0.returncode == 0, err0[-3000:]
    assert node1.returncode == 0, err1[-3000:]
    assert "NODE_RANK=1 from the environment (--node-rank)" in err1
    assert "x 2 node(s), node rank 1" in err1 and "x 2 node(s), node rank 0" in err0
    summary = json.loads((out / "anestools_summary.json").read_text())
    assert summary["world_size"] == 2 and summary["global_step"] == 6
    assert "anestools_summary.json" in out0 and "anestools_summary.json" not in out1  # rank 0 only
    assert (out / "train.node1.log").is_file() and _complete_checkpoints(out) == [3, 6]
    assert {"rng_state_0.pth", "rng_state_1.pth"} <= {p.name for p in (out / "checkpoint-6").iterdir()}
    # the dry run of the same command prints exactly what each node runs
    dry = subprocess.run([sys.executable, *common, "--output", str(tmp_path / "dry"), "--nnodes", "2", "--master-addr",
                          nodes.addrs[0], "--master-port", port, "--dry-run"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert dry.returncode == 0, dry.stderr[-2000:]
    assert dry.stdout.count("# node 0 runs: ") == 1 and dry.stdout.count("# node 1 runs: ") == 1
    assert f"--node-rank 1 --master-addr {nodes.addrs[0]} --master-port {port}" in dry.stdout
    print(f"\nWALL two launches, one per namespace (6 steps): {wall:.0f} s", file=sys.stderr)
    if os.environ.get("ANESTOOLS_TIME_TWINS"):  # one-node twin, for docs/cluster.md
        start = time.monotonic()
        one_env = {k: v for k, v in env.items() if k != "GLOO_SOCKET_IFNAME"}  # on the host: loopback
        twin = subprocess.run([sys.executable, *common, "--output", str(tmp_path / "one")], env=one_env,
                              capture_output=True, text=True, timeout=600)
        assert twin.returncode == 0, twin.stderr[-2000:]
        print(f"\nWALL one-node twin (6 steps): {time.monotonic() - start:.0f} s", file=sys.stderr)
