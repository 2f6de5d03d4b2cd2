"""``anestools train tokenize``: LLaMA-Factory's preprocessing once, into ``tokenized_path``.

Why: on a multi-node job every rank otherwise loads and tokenizes the whole corpus before the
first step; on a multi-GB corpus that takes long enough to hit NCCL timeouts and burns GPU
hours. LLaMA-Factory's ``tokenized_path`` saves the preprocessed data and, when the path
exists, loads it instead ("Loading dataset from disk will ignore other data arguments"). We run
its preprocessing in one CPU process (``_lf_tokenize.py``, in the launcher's Python) into a
hidden sibling folder, and ``train --tokenized-path`` checks the manifest of the data settings
so a run never trains on data tokenized for other settings.

One writer: the run holds the output folder's lock (``anestools.common.lock``, exit 7 for a
second one), so the folder itself stays in place and the tokenized files are moved into it,
``dataset_dict.json`` last (after the manifest): until then a reader sees "no tokenized data".
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anestools.common.atomic import atomic_path
from anestools.common.dataset_info import read_dataset_info
from anestools.common.lock import is_lock_file
from anestools.common.paths import Output, check_io
from anestools.errors import ConfigError, InputError, OutputExistsError
from anestools.runtime.rundir import RunDir
from anestools.train import launch, validate
from anestools.train.recipes import Recipe, find_recipe
from anestools.train.render import TrainOptions, render_config

MANIFEST = "anestools_tokenize.json"
LOG_NAME = "anestools_tokenize.log"
SCRIPT = Path(__file__).with_name("_lf_tokenize.py")
DATASET_DICT = "dataset_dict.json"  # what LLaMA-Factory's load_from_disk reads first
# Origins of values the user chose on this command line (anything else came from the recipe).
_FLAG_ORIGINS = ("--",)


@dataclass
class TokenizePlan:
    recipe: Recipe
    config: dict[str, Any]
    output: Path
    python: Path
    launcher: Path
    sources: dict[str, list[int]]
    up_to_date: bool = False
    overwrite: bool = False
    checks: list[str] = field(default_factory=list)


@dataclass
class TokenizeResult:
    returncode: int
    output: Path
    log_path: Path
    rows: dict[str, int] = field(default_factory=dict)


def _dataset_files(cfg: dict[str, Any]) -> dict[str, list[int]]:
    """``{file: [size, mtime_ns]}`` of every dataset file, so a regenerated dataset is noticed."""
    data_dir = Path(str(cfg["dataset_dir"]))
    info = read_dataset_info(data_dir)
    out: dict[str, list[int]] = {}
    for name in str(cfg.get("dataset") or "").split(","):
        entry = info.get(name.strip())
        file_name = entry.get("file_name") if isinstance(entry, dict) else None
        path = data_dir / file_name if file_name else None
        if path is not None and path.is_file():
            st = path.stat()
            out[file_name] = [st.st_size, st.st_mtime_ns]
    return out


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest of a folder made by ``tokenize`` (``None`` when there is none)."""
    manifest = path / MANIFEST
    if not manifest.is_file():
        return None
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{manifest}: unreadable ({exc}); re-run `anestools train tokenize ... --overwrite`") from exc
    if not isinstance(data, dict) or "data_args" not in data:
        raise InputError(f"{manifest}: not an anestools tokenize manifest")
    return data


def _differences(manifest: dict[str, Any], cfg: dict[str, Any]) -> list[str]:
    diffs = [f"stage {manifest.get('stage')} vs {cfg.get('stage')}"] if manifest.get("stage") != cfg.get("stage") else []
    for key, value in manifest["data_args"].items():
        if cfg.get(key) != value:
            diffs.append(f"{key}={value!r} vs {cfg.get(key)!r}")
    return diffs


