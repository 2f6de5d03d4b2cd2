"""``anestools train grpo``: plan (render + validate) a TRL GRPO run; it launches through ``core``.

Why the same plan as ``train cpt|sft``: the guarantees (config checked before launch, ``--dry-run``,
the output lock, ``--resume auto``, torchrun for multi-GPU/multi-node, the summary) live in
:mod:`anestools.train.core`, :mod:`~anestools.train.outputs` and :mod:`~anestools.train.launch`;
GRPO only differs in what is rendered (GRPOConfig keys instead of LLaMA-Factory's), which parser
checks it (TRL's, run by :mod:`anestools.train.grpo_run` in the RL environment) and what runs
(``torchrun -m anestools.train.grpo_run`` with the RL environment's Python).
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import yaml

import anestools
from anestools.common import jsonio
from anestools.common.dataset_info import read_dataset_info
from anestools.errors import ConfigError, EngineError, InputError, MissingDependencyError
from anestools.train import core, launch, outputs, summary, validate
from anestools.train.nodes import resolve_nodes
from anestools.train.recipes import Recipe, check_deepspeed, find_recipe, resolve_deepspeed
from anestools.train.render import TrainOptions, apply_deepspeed, parse_overrides

STAGE = "grpo"
METHODS = ("full", "lora")
LORA_DEFAULTS = {"lora_rank": 64, "lora_alpha": 128, "lora_dropout": 0.05, "lora_target": "all"}
RL_KIND = "rl"
ROW_FIELDS = {"prompt": list, "answer": str, "options": list}
RL_ENV_DIR = ".rl-env"
ENGINE_ENV = "ANESTOOLS_RL_PYTHON"


def default_engine_python() -> Path | None:
    """``$ANESTOOLS_RL_PYTHON``, else ``.rl-env/bin/python`` here or in the source checkout (``make rl-env``)."""
    if os.environ.get(ENGINE_ENV):
        return Path(os.environ[ENGINE_ENV])
    for root in (Path.cwd(), Path(anestools.__file__).resolve().parents[1]):
        candidate = root / RL_ENV_DIR / "bin" / "python"
        if candidate.is_file():
            return candidate
    return None


def engine_env(python: Path) -> dict[str, str]:
    """``PYTHONPATH`` so the engine's Python imports this very anestools (the reward code)."""
    root = str(Path(anestools.__file__).resolve().parents[1])
    rest = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != root]
    return {"PYTHONPATH": os.pathsep.join([root, *rest])}


def render_grpo(recipe: Recipe, opts: TrainOptions, format_reward: float | None) -> tuple[dict[str, Any], dict[str, str]]:
    """Recipe < flags < ``--set``; paths made absolute (every node reads the same YAML)."""
    cfg = copy.deepcopy(recipe.config)
    origin = dict.fromkeys(cfg, f"recipe {recipe.name}")
    if cfg.get("stage", STAGE) != STAGE:
        raise ConfigError(f"recipe {recipe.name} is a {cfg['stage']} recipe (stage: {cfg['stage']}); "
                          "pick a grpo recipe (see `anestools train recipes`)")

    def put(key: str, value: Any, source: str) -> None:
        cfg[key] = value
        origin[key] = source

    put("stage", STAGE, origin.get("stage", "anestools train grpo"))
    if opts.model:
        put("model_name_or_path", opts.model, "--model")
    if opts.data_dir is not None:
        put("dataset_dir", str(opts.data_dir), "--data-dir")
    if opts.datasets:
        put("dataset", ",".join(opts.datasets), "--dataset")
    if opts.output is not None:
        put("output_dir", str(opts.output), "--output")
    if opts.method:
        if opts.method not in METHODS:
            raise ConfigError(f"--method {opts.method!r}: expected one of {', '.join(METHODS)} for grpo")
        put("finetuning_type", opts.method, "--method")
    if cfg.get("finetuning_type", "full") == "lora":
        for k, v in LORA_DEFAULTS.items():
            cfg.setdefault(k, v)
    else:
        for k in LORA_DEFAULTS:
            cfg.pop(k, None)
    if opts.deepspeed:
        apply_deepspeed(cfg, opts.deepspeed, put)
    if format_reward is not None:
        put("format_reward", format_reward, "--format-reward")
    cfg.setdefault("ddp_timeout", 10800)
    for key, value in parse_overrides(opts.overrides).items():
        put(key, value, "--set")
    for key in ("dataset_dir", "output_dir"):
        if key in cfg:
            cfg[key] = str(Path(str(cfg[key])).expanduser().resolve())
    model = cfg.get("model_name_or_path")
    if isinstance(model, str) and Path(model).expanduser().exists():
        cfg["model_name_or_path"] = str(Path(model).expanduser().resolve())
    if cfg.get("deepspeed"):
        cfg["deepspeed"] = str(resolve_deepspeed(str(cfg["deepspeed"])))
    fr = cfg.get("format_reward", 0.0)
    if isinstance(fr, bool) or not isinstance(fr, int | float) or not 0.0 <= float(fr) <= 0.5:
        raise ConfigError(f"format_reward = {fr!r} (from {origin.get('format_reward', 'the recipe')}): "
                          "expected a weight in [0, 0.5] (a small term; correctness weighs 1)")
    return cfg, origin


