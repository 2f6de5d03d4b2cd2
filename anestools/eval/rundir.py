"""One run directory holds one run: a second run with other settings is refused unless ``--overwrite``.

Why: the predictions' fingerprint covers what changes an answer (model, prompt, temperature,
max tokens), but not what changes the *summary* — languages, levels, limit, benchmark,
samples. A second run into the same directory with ``--lang en`` silently replaced a bilingual
``summary.json`` with an English-only one. The settings stored in the previous
``summary.json`` are compared with the new ones; a difference stops the run, naming it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from anestools.errors import OutputExistsError

# Settings that define what a summary is about (compared when both runs recorded them).
SUMMARY_KEYS = ("model", "benchmark", "benchmark_mapping", "languages", "levels", "limit", "samples")
# Settings that change the answers themselves: predictions made with others cannot be reused.
ANSWER_KEYS = ("prompt_hash", "temperature", "max_new_tokens")


def previous_config(run_dir: Path) -> dict[str, Any] | None:
    try:
        data = orjson.loads((run_dir / "summary.json").read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    cfg = data.get("config") if isinstance(data, dict) else None
    return cfg if isinstance(cfg, dict) else None


def settings_changes(previous: dict[str, Any], config: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {k: (previous[k], config.get(k)) for k in (*SUMMARY_KEYS, *ANSWER_KEYS)
            if k in previous and previous[k] != config.get(k)}


def check_run_dir(run_dir: Path, config: dict[str, Any], overwrite: bool) -> bool:
    """Refuse a run whose settings differ from the run already in ``run_dir``.

    Returns True when, with ``overwrite``, the previous predictions must be deleted (they were
    made with other answer-changing settings); False when they can be kept (same answers,
    another selection: the new summary counts only the selected questions).
    """
    previous = previous_config(run_dir)
    if previous is None:
        return False
    changes = settings_changes(previous, config)
    if not changes:
        return False
    if not overwrite:
        shown = "; ".join(f"{k}: {old!r} -> {new!r}" for k, (old, new) in changes.items())
        raise OutputExistsError(f"{run_dir} holds a run made with other settings ({shown}); choose another "
                                "--output, or pass --overwrite to replace that run")
    return any(k in ANSWER_KEYS or k == "model" for k in changes)