def plan_tokenize(opts: TrainOptions) -> TokenizePlan:
    """Render and check like ``train`` does; no side effects."""
    if opts.tokenized_path is None:
        raise ConfigError("anestools train tokenize needs --tokenized-path DIR (where the tokenized data goes)")
    recipe = find_recipe(opts.recipe or f"qwen2.5-7b-{opts.stage}", opts.stage, opts.method)
    cfg, origin = render_config(recipe, opts)
    cfg.pop("output_dir", None)
    validate.check_datasets(cfg)
    kind = validate.check_model(cfg)
    out = Path(opts.tokenized_path).expanduser().resolve()
    # its publish step empties the folder: none of the inputs (data folder, model) may be in it
    inputs = [str(p) for p in (cfg.get("dataset_dir"), cfg.get("model_name_or_path"))
              if p and Path(str(p)).expanduser().exists()]
    check_io(inputs, [Output.run_dir(out)], "train tokenize")
    launcher = validate.find_launcher(opts.launcher)
    plan = TokenizePlan(recipe=recipe, config=cfg, output=out, python=validate.launcher_python(launcher),
                        launcher=launcher, sources=_dataset_files(cfg), overwrite=opts.overwrite)
    plan.checks.append(f"datasets {cfg['dataset']} in {cfg['dataset_dir']}")
    plan.checks.append(f"tokenizer of {cfg['model_name_or_path']}" + (" (Hub id, fetched by LLaMA-Factory)" if kind == "hub" else ""))
    lf_env, results = validate.run_parser([cfg], plan.python)
    if not results[0]["ok"]:
        raise validate.parser_error(results[0], origin, lf_env.get("llamafactory", "?"))
    plan.checks.append(f"LLaMA-Factory {lf_env.get('llamafactory')} parser ({plan.python})")
    plan.up_to_date = _check_output(out, cfg, plan.sources, opts.overwrite)
    return plan


def _check_output(out: Path, cfg: dict[str, Any], sources: dict[str, list[int]], overwrite: bool) -> bool:
    """Refuse a folder that is not ours or holds other settings; True when it is up to date."""
    if out.exists():
        if not out.is_dir():
            raise InputError(f"--tokenized-path {out} exists and is not a directory")
        manifest = read_manifest(out)
        if manifest is None:
            if any(not is_lock_file(p.name) for p in out.iterdir()):
                raise OutputExistsError(f"--tokenized-path {out} is not empty and was not made by `anestools train tokenize`; "
                                        "choose another path")
        elif not overwrite:
            diffs = _differences(manifest, cfg)
            if manifest.get("sources") != sources:
                diffs.append("dataset files changed since")
            if diffs:
                raise OutputExistsError(f"{out} holds data tokenized with other settings ({'; '.join(diffs)}); "
                                        "pass --overwrite to tokenize again or choose another --tokenized-path")
            return True
    return False


def _publish(partial: Path, out: Path) -> None:
    """Replace ``out``'s content (ours, checked under the lock) by ``partial``'s; the lock file stays."""
    (out / DATASET_DICT).unlink(missing_ok=True)  # first: from now on readers see "no tokenized data"
    for old in out.iterdir():
        if is_lock_file(old.name):
            continue
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old)
        else:
            old.unlink()
    last = (MANIFEST, DATASET_DICT)
    for name in sorted(os.listdir(partial), key=lambda n: last.index(n) if n in last else -1):
        os.replace(partial / name, out / name)
    partial.rmdir()


def run_tokenize(plan: TokenizePlan, echo: Callable[[bytes], None] | None = None) -> TokenizeResult:
    """Tokenize into a hidden sibling folder under ``plan.output``'s lock, then move it in (see module doc)."""
    out = plan.output
    if plan.up_to_date:
        manifest = read_manifest(out) or {}
        return TokenizeResult(0, out, out / LOG_NAME, dict(manifest.get("rows", {})))
    with RunDir(out, f"anestools train tokenize --tokenized-path {out}").locked():
        # checked again under the lock: another run may have published since plan_tokenize
        if _check_output(out, plan.config, plan.sources, plan.overwrite):
            manifest = read_manifest(out) or {}
            return TokenizeResult(0, out, out / LOG_NAME, dict(manifest.get("rows", {})))
        return _tokenize_locked(plan, echo)


