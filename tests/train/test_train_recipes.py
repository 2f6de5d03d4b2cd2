"""Shipped recipes and DeepSpeed configs: content, lookup, and LLaMA-Factory's parser on all of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from anestools.errors import ConfigError
from anestools.train import validate
from anestools.train.recipes import (
    DEEPSPEED_DIR,
    DEEPSPEED_PRESETS,
    RECIPES_DIR,
    check_deepspeed,
    find_recipe,
    list_recipes,
    resolve_deepspeed,
)
from anestools.train.render import TrainOptions, render_config

ROOT = Path(__file__).resolve().parents[2]
GPU_FAMILIES = ("qwen2.5-7b", "llama3.1-8b")
# LLaMA-Factory's recipes; the grpo ones (TRL keys) go through TRL's parser in test_grpo_cli.py
LF_RECIPES = [r for r in list_recipes() if r.stage in ("cpt", "sft")]


def test_every_model_stage_method_is_shipped():
    names = {r.name for r in list_recipes()}
    for family in GPU_FAMILIES:
        for stage in ("cpt", "sft"):
            for method in ("full", "lora"):
                assert f"{family}-{stage}-{method}" in names
    assert {"tiny-cpu-cpt", "tiny-cpu-sft"} <= names


@pytest.mark.parametrize("recipe", [r for r in LF_RECIPES if not r.name.startswith("tiny")], ids=lambda r: r.name)
def test_gpu_recipes_follow_the_paper(recipe):
    cfg = recipe.config
    full = recipe.method == "full"
    if recipe.stage == "cpt":
        assert cfg["stage"] == "pt" and cfg["packing"] is True and cfg["cutoff_len"] == 2048
        assert cfg["num_train_epochs"] == 3.0
        if full:
            assert cfg["learning_rate"] == pytest.approx(1e-4)
    else:
        assert cfg["stage"] == "sft" and cfg["cutoff_len"] == 4096 and cfg["num_train_epochs"] == 5.0
        assert cfg["lr_scheduler_type"] == "cosine" and cfg["warmup_ratio"] == pytest.approx(0.1)
        if full:
            assert cfg["learning_rate"] == pytest.approx(1e-5)
    assert cfg["bf16"] is True
    assert cfg["template"] == ("qwen" if recipe.name.startswith("qwen") else "llama3")
    # The paper's YAMLs referenced an undefined eval_dataset and unrelated BAdam keys.
    assert "eval_dataset" not in cfg and not any(k.startswith("badam") for k in cfg)
    assert str(cfg["deepspeed"]).startswith("configs/deepspeed/")
    assert (ROOT / cfg["deepspeed"]).is_file(), "recipes must run with llamafactory-cli from the repo root"
    assert recipe.gpus != "?"


def test_repo_root_links_point_at_the_packaged_copies():
    assert (ROOT / "recipes").resolve() == RECIPES_DIR.resolve()
    assert (ROOT / "configs" / "deepspeed").resolve() == DEEPSPEED_DIR.resolve()


@pytest.mark.parametrize("preset", DEEPSPEED_PRESETS)
def test_deepspeed_presets(preset):
    path = resolve_deepspeed(preset)
    data = json.loads(path.read_text())
    stage = check_deepspeed(path)
    assert stage == {"z0": 0, "z2": 2, "z3": 3, "z3-offload": 3}[preset]
    assert ("offload_optimizer" in data["zero_optimization"]) == (preset == "z3-offload")
    assert resolve_deepspeed(f"configs/deepspeed/{preset}.json") == path


def test_bad_deepspeed_json(tmp_path):
    bad = tmp_path / "ds.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="invalid JSON"):
        check_deepspeed(bad)
    bad.write_text('{"zero_optimization": {"stage": 7}}')
    with pytest.raises(ConfigError, match="stage must be 0-3"):
        check_deepspeed(bad)
    with pytest.raises(ConfigError, match="not found"):
        check_deepspeed(tmp_path / "missing.json")


def test_recipe_name_completion(tmp_path):
    assert find_recipe("tiny-cpu", "sft").name == "tiny-cpu-sft"
    assert find_recipe("qwen2.5-7b", "cpt", "lora").name == "qwen2.5-7b-cpt-lora"
    assert find_recipe("llama3.1-8b", "sft", "qlora").name == "llama3.1-8b-sft-lora"
    own = tmp_path / "mine.yaml"
    own.write_text(yaml.safe_dump({"stage": "sft", "model_name_or_path": "x/y"}))
    assert find_recipe(str(own), "sft").config["model_name_or_path"] == "x/y"
    with pytest.raises(ConfigError, match="unknown recipe 'gpt5'.*tiny-cpu-sft"):
        find_recipe("gpt5", "sft")


def test_recipes_command_lists_model_stage_method_gpus(cli, monkeypatch):
    from anestools.common import console as con

    monkeypatch.setattr(con.out, "width", 220)  # a wide terminal: one row per recipe
    code, out, _ = cli("train", "recipes")
    assert code == 0
    for r in list_recipes():
        assert r.name in out
    assert "Qwen/Qwen2.5-7B-Instruct" in out and "meta-llama/Llama-3.1-8B-Instruct" in out
    assert "ZeRO-3" in out and "lora" in out and "sft" in out and "cpt" in out


def test_every_shipped_recipe_passes_llamafactory_parser(tiny_model):
    """All recipes, as rendered by anestools, in one run of LLaMA-Factory's own parser."""
    configs = []
    for r in LF_RECIPES:
        opts = TrainOptions(stage=r.stage, model=str(tiny_model) if r.name.startswith("tiny") else None)
        cfg, _ = render_config(r, opts)
        configs.append(cfg)
    python = validate.launcher_python(validate.find_launcher(None))
    env, results = validate.run_parser(configs, python)
    assert env["llamafactory"]
    for r, res in zip(LF_RECIPES, results, strict=True):
        assert res["ok"], f"{r.name}: {res['error']}"
        if r.name.startswith("tiny"):
            assert res["skipped"] == []
        elif not env["cuda_devices"]:
            # On a machine without GPUs the GPU-only keys are reported as skipped, never silently.
            assert any(s.startswith("bf16") for s in res["skipped"])
            assert any(s.startswith("deepspeed") for s in res["skipped"])
