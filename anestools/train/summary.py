"""End-of-run throughput summary: tokens seen, tokens/s per GPU, MFU -> ``OUTPUT/anestools_summary.json``.

Why from files and not from a callback: everything needed is already in LLaMA-Factory's and
the Trainer's outputs, so nothing is hooked into the training process (which may run in
another virtualenv). Tokens come from ``trainer_state.json`` (``num_input_tokens_seen``, which
we switch on as ``non_padding``; summed over all ranks), the time from ``train_results.json``
(``train_runtime``, this session only), the parameter counts from LLaMA-Factory's own log line
``trainable params: T || all params: N``. A resumed run counts only the tokens since the
checkpoint it resumed from.

MFU (model FLOPs utilisation) = tokens/s per GPU x FLOPs per token / peak FLOP/s per GPU, with
FLOPs per token = 4 N + 2 T + 12 L d S: forward 2N, backward activation gradients 2N, weight
gradients 2T (T = trainable parameters: 6N for full training, ~4N for LoRA), plus attention
scores (Chinchilla/PaLM's 12 L d S, S = ``cutoff_len``). Recomputation by gradient
checkpointing is not counted (that would be hardware FLOPs). Peak FLOP/s: ``PEAK_TFLOPS`` by
GPU name (dense bf16 data-sheet values) or ``--peak-tflops``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from anestools.common import jsonio
from anestools.common.atomic import atomic_path
from anestools.errors import InputError

SUMMARY_NAME = "anestools_summary.json"
# Dense (no sparsity) bf16 tensor-core peak per GPU in TFLOP/s, from the vendors' data sheets.
# Matched against the GPU name as a substring, first match wins (so specific names come first).
PEAK_TFLOPS: tuple[tuple[str, float], ...] = (
    ("GH200", 989.0),
    ("H200", 989.0),
    ("H100 PCIe", 756.0),
    ("H100 NVL", 835.0),
    ("H100", 989.0),
    ("H800", 989.0),
    ("H20", 148.0),
    ("B200", 2250.0),
    ("A100", 312.0),
    ("A800", 312.0),
    ("L40S", 362.0),
    ("L40", 181.0),
    ("L4", 121.0),
    ("A10", 125.0),
    ("RTX 4090", 165.0),
    ("MI300X", 1307.0),
)
_PARAMS = re.compile(r"trainable params: ([\d,]+) \|\| all params: ([\d,]+)")


def peak_tflops_for(gpu_name: str | None) -> float | None:
    if not gpu_name:
        return None
    low = gpu_name.lower()
    return next((tf for key, tf in PEAK_TFLOPS if key.lower() in low), None)


def gpu_name() -> str | None:
    """Name of GPU 0 from ``nvidia-smi`` (``None`` without one)."""
    smi = shutil.which("nvidia-smi")
    if not smi:
        return None
    try:
        out = subprocess.run([smi, "--query-gpu=name", "--format=csv,noheader"], capture_output=True, text=True,
                             timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    names = [ln.strip() for ln in out.stdout.splitlines() if ln.strip()]
    return names[0] if out.returncode == 0 and names else None


def _json(path: Path) -> dict[str, Any]:
    try:
        data = jsonio.read_json(path)
    except InputError:
        return {}
    return data if isinstance(data, dict) else {}


def param_counts(log_path: Path) -> tuple[int, int] | None:
    """(trainable, all) from LLaMA-Factory's last ``trainable params: ... || all params: ...`` line."""
    try:
        text = log_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    found = _PARAMS.findall(text)
    if not found:
        return None
    trainable, total = found[-1]
    return int(trainable.replace(",", "")), int(total.replace(",", ""))


def _shape(output_dir: Path, model: str | None) -> tuple[int, int] | None:
    """(layers, hidden size) from the saved or base model's ``config.json``."""
    for d in (output_dir, Path(model) if model else None):
        if d is None:
            continue
        cfg = _json(d / "config.json")
        cfg = cfg.get("text_config", cfg)
        if "num_hidden_layers" in cfg and "hidden_size" in cfg:
            return int(cfg["num_hidden_layers"]), int(cfg["hidden_size"])
    return None


