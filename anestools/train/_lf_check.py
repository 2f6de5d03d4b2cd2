"""Validate rendered LLaMA-Factory configs with LLaMA-Factory's own parser, loading no model.

Why a standalone script: the training environment may be another virtualenv (``--launcher``)
with its own LLaMA-Factory/transformers versions, where ``anestools`` is not installed. The
parent runs ``<launcher's python> _lf_check.py`` with a JSON request on stdin and reads one
JSON answer from stdout, so the check uses exactly the code that will train. It also keeps
LLaMA-Factory's global side effects (logging set-up, accelerate state) out of our process.

This file must import nothing from ``anestools``.

Request: ``{"configs": [ {...}, ... ]}``. Answer: ``{"env": {...}, "results": [ {"ok", "error",
"keys", "skipped"}, ... ]}``.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import re
import sys
import tempfile
import typing

GPU_PRECISION_KEYS = ("bf16", "fp16", "pure_bf16")


def _env() -> dict:
    import llamafactory
    import torch

    return {
        "llamafactory": getattr(llamafactory, "__version__", "?"),
        "torch": torch.__version__,
        "cuda_devices": torch.cuda.device_count() if torch.cuda.is_available() else 0,
        "deepspeed": importlib.util.find_spec("deepspeed") is not None,
        "liger_kernel": importlib.util.find_spec("liger_kernel") is not None,
        "flash_attn": importlib.util.find_spec("flash_attn") is not None,
        "bitsandbytes": importlib.util.find_spec("bitsandbytes") is not None,
        "python": sys.executable,
    }


def _field_types() -> dict[str, tuple[type, ...]]:
    """Scalar Python types accepted by each field of LLaMA-Factory's training dataclasses.

    ``HfArgumentParser.parse_dict`` (what ``llamafactory-cli train cfg.yaml`` uses) does not
    convert or check types, so ``learning_rate: abc`` would only fail hours later inside the
    optimizer; checking scalar types here names the key before anything starts.
    """
    from llamafactory.hparams.parser import _TRAIN_ARGS

    types: dict[str, tuple[type, ...]] = {}
    for cls in _TRAIN_ARGS:
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            hint = hints.get(f.name, f.type)
            args = typing.get_args(hint) or (hint,)
            scalars = tuple(a for a in args if a in (bool, int, float, str))
            if scalars and all(a in (bool, int, float, str, type(None)) for a in args):
                types[f.name] = scalars
    return types


def _type_error(cfg: dict, types: dict[str, tuple[type, ...]]) -> tuple[str, str] | None:
    for key, value in cfg.items():
        allowed = types.get(key)
        if allowed is None or value is None:
            continue
        ok = (
            (bool in allowed and isinstance(value, bool))
            or (int in allowed and isinstance(value, int) and not isinstance(value, bool))
            or (float in allowed and isinstance(value, (int, float)) and not isinstance(value, bool))
            or (str in allowed and isinstance(value, str))
        )
        if not ok:
            names = "/".join(t.__name__ for t in allowed)
            return key, f"key {key!r}: expected {names}, got {value!r}"
    return None


def _keys_in(message: str, cfg: dict) -> list[str]:
    unused = re.search(r"not used by the HfArgumentParser: \[(.*?)\]", message)
    if unused:
        return re.findall(r"'([^']+)'", unused.group(1))
    return [k for k in cfg if re.search(rf"(?<![\w]){re.escape(k)}(?![\w])", message)]


def _keys_in_source(exc: BaseException, cfg: dict) -> list[str]:
    """Keys named as ``self.<key>`` on the source line that raised (bare ``assert`` checks)."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    line = frames[-1].line if frames else ""
    return [k for k in re.findall(r"self\.(\w+)", line or "") if k in cfg]


def check_one(config: dict, env: dict, types: dict, templates: dict) -> dict:
    cfg = dict(config)
    skipped: list[str] = []
    if cfg.pop("deepspeed", None) is not None:
        skipped.append(
            "deepspeed: the parser only accepts it inside a torchrun launch (and needs the deepspeed "
            "package); the JSON file was checked by anestools instead"
        )
    if not env["cuda_devices"]:
        swapped = [k for k in GPU_PRECISION_KEYS if cfg.get(k)]
        for k in swapped:
            cfg.pop(k)
        if swapped:
            skipped.append(f"{'/'.join(swapped)}: no GPU here, parsed with use_cpu instead")
            cfg["use_cpu"] = True
        if cfg.get("enable_liger_kernel") and not env["liger_kernel"]:
            cfg.pop("enable_liger_kernel")
            skipped.append("enable_liger_kernel: liger-kernel is not installed here (GPU-only)")
        if str(cfg.get("flash_attn", "auto")) in ("fa2", "fa3"):
            skipped.append(f"flash_attn={cfg['flash_attn']}: the kernel is only checked at model load on a GPU")
        if cfg.get("quantization_bit") is not None:
            skipped.append("quantization_bit: bitsandbytes/CUDA are only checked at model load on a GPU")
    # The real output_dir is checked by anestools (resume/overwrite); the parser's own
    # "output directory not empty" logic must not run against it here.
    with tempfile.TemporaryDirectory(prefix="anestools-check-") as scratch:
        cfg["output_dir"] = scratch
        return _parse(cfg, config, skipped, types, templates)


def _parse(cfg: dict, config: dict, skipped: list[str], types: dict, templates: dict) -> dict:
    from llamafactory.hparams import get_train_args

    bad = _type_error(cfg, types)
    if bad:
        return {"ok": False, "error": bad[1], "keys": [bad[0]], "skipped": skipped}
    template = cfg.get("template")
    if template is not None and template not in templates:
        sample = ", ".join(t for t in ("qwen", "qwen3", "llama3", "llama2", "mistral", "gemma", "default", "empty")
                           if t in templates)
        return {"ok": False, "keys": ["template"], "skipped": skipped,
                "error": f"template {template!r} is not one of LLaMA-Factory's {len(templates)} templates (e.g. {sample})"}
    try:
        get_train_args(cfg)
    except Exception as exc:  # any parser failure is a config error to report, never a crash
        message = " ".join(str(exc).split()) or type(exc).__name__
        keys = _keys_in(message, config) or _keys_in_source(exc, config)
        return {"ok": False, "error": message, "keys": keys, "skipped": skipped}
    return {"ok": True, "error": None, "keys": [], "skipped": skipped}


def main() -> int:
    request = json.loads(sys.stdin.read())
    # Everything LLaMA-Factory prints goes to stderr; stdout carries only our JSON answer.
    answer_fd = os.dup(1)
    os.dup2(2, 1)
    env = _env()
    from llamafactory.data.template import TEMPLATES

    types = _field_types()
    results = [check_one(c, env, types, TEMPLATES) for c in request["configs"]]
    with os.fdopen(answer_fd, "w") as out:
        out.write(json.dumps({"env": env, "results": results}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
