"""Real LLaMA-Factory runs on CPU with the tiny local model: CPT, SFT on 2 processes, interrupt + resume."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.slow

ANESTOOLS = Path(sys.executable).with_name("anestools")


def _args(stage, model, data, out, *extra):
    return ("train", stage, "--recipe", "tiny-cpu", "--model", str(model), "--data-dir", str(data),
            "--output", str(out), *extra)


def _steps(out: Path) -> int:
    return json.loads((out / "trainer_state.json").read_text())["global_step"]


def test_cpt_runs_and_saves_checkpoints(cli, tiny_model, train_data, tmp_path):
    out = tmp_path / "cpt"
    code, stdout, stderr = cli(*_args("cpt", tiny_model, train_data, out))
    assert code == 0, stderr[-2000:]
    assert (out / "checkpoint-2").is_dir() and (out / "checkpoint-4").is_dir()
    assert (out / "model.safetensors").is_file() and _steps(out) == 4
    assert (out / "anestools_train.yaml").read_text().count("stage: pt") == 1
    log = (out / "train.log").read_text()
    assert "llamafactory-cli" in log and "train_loss" in log
    assert "train_loss" in stderr  # streamed live as well as logged
    assert f"final model: {out}" in stdout and f"loss plot: {out / 'training_loss.png'}" in stdout
    assert f"next: anestools eval --model {out}" in stdout

    # A finished run is never silently continued or clobbered.
    code, _, stderr = cli(*_args("cpt", tiny_model, train_data, out))
    assert code == 3 and "already holds a finished run" in stderr
    assert _steps(out) == 4

    # --overwrite deletes the previous run and starts from step 0.
    code, _, stderr = cli(*_args("cpt", tiny_model, train_data, out, "--overwrite", "--set", "max_steps=2"))
    assert code == 0, stderr[-2000:]
    assert _steps(out) == 2 and not (out / "checkpoint-4").exists()
    assert (out / "train.log").read_text().count("=== anestools train") == 1


def test_sft_on_two_processes(cli, tiny_model, train_data, tmp_path):
    out = tmp_path / "sft2"
    code, stdout, stderr = cli(*_args("sft", tiny_model, train_data, out, "--gpus", "2"))
    assert code == 0, stderr[-2000:]
    log = (out / "train.log").read_text()
    assert "world size: 2" in log and "distributed training: True" in log
    assert "Process rank: 1" in log
    assert (out / "checkpoint-4").is_dir() and _steps(out) == 4
    assert "final model:" in stdout


def test_interrupted_run_resumes_with_resume_auto(tiny_model, train_data, tmp_path):
    """SIGINT after the first checkpoint reaches the whole process group; --resume auto continues."""
    out = tmp_path / "sft"
    cmd = [str(ANESTOOLS), *_args("sft", tiny_model, train_data, out, "--set", "max_steps=1000", "--set", "save_steps=2")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 240
    while not (out / "checkpoint-2" / "trainer_state.json").is_file():
        assert proc.poll() is None and time.time() < deadline, "no checkpoint was written"
        time.sleep(0.1)
    time.sleep(0.5)  # let the checkpoint finish writing
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert workers, "llamafactory-cli/torchrun should be running"
    proc.send_signal(signal.SIGINT)
    output = proc.communicate(timeout=120)[0].decode()
    assert proc.returncode == 130, output[-2000:]
    assert "LLaMA-Factory exited with code 130" in output
    time.sleep(0.5)
    assert not [w for w in workers if w.is_running() and w.status() != psutil.STATUS_ZOMBIE]
    assert not (out / "train_results.json").exists()
    # The signal may land mid-save: a checkpoint without trainer_state.json is not resumable.
    saved = sorted(int(p.name.split("-")[1]) for p in out.glob("checkpoint-*") if (p / "trainer_state.json").is_file())
    latest = saved[-1]

    # Without --resume the interrupted run is refused rather than silently continued.
    refused = subprocess.run(cmd[:-4], capture_output=True, text=True)
    assert refused.returncode == 3 and "interrupted run" in refused.stderr

    resumed = subprocess.run([*cmd[:-4], "--resume", "auto", "--set", f"max_steps={latest + 2}", "--set", "save_steps=2"],
                             capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"resuming from {out / f'checkpoint-{latest}'}" in resumed.stderr
    assert f"global step {latest}" in resumed.stderr  # the trainer restored its state
    assert _steps(out) == latest + 2 and (out / f"checkpoint-{latest + 2}").is_dir()
    assert (out / "train.log").read_text().count("=== anestools train") == 2  # one log, appended
