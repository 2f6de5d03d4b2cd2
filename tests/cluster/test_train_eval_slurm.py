"""scripts/slurm/train.sbatch and scripts/sglang/eval_sweep.sbatch on the one-node Slurm cluster:
LLaMA-Factory trains the tiny model on CPU as a batch job; `scontrol requeue` of the running job
continues from the newest complete checkpoint; then the sweep evaluates two checkpoints with
`transformers serve` and writes one comparison report.

There is no accounting database on the test cluster (`sacct` says "Slurm accounting storage is
disabled"), so a job's exit code is read from `scontrol show job` (finished jobs are kept for an
hour: MinJobAge=3600 in the test slurm.conf).
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import pytest
from conftest import ROOT, job_env, run_anestools, scontrol_job, wait_job

pytestmark = pytest.mark.cluster

TRAIN = ROOT / "scripts" / "slurm" / "train.sbatch"
SWEEP = ROOT / "scripts" / "sglang" / "eval_sweep.sbatch"
SAMPLE_QA = ROOT / "anestools" / "resources" / "samples" / "anesqa_sample.parquet"
# sbatch options that fit the script's GPU defaults onto one 2-CPU node without GPUs
CPU_NODE = ["--nodes", "1", "--gpus-per-node=0", "--cpus-per-task=2"]
# Enough steps that the requeue lands mid-run: on an idle machine the tiny model trains at ~45
# steps/s, and 12 steps finished before `scontrol requeue` did (then the resumed attempt started
# from the final checkpoint). The first checkpoint comes after ~2 s, the last after ~13 s.
MAX_STEPS, SAVE_STEPS = 600, 100
LAST_TWO = [MAX_STEPS - SAVE_STEPS, MAX_STEPS]


def _complete_checkpoints(out: Path) -> list[int]:
    return sorted(int(p.name.split("-")[1]) for p in out.glob("checkpoint-*") if (p / "trainer_state.json").is_file())


@pytest.fixture(scope="module")
def sft_data(tmp_path_factory, slurm_partition) -> Path:
    data = tmp_path_factory.mktemp("sft-data")
    proc = run_anestools("convert", str(SAMPLE_QA), "--output", str(data), "--split", "all")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return data


@pytest.fixture(scope="module")
def requeued_training(slurm_partition, tmp_path_factory, tiny_model, sft_data):
    """One training job, requeued by `scontrol requeue` once it has written a checkpoint."""
    work = tmp_path_factory.mktemp("train-job")
    out = work / "sft"
    env = dict(job_env(), GPUS_PER_NODE="1")
    submit = subprocess.run(
        ["sbatch", "--parsable", *CPU_NODE, f"--output={work}/train-%j.out", str(TRAIN), "sft", "--recipe", "tiny-cpu",
         "--model", str(tiny_model), "--data-dir", str(sft_data), "--output", str(out),
         "--set", f"max_steps={MAX_STEPS}", "--set", f"save_steps={SAVE_STEPS}", "--set", "save_total_limit=2"],
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
    # Slurm holds a requeued batch job for 120 s (BeginTime); let it start again at once.
    wait_job(job, timeout=120, until=("PENDING",))
    subprocess.run(["scontrol", "update", f"JobId={job}", "StartTime=now"], check=True)
    record = wait_job(job, timeout=900)
    return {"job": job, "out": out, "log": work / f"train-{job}.out", "record": record,
            "newest_at_requeue": newest_at_requeue}


def test_train_sbatch_runs_and_requeue_resumes_from_newest_checkpoint(requeued_training):
    out, record = requeued_training["out"], requeued_training["record"]
    job_log = requeued_training["log"].read_text()
    assert record["JobState"] == "COMPLETED" and record["ExitCode"] == "0:0", job_log[-3000:]
    assert record["Restarts"] == "1"  # it really was requeued once
    assert "anestools train on 1 node(s) x 1 GPU(s)" in job_log
    # the second attempt resumed from the newest complete checkpoint at (or, racing the kill, after) the requeue
    resumed = re.findall(r"resuming from (\S+)/checkpoint-(\d+)", job_log)
    assert len(resumed) == 1 and resumed[0][0] == str(out), job_log[-3000:]
    step = int(resumed[0][1])
    assert step >= requeued_training["newest_at_requeue"]
    log = (out / "train.log").read_text()
    assert log.count("=== anestools train") == 2  # both attempts, one log
    assert f"global step {step}" in log
    assert json.loads((out / "trainer_state.json").read_text())["global_step"] == MAX_STEPS
    assert _complete_checkpoints(out) == LAST_TWO and (out / "model.safetensors").is_file()


def test_checkpoint_sweep_sbatch_with_transformers_engine(requeued_training, tmp_path):
    run_dir = requeued_training["out"]
    results = tmp_path / "sweep"
    submit = subprocess.run(
        ["sbatch", "--parsable", "--gres=none", "--cpus-per-task=2", f"--output={tmp_path}/sweep-%j.out",
         f"--export=ALL,RUN_DIR={run_dir},EVAL_CONFIG=cpu-smoke,FINAL=0,OUT={results}",
         str(SWEEP), "--limit", "2", "--max-new-tokens", "8"],
        cwd=ROOT, env=job_env(), capture_output=True, text=True, check=True)
    job = submit.stdout.strip().split(";")[0]
    record = wait_job(job, timeout=900)
    job_log = (tmp_path / f"sweep-{job}.out").read_text()
    assert record["JobState"] == "COMPLETED" and record["ExitCode"] == "0:0", job_log[-3000:]
    runs = sorted(p.name for p in results.iterdir() if p.is_dir())
    assert runs == [f"sft-checkpoint-{n}" for n in LAST_TWO]
    for name in runs:
        summary = json.loads((results / name / "summary.json").read_text())
        assert summary["complete"] and summary["questions"] == 4  # 2 questions x en/zh
        assert summary["config"]["engine_command"][3:5] == ["serve", "--host"]  # transformers serve
    report = (results / "report.md").read_text()
    assert all(f"| sft-checkpoint-{n} |" in report for n in LAST_TWO)
    assert (results / "report.png").is_file()


def test_sweep_sbatch_refuses_sglang_without_its_environment(tmp_path):
    proc = subprocess.run(["bash", str(SWEEP)], cwd=ROOT, env=dict(job_env(), RUN_DIR=str(tmp_path)),
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "ENGINE_PYTHON" in proc.stderr
