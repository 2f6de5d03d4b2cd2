"""One run directory holds one selection: a second run with other settings is refused unless ``--overwrite``.

Why: the predictions' fingerprint covers what changes an answer (model, prompt, temperature,
max tokens), but not what changes the *summary* — languages, levels, limit, benchmark,
samples. A second run into the same directory with ``--lang en`` silently replaced a bilingual
``summary.json`` with an English-only one. The settings stored in the previous
``summary.json`` are compared with the new ones; a difference that would narrow or change
the run stops it, naming the setting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from anestools.errors import OutputExistsError
from anestools.eval.summary import SUMMARY, check_selection, read_summary

# What a summary is about. The answer-changing settings (model, prompt, temperature, max
# tokens, judge) are the predictions' fingerprint, checked by ``predictions.latest_by_key``; the
# request seed is recorded in the provenance block, so a run with another seed is another run.
SUMMARY_KEYS = ("benchmark", "benchmark_mapping", "languages", "levels", "limit", "samples", "seed",
                "answer_pass_mode")  # the answer pass decides some answers: a run with another mode is another run


def previous_config(run_dir: Path) -> dict[str, Any] | None:
    """The previous run's config (``None`` when there is no summary yet).

    Read through ``summary.check_summary``: a hand-edited or corrupt summary is one
    ``InputError`` naming the file and field, not a traceback in the comparison.
    """

    path = run_dir / SUMMARY
    if not path.exists():
        return None
    return check_selection(read_summary(path, "; fix or remove it, or pass --overwrite"), path)


def _covers(key: str, old: Any, new: Any) -> bool:
    """Whether the new selection includes the old one (a longer run of the same thing is a resume)."""
    if key in ("languages", "levels") and isinstance(old, list) and isinstance(new, list):
        return set(old) <= set(new)
    if key == "limit":
        if new is None:
            return True
        return old is not None and type(old) is type(new) and new >= old
    return old == new


def settings_changes(previous: dict[str, Any], config: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The settings whose new value does not cover the previous run's (both recorded)."""
    return {k: (previous[k], config.get(k)) for k in SUMMARY_KEYS
            if k in previous and not _covers(k, previous[k], config.get(k))}


def check_run_dir(run_dir: Path, config: dict[str, Any], overwrite: bool) -> None:
    """Refuse a run whose selection differs from the run already in ``run_dir`` (unless ``overwrite``).

    Extending a run (more languages or levels, a higher ``--limit``) is a resume, not a change.
    With ``overwrite`` the predictions are kept (same fingerprint, so the same answers) and the
    new summary replaces the old one.
    """
    if overwrite:
        return
    previous = previous_config(run_dir)
    if previous is None:
        return
    changes = settings_changes(previous, config)
    if changes:
        shown = "; ".join(f"{k}: {old!r} -> {new!r}" for k, (old, new) in changes.items())
        raise OutputExistsError(f"{run_dir} holds a run made with other settings ({shown}); choose another "
                                "--output, or pass --overwrite to replace that run's summary")
