"""#19 items 4, 6 and the ``train --dry-run`` checks (real CLI; the kill test runs LLaMA-Factory)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from reliability_helpers import alive

from anestools.common.lock import output_lock
from anestools.errors import OutputLockedError


def _one_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip() and ln.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.fixture()
def inputs(tmp_path):
    """A data dir and a model dir that pass the pre-launch checks (nothing is trained with them)."""
    data, model = tmp_path / "data", tmp_path / "model"
    data.mkdir()
    model.mkdir()
    (data / "c.jsonl").write_text('{"text": "propofol"}\n')
    (data / "dataset_info.json").write_text(json.dumps({"anescorpus_all": {"file_name": "c.jsonl",
                                                                           "columns": {"prompt": "text"}}}))
    (model / "config.json").write_text("{}")
    return data, model


def _train(cli, inputs, out, *extra):
    data, model = inputs
    return cli("-q", "train", "cpt", "--recipe", "tiny-cpu", "--model", str(model), "--data-dir", str(data),
               "--dataset", "anescorpus_all", "--output", str(out), *extra)


def test_a_non_empty_output_that_is_not_a_run_is_refused(cli, inputs, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "README.md").write_text("my notes")
    (out / "anestools_train.yaml").write_text("my own config\n")  # same name, not rendered by us
    code, _, stderr = _train(cli, inputs, out, "--dry-run")
    assert code == 3 and "is not empty and holds no training run" in _one_line(stderr)
    code, _, stderr = _train(cli, inputs, out, "--dry-run", "--resume", "auto")
    assert code == 3, stderr
    assert (out / "README.md").read_text() == "my notes"


@pytest.mark.parametrize(("extra", "needle"), [
    (("--set", "learning_rate=nan"), "learning_rate = nan (from --set): not a finite number"),
    (("--set", "learning_rate=.inf"), "not a finite number"),
    (("--set", "stage=sft"), "contradicts the command"),
    (("--master-port", "99999"), "--master-port 99999"),
    (("--launcher", "/nonexistent/llamafactory-cli"), "--launcher /nonexistent/llamafactory-cli"),
])
def test_dry_run_rejects_what_the_trainer_would_choke_on(cli, inputs, tmp_path, extra, needle):
    code, _, stderr = _train(cli, inputs, tmp_path / "out", "--dry-run", *extra)
    assert code != 0 and needle in _one_line(stderr)


@pytest.fixture()
def stub_launcher(tmp_path) -> Path:
    """A stand-in for ``llamafactory-cli`` whose "parser" accepts everything and whose "training" exits 0.

    These tests are about the output directory (lock, stale temps), not about training.
    """
    bin_dir = tmp_path / "stub-env"
    bin_dir.mkdir()
    python = bin_dir / "python"
    python.write_text('#!/bin/sh\ncat >/dev/null\necho \'{"env": {"llamafactory": "stub"}, '
                      '"results": [{"ok": true, "skipped": []}]}\'\n')
    launcher = bin_dir / "llamafactory-cli"
    launcher.write_text(f"#!{python}\n")
    for f in (python, launcher):
        f.chmod(0o755)
    return launcher


def test_a_second_train_into_a_locked_output_is_refused(cli, inputs, tmp_path, stub_launcher):
    out = tmp_path / "out"
    with output_lock(out, "anestools train (first run)"):
        code, _, stderr = _train(cli, inputs, out, "--launcher", str(stub_launcher))
    assert code == 7 and "first run" in _one_line(stderr)
    assert not out.exists()


def test_stale_temp_files_of_a_killed_run_are_removed(cli, inputs, tmp_path, stub_launcher):
    out = tmp_path / "out"
    out.mkdir()
    stale = out / ".anestools_train.yaml.q1w2e3r4.tmp"
    stale.write_text("half")
    code, _, stderr = _train(cli, inputs, out, "--launcher", str(stub_launcher))
    assert code == 0, stderr
    assert not stale.exists() and (out / "anestools_train.yaml").is_file()


@pytest.mark.slow
def test_kill_9_of_train_kills_the_trainer_and_a_second_run_waits_for_it(tiny_model, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from anestools.convert.core import convert

    src = tmp_path / "qa.parquet"
    pq.write_table(pa.table({"question": ["Which drug reverses rocuronium?"] * 16, "answer": ["Sugammadex."] * 16}),
                   src)
    data, out = tmp_path / "data", tmp_path / "sft"
    convert([str(src)], data)
    cmd = [sys.executable, "-m", "anestools", "-q", "train", "sft", "--recipe", "tiny-cpu", "--model", str(tiny_model),
           "--data-dir", str(data), "--dataset", "anesqa_all", "--output", str(out), "--gpus", "1"]
    proc = subprocess.Popen([*cmd, "--set", "max_steps=1000", "--set", "save_steps=2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while not (out / "checkpoint-2" / "trainer_state.json").is_file():
        assert proc.poll() is None and time.time() < deadline, "no checkpoint was written"
        time.sleep(0.2)
    trainer = [p.pid for p in psutil.Process(proc.pid).children(recursive=True)]
    assert trainer, "llamafactory-cli / torchrun should be running"

    os.kill(proc.pid, signal.SIGKILL)  # no cleanup code of ours runs
    proc.wait()
    refused = 0
    deadline = time.time() + 60
    while any(alive(p) for p in trainer):
        assert time.time() < deadline, f"trainer processes survived their parent: {[p for p in trainer if alive(p)]}"
        try:
            with output_lock(out):
                pytest.fail("the output lock was free while the trainer still ran")
        except OutputLockedError:
            refused += 1
        time.sleep(0.1)
    log = (out / "trainer_log.jsonl").read_bytes()
    time.sleep(3)
    assert (out / "trainer_log.jsonl").read_bytes() == log  # nobody trains on behind our back
    # Gone: the next run takes the directory and resumes from the newest complete checkpoint.
    latest = max(int(p.name.split("-")[1]) for p in out.glob("checkpoint-*") if (p / "trainer_state.json").is_file())
    resumed = subprocess.run([*cmd, "--resume", "auto", "--set", f"max_steps={latest + 2}", "--set", "save_steps=2"],
                             capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert json.loads((out / "trainer_state.json").read_text())["global_step"] == latest + 2
    assert Path(out / "train_results.json").is_file()
