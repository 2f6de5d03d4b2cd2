"""Multi-node without Slurm (``--nnodes/--node-rank/--master-addr/--master-port`` or torchrun's
environment), the per-node ``--dry-run``, ``--resume auto`` at the last step, and the default
``ddp_timeout``. The same launches run for real on two network namespaces in tests/cluster/."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys

import pytest

from anestools.errors import ConfigError
from anestools.train.nodes import resolve_nodes
from anestools.train.outputs import finished_run
from anestools.train.recipes import find_recipe
from anestools.train.render import DDP_TIMEOUT, TrainOptions, render_config


def test_node_options_from_the_environment_only_for_multi_node():
    env = {"NNODES": "2", "NODE_RANK": "1", "MASTER_ADDR": "10.0.0.2", "MASTER_PORT": "29611", "NPROC_PER_NODE": "4"}
    opts, notes = resolve_nodes(TrainOptions(stage="sft"), env)
    assert (opts.nnodes, opts.node_rank, opts.master_addr, opts.master_port, opts.gpus) == (2, 1, "10.0.0.2", 29611, "4")
    assert "NODE_RANK=1 from the environment (--node-rank)" in notes and len(notes) == 5
    # a flag wins over the environment
    opts, notes = resolve_nodes(TrainOptions(stage="sft", node_rank=0, master_port=29700), env)
    assert (opts.node_rank, opts.master_port, opts.master_addr) == (0, 29700, "10.0.0.2") and len(notes) == 3
    # torchrun's own names
    opts, _ = resolve_nodes(TrainOptions(stage="sft"), {"PET_NNODES": "3", "PET_NODE_RANK": "2", "PET_MASTER_ADDR": "h0"})
    assert (opts.nnodes, opts.node_rank, opts.master_addr, opts.master_port) == (3, 2, "h0", None)
    # single node: a stray MASTER_PORT / MASTER_ADDR in the shell is not used
    opts, notes = resolve_nodes(TrainOptions(stage="sft"), {"MASTER_PORT": "29500", "MASTER_ADDR": "x", "NODE_RANK": "3"})
    assert (opts.nnodes, opts.node_rank, opts.master_addr, opts.master_port, opts.gpus, notes) == (
        1, 0, None, None, "auto", [])
    with pytest.raises(ConfigError, match=r"NODE_RANK='one' \(from the environment\): expected an integer"):
        resolve_nodes(TrainOptions(stage="sft"), {"NNODES": "2", "NODE_RANK": "one"})


def _ckpt(tmp_path, step: int, max_steps: int, epochs: int = 3):
    ckpt = tmp_path / f"checkpoint-{step}"
    ckpt.mkdir()
    (ckpt / "trainer_state.json").write_text(json.dumps({"global_step": step, "max_steps": max_steps,
                                                         "num_train_epochs": epochs}))
    return ckpt


def test_a_checkpoint_at_the_last_step_is_a_finished_run(tmp_path):
    done = _ckpt(tmp_path, 12, 12)
    assert finished_run(done, {"max_steps": 12}).describe() == (
        f"{done} is at global step 12, max_steps 12: the run is finished, nothing to train")
    assert finished_run(done, {"max_steps": 20}) is None  # more steps: resume
    assert finished_run(_ckpt(tmp_path, 6, 12), {"max_steps": 12}) is None
    # epochs: the trainer's own total, while the epoch count is unchanged
    assert finished_run(done, {"num_train_epochs": 3.0}).reason == "epochs"
    assert finished_run(done, {}).target == 12  # LLaMA-Factory's default is 3 epochs too
    assert finished_run(done, {"num_train_epochs": 5.0}) is None
    (tmp_path / "checkpoint-9").mkdir()
    (tmp_path / "checkpoint-9" / "trainer_state.json").write_text("{torn")
    with pytest.raises(Exception, match="checkpoint-9/trainer_state.json: not a readable trainer state"):
        finished_run(tmp_path / "checkpoint-9", {})


def test_ddp_timeout_default_recipe_value_and_override():
    tiny = find_recipe("tiny-cpu", "sft", None)
    cfg, origin = render_config(tiny, TrainOptions(stage="sft"))
    assert cfg["ddp_timeout"] == DDP_TIMEOUT == 10800 and "docs/train.md" in origin["ddp_timeout"]
    cfg, _ = render_config(tiny, TrainOptions(stage="sft", overrides=["ddp_timeout=600"]))
    assert cfg["ddp_timeout"] == 600
    big = find_recipe("qwen2.5-7b-sft-full", "sft", None)
    assert big.config["ddp_timeout"] == 10800  # no longer 180000000 (a hung rank never failed)


def test_resume_auto_at_max_steps_trains_nothing(cli, tiny_model, train_data, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "anestools_train.yaml").write_text("# Rendered by `anestools train` from recipe x\n")
    _ckpt(out, 4, 4)
    code, stdout, stderr = cli("train", "sft", "--recipe", "tiny-cpu", "--model", str(tiny_model), "--data-dir",
                               str(train_data), "--output", str(out), "--set", "max_steps=4", "--resume", "auto")
    assert code == 0, stderr
    assert "is at global step 4, max_steps 4: the run is finished, nothing to train" in stdout
    assert "launching" not in stderr and not (out / "train.log").exists()
    assert sorted(p.name for p in out.iterdir()) == ["anestools_train.yaml", "checkpoint-4"]


def test_dry_run_prints_each_nodes_command_from_torchrun_env(tiny_model, train_data, tmp_path):
    out = tmp_path / "run"
    argv = ["train", "sft", "--recipe", "tiny-cpu", "--model", str(tiny_model), "--data-dir", str(train_data),
            "--output", str(out), "--dry-run"]
    env = dict(os.environ, NNODES="2", NODE_RANK="1", MASTER_ADDR="10.9.0.2", MASTER_PORT="29612")
    proc = subprocess.run([sys.executable, "-m", "anestools", *argv], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "NODE_RANK=1 from the environment (--node-rank)" in proc.stderr
    assert "NODE_RANK=1\n" in proc.stdout and "MASTER_ADDR=10.9.0.2\n" in proc.stdout
    lines = {ln.split(":", 1)[0]: ln.split(":", 1)[1].strip() for ln in proc.stdout.splitlines()
             if ln.startswith("# node ")}
    for rank in (0, 1):
        ours = shlex.split(lines[f"# node {rank}"])
        assert ours[:3] == ["anestools", "train", "sft"] and "--dry-run" not in ours
        assert ours[-8:] == ["--nnodes", "2", "--node-rank", str(rank), "--master-addr", "10.9.0.2",
                             "--master-port", "29612"]
        runs = shlex.split(lines[f"# node {rank} runs"])
        assert f"NODE_RANK={rank}" in runs and "NNODES=2" in runs and "MASTER_PORT=29612" in runs
        assert runs[-2:] == ["train", str(out / "anestools_train.yaml")]
    assert not out.exists()
