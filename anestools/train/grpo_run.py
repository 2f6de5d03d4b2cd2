"""Runs inside the RL environment (``--engine-python``): TRL's ``GRPOTrainer`` on a rendered config.

Why a separate module executed by another interpreter: TRL >= 1 cannot share a virtualenv with
LLaMA-Factory 0.9.5 (datasets pins), so ``anestools train grpo`` (the CLI, in the main
environment) renders and checks the config, then starts this module under ``torchrun`` with the
RL environment's Python. It only uses TRL's and the Trainer's public API: ``GRPOConfig`` (parsed
by ``HfArgumentParser``, so an unknown key is an error), ``GRPOTrainer(reward_funcs=...)``,
``train(resume_from_checkpoint=...)``, ``save_model``/``save_metrics``/``save_state``.

``python -m anestools.train.grpo_run --check`` reads one config as JSON on stdin and prints one
JSON line: whether TRL's parser accepts it (no model is loaded), TRL's version, visible GPUs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

# Our keys in the rendered config; every other key is a GRPOConfig field.
OUR_KEYS = ("stage", "model_name_or_path", "dataset", "dataset_dir", "finetuning_type", "lora_rank",
            "lora_alpha", "lora_dropout", "lora_target", "format_reward", "resume_from_checkpoint")
GPU_KEYS = ("bf16", "fp16")


def split_config(cfg: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(our keys, GRPOConfig keys); the format term's weight becomes TRL's ``reward_weights``."""
    ours = {k: cfg[k] for k in OUR_KEYS if k in cfg}
    trl_keys = {k: v for k, v in cfg.items() if k not in OUR_KEYS}
    if float(ours.get("format_reward") or 0.0) > 0:
        trl_keys["reward_weights"] = [1.0, float(ours["format_reward"])]
    return ours, trl_keys


def parse_grpo_config(trl_keys: dict[str, Any]):
    """TRL's ``GRPOConfig`` from a dict through ``HfArgumentParser`` (unknown keys are refused)."""
    from transformers import HfArgumentParser
    from trl import GRPOConfig

    (args,) = HfArgumentParser(GRPOConfig).parse_dict(trl_keys, allow_extra_keys=False)
    return args


def check(cfg: dict[str, Any]) -> dict[str, Any]:
    """Parse without loading a model; on a machine without GPU, bf16/fp16 are parsed as CPU runs."""
    out: dict[str, Any] = {"ok": False, "skipped": []}
    try:
        import torch
        import trl
        from trl import GRPOTrainer  # noqa: F401  (TRL 0.24 under transformers 5 fails right here)
    except Exception as exc:  # any import failure means the engine is unusable
        out["import_error"] = f"{type(exc).__name__}: {exc}"
        return out
    out["trl"] = trl.__version__
    out["cuda_devices"] = torch.cuda.device_count()
    ours, trl_keys = split_config(cfg)
    if ours.get("finetuning_type") == "lora":
        try:
            import peft  # noqa: F401
        except ImportError as exc:
            out["import_error"] = f"LoRA needs peft ({exc})"
            return out
    if not out["cuda_devices"]:
        for key in GPU_KEYS:
            if trl_keys.pop(key, False):
                trl_keys["use_cpu"] = True
                out["skipped"].append(f"{key}: true not checked (no GPU here); parsed as a CPU run")
    if trl_keys.get("deepspeed"):
        try:
            import deepspeed  # noqa: F401
        except ImportError:
            trl_keys.pop("deepspeed")
            out["skipped"].append("deepspeed: the package is not installed in this environment (the JSON was "
                                  "checked by anestools; install deepspeed where the job runs)")
    try:
        parse_grpo_config(trl_keys)
    except Exception as exc:  # the parser's ValueError/TypeError is the message to show
        out["error"] = " ".join(str(exc).split())
        return out
    out["ok"] = True
    return out


def load_rows(ours: dict[str, Any]):
    """The RL dataset(s) named in the config, as one ``datasets.Dataset``."""
    from datasets import load_dataset

    data_dir = Path(str(ours["dataset_dir"]))
    info = json.loads((data_dir / "dataset_info.json").read_text(encoding="utf-8"))
    files = [str(data_dir / info[n.strip()]["file_name"]) for n in str(ours["dataset"]).split(",") if n.strip()]
    ds = load_dataset("json", data_files=files, split="train")
    return ds.select_columns([c for c in ("prompt", "answer", "options") if c in ds.column_names])


def train(config_path: Path) -> int:
    import yaml
    from trl import GRPOTrainer

    from anestools.train import reward

    cfg = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    ours, trl_keys = split_config(cfg)
    args = parse_grpo_config(trl_keys)
    funcs = [reward.accuracy]
    if float(ours.get("format_reward") or 0.0) > 0:
        funcs.append(reward.committed)
    peft_config = None
    if ours.get("finetuning_type") == "lora":
        from peft import LoraConfig

        target = ours.get("lora_target", "all")
        peft_config = LoraConfig(r=int(ours.get("lora_rank", 64)), lora_alpha=int(ours.get("lora_alpha", 128)),
                                 lora_dropout=float(ours.get("lora_dropout", 0.05)), task_type="CAUSAL_LM",
                                 target_modules="all-linear" if target == "all" else str(target).split(","))
    trainer = GRPOTrainer(model=str(ours["model_name_or_path"]), reward_funcs=funcs, args=args,
                          train_dataset=load_rows(ours), peft_config=peft_config)
    result = trainer.train(resume_from_checkpoint=ours.get("resume_from_checkpoint"))
    trainer.save_model()
    trainer.save_metrics("train", result.metrics)
    trainer.save_state()
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--check"]:
        print(json.dumps(check(json.loads(sys.stdin.read()))))
        return 0
    if len(argv) != 1:
        print("usage: python -m anestools.train.grpo_run CONFIG.yaml | --check < CONFIG.json", file=sys.stderr)
        return 2
    return train(Path(argv[0]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
