"""``anestools train cpt|sft``: --dry-run output and every bad-input case (no training starts)."""

from __future__ import annotations

import os
import shlex

import pytest
import yaml

from anestools.train.recipes import DEEPSPEED_DIR


def _tiny(stage, model, data, out, *extra):
    return ("train", stage, "--recipe", "tiny-cpu", "--model", str(model), "--data-dir", str(data),
            "--output", str(out), *extra)


def _dry_run_sections(stdout: str) -> tuple[dict[str, str], list[str], dict]:
    env_part, rest = stdout.split("# command\n", 1)
    command_line, yaml_part = rest.split("\n", 1)
    env = dict(line.split("=", 1) for line in env_part.splitlines() if line and not line.startswith("#"))
    return env, shlex.split(command_line), yaml.safe_load(yaml_part.split("\n", 1)[1])


def test_dry_run_prints_env_command_and_yaml_and_writes_nothing(cli, tiny_model, train_data, tmp_path):
    out = tmp_path / "run"
    code, stdout, stderr = cli(*_tiny("sft", tiny_model, train_data, out, "--gpus", "2", "--set",
                                      "learning_rate=3e-4", "--dry-run"))
    assert code == 0, stderr
    env, command, cfg = _dry_run_sections(stdout)
    assert env["FORCE_TORCHRUN"] == "1" and env["NPROC_PER_NODE"] == "2" and env["NNODES"] == "1"
    assert env["NODE_RANK"] == "0" and env["MASTER_ADDR"] == "127.0.0.1" and env["MASTER_PORT"].isdigit()
    assert command[0].endswith("llamafactory-cli") and command[1:] == ["train", str(out / "anestools_train.yaml")]
    assert cfg["stage"] == "sft" and cfg["template"] == "empty" and cfg["dataset"] == "anesqa_all"
    assert cfg["model_name_or_path"] == str(tiny_model) and cfg["output_dir"] == str(out)
    assert cfg["learning_rate"] == pytest.approx(3e-4)
    assert "LLaMA-Factory" in stderr and "parser" in stderr
    assert not out.exists()


def test_dry_run_multi_node_gpu_recipe_on_a_login_node(cli, tmp_path, train_data):
    """A GPU recipe can be prepared and inspected on a machine without GPUs; skipped checks are named."""
    code, stdout, stderr = cli("train", "cpt", "--recipe", "qwen2.5-7b-cpt-full", "--data-dir", str(train_data),
                               "--output", str(tmp_path / "o"), "--gpus", "8", "--nnodes", "4", "--node-rank", "3",
                               "--master-addr", "node01", "--master-port", "29555", "--dry-run")
    assert code == 0, stderr
    env, _, cfg = _dry_run_sections(stdout)
    assert (env["NPROC_PER_NODE"], env["NNODES"], env["NODE_RANK"]) == ("8", "4", "3")
    assert (env["MASTER_ADDR"], env["MASTER_PORT"]) == ("node01", "29555")
    assert cfg["deepspeed"] == str(DEEPSPEED_DIR / "z3.json") and cfg["bf16"] is True and cfg["packing"] is True
    assert "Qwen/Qwen2.5-7B-Instruct" in cfg["model_name_or_path"]
    assert "skipped" in stderr and "bf16" in stderr and "deepspeed" in stderr.lower()


@pytest.mark.parametrize(
    ("extra", "exit_code", "message"),
    [
        (("--set", "lerning_rate=1e-4"), 2, "rejected key 'lerning_rate' (from --set)"),
        (("--set", "learning_rate=fast"), 2, "rejected key 'learning_rate' (from --set)"),
        (("--set", "template=qwen9"), 2, "'template'"),
        (("--dataset", "anesqa_xx"), 2, "datasets found: anescorpus_all, anesqa_all"),
        (("--gpus", str((os.cpu_count() or 1) + 1)), 2, "CPU cores"),
        (("--gpus", "two"), 2, "--gpus 'two'"),
        (("--nnodes", "2"), 2, "--master-addr"),
        (("--resume", "/nonexistent/ckpt"), 2, "not a checkpoint directory"),
        (("--deepspeed", "z9"), 2, "--deepspeed 'z9'"),
        (("--launcher", "/nonexistent/llamafactory-cli"), 5, "not an executable"),
    ],
    ids=["unknown-key", "bad-type", "bad-template", "missing-dataset", "too-many-procs", "bad-gpus",
         "no-master-addr", "bad-resume-path", "bad-deepspeed", "bad-launcher"],
)
def test_bad_input_is_one_line_before_anything_starts(cli, tiny_model, train_data, tmp_path, extra, exit_code, message):
    out = tmp_path / "run"
    code, stdout, stderr = cli(*_tiny("sft", tiny_model, train_data, out, *extra))
    assert code == exit_code, stderr
    errors = [ln for ln in stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and message in errors[0], stderr
    assert not out.exists()


def test_unknown_recipe_and_missing_model(cli, tiny_model, train_data, tmp_path):
    code, _, stderr = cli("train", "sft", "--recipe", "gpt-9", "--data-dir", str(train_data))
    assert code == 2 and "unknown recipe 'gpt-9'" in stderr and "tiny-cpu-sft" in stderr
    code, _, stderr = cli(*_tiny("cpt", tmp_path / "no-model", train_data, tmp_path / "o"))
    assert code == 2 and "no such directory" in stderr
    code, _, stderr = cli(*_tiny("cpt", tiny_model, tmp_path / "no-data", tmp_path / "o"))
    assert code == 2 and "dataset_info.json not found" in stderr


def test_gpu_recipe_without_gpu_is_refused(cli, train_data, tmp_path, tiny_model):
    code, _, stderr = cli("train", "sft", "--recipe", "qwen2.5-7b-sft-lora", "--model", str(tiny_model),
                          "--data-dir", str(train_data), "--output", str(tmp_path / "o"), "--deepspeed", "none",
                          "--set", "enable_liger_kernel=false", "--set", "flash_attn=sdpa")
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    assert code == 2 and "needs a GPU (bf16: true)" in stderr
    assert not (tmp_path / "o").exists()


def test_launcher_of_another_environment(cli, tiny_model, train_data, tmp_path):
    """--launcher: the command, PATH and the parser's Python all come from that environment."""
    import shutil
    import sys
    from pathlib import Path

    other = tmp_path / "other-env" / "bin"
    other.mkdir(parents=True)
    launcher = other / "llamafactory-cli"
    shutil.copy2(Path(sys.executable).with_name("llamafactory-cli"), launcher)
    code, stdout, stderr = cli(*_tiny("sft", tiny_model, train_data, tmp_path / "o", "--launcher", str(launcher),
                                      "--dry-run"))
    assert code == 0, stderr
    _, command, _ = _dry_run_sections(stdout)
    assert command[0] == str(launcher)
    assert f"PATH={other}:$PATH" in stdout
    python = launcher.read_text().splitlines()[0][2:].split()[0]
    assert f"parser and template registry ({python})" in stderr.replace("\n", "")
