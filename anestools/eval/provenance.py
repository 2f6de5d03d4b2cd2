"""Provenance of a score: which questions, which model files, which software, when.

Why content hashes rather than paths: two runs of "AnesBench" are only comparable when they
asked the same questions with the same gold letters; a path or a Hub id says nothing about a
file edited in place or a new release. The hash is over the items' canonical JSON (id,
language, level, question, options, answer), independent of file format and record order.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
import sys
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from anestools import __version__
from anestools.common.anesbench import Item

MODEL_CONFIG_FILES = ("config.json", "generation_config.json", "tokenizer_config.json")


def items_digest(items: Iterable[Item]) -> dict[str, Any]:
    """``{"sha256": ..., "items": n}`` of a set of questions (order does not matter)."""
    rows = sorted(json.dumps([it.language, it.id, it.level, it.question, it.options, it.answer],
                             ensure_ascii=False, sort_keys=True) for it in items)
    h = hashlib.sha256()
    for row in rows:
        h.update(row.encode())
        h.update(b"\n")
    return {"sha256": h.hexdigest(), "items": len(rows)}


def model_config_digest(model: str) -> str | None:
    """sha256 over the model directory's config files (``None`` for a Hub id or remote model)."""
    path = Path(model).expanduser()
    if not path.is_dir():
        return None
    h = hashlib.sha256()
    found = False
    for name in MODEL_CONFIG_FILES:
        f = path / name
        if f.is_file():
            found = True
            h.update(name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest() if found else None


def package_version(python: str | None, package: str) -> str | None:
    """Version of ``package`` installed for the interpreter ``python`` (the engine's environment)."""
    code = f"import importlib.metadata as m; print(m.version({package!r}))"
    try:
        out = subprocess.run([python or sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return (out.stdout.strip() or None) if out.returncode == 0 else None


def provenance(*, benchmark_items: Iterable[Item], selected: Iterable[Item], model: str, engine: str,
               engine_version: str | None, served_models: Iterable[str], sampling: dict[str, Any],
               seed: int, extractor_version: str) -> dict[str, Any]:
    """The ``provenance`` block of ``summary.json``."""
    chosen = list(selected)
    return {
        "benchmark_content": items_digest(benchmark_items),
        "question_set": items_digest(chosen),
        "languages": sorted({it.language for it in chosen}),
        "levels": sorted({it.level for it in chosen}),
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "anestools_version": __version__,
        "python": platform.python_version(),
        "engine": {"name": engine, "version": engine_version, "served_models": list(served_models)},
        "model": {"path": model, "config_sha256": model_config_digest(model)},
        "sampling": sampling,
        "seed": seed,
        "extractor_version": extractor_version,
    }