def check_rl_datasets(cfg: dict[str, Any]) -> list[str]:
    """Each dataset is registered as an RL dataset and its first row has the RL row's fields."""
    names = validate.check_datasets(cfg)
    data_dir = Path(str(cfg["dataset_dir"]))
    info = read_dataset_info(data_dir)
    for name in names:
        entry = info[name] if isinstance(info[name], dict) else {}
        if entry.get("anestools_kind") != RL_KIND:
            raise InputError(f"dataset {name!r} in {data_dir / 'dataset_info.json'} is not an RL dataset "
                             f"(anestools_kind {entry.get('anestools_kind')!r}); make one with `anestools convert --kind rl`")
        path = data_dir / str(entry.get("file_name"))
        line, first = next(jsonio.iter_jsonl(path), (0, None))
        if first is None:
            raise InputError(f"dataset {name!r}: {path} has no rows")
        for key, typ in ROW_FIELDS.items():
            if not isinstance(first, dict) or not isinstance(first.get(key), typ):
                raise InputError(f"{path}: line {line}: field {key!r} missing or not a {typ.__name__} (RL dataset row)")
    return names


def run_check(python: Path, cfg: dict[str, Any]) -> dict[str, Any]:
    """TRL's own parser on the config, in the engine's Python (no model is loaded)."""
    try:
        proc = subprocess.run([str(python), "-m", "anestools.train.grpo_run", "--check"], input=json.dumps(cfg),
                              capture_output=True, text=True, timeout=600, env={**os.environ, **engine_env(python)})
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EngineError(f"--engine-python {python}: the config check did not run ({exc})") from None
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = " ".join((proc.stderr or "").strip().splitlines()[-1:])
        if "No module named 'anestools" in tail or "No module named 'yaml'" in tail:
            raise MissingDependencyError(f"--engine-python {python} cannot run anestools ({tail}); run `make rl-env`")
        raise EngineError(f"--engine-python {python}: the config check failed (exit {proc.returncode}: {tail})")
    return json.loads(lines[-1])


def find_engine(given: Path | None) -> Path:
    python = given or default_engine_python()
    if python is None:
        raise MissingDependencyError(
            "no RL environment: run `make rl-env` (creates .rl-env with TRL), or install 'anestools[rl]' in a "
            "virtualenv and pass --engine-python /path/to/env/bin/python (or set ANESTOOLS_RL_PYTHON)")
    if not Path(python).is_file():
        raise MissingDependencyError(f"--engine-python {python}: no such interpreter (run `make rl-env`)")
    return Path(python)


def torchrun_command(python: Path, env: dict[str, str], config_path: Path) -> list[str]:
    """``torchrun`` (torch's own launcher, as LLaMA-Factory uses) starting one GRPO worker per GPU.

    One process on one node runs the module directly: under torchrun the Trainer would set up a
    one-rank process group and pay a collective for every gathered metric, for nothing.
    """
    if env["NPROC_PER_NODE"] == "1" and env["NNODES"] == "1":
        return [str(python), "-m", "anestools.train.grpo_run", str(config_path)]
    return [str(python), "-m", "torch.distributed.run", f"--nproc-per-node={env['NPROC_PER_NODE']}",
            f"--nnodes={env['NNODES']}", f"--node-rank={env['NODE_RANK']}", f"--master-addr={env['MASTER_ADDR']}",
            f"--master-port={env['MASTER_PORT']}", "-m", "anestools.train.grpo_run", str(config_path)]


