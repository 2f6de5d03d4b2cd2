"""Checks that run before any training process starts.

LLaMA-Factory's own parser (run by ``_lf_check.py`` in the launcher's Python) accepts or
rejects keys and values, but it checks neither dataset names nor templates, refuses
``bf16`` without a GPU, and only looks at DeepSpeed inside a torchrun launch. Those gaps are
filled here (datasets, model path, DeepSpeed JSON) and in ``_lf_check.py`` (template registry,
CPU substitution), and every check that could not run is reported as skipped.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anestools.common.dataset_info import FILENAME as DATASET_INFO
from anestools.common.dataset_info import read_dataset_info
from anestools.common.inputs import looks_like_hub_id
from anestools.errors import ConfigError, EngineError, InputError, MissingDependencyError

CHECKER = Path(__file__).with_name("_lf_check.py")


@dataclass
class ParserReport:
    """What LLaMA-Factory's parser said about one config, and the environment it ran in."""

    env: dict[str, Any]
    skipped: list[str] = field(default_factory=list)


_NON_FINITE = frozenset({"nan", "inf", "infinity"})


@dataclass(frozen=True)
class FieldRule:
    """The type and range of one training field: ``kind`` bool/int/float; bounds inclusive unless ``*_open``."""

    kind: type
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def accepts(self, value: Any) -> bool:
        if self.kind is bool:
            return isinstance(value, bool)
        if isinstance(value, bool) or not isinstance(value, (int, float) if self.kind is float else int):
            return False
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return not (self.high is not None and (value >= self.high if self.high_open else value > self.high))

    def describe(self) -> str:
        if self.kind is bool:
            return "true or false"
        what = "an integer" if self.kind is int else "a number"
        if self.low is not None and self.high is not None:
            return (f"{what} in {'(' if self.low_open else '['}{self.low:g}, {self.high:g}"
                    f"{')' if self.high_open else ']'}")
        if self.low is not None:
            return f"{what} {'>' if self.low_open else '>='} {self.low:g}"
        return what


_POSITIVE, _FRACTION = FieldRule(float, 0, low_open=True), FieldRule(float, 0, 1)
_COUNT, _AT_LEAST_ONE, _FLAG = FieldRule(int, 0), FieldRule(int, 1), FieldRule(bool)
#: LLaMA-Factory / transformers training fields whose type or range their parsers do not check
#: (``HfArgumentParser.parse_dict`` copies values as given; a negative learning rate or a
#: ``cutoff_len`` of -5 only fails, or silently trains nothing, once the GPUs are booked).
KNOWN_FIELDS: dict[str, FieldRule] = {
    "learning_rate": _POSITIVE, "num_train_epochs": _POSITIVE, "weight_decay": FieldRule(float, 0),
    "max_grad_norm": FieldRule(float, 0), "warmup_ratio": _FRACTION, "warmup_steps": _COUNT,
    "adam_beta1": FieldRule(float, 0, 1, high_open=True), "adam_beta2": FieldRule(float, 0, 1, high_open=True),
    "adam_epsilon": _POSITIVE, "logging_steps": _POSITIVE, "save_steps": _POSITIVE, "eval_steps": _POSITIVE,
    "max_steps": FieldRule(int, -1), "save_total_limit": _AT_LEAST_ONE, "seed": _COUNT,
    "cutoff_len": _AT_LEAST_ONE, "max_samples": _AT_LEAST_ONE, "val_size": FieldRule(float, 0, 1, high_open=True),
    "per_device_train_batch_size": _AT_LEAST_ONE, "per_device_eval_batch_size": _AT_LEAST_ONE,
    "gradient_accumulation_steps": _AT_LEAST_ONE, "preprocessing_num_workers": _AT_LEAST_ONE,
    "dataloader_num_workers": _COUNT, "ddp_timeout": _AT_LEAST_ONE,
    "lora_rank": _AT_LEAST_ONE, "lora_alpha": _AT_LEAST_ONE, "lora_dropout": FieldRule(float, 0, 1, high_open=True),
    **{k: _FLAG for k in ("bf16", "fp16", "pure_bf16", "do_train", "do_eval", "packing", "plot_loss",
                          "overwrite_cache", "overwrite_output_dir", "gradient_checkpointing", "trust_remote_code",
                          "enable_liger_kernel", "use_cpu", "streaming", "neat_packing", "train_on_prompt")},
}


def check_known_fields(cfg: dict[str, Any], origin: dict[str, str]) -> None:
    """Every known field (``KNOWN_FIELDS``) of the rendered config has a value of its type and range."""
    for key, rule in KNOWN_FIELDS.items():
        value = cfg.get(key)
        if value is not None and not rule.accepts(value):
            raise ConfigError(f"rejected key {key!r} (from {origin.get(key, 'the recipe')}): {value!r} is not "
                              f"{rule.describe()}")


def check_values(cfg: dict[str, Any], origin: dict[str, str], stage: str) -> None:
    """What LLaMA-Factory's parser lets through: non-finite numbers, out-of-range or mistyped known
    fields, a stage of the other command."""
    for key, value in cfg.items():
        if isinstance(value, str) and value.strip().lower().lstrip("+-") in _NON_FINITE:
            value = float(value)  # the trainer's argument parser would read it as this float
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"{key} = {value} (from {origin.get(key, 'the recipe')}): not a finite number")
    check_known_fields(cfg, origin)
    if cfg.get("stage") != stage:
        raise ConfigError(
            f"stage = {cfg.get('stage')!r} (from {origin.get('stage', 'the recipe')}) contradicts the command "
            f"(stage {stage!r}); run the other subcommand instead of overriding the stage"
        )


