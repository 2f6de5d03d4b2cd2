"""The output directory of a training run: what is already there, resume, overwrite.

Why we decide this ourselves: LLaMA-Factory silently resumes from the newest ``checkpoint-*``
in ``output_dir`` and (with transformers 5, which has no ``overwrite_output_dir``) cannot be
told to start again, so a typo'd ``--output`` could continue someone else's run or a finished
run could be clobbered. We make every case explicit: ``--resume auto|PATH|none`` and
``--overwrite``.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from anestools.common.lock import is_lock_file
from anestools.errors import ConfigError, InputError, OutputExistsError

CONFIG_NAME = "anestools_train.yaml"
RENDERED_HEADER = "# Rendered by `anestools train`"  # first line of every config we write
RESULT_FILES = ("train_results.json", "all_results.json")
RUN_MARKERS = (CONFIG_NAME, "trainer_state.json", "trainer_log.jsonl", *RESULT_FILES)
# Weight files LLaMA-Factory refuses to write over when there is no checkpoint to resume.
WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin",
                "pytorch_model.bin.index.json", "adapter_model.safetensors", "adapter_model.bin")
_CKPT = re.compile(r"^checkpoint-(\d+)$")


@dataclass
class OutputState:
    path: Path
    exists: bool = False
    finished: bool = False
    checkpoints: list[Path] = field(default_factory=list)  # oldest to newest step
    weights: list[str] = field(default_factory=list)
    is_run_dir: bool = False
    foreign: list[str] = field(default_factory=list)  # entries of a non-empty dir that no run of ours made

    @property
    def latest(self) -> Path | None:
        """Newest *complete* checkpoint.

        A run killed while saving leaves a ``checkpoint-N`` without ``trainer_state.json``
        (the Trainer writes it after the weights and optimizer); resuming from it fails, so
        ``--resume auto`` takes the newest one that has it.
        """
        for ckpt in reversed(self.checkpoints):
            if (ckpt / "trainer_state.json").is_file():
                return ckpt
        return None


@dataclass(frozen=True)
class FinishedRun:
    """A checkpoint that already holds the run's last step (``--resume auto`` trains nothing)."""

    checkpoint: Path
    step: int
    target: int
    reason: str  # "max_steps" (the config's) or "epochs" (the trainer's own total for them)

    def describe(self) -> str:
        what = f"max_steps {self.target}" if self.reason == "max_steps" else f"its last step ({self.target}, all epochs)"
        return f"{self.checkpoint} is at global step {self.step}, {what}: the run is finished, nothing to train"


def finished_run(ckpt: Path, cfg: dict) -> FinishedRun | None:
    """``ckpt`` when its step already reaches the run's end, else ``None``.

    Why: resuming from a checkpoint at ``max_steps`` makes the trainer run (and save) one more
    step. With ``max_steps`` set, its value is the end. Without it, the end is the step total
    the trainer computed from the epochs (``trainer_state.json``: ``max_steps``), valid only
    while ``num_train_epochs`` is unchanged: more epochs continue the run.
    """
    path = ckpt / "trainer_state.json"
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        step = int(state.get("global_step", 0))
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise InputError(f"{path}: not a readable trainer state ({exc}); pass --resume with another checkpoint") from None
    max_steps = int(cfg.get("max_steps") or -1)
    if max_steps > 0:
        return FinishedRun(ckpt, step, max_steps, "max_steps") if step >= max_steps else None
    target, epochs = state.get("max_steps"), state.get("num_train_epochs")
    try:
        same_epochs = epochs is not None and float(epochs) == float(cfg.get("num_train_epochs", 3.0))
    except (TypeError, ValueError):
        return None
    if same_epochs and isinstance(target, int) and 0 < target <= step:
        return FinishedRun(ckpt, step, target, "epochs")
    return None


def inspect_output(path: Path) -> OutputState:
    state = OutputState(path=path, exists=path.is_dir())
    if not state.exists:
        if path.exists():
            raise InputError(f"--output {path} exists and is not a directory")
        return state
    ckpts = [(int(m.group(1)), p) for p in path.iterdir() if p.is_dir() and (m := _CKPT.match(p.name))]
    state.checkpoints = [p for _, p in sorted(ckpts)]
    state.finished = any((path / f).is_file() for f in RESULT_FILES)
    state.weights = [f for f in WEIGHT_FILES if (path / f).is_file()]
    state.is_run_dir = bool(state.checkpoints) or any((path / f).exists() for f in RUN_MARKERS if f != CONFIG_NAME) or _our_config(path)
    if not state.is_run_dir:
        state.foreign = sorted(p.name for p in path.iterdir() if not _ignorable(p.name))
    return state


def _our_config(path: Path) -> bool:
    """``anestools_train.yaml`` rendered by us (a user's own file of that name is not a run)."""
    try:
        with open(path / CONFIG_NAME, encoding="utf-8", errors="replace") as fh:
            return fh.readline().startswith(RENDERED_HEADER)
    except OSError:
        return False


def _ignorable(name: str) -> bool:
    """Our lock file and stale temporary files do not make a directory "not empty"."""
    return is_lock_file(name) or (name.startswith(".") and name.endswith(".tmp"))


def resolve_resume(state: OutputState, resume: str, overwrite: bool) -> Path | None:
    """The checkpoint to resume from (``None`` = start fresh), or a one-line error."""
    out = state.path
    if overwrite and resume != "none":
        raise ConfigError("--overwrite starts again from scratch; it cannot be combined with --resume")
    if state.foreign and not overwrite:
        shown = ", ".join(state.foreign[:5]) + (" ..." if len(state.foreign) > 5 else "")
        raise OutputExistsError(
            f"{out} is not empty and holds no training run ({shown}); the trainer would replace files "
            "there: choose an empty or new --output, or pass --overwrite to write into it anyway"
        )
    if resume == "auto":
        if state.latest is not None:
            return state.latest
        if state.weights:
            raise OutputExistsError(
                f"{out} holds a finished run with no checkpoint-* to resume from; "
                "pass --overwrite to train again or choose another --output"
            )
        return None
    if resume != "none":
        ckpt = Path(resume).expanduser().resolve()
        if not (ckpt / "trainer_state.json").is_file():
            raise InputError(f"--resume {ckpt}: not a checkpoint directory (no trainer_state.json)")
        return ckpt
    if overwrite:
        if state.weights and not state.is_run_dir:
            raise OutputExistsError(
                f"{out} holds model weights ({', '.join(state.weights)}) that no training run wrote; "
                "refusing to delete them: choose another --output"
            )
        return None
    if state.finished:
        raise OutputExistsError(
            f"{out} already holds a finished run ({'/'.join(f for f in RESULT_FILES if (out / f).is_file())}); "
            "pass --resume auto to continue it (e.g. with more epochs) or --overwrite to start again"
        )
    if state.checkpoints:
        raise OutputExistsError(
            f"{out} holds checkpoints of an interrupted run (newest {state.checkpoints[-1].name}); "
            "pass --resume auto to continue it or --overwrite to start again"
        )
    if state.weights:
        raise OutputExistsError(
            f"{out} already holds model weights ({', '.join(state.weights)}); choose another --output"
        )
    return None


def clear_previous_run(state: OutputState) -> None:
    """``--overwrite``: delete the previous run in ``state.path`` (only a recognised run dir).

    The directory itself and its lock file stay: the lock is held by this run.
    """
    if state.exists and state.is_run_dir:
        for entry in state.path.iterdir():
            if is_lock_file(entry.name):
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
