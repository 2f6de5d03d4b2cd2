"""Shipped LLaMA-Factory recipes and DeepSpeed configs: find, load and describe them.

Why recipes stay plain LLaMA-Factory YAML (metadata only in ``# gpus:`` comments): a user can
read one, copy it, or run it with ``llamafactory-cli train`` directly from the repository root
(``recipes/`` and ``configs/deepspeed/`` there are links to the packaged copies under
``anestools/resources/``, which the installed package uses).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from anestools.common import jsonio
from anestools.errors import ConfigError, InputError

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
RECIPES_DIR = RESOURCES / "recipes"
DEEPSPEED_DIR = RESOURCES / "deepspeed"
DEEPSPEED_PRESETS = ("z0", "z2", "z3", "z3-offload")
# Recipes name DeepSpeed files by this repository-relative prefix, which we map to the package.
DEEPSPEED_PREFIX = "configs/deepspeed/"
STAGES = {"cpt": "pt", "sft": "sft"}
METHODS = ("full", "lora", "qlora")


@dataclass(frozen=True)
class Recipe:
    """One recipe file: its parsed config plus the human metadata from its header comments."""

    name: str
    path: Path
    config: dict[str, Any]
    description: str
    gpus: str

    @property
    def model(self) -> str:
        return str(self.config.get("model_name_or_path", "?"))

    @property
    def stage(self) -> str:
        """``cpt`` / ``sft`` (or LLaMA-Factory's own stage name for other stages)."""
        lf = self.config.get("stage")
        return next((k for k, v in STAGES.items() if v == lf), str(lf))

    @property
    def method(self) -> str:
        ft = str(self.config.get("finetuning_type", "lora"))
        return "qlora" if ft == "lora" and self.config.get("quantization_bit") else ft

    @property
    def deepspeed(self) -> str:
        ds = self.config.get("deepspeed")
        return Path(str(ds)).stem if ds else "none"


def load_recipe(path: str | Path, name: str | None = None) -> Recipe:
    """Parse one recipe YAML; a syntax error or non-mapping is a one-line ``ConfigError``."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"recipe file {p} not found")
    text = p.read_text(encoding="utf-8")
    try:
        config = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: invalid YAML ({' '.join(str(exc).split())})") from exc
    if not isinstance(config, dict):
        raise ConfigError(f"{p}: a recipe must be a YAML mapping of LLaMA-Factory keys")
    description, gpus = "", "?"
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line.lstrip("#").strip()
        if body.lower().startswith("gpus:"):
            gpus = body.split(":", 1)[1].strip()
        elif not description and body:
            description = body
    return Recipe(name=name or p.stem, path=p, config=config, description=description, gpus=gpus)


def list_recipes() -> list[Recipe]:
    """Every shipped recipe, sorted by name."""
    return [load_recipe(p) for p in sorted(RECIPES_DIR.glob("*.yaml"))]


def recipe_names() -> list[str]:
    return sorted(p.stem for p in RECIPES_DIR.glob("*.yaml"))


def find_recipe(name_or_path: str, stage: str, method: str | None = None) -> Recipe:
    """Resolve ``--recipe``: a YAML path, a shipped name, or a name prefix completed by stage/method.

    ``tiny-cpu`` + ``sft`` -> ``tiny-cpu-sft``; ``qwen2.5-7b`` + ``cpt`` + ``lora`` ->
    ``qwen2.5-7b-cpt-lora`` (``qlora`` starts from the LoRA recipe).
    """
    if name_or_path.endswith((".yaml", ".yml")) or "/" in name_or_path or Path(name_or_path).is_file():
        return load_recipe(Path(name_or_path).expanduser())
    base_method = "lora" if method == "qlora" else (method or "full")
    for candidate in (name_or_path, f"{name_or_path}-{stage}", f"{name_or_path}-{stage}-{base_method}"):
        path = RECIPES_DIR / f"{candidate}.yaml"
        if path.is_file():
            return load_recipe(path, candidate)
    raise ConfigError(
        f"unknown recipe {name_or_path!r}: shipped recipes are {', '.join(recipe_names())} "
        "(see `anestools train recipes`), or give a path to a YAML file"
    )


def resolve_deepspeed(value: str) -> Path:
    """Map a preset name (``z3``), ``configs/deepspeed/z3.json`` or a path to a JSON file path."""
    if value in DEEPSPEED_PRESETS:
        return DEEPSPEED_DIR / f"{value}.json"
    if value.startswith(DEEPSPEED_PREFIX) and (DEEPSPEED_DIR / value[len(DEEPSPEED_PREFIX):]).is_file():
        return DEEPSPEED_DIR / value[len(DEEPSPEED_PREFIX):]
    return Path(value).expanduser().resolve()


def check_deepspeed(path: Path) -> int:
    """Check a DeepSpeed JSON without the deepspeed package; return its ZeRO stage.

    Why here: LLaMA-Factory's parser only accepts ``deepspeed`` inside a torchrun launch with
    the package installed, so on a login node or CPU machine nobody else would look at it.
    """
    if not path.is_file():
        raise ConfigError(
            f"deepspeed config {path} not found (presets: {', '.join(DEEPSPEED_PRESETS)}, or a JSON path)"
        )
    try:
        data = jsonio.read_json(path)
    except InputError as exc:
        raise ConfigError(f"deepspeed config {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"deepspeed config {path}: not a JSON object")
    zero = data.get("zero_optimization", {"stage": 0})
    stage = zero.get("stage") if isinstance(zero, dict) else None
    if stage not in (0, 1, 2, 3):
        raise ConfigError(f"deepspeed config {path}: zero_optimization.stage must be 0-3, got {stage!r}")
    return int(stage)
