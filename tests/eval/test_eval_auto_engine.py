"""``--engine auto`` picks what this machine can run, says why, and ``train``'s next: hint works."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest

from anestools.runtime.auto_engine import choose_engine
from anestools.train.cli import eval_hint


def _python_with_sglang(tmp_path: Path) -> str:
    """Another interpreter (a wrapper, as a separate env would be) in which ``sglang`` imports."""
    site = tmp_path / "site"
    (site / "sglang").mkdir(parents=True)
    (site / "sglang" / "__init__.py").write_text("")
    wrapper = tmp_path / "sglang-python"
    wrapper.write_text(f"#!/bin/sh\nPYTHONPATH={site} exec {sys.executable} \"$@\"\n")
    wrapper.chmod(0o755)
    return str(wrapper)


def test_auto_prefers_sglang_when_engine_python_imports_it(tmp_path):
    python = _python_with_sglang(tmp_path)
    choice = choose_engine("auto", engine_python=python)
    assert choice.engine == "sglang" and python in choice.reason and choice.extra_args == ()


def test_auto_falls_back_to_transformers_on_cpu_or_gpu(monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    cpu = choose_engine("auto")  # this interpreter has transformers, not sglang
    assert cpu.engine == "transformers" and "no GPU" in cpu.reason and cpu.extra_args == ("--device", "cpu")
    assert choose_engine("auto", engine_args=["--device=cpu"]).extra_args == ()  # the user's device wins
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1")
    gpu = choose_engine("auto")
    assert gpu.engine == "transformers" and "2 GPU(s)" in gpu.reason and gpu.extra_args == ()


def test_auto_with_base_url_is_openai_and_explicit_engines_are_kept():
    assert choose_engine("auto", base_url="http://127.0.0.1:1/v1").engine == "openai"
    assert choose_engine("sglang").engine == "sglang"


def test_chosen_engine_is_printed_and_recorded(cli, fake_server, tmp_path):
    url = fake_server()
    code, _, stderr = cli("eval", "--model", "m", "--base-url", url, "--limit", "1", "-o", str(tmp_path / "r"))
    assert code == 0, stderr
    assert "engine: openai (--base-url given" in stderr
    cfg = json.loads((tmp_path / "r" / "summary.json").read_text())["config"]
    assert cfg["engine"] == "openai" and cfg["engine_choice"].startswith("--base-url given")


def test_train_hint_is_cpu_smoke_without_gpu():
    assert eval_hint("saves/my run", 0) == "anestools eval --model 'saves/my run' -c cpu-smoke"
    assert eval_hint("saves/qwen", 8) == "anestools eval --model saves/qwen"


@pytest.mark.slow
def test_train_next_hint_runs_as_printed_on_this_cpu_machine(cli, tiny_model, tmp_path, monkeypatch):
    """The exact command ``train`` prints at the end, run from the user's directory."""
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    monkeypatch.chdir(tmp_path)
    argv = shlex.split(eval_hint(tiny_model, 0))
    assert argv[:2] == ["anestools", "eval"]
    code, _, stderr = cli(*argv[1:])
    assert code == 0, stderr
    runs = list((tmp_path / "results").iterdir())
    summary = json.loads((runs[0] / "summary.json").read_text())
    assert summary["complete"] and summary["config"]["engine"] == "transformers"  # from the cpu-smoke preset
    assert summary["config"]["max_new_tokens"] == 64 and summary["questions"] == 10  # 5 per language
    assert summary["config"]["engine_command"][-3:] == ["--device", "cpu", str(tiny_model)]