def plan_grpo(opts: TrainOptions, format_reward: float | None = None) -> core.TrainPlan:
    """Render and validate; raise a one-line ``AnestoolsError`` on the first problem found."""
    opts, node_notes = resolve_nodes(opts, os.environ)
    core._check_options(TrainOptions(**{**opts.__dict__, "stage": "sft", "method": None}))
    if opts.tokenized_path is not None or opts.mix:
        raise ConfigError("--tokenized-path and --mix are LLaMA-Factory options; train grpo reads the RL dataset")
    recipe = find_recipe(opts.recipe or "qwen2.5-7b-grpo", STAGE, opts.method)
    cfg, origin = render_grpo(recipe, opts, format_reward)
    validate.check_values(cfg, origin, STAGE)
    checks: list[str] = list(node_notes)
    skipped: list[str] = []
    names = check_rl_datasets(cfg)
    checks.append(f"RL datasets {', '.join(names)} found in {Path(cfg['dataset_dir']) / 'dataset_info.json'}")
    if validate.check_model(cfg) == "local":
        checks.append(f"model directory {cfg['model_name_or_path']}")
    else:
        skipped.append(f"model {cfg['model_name_or_path']}: a Hub id, fetched by the trainer (not checked here)")
    if cfg.get("deepspeed"):
        checks.append(f"DeepSpeed config {cfg['deepspeed']} (ZeRO-{check_deepspeed(Path(cfg['deepspeed']))})")
    if "output_dir" not in cfg:
        raise ConfigError("no output directory: pass --output DIR")
    inputs = [str(p) for p in (cfg.get("dataset_dir"), cfg.get("model_name_or_path"), cfg.get("deepspeed"))
              if p and Path(str(p)).exists()]
    out, state, resume_from, finished = core.resolve_output(cfg, inputs, "train grpo", opts, checks)

    python = find_engine(opts.launcher)
    if finished is not None:  # nothing will run: no engine check, no launch
        return core.TrainPlan(
            recipe=recipe, config=cfg, yaml_text=render_yaml(cfg, recipe), output_dir=out,
            config_path=out / outputs.CONFIG_NAME, log_path=out / "train.log", launcher=python, env={}, command=[],
            nproc=0, resume_from=resume_from, overwrite=opts.overwrite, output_state=state, resume=opts.resume,
            checks=checks, skipped=skipped, finished=finished)
    result = run_check(python, cfg)
    if "import_error" in result:
        raise MissingDependencyError(f"--engine-python {python} cannot import TRL's GRPOTrainer "
                                     f"({result['import_error']}); run `make rl-env` or pass another --engine-python")
    if not result["ok"]:
        raise ConfigError(f"TRL {result.get('trl', '?')} GRPOConfig rejected the config: {result['error']}")
    checks.append(f"TRL {result['trl']} GRPOConfig parser ({python})")
    skipped.extend(result["skipped"])
    cuda = int(result.get("cuda_devices") or 0)
    nproc = core._nproc(opts, cfg, cuda, recipe)
    warning = core._gpu_warning(opts, cuda)
    port = opts.master_port or (29500 if opts.nnodes > 1 else launch.free_port())
    env = launch.launch_env(nproc, opts.nnodes, opts.node_rank, opts.master_addr or "127.0.0.1", port)
    env.pop("FORCE_TORCHRUN")  # LLaMA-Factory's variable; we call torchrun ourselves
    env.update(engine_env(python))
    config_path = out / outputs.CONFIG_NAME
    return core.TrainPlan(
        recipe=recipe, config=cfg, yaml_text=render_yaml(cfg, recipe), output_dir=out, config_path=config_path,
        log_path=out / ("train.log" if opts.node_rank == 0 else f"train.node{opts.node_rank}.log"),
        launcher=python, env=env, command=torchrun_command(python, env, config_path), nproc=nproc,
        resume_from=resume_from, overwrite=opts.overwrite, output_state=state, resume=opts.resume, checks=checks,
        skipped=skipped, lf_env={"cuda_devices": cuda, "trl": result["trl"]}, peak_tflops=opts.peak_tflops,
        warnings=[warning] if warning else [], finished=finished, summarize=summarize_grpo,
    )


