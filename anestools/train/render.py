"""Recipe + command-line flags + ``--set`` overrides -> one full LLaMA-Factory config dict.

Precedence, lowest to highest: recipe, dedicated flags (``--model``, ``--dataset``, ...),
``--set key=value``. Paths are made absolute so the rendered YAML works from any directory and
on every node of a multi-node job.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from anestools.errors import ConfigError
from anestools.train.mix import mix_keys
from anestools.train.recipes import DEEPSPEED_PRESETS, METHODS, STAGES, Recipe, resolve_deepspeed

# Seconds a rank waits in a collective (torch.distributed's timeout, also NCCL's watchdog) when
# the recipe does not say: see docs/train.md ("Distributed timeout").
DDP_TIMEOUT = 10800
LORA_DEFAULTS = {"lora_rank": 64, "lora_alpha": 128, "lora_dropout": 0.05, "lora_target": "all"}
LORA_KEYS = ("lora_rank", "lora_alpha", "lora_dropout", "lora_target", "additional_target", "use_rslora",
             "use_dora", "loraplus_lr_ratio", "create_new_adapter")
QUANT_KEYS = ("quantization_bit", "quantization_method", "quantization_type", "double_quantization")

# (substring of the lower-cased model name, LLaMA-Factory template), first match wins.
TEMPLATE_FAMILIES = (
    ("qwen3", "qwen3"),
    ("qwen2", "qwen"),
    ("qwen", "qwen"),
    ("llama-3", "llama3"),
    ("llama3", "llama3"),
    ("llama-2", "llama2"),
    ("llama2", "llama2"),
    ("mistral", "mistral"),
    ("gemma-3", "gemma3"),
    ("gemma", "gemma"),
)


@dataclass
class TrainOptions:
    """Everything ``anestools train cpt|sft`` accepts; ``None`` means "keep the recipe's value"."""

    stage: str
    recipe: str | None = None
    model: str | None = None
    data_dir: Path | None = None
    datasets: list[str] | None = None
    output: Path | None = None
    method: str | None = None
    deepspeed: str | None = None
    overrides: list[str] = field(default_factory=list)
    gpus: str | None = None  # None: NPROC_PER_NODE (multi-node), else auto (anestools.train.nodes)
    nnodes: int | None = None  # None: NNODES from the environment, else 1
    node_rank: int | None = None  # None: NODE_RANK from the environment, else 0
    master_addr: str | None = None
    master_port: int | None = None
    resume: str = "none"
    overwrite: bool = False
    launcher: Path | None = None
    dry_run: bool = False
    mix: str | None = None  # "name:weight,..." (anestools.train.mix)
    mix_strategy: str | None = None
    tokenized_path: Path | None = None  # made by `anestools train tokenize`
    peak_tflops: float | None = None  # per GPU, for the MFU in anestools_summary.json


def apply_deepspeed(cfg: dict[str, Any], value: str, put: Callable[[str, Any, str], None]) -> None:
    """``--deepspeed``: a preset name, or ``none`` to drop the recipe's; one spelling for every stage."""
    if value == "none":
        cfg.pop("deepspeed", None)
    elif value in DEEPSPEED_PRESETS:
        put("deepspeed", value, "--deepspeed")
    else:
        raise ConfigError(
            f"--deepspeed {value!r}: expected one of {', '.join(DEEPSPEED_PRESETS)} or none "
            "(use --set deepspeed=PATH for your own JSON)"
        )


