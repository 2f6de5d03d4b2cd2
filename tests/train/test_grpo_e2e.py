"""``anestools train grpo`` end to end on CPU: TRL's GRPOTrainer in the RL environment, the tiny toy model.

The learnability test is the loop's honest check: a random-init model starts near zero reward
(it rarely writes a letter the extractor reads) and, seeded, must reach a clearly higher reward
within 40 steps, which only happens if generation, the extractor reward and the policy update
all work together.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _grpo(model: Path, data: Path, out: Path, *extra: str, timeout: float = 600) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "anestools", "train", "grpo", "--recipe", "tiny-cpu", "--model", str(model),
           "--data-dir", str(data), "--dataset", "toy", "--output", str(out), *extra]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def _rewards(out: Path) -> dict[int, float]:
    state = json.loads((out / "trainer_state.json").read_text())
    steps = [h["step"] for h in state["log_history"] if "reward" in h]
    assert len(steps) == len(set(steps)), f"a step was logged twice: {steps}"
    return {h["step"]: h["reward"] for h in state["log_history"] if "reward" in h}


def test_grpo_learns_the_toy_task(rl_python, rl_toy, tmp_path):
    model, data = rl_toy
    out = tmp_path / "run"
    proc = _grpo(model, data, out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rewards = _rewards(out)
    assert sorted(rewards) == list(range(1, 41))
    first = sum(rewards[s] for s in range(1, 11)) / 10
    last = sum(rewards[s] for s in range(31, 41)) / 10
    assert last >= first + 0.15, f"mean reward of steps 1-10 {first:.3f}, of steps 31-40 {last:.3f}"
    summary = json.loads((out / "anestools_summary.json").read_text())
    assert summary["steps"] == 40 and summary["global_step"] == 40
    assert summary["reward_last"] > summary["reward_first"]
    assert summary["accuracy"] == pytest.approx(summary["reward_mean"])  # no format term: reward = accuracy
    assert summary["completion_length"] > 0 and summary["tokens_per_s_per_gpu"] > 0
    assert (out / "model.safetensors").is_file()
    assert "final model:" in proc.stdout and "reward" in proc.stdout


def test_grpo_resume_auto_continues_and_does_not_redo_steps(rl_python, rl_toy, tmp_path):
    model, data = rl_toy
    out = tmp_path / "run"
    first = _grpo(model, data, out, "--set", "max_steps=10", "--set", "save_steps=5")
    assert first.returncode == 0, first.stderr[-3000:]
    assert (out / "checkpoint-10").is_dir()
    before = _rewards(out)

    again = _grpo(model, data, out, "--set", "max_steps=10")  # neither --resume nor --overwrite
    assert again.returncode == 3 and "--resume auto" in again.stderr

    cont = _grpo(model, data, out, "--set", "max_steps=20", "--set", "save_steps=5", "--resume", "auto")
    assert cont.returncode == 0, cont.stderr[-3000:]
    assert f"resuming from {out / 'checkpoint-10'}" in cont.stderr
    after = _rewards(out)
    assert sorted(after) == list(range(1, 21))  # steps 1-10 kept from the checkpoint, 11-20 trained once
    assert all(after[s] == before[s] for s in range(1, 11))
    summary = json.loads((out / "anestools_summary.json").read_text())
    assert summary["steps"] == 10 and summary["global_step"] == 20
    assert summary["resumed_from"] == str(out / "checkpoint-10")

    done = _grpo(model, data, out, "--set", "max_steps=20", "--resume", "auto")
    assert done.returncode == 0
    assert "the run is finished, nothing to train" in done.stdout
    assert _rewards(out) == after


def test_grpo_two_cpu_processes_through_torchrun(rl_python, rl_toy, tmp_path):
    model, data = rl_toy
    out = tmp_path / "run"
    proc = _grpo(model, data, out, "--gpus", "2", "--set", "max_steps=2", "--set", "save_steps=2")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "-m torch.distributed.run --nproc-per-node=2" in proc.stderr
    summary = json.loads((out / "anestools_summary.json").read_text())
    assert summary["world_size"] == 2 and summary["global_step"] == 2
    assert sorted(_rewards(out)) == [1, 2]
    assert (out / "checkpoint-2" / "trainer_state.json").is_file()
