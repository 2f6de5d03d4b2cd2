"""Evaluation presets (``-c paper``): YAML files shipped inside the package, found by name.

Why in the package: presets under the repository's ``configs/`` did not exist for anyone who
installed the wheel, so ``-c configs/eval/paper.yaml`` failed outside a checkout. Like the
training recipes, they live in ``anestools/resources/eval`` (``configs/eval`` in the repository
is a link to it); ``-c NAME`` picks a shipped preset, ``-c FILE.yaml`` any file.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from anestools.errors import ConfigError


def presets_dir() -> Path:
    return Path(str(resources.files("anestools") / "resources" / "eval"))


def preset_names() -> list[str]:
    return sorted(p.stem for p in presets_dir().glob("*.yaml"))


def resolve_preset(value: str | Path) -> Path:
    """An existing file as given, else the shipped preset of that name (``paper``, ``paper.yaml``)."""
    path = Path(value).expanduser()
    if path.is_file():
        return path
    name = path.name.removesuffix(".yaml").removesuffix(".yml")
    shipped = presets_dir() / f"{name}.yaml"
    if str(path.parent) in (".", "configs/eval") and shipped.is_file():
        return shipped
    raise ConfigError(f"-c {value}: no such file, and not a shipped preset ({', '.join(preset_names())})")
