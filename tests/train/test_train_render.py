"""Rendering: flags and --set over a recipe, methods, templates, output-dir decisions."""

from __future__ import annotations

from pathlib import Path

import pytest

from anestools.errors import ConfigError, InputError, OutputExistsError
from anestools.train import outputs
from anestools.train.recipes import DEEPSPEED_DIR, find_recipe
from anestools.train.render import TrainOptions, infer_template, parse_overrides, render_config


def test_overrides_are_typed_like_yaml():
    got = parse_overrides(["learning_rate=2e-5", "bf16=false", "max_steps=10", "lora_target=q_proj,v_proj",
                           "warmup_ratio=0.03", "flash_attn=fa2"])
    assert got == {"learning_rate": 2e-5, "bf16": False, "max_steps": 10, "lora_target": "q_proj,v_proj",
                   "warmup_ratio": 0.03, "flash_attn": "fa2"}
    with pytest.raises(ConfigError, match="expected key=value"):
        parse_overrides(["learning_rate"])


@pytest.mark.parametrize(
    ("model", "template"),
    [("Qwen/Qwen2.5-7B-Instruct", "qwen"), ("meta-llama/Llama-3.1-8B-Instruct", "llama3"),
     ("Qwen/Qwen3-8B", "qwen3"), ("/data/models/Meta-Llama-3-8B", "llama3"), ("/tmp/tiny/model", None)],
)
def test_template_from_model_family(model, template):
    assert infer_template(model) == template


def test_flags_then_set_override_the_recipe(tmp_path):
    recipe = find_recipe("qwen2.5-7b", "sft", "full")
    opts = TrainOptions(stage="sft", model="meta-llama/Llama-3.1-8B-Instruct", data_dir=tmp_path / "d",
                        datasets=["anesqa_en", "anesqa_cn"], output=tmp_path / "o", method="lora",
                        deepspeed="z3-offload", overrides=["learning_rate=5e-5", "output_dir=" + str(tmp_path / "p")])
    cfg, origin = render_config(recipe, opts)
    assert cfg["template"] == "llama3" and origin["template"].startswith("--model")
    assert cfg["dataset"] == "anesqa_en,anesqa_cn" and cfg["dataset_dir"] == str((tmp_path / "d").resolve())
    assert cfg["finetuning_type"] == "lora" and cfg["lora_rank"] == 64
    assert cfg["deepspeed"] == str(DEEPSPEED_DIR / "z3-offload.json")
    assert cfg["learning_rate"] == 5e-5 and origin["learning_rate"] == "--set"
    assert cfg["output_dir"] == str((tmp_path / "p").resolve())


def test_methods():
    recipe = find_recipe("llama3.1-8b", "cpt", "lora")
    cfg, _ = render_config(recipe, TrainOptions(stage="cpt", method="qlora", deepspeed="none"))
    assert cfg["quantization_bit"] == 4 and cfg["finetuning_type"] == "lora" and "deepspeed" not in cfg
    cfg, _ = render_config(recipe, TrainOptions(stage="cpt", method="full"))
    assert cfg["finetuning_type"] == "full" and not any(k.startswith("lora_") for k in cfg)
    with pytest.raises(ConfigError, match="--method"):
        render_config(recipe, TrainOptions(stage="cpt", method="adapter"))
    with pytest.raises(ConfigError, match="--deepspeed 'z9'"):
        render_config(recipe, TrainOptions(stage="cpt", deepspeed="z9"))


def test_stage_mismatch_is_refused():
    with pytest.raises(ConfigError, match=r"qwen2.5-7b-sft-full is a sft recipe.*anestools train sft"):
        render_config(find_recipe("qwen2.5-7b-sft-full", "cpt"), TrainOptions(stage="cpt"))


def _run_dir(path: Path, steps=(), finished=False) -> Path:
    path.mkdir(parents=True)
    (path / outputs.CONFIG_NAME).write_text("stage: sft\n")
    for s in steps:
        (path / f"checkpoint-{s}").mkdir()
        (path / f"checkpoint-{s}" / "trainer_state.json").write_text("{}")
    if finished:
        (path / "train_results.json").write_text("{}")
        (path / "model.safetensors").write_bytes(b"x")
    return path


def test_output_dir_decisions(tmp_path):
    fresh = outputs.inspect_output(tmp_path / "none")
    assert outputs.resolve_resume(fresh, "none", False) is None
    assert outputs.resolve_resume(fresh, "auto", False) is None

    interrupted = outputs.inspect_output(_run_dir(tmp_path / "int", steps=(2, 10, 4)))
    assert interrupted.latest.name == "checkpoint-10"  # numeric, not lexical, order
    assert outputs.resolve_resume(interrupted, "auto", False) == interrupted.latest
    with pytest.raises(OutputExistsError, match="interrupted run.*checkpoint-10.*--resume auto"):
        outputs.resolve_resume(interrupted, "none", False)
    assert outputs.resolve_resume(interrupted, str(interrupted.checkpoints[0]), False) == interrupted.checkpoints[0]

    done = outputs.inspect_output(_run_dir(tmp_path / "done", steps=(4,), finished=True))
    with pytest.raises(OutputExistsError, match="finished run.*--overwrite"):
        outputs.resolve_resume(done, "none", False)
    assert outputs.resolve_resume(done, "none", True) is None
    with pytest.raises(ConfigError, match="cannot be combined"):
        outputs.resolve_resume(done, "auto", True)
    with pytest.raises(InputError, match="not a checkpoint"):
        outputs.resolve_resume(done, str(tmp_path), False)

    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "model.safetensors").write_bytes(b"x")
    with pytest.raises(OutputExistsError, match="no training run wrote"):
        outputs.resolve_resume(outputs.inspect_output(foreign), "none", True)


def test_resume_auto_skips_a_checkpoint_interrupted_mid_save(tmp_path):
    """Killed while saving: checkpoint-12 has its config but no trainer_state.json yet."""
    run = _run_dir(tmp_path / "run", steps=(2, 10))
    partial = run / "checkpoint-12"
    partial.mkdir()
    (partial / "config.json").write_text("{}")
    state = outputs.inspect_output(run)
    assert state.latest.name == "checkpoint-10"
    assert outputs.resolve_resume(state, "auto", False) == run / "checkpoint-10"
    with pytest.raises(OutputExistsError, match="interrupted run.*checkpoint-12"):
        outputs.resolve_resume(state, "none", False)