def render_yaml(cfg: dict[str, Any], recipe: Recipe) -> str:
    head = (f"{outputs.RENDERED_HEADER} grpo from recipe {recipe.name} ({recipe.path}).\n"
            "# Our keys (model_name_or_path, dataset, dataset_dir, finetuning_type, lora_*, format_reward) + "
            "TRL GRPOConfig fields; rewritten on every launch.\n")
    return head + yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True, default_flow_style=False)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarize_grpo(out: Path, plan: core.TrainPlan) -> dict[str, Any]:
    """Reward, accuracy, KL, completion length, tokens/s per GPU and steps, from TRL's logged metrics
    (the Trainer's ``log_history`` in ``trainer_state.json``); a resumed run counts this session only."""
    state = jsonio.read_json(out / "trainer_state.json") if (out / "trainer_state.json").is_file() else {}
    results = jsonio.read_json(out / "train_results.json") if (out / "train_results.json").is_file() else {}
    start_step = 0
    start_tokens = 0.0
    if plan.resume_from is not None and (plan.resume_from / "trainer_state.json").is_file():
        start = jsonio.read_json(plan.resume_from / "trainer_state.json")
        start_step = int(start.get("global_step", 0))
        start_tokens = float(next((h["num_tokens"] for h in reversed(start.get("log_history", []))
                                   if "num_tokens" in h), 0.0))
    logs = [h for h in state.get("log_history", []) if "reward" in h and int(h.get("step", 0)) > start_step]

    def col(key: str) -> list[float]:
        return [float(h[key]) for h in logs if isinstance(h.get(key), int | float)]

    rewards = col("reward")
    k = max(1, len(rewards) // 10)
    tokens = (col("num_tokens")[-1] - start_tokens) if col("num_tokens") else None
    runtime = results.get("train_runtime")
    world = plan.nproc * plan.nnodes
    steps = int(state.get("global_step", 0)) - start_step
    cuda = plan.lf_env.get("cuda_devices")
    return {
        "engine": f"trl {plan.lf_env.get('trl')} GRPOTrainer",
        "global_step": state.get("global_step"),
        "steps": steps,
        "reward_mean": _mean(rewards),
        "reward_std": _mean(col("reward_std")),
        "reward_first": _mean(rewards[:k]),
        "reward_last": _mean(rewards[-k:]),
        "accuracy": _mean(col("rewards/accuracy/mean")),
        "format_reward": _mean(col("rewards/committed/mean")),
        "kl": _mean(col("kl")),
        "completion_length": _mean(col("completions/mean_length")),
        "tokens": tokens,
        "train_runtime_s": runtime,
        "steps_per_s": steps / runtime if runtime else None,
        "world_size": world,
        "tokens_per_s_per_gpu": tokens / runtime / world if tokens and runtime else None,
        "device": (summary.gpu_name() or "gpu") if cuda else "cpu",
        "resumed_from": str(plan.resume_from) if plan.resume_from else None,
        "notes": [] if col("kl") else ["no kl logged (beta = 0: no reference model)"],
    }


def describe(stats: dict[str, Any]) -> str:
    """One line for the terminal / Slurm log."""
    def f(key: str, fmt: str = ".3f") -> str:
        v = stats.get(key)
        return "n/a" if v is None else format(v, fmt)
    return (f"steps {stats.get('steps')} (global {stats.get('global_step')}), reward {f('reward_first')} -> "
            f"{f('reward_last')} (mean {f('reward_mean')}), accuracy {f('accuracy')}, kl {f('kl')}, "
            f"completion length {f('completion_length', '.1f')}, {f('tokens_per_s_per_gpu', ',.0f')} tokens/s per "
            f"{'GPU' if stats.get('device') != 'cpu' else 'process'}")