def _coerce(text: str) -> Any:
    """YAML scalar semantics, plus ``1e-5``-style floats (YAML 1.1 reads those as strings)."""
    try:
        value = yaml.safe_load(text) if text != "" else ""
    except yaml.YAMLError:
        return text
    if isinstance(value, str):
        try:
            return float(value) if any(c in value.lower() for c in ".e") else int(value)
        except ValueError:
            return value
    return value


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """``["learning_rate=2e-5", "bf16=false"]`` -> ``{"learning_rate": 2e-05, "bf16": False}``."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(f"--set {item!r}: expected key=value (a LLaMA-Factory config key)")
        out[key] = _coerce(value.strip())
    return out


def infer_template(model: str) -> str | None:
    """LLaMA-Factory chat template for a model family, from its name (``None`` if unknown)."""
    name = "/".join(Path(model.rstrip("/")).parts[-2:]).lower()  # owner/name, not parent dirs
    return next((t for needle, t in TEMPLATE_FAMILIES if needle in name), None)


def apply_method(cfg: dict[str, Any], method: str) -> None:
    """Turn the config into full / LoRA / QLoRA training, dropping keys of the other methods."""
    if method not in METHODS:
        raise ConfigError(f"--method {method!r}: expected one of {', '.join(METHODS)}")
    if method == "full":
        cfg["finetuning_type"] = "full"
        for k in (*LORA_KEYS, *QUANT_KEYS):
            cfg.pop(k, None)
        return
    cfg["finetuning_type"] = "lora"
    for k, v in LORA_DEFAULTS.items():
        cfg.setdefault(k, v)
    if method == "qlora":
        cfg["quantization_bit"] = 4
        cfg.setdefault("quantization_method", "bnb")
    else:
        for k in QUANT_KEYS:
            cfg.pop(k, None)


def _local_or_id(model: str) -> str:
    p = Path(model).expanduser()
    return str(p.resolve()) if p.exists() else model


def render_config(recipe: Recipe, opts: TrainOptions) -> tuple[dict[str, Any], dict[str, str]]:
    """The full config and, per key, where its value came from (``recipe``, ``--model``, ``--set``)."""
    if opts.stage not in STAGES:
        raise ConfigError(f"unknown stage {opts.stage!r}: expected cpt or sft")
    cfg = copy.deepcopy(recipe.config)
    origin = dict.fromkeys(cfg, f"recipe {recipe.name}")
    lf_stage = STAGES[opts.stage]
    if cfg.get("stage", lf_stage) != lf_stage:
        other = next((k for k, v in STAGES.items() if v == cfg["stage"]), cfg["stage"])
        raise ConfigError(
            f"recipe {recipe.name} is a {other} recipe (stage: {cfg['stage']}); "
            f"run `anestools train {other}` or pick a {opts.stage} recipe"
        )

    def put(key: str, value: Any, source: str) -> None:
        cfg[key] = value
        origin[key] = source

    put("stage", lf_stage, origin.get("stage", f"anestools train {opts.stage}"))
    cfg.setdefault("do_train", True)
    if opts.model:
        put("model_name_or_path", _local_or_id(opts.model), "--model")
        template = infer_template(opts.model)
        if template and opts.stage == "sft":
            put("template", template, "--model (model family)")
    if opts.data_dir is not None:
        put("dataset_dir", str(opts.data_dir), "--data-dir")
    if opts.datasets:
        put("dataset", ",".join(opts.datasets), "--dataset")
    if opts.mix:
        if opts.datasets:
            raise ConfigError("--mix names the datasets and their weights: drop --dataset")
        for key, value in mix_keys(opts.mix, opts.mix_strategy).items():
            put(key, value, "--mix")
    elif opts.mix_strategy:
        raise ConfigError("--mix-strategy needs --mix NAME:WEIGHT,NAME:WEIGHT")
    if opts.output is not None:
        put("output_dir", str(opts.output), "--output")
    if opts.method:
        apply_method(cfg, opts.method)
        origin["finetuning_type"] = "--method"
    if opts.deepspeed:
        apply_deepspeed(cfg, opts.deepspeed, put)
    # Non-padding tokens seen, for the end-of-run summary (anestools.train.summary).
    if "include_num_input_tokens_seen" not in cfg:
        put("include_num_input_tokens_seen", "non_padding", "anestools (token count for the run summary)")
    if "ddp_timeout" not in cfg:
        put("ddp_timeout", DDP_TIMEOUT, "anestools default (distributed timeout, docs/train.md)")
    for key, value in parse_overrides(opts.overrides).items():
        put(key, value, "--set")

    for key in ("dataset_dir", "output_dir"):
        if key in cfg:
            cfg[key] = str(Path(str(cfg[key])).expanduser().resolve())
    if cfg.get("deepspeed"):
        cfg["deepspeed"] = str(resolve_deepspeed(str(cfg["deepspeed"])))
    if isinstance(cfg.get("model_name_or_path"), str):
        cfg["model_name_or_path"] = _local_or_id(cfg["model_name_or_path"])
    return cfg, origin


def render_yaml(cfg: dict[str, Any], recipe: Recipe) -> str:
    """The YAML written to ``OUTPUT/anestools_train.yaml`` (and shown by ``--dry-run``)."""
    head = (
        f"# Rendered by `anestools train` from recipe {recipe.name} ({recipe.path}).\n"
        "# Edit the recipe or pass --set key=value; this file is rewritten on every launch.\n"
    )
    return head + yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True, default_flow_style=False)