def _tokenize_locked(plan: TokenizePlan, echo: Callable[[bytes], None] | None) -> TokenizeResult:
    out = plan.output
    partial = out.parent / f".{out.name}.partial"
    log_path = out.parent / f".{out.name}.partial.log"
    shutil.rmtree(partial, ignore_errors=True)  # a previous interrupted run of ours
    log_path.unlink(missing_ok=True)
    cfg = dict(plan.config, tokenized_path=str(partial))
    with tempfile.TemporaryDirectory(prefix="anestools-tokenize-") as tmp:
        request, answer = Path(tmp) / "request.json", Path(tmp) / "answer.json"
        request.write_text(json.dumps({"config": cfg, "answer": str(answer)}), encoding="utf-8")
        env = launch.child_env({"CUDA_VISIBLE_DEVICES": ""}, plan.launcher)  # one CPU process
        rc = launch.run_streaming([str(plan.python), str(SCRIPT), str(request)], env, log_path, echo)
        if rc != 0 or not answer.is_file() or not partial.is_dir():
            shutil.rmtree(partial, ignore_errors=True)
            return TokenizeResult(rc or 1, out, log_path)
        result = json.loads(answer.read_text(encoding="utf-8"))
    manifest = {"stage": plan.config["stage"], "model_name_or_path": plan.config.get("model_name_or_path"),
                "recipe": plan.recipe.name, "data_args": result["data_args"], "sources": plan.sources,
                "rows": result["rows"]}
    with atomic_path(partial / MANIFEST, overwrite=True) as tmp_manifest:
        tmp_manifest.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    _publish(partial, out)  # an existing folder is ours: checked by plan_tokenize and under the lock
    final_log = out / LOG_NAME
    os.replace(log_path, final_log)
    return TokenizeResult(0, out, final_log, result["rows"])


def use_tokenized(cfg: dict[str, Any], origin: dict[str, str], path: Path) -> str:
    """Point ``cfg`` at pre-tokenized data; adopt its data settings, refuse contradicting flags.

    LLaMA-Factory ignores every data argument when it loads ``tokenized_path``, so the data
    keys of the manifest replace the recipe's (the YAML then says what the data really is); a
    value the user set on this command line that contradicts them is an error.
    """
    path = Path(path).expanduser().resolve()
    if not (path / "dataset_dict.json").is_file():
        raise InputError(f"--tokenized-path {path}: no tokenized data there (make it with `anestools train tokenize`)")
    manifest = read_manifest(path)
    if manifest is None:
        cfg["tokenized_path"] = str(path)
        return f"tokenized data {path} (not made by anestools: its settings are not checked)"
    if manifest.get("stage") != cfg.get("stage"):
        raise ConfigError(f"--tokenized-path {path} was tokenized for stage {manifest.get('stage')}, "
                          f"this run is stage {cfg.get('stage')}")
    for key, value in manifest["data_args"].items():
        if cfg.get(key) == value:
            continue
        if origin.get(key, "").startswith(_FLAG_ORIGINS):
            raise ConfigError(f"{key}={cfg.get(key)!r} (from {origin[key]}) contradicts --tokenized-path {path}, "
                              f"tokenized with {key}={value!r}; tokenize again or drop the flag")
        if value is None:
            cfg.pop(key, None)
        else:
            cfg[key] = value
    cfg["tokenized_path"] = str(path)
    rows = ", ".join(f"{k} {v:,}" for k, v in manifest.get("rows", {}).items())
    return f"tokenized data {path} ({manifest['data_args'].get('dataset')}, {rows} rows; no tokenization in this run)"
