"""``anestools train grpo`` before launch: rendering, validation (ours and TRL's parser), --dry-run,
the output guards and the lock. Nothing here trains (the e2e file does)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from anestools.common.lock import output_lock
from anestools.testing.rl_toy import toy_rows, write_rl_dataset


@pytest.fixture()
def data(tmp_path) -> Path:
    return write_rl_dataset(tmp_path / "data", "toy", toy_rows(8))


def _args(model: Path, data: Path, out: Path, *extra: str) -> list[str]:
    return ["train", "grpo", "--recipe", "tiny-cpu", "--model", str(model), "--data-dir", str(data), "--dataset", "toy",
            "--output", str(out), *extra]


def test_dry_run_shows_torchrun_of_the_rl_engine_and_writes_nothing(cli, rl_python, tiny_model, data, tmp_path):
    out = tmp_path / "out"
    code, stdout, stderr = cli(*_args(tiny_model, data, out, "--gpus", "2", "--set", "num_generations=4",
                                      "--format-reward", "0.1", "--dry-run"))
    assert code == 0, stderr
    assert "-m torch.distributed.run --nproc-per-node=2 --nnodes=1 --node-rank=0" in stdout
    assert f"-m anestools.train.grpo_run {out / 'anestools_train.yaml'}" in stdout
    assert "num_generations: 4" in stdout and "format_reward: 0.1" in stdout
    assert "checked TRL 1.16" in stderr and "GRPOConfig parser" in stderr
    assert not out.exists()


def test_one_process_runs_the_worker_without_torchrun(cli, rl_python, tiny_model, data, tmp_path):
    out = tmp_path / "out"
    code, stdout, stderr = cli(*_args(tiny_model, data, out, "--gpus", "1", "--dry-run"))
    assert code == 0, stderr
    assert f"{rl_python} -m anestools.train.grpo_run {out / 'anestools_train.yaml'}" in stdout
    assert "torch.distributed.run" not in stdout


def test_trl_parser_rejects_unknown_keys(cli, rl_python, tiny_model, data, tmp_path):
    code, _, stderr = cli(*_args(tiny_model, data, tmp_path / "out", "--set", "num_generatoins=4", "--dry-run"))
    assert code == 2
    assert "GRPOConfig rejected" in stderr and "num_generatoins" in stderr and "Traceback" not in stderr


def test_engine_without_grpo_trainer_is_a_missing_dependency(cli, tiny_model, data, tmp_path):
    # this environment's TRL (0.24, LLaMA-Factory's pin) cannot import GRPOTrainer under transformers 5;
    # a Python without TRL at all gives the same answer
    code, _, stderr = cli(*_args(tiny_model, data, tmp_path / "out", "--engine-python", sys.executable, "--dry-run"))
    assert code == 5
    assert "cannot import TRL's GRPOTrainer" in stderr and "make rl-env" in stderr


def test_missing_engine_python(cli, tiny_model, data, tmp_path):
    code, _, stderr = cli(*_args(tiny_model, data, tmp_path / "out", "--engine-python", str(tmp_path / "nope")))
    assert code == 5 and "make rl-env" in stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--format-reward", "0.9"], "format_reward = 0.9"),
        (["--method", "qlora"], "--method 'qlora'"),
        (["--set", "learning_rate=-1"], "learning_rate"),
        (["--set", "stage=sft"], "contradicts the command"),
        (["--gpus", "0"], "--gpus '0'"),
    ],
)
def test_bad_options_fail_before_anything_starts(cli, tiny_model, data, tmp_path, extra, message):
    out = tmp_path / "out"
    code, _, stderr = cli(*_args(tiny_model, data, out, *extra))
    assert code == 2 and message in stderr, stderr
    assert not out.exists()


def test_dataset_must_be_an_rl_dataset(cli, tiny_model, data, tmp_path):
    info = json.loads((data / "dataset_info.json").read_text())
    info["sft"] = {"file_name": "toy.jsonl"}
    (data / "dataset_info.json").write_text(json.dumps(info))
    code, _, stderr = cli(*[a if a != "toy" else "sft" for a in _args(tiny_model, data, tmp_path / "out")])
    assert code == 2 and "is not an RL dataset" in stderr and "convert --kind rl" in stderr


def test_bad_row_names_file_line_and_field(cli, tiny_model, data, tmp_path):
    row = toy_rows(1)[0]
    del row["answer"]
    (data / "toy.jsonl").write_text(json.dumps(row) + "\n")
    code, _, stderr = cli(*_args(tiny_model, data, tmp_path / "out"))
    assert code == 2 and "toy.jsonl: line 1: field 'answer'" in stderr


def test_foreign_output_directory_is_refused(cli, tiny_model, data, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    code, _, stderr = cli(*_args(tiny_model, data, out))
    assert code == 3 and "holds no training run" in stderr
    assert (out / "notes.txt").read_text() == "mine"


def test_locked_output_is_refused(cli, rl_python, tiny_model, data, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with output_lock(out, "another run"):
        code, _, stderr = cli(*_args(tiny_model, data, out))
    assert code == 7, stderr
    assert not (out / "train.log").exists()


def test_recipes_list_the_grpo_recipes(cli):
    code, stdout, _ = cli("train", "recipes")
    assert code == 0
    for name in ("qwen2.5-7b-grpo-full", "qwen2.5-7b-grpo-lora", "tiny-cpu-grpo"):
        assert name in stdout


def test_shipped_grpo_recipes_pass_trls_parser(cli, rl_python, data, tmp_path):
    for recipe in ("qwen2.5-7b-grpo-full", "qwen2.5-7b-grpo-lora"):
        code, stdout, stderr = cli("train", "grpo", "--recipe", recipe, "--data-dir", str(data), "--dataset", "toy",
                                   "--output", str(tmp_path / recipe), "--gpus", "8", "--dry-run")
        assert code == 0, stderr
        assert "--nproc-per-node=8" in stdout and "deepspeed:" in stdout
        assert "skipped bf16: true not checked" in stderr


def test_sbatch_script_runs_grpo_with_every_nodes_rank(rl_python, tiny_model, data, tmp_path):
    import os
    import subprocess

    script = Path(__file__).resolve().parents[2] / "scripts" / "slurm" / "train.sbatch"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in (("scontrol", 'printf "gpu-node07\\ngpu-node08\\n"\n'),
                       ("srun", 'while [[ "$1" == --* ]]; do shift; done\nfor id in 0 1; do SLURM_NODEID=$id "$@" || exit $?; done\n')):
        (bin_dir / name).write_text("#!/bin/bash\n" + body)
        (bin_dir / name).chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", SLURM_NNODES="2",
               SLURM_JOB_NODELIST="gpu-node[07-08]", GPUS_PER_NODE="4", ENGINE_PYTHON=str(rl_python),
               ANESTOOLS=str(Path(sys.executable).with_name("anestools")))
    proc = subprocess.run(["bash", str(script), "grpo", "--recipe", "tiny-cpu", "--model", str(tiny_model),
                           "--data-dir", str(data), "--dataset", "toy", "--output", str(tmp_path / "out"), "--dry-run"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for rank in ("0", "1"):
        assert (f"--nproc-per-node=4 --nnodes=2 --node-rank={rank} --master-addr=gpu-node07 --master-port=29500 "
                "-m anestools.train.grpo_run") in proc.stdout
    assert not (tmp_path / "out").exists()