def flops_per_token(params: int, trainable: int, shape: tuple[int, int] | None, seq_len: int | None) -> float:
    """Model FLOPs per trained token (see the module docstring)."""
    attention = 12 * shape[0] * shape[1] * seq_len if shape and seq_len else 0
    return 4.0 * params + 2.0 * trainable + attention


def summarize(
    output_dir: Path,
    log_path: Path,
    world_size: int,
    config: dict[str, Any],
    resume_from: Path | None = None,
    device: str | None = None,
    peak_tflops: float | None = None,
) -> dict[str, Any]:
    """The summary dict; fields that cannot be derived are ``None`` with a reason in ``notes``."""
    notes: list[str] = []
    state = _json(output_dir / "trainer_state.json")
    results = _json(output_dir / "train_results.json") or _json(output_dir / "all_results.json")
    total = state.get("num_input_tokens_seen")
    start = _json(resume_from / "trainer_state.json").get("num_input_tokens_seen", 0) if resume_from else 0
    tokens = total - start if isinstance(total, int) and total > 0 else None
    if tokens is None:
        notes.append("no num_input_tokens_seen in trainer_state.json (include_num_input_tokens_seen was off)")
    runtime = results.get("train_runtime")
    tps = tokens / runtime if tokens and runtime else None
    per_gpu = tps / world_size if tps else None
    counts = param_counts(log_path)
    if counts is None:
        notes.append(f"no 'trainable params: ... || all params: ...' line in {log_path.name}")
    shape = _shape(output_dir, config.get("model_name_or_path"))
    seq_len = config.get("cutoff_len")
    fpt = flops_per_token(counts[1], counts[0], shape, seq_len) if counts else None
    on_gpu = bool(device) and device != "cpu"
    peak = peak_tflops or (peak_tflops_for(device) if on_gpu else None)
    if peak is None:
        notes.append("MFU not computed: " + (f"no peak FLOP/s known for {device}; pass --peak-tflops" if on_gpu
                                             else "trained on CPU"))
    mfu = per_gpu * fpt / (peak * 1e12) if per_gpu and fpt and peak else None
    return {
        "tokens_seen": tokens,
        "tokens_seen_total": total,
        "token_count": config.get("include_num_input_tokens_seen"),
        "train_runtime_s": runtime,
        "world_size": world_size,
        "tokens_per_s": tps,
        "tokens_per_s_per_gpu": per_gpu,
        "params": counts[1] if counts else None,
        "trainable_params": counts[0] if counts else None,
        "flops_per_token": fpt,
        "device": device or "cpu",
        "peak_tflops_per_gpu": peak,
        "mfu": mfu,
        "global_step": state.get("global_step"),
        "resumed_from": str(resume_from) if resume_from else None,
        "notes": notes,
    }


def write_summary(output_dir: Path, summary: dict[str, Any]) -> Path:
    path = output_dir / SUMMARY_NAME
    with atomic_path(path, overwrite=True) as tmp:
        tmp.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return path


def describe(summary: dict[str, Any]) -> str:
    """One line for the terminal / Slurm log."""
    if not summary.get("tokens_seen"):
        return "throughput: unknown (" + "; ".join(summary.get("notes") or ["no data"]) + ")"
    parts = [f"tokens seen: {summary['tokens_seen']:,} ({summary.get('token_count')})"]
    if summary.get("tokens_per_s_per_gpu"):
        parts.append(f"{summary['tokens_per_s_per_gpu']:,.0f} tokens/s per {'GPU' if summary['device'] != 'cpu' else 'process'}"
                     f" x {summary['world_size']}")
    if summary.get("mfu") is not None:
        parts.append(f"MFU {100 * summary['mfu']:.1f}% of {summary['peak_tflops_per_gpu']:g} TFLOPS ({summary['device']})")
    return ", ".join(parts)