def check_datasets(cfg: dict[str, Any]) -> list[str]:
    """Every name in ``dataset`` must be in ``dataset_dir/dataset_info.json`` with its file present."""
    names = [n.strip() for n in str(cfg.get("dataset") or "").split(",") if n.strip()]
    if not names:
        raise ConfigError("no dataset: pass --dataset NAME (a name in DATA_DIR/dataset_info.json)")
    data_dir = Path(str(cfg.get("dataset_dir", "data")))
    info_path = data_dir / DATASET_INFO
    if not info_path.is_file():
        raise InputError(
            f"{info_path} not found: make the data directory with `anestools convert ... --output {data_dir}` "
            "or pass --data-dir"
        )
    info = read_dataset_info(data_dir)
    for name in names:
        if name not in info:
            found = ", ".join(sorted(info)) or "none"
            raise InputError(f"dataset {name!r} is not in {info_path} (datasets found: {found})")
        entry = info[name] if isinstance(info[name], dict) else {}
        file_name = entry.get("file_name")
        if file_name and not entry.get("hf_hub_url") and not (data_dir / file_name).exists():
            raise InputError(f"dataset {name!r}: file {data_dir / file_name} listed in {info_path} does not exist")
    return names


def check_model(cfg: dict[str, Any]) -> str:
    """A local model path must exist; a Hub id is accepted (resolved by the trainer, not here)."""
    model = cfg.get("model_name_or_path")
    if not model:
        raise ConfigError("no model: pass --model PATH_OR_HUB_ID")
    model = str(model)
    if Path(model).is_dir():
        if not (Path(model) / "config.json").is_file():
            raise InputError(f"model {model}: no config.json (not a Hugging Face model directory)")
        return "local"
    if model.startswith(("/", ".", "~")) or not looks_like_hub_id(model):
        raise InputError(
            f"model {model!r}: no such directory (and not a Hub id like Qwen/Qwen2.5-7B-Instruct); pass --model"
        )
    return "hub"


def find_launcher(launcher: Path | None) -> Path:
    """``--launcher`` or the ``llamafactory-cli`` next to our interpreter, then on PATH."""
    if launcher is not None:
        path = Path(launcher).expanduser()
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise MissingDependencyError(f"--launcher {path}: not an executable file")
        return path.absolute()
    here = Path(sys.executable).with_name("llamafactory-cli")
    if here.is_file():
        return here
    found = shutil.which("llamafactory-cli")
    if found:
        return Path(found)
    raise MissingDependencyError(
        "llamafactory-cli not found: install 'anestools[train]' or pass --launcher /path/to/venv/bin/llamafactory-cli"
    )


def launcher_python(launcher: Path) -> Path:
    """The interpreter of the launcher's environment (its shebang), so checks use the same code."""
    try:
        with open(launcher, "rb") as fh:
            first = fh.readline(4096).decode("utf-8", "replace").strip()
    except OSError as exc:
        raise MissingDependencyError(f"--launcher {launcher}: cannot read it ({exc})") from exc
    if first.startswith("#!"):
        parts = first[2:].split()
        if parts and Path(parts[0]).name == "env" and len(parts) > 1:
            found = shutil.which(parts[1], path=str(launcher.parent) + os.pathsep + os.environ.get("PATH", ""))
            if found:
                return Path(found)
        elif parts and Path(parts[0]).is_file():
            return Path(parts[0])
    for name in ("python", "python3"):
        sibling = launcher.parent / name
        if sibling.is_file():
            return sibling
    raise MissingDependencyError(f"cannot tell which Python runs {launcher} (no shebang, no sibling python)")


def run_parser(configs: list[dict[str, Any]], python: Path, timeout: float = 600) -> tuple[dict, list[dict]]:
    """Run LLaMA-Factory's parser on ``configs`` in ``python``; return (environment, results)."""
    env = dict(os.environ)
    env["PATH"] = str(python.parent) + os.pathsep + env.get("PATH", "")
    for var in ("WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(var, None)  # a parse must never join a real process group
    try:
        proc = subprocess.run(
            [str(python), str(CHECKER)],
            input=json.dumps({"configs": configs}),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )
    except subprocess.TimeoutExpired as exc:
        raise EngineError(f"LLaMA-Factory's parser did not answer within {timeout:.0f}s") from exc
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        if "No module named 'llamafactory'" in proc.stderr:
            raise MissingDependencyError(f"{python} has no LLaMA-Factory: install 'anestools[train]' or pass --launcher")
        raise EngineError(f"LLaMA-Factory's parser failed to run in {python}: {tail}")
    answer = json.loads(lines[-1])
    return answer["env"], answer["results"]


def parser_error(result: dict[str, Any], origin: dict[str, str], version: str) -> ConfigError:
    """One line naming the key and where it came from (recipe or ``--set``)."""
    keys = result.get("keys") or []
    where = ", ".join(f"{k!r} (from {origin.get(k, 'unknown source')})" for k in keys)
    prefix = f"LLaMA-Factory {version} rejected key {where}" if keys else f"LLaMA-Factory {version} rejected the config"
    return ConfigError(f"{prefix}: {result.get('error')}")
