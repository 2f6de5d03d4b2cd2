"""``anestools train``: plan (render + validate) a LLaMA-Factory run, then launch it.

``plan_training`` does every check and has no side effects, so ``--dry-run`` shows exactly
what ``run_training`` would do; ``run_training`` is the only function that writes to the
output directory or starts processes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anestools.common.atomic import atomic_path, remove_stale_temps
from anestools.common.lock import output_lock
from anestools.common.paths import Output, check_io
from anestools.errors import ConfigError, MissingDependencyError
from anestools.train import launch, outputs, pretokenize, summary, validate
from anestools.train.nodes import resolve_nodes
from anestools.train.recipes import METHODS, STAGES, Recipe, check_deepspeed, find_recipe
from anestools.train.render import TrainOptions, render_config, render_yaml

GPU_KEYS = ("bf16", "fp16", "pure_bf16")


@dataclass
class TrainPlan:
    """Everything needed to launch, as shown by ``--dry-run``."""

    recipe: Recipe
    config: dict[str, Any]
    yaml_text: str
    output_dir: Path
    config_path: Path
    log_path: Path
    launcher: Path
    env: dict[str, str]
    command: list[str]
    nproc: int
    resume_from: Path | None
    overwrite: bool
    output_state: outputs.OutputState
    resume: str = "none"
    checks: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    lf_env: dict[str, Any] = field(default_factory=dict)
    peak_tflops: float | None = None
    warnings: list[str] = field(default_factory=list)  # one line each, printed before the plan
    # --resume auto found a checkpoint already at the run's last step: nothing to train
    finished: outputs.FinishedRun | None = None
    # the end-of-run summary (output dir, plan) -> dict; None: LLaMA-Factory's (anestools.train.summary)
    summarize: Callable[[Path, TrainPlan], dict[str, Any]] | None = None

    @property
    def nnodes(self) -> int:
        return int(self.env.get("NNODES", "1"))

    @property
    def node_rank(self) -> int:
        return int(self.env.get("NODE_RANK", "0"))


@dataclass
class TrainResult:
    returncode: int
    output_dir: Path
    log_path: Path
    final_model: Path | None
    loss_plot: Path | None
    adapter: bool
    summary: dict[str, Any] | None = None  # anestools.train.summary (node rank 0, success only)
    finished: outputs.FinishedRun | None = None  # nothing was trained: the run was already complete


def _check_options(opts: TrainOptions) -> None:
    if opts.stage not in STAGES:
        raise ConfigError(f"unknown stage {opts.stage!r}: expected cpt or sft")
    if opts.method is not None and opts.method not in METHODS:
        raise ConfigError(f"--method {opts.method!r}: expected one of {', '.join(METHODS)}")
    if opts.nnodes < 1:
        raise ConfigError(f"--nnodes {opts.nnodes}: must be at least 1")
    if not 0 <= opts.node_rank < opts.nnodes:
        raise ConfigError(f"--node-rank {opts.node_rank}: must be in 0..{opts.nnodes - 1} for --nnodes {opts.nnodes}")
    if opts.nnodes > 1 and not opts.master_addr:
        raise ConfigError("--nnodes > 1 needs --master-addr (the host name of node rank 0)")
    if opts.gpus != "auto" and not (opts.gpus.isdigit() and int(opts.gpus) >= 1):
        raise ConfigError(f"--gpus {opts.gpus!r}: expected a positive number or auto")
    if opts.master_port is not None and not 1 <= opts.master_port <= 65535:
        raise ConfigError(f"--master-port {opts.master_port}: expected a TCP port in 1..65535")


def visible_gpus() -> int:
    """NVIDIA GPUs this process could use, told without importing torch: device nodes, narrowed by
    ``CUDA_VISIBLE_DEVICES`` (what the launcher's environment would see)."""
    devices = sum(1 for d in Path("/dev").glob("nvidia[0-9]*"))
    mask = os.environ.get("CUDA_VISIBLE_DEVICES")
    if mask is None:
        return devices
    wanted = [d for d in mask.split(",") if d.strip() and d.strip() != "-1"]
    return min(devices, len(wanted))


def _gpu_warning(opts: TrainOptions, cuda: int | None) -> str | None:
    """A dry run skips the availability checks (a login node has no GPU); it still says so, in one line."""
    if not opts.dry_run or opts.gpus == "auto":
        return None
    have = cuda if cuda is not None else visible_gpus()
    if have >= int(opts.gpus):
        return None
    return (f"--gpus {opts.gpus}: {have or 'no'} GPU(s) visible on this machine; the dry run shows the launch "
            f"for {opts.gpus}, a real run here would be refused (run it on the GPU node)")


def _nproc(opts: TrainOptions, cfg: dict[str, Any], cuda: int | None, recipe: Recipe) -> int:
    """Processes per node: GPUs, or CPU processes (gloo) on a machine without GPUs."""
    n = (cuda if cuda else 1) if opts.gpus == "auto" else int(opts.gpus)
    if opts.dry_run or cuda is None:
        return n  # a login node may have no GPU: inspect without the availability checks
    if cuda > 0:
        if n > cuda:
            raise ConfigError(f"--gpus {n}: only {cuda} GPU(s) visible on this node (CUDA_VISIBLE_DEVICES)")
        return n
    needs = [k for k in GPU_KEYS if cfg.get(k)]
    if needs:
        raise ConfigError(
            f"recipe {recipe.name} needs a GPU ({', '.join(f'{k}: true' for k in needs)}) but none is visible; "
            "use --recipe tiny-cpu, or --set bf16=false --set use_cpu=true to train on CPU"
        )
    cpus = os.cpu_count() or 1
    if n > cpus:
        raise ConfigError(f"--gpus {n}: no GPU visible and only {cpus} CPU cores for CPU processes")
    return n


def _inputs(cfg: dict[str, Any], opts: TrainOptions) -> list[str]:
    """The local paths a run reads: data folder, model directory, tokenized data, DeepSpeed config."""
    paths = [cfg.get("dataset_dir"), cfg.get("model_name_or_path"), cfg.get("deepspeed"),
             str(opts.tokenized_path) if opts.tokenized_path is not None else None]
    return [str(p) for p in paths if p and Path(str(p)).expanduser().exists()]


def resolve_output(cfg: dict[str, Any], inputs: list[str], command: str, opts: TrainOptions,
                   checks: list[str]) -> tuple[Path, Any, Path | None, Any]:
    """The run directory, its state, the checkpoint to resume from and a finished run, for every train stage.

    Checked before ``--overwrite`` can clear it: the output directory holds none of the run's inputs.
    """
    out = Path(cfg["output_dir"])
    check_io(inputs, [Output.run_dir(out)], command)
    state = outputs.inspect_output(out)
    resume_from = outputs.resolve_resume(state, opts.resume, opts.overwrite)
    finished = outputs.finished_run(resume_from, cfg) if opts.resume == "auto" and resume_from else None
    if resume_from is not None:
        cfg["resume_from_checkpoint"] = str(resume_from)
    elif opts.resume == "auto":
        checks.append(f"--resume auto: no checkpoint in {out}, starting from scratch")
    return out, state, resume_from, finished


def plan_training(opts: TrainOptions) -> TrainPlan:
    """Render and validate; raise a one-line ``AnestoolsError`` on the first problem found."""
    opts, node_notes = resolve_nodes(opts, os.environ)
    _check_options(opts)
    recipe_name = opts.recipe or f"qwen2.5-7b-{opts.stage}"
    recipe = find_recipe(recipe_name, opts.stage, opts.method)
    cfg, origin = render_config(recipe, opts)
    validate.check_values(cfg, origin, STAGES[opts.stage])
    checks: list[str] = list(node_notes)
    skipped: list[str] = []

    if opts.tokenized_path is not None:
        checks.append(pretokenize.use_tokenized(cfg, origin, opts.tokenized_path))
    else:
        names = validate.check_datasets(cfg)
        checks.append(f"datasets {', '.join(names)} found in {Path(cfg['dataset_dir']) / 'dataset_info.json'}")
    kind = validate.check_model(cfg)
    if kind == "local":
        checks.append(f"model directory {cfg['model_name_or_path']}")
    else:
        skipped.append(f"model {cfg['model_name_or_path']}: a Hub id, fetched by the trainer (not checked here)")
    if cfg.get("deepspeed"):
        zero = check_deepspeed(Path(cfg["deepspeed"]))
        checks.append(f"DeepSpeed config {cfg['deepspeed']} (ZeRO-{zero})")
    if "output_dir" not in cfg:
        raise ConfigError("no output directory: pass --output DIR")
    out, state, resume_from, finished = resolve_output(cfg, _inputs(cfg, opts), f"train {opts.stage}", opts, checks)

    lf_env: dict[str, Any] = {}
    try:
        launcher = validate.find_launcher(opts.launcher)
        python = validate.launcher_python(launcher)
    except MissingDependencyError:
        if not opts.dry_run or opts.launcher is not None:  # a --launcher given by hand must exist
            raise
        launcher = opts.launcher or Path("llamafactory-cli")
        skipped.append("LLaMA-Factory parser: llamafactory-cli not found here (dry run)")
    else:
        lf_env, results = validate.run_parser([cfg], python)
        result = results[0]
        if not result["ok"]:
            raise validate.parser_error(result, origin, lf_env.get("llamafactory", "?"))
        checks.append(
            f"LLaMA-Factory {lf_env.get('llamafactory')} parser and template registry ({python})"
        )
        skipped.extend(result["skipped"])

    cuda = lf_env.get("cuda_devices") if lf_env else None
    nproc = _nproc(opts, cfg, cuda, recipe)
    warning = _gpu_warning(opts, cuda)
    port = opts.master_port or (29500 if opts.nnodes > 1 else launch.free_port())
    env = launch.launch_env(nproc, opts.nnodes, opts.node_rank, opts.master_addr or "127.0.0.1", port)
    config_path = out / outputs.CONFIG_NAME
    log_name = "train.log" if opts.node_rank == 0 else f"train.node{opts.node_rank}.log"
    return TrainPlan(
        recipe=recipe,
        config=cfg,
        yaml_text=render_yaml(cfg, recipe),
        output_dir=out,
        config_path=config_path,
        log_path=out / log_name,
        launcher=Path(launcher),
        env=env,
        command=[str(launcher), "train", str(config_path)],
        nproc=nproc,
        resume_from=resume_from,
        overwrite=opts.overwrite,
        output_state=state,
        resume=opts.resume,
        checks=checks,
        skipped=skipped,
        lf_env=lf_env,
        peak_tflops=opts.peak_tflops,
        warnings=[warning] if warning else [],
        finished=finished,
    )


def run_training(plan: TrainPlan, echo: Callable[[bytes], None] | None = None) -> TrainResult:
    """Write the config, launch, stream; return the child's exit code and the run's artefacts.

    Node rank 0 holds the output directory's lock until the trainer's whole process group is
    gone (even if we are killed), so a second run into it is refused meanwhile.
    """
    if plan.finished is not None:  # every node sees the same checkpoint: none of them trains
        return _finished_result(plan)
    if plan.node_rank != 0:  # other nodes share rank 0's directory and lock
        return _run_training(plan, echo)
    with output_lock(plan.output_dir, f"anestools train --output {plan.output_dir}"):
        remove_stale_temps(plan.output_dir)
        state = outputs.inspect_output(plan.output_dir)
        if outputs.resolve_resume(state, plan.resume, plan.overwrite) != plan.resume_from:
            raise ConfigError(f"{plan.output_dir} changed while the run was being planned; run the command again")
        return _run_training(plan, echo)


def _finished_result(plan: TrainPlan) -> TrainResult:
    out = plan.output_dir
    adapter = (out / "adapter_model.safetensors").is_file() or (out / "adapter_model.bin").is_file()
    weights = adapter or any((out / f).is_file() for f in outputs.WEIGHT_FILES)
    plot = out / "training_loss.png"
    return TrainResult(returncode=0, output_dir=out, log_path=plan.log_path, final_model=out if weights else None,
                       loss_plot=plot if plot.is_file() else None, adapter=adapter, finished=plan.finished)


def _run_training(plan: TrainPlan, echo: Callable[[bytes], None] | None = None) -> TrainResult:
    if plan.overwrite and plan.node_rank == 0:
        outputs.clear_previous_run(plan.output_state)
    plan.output_dir.mkdir(parents=True, exist_ok=True)
    with atomic_path(plan.config_path, overwrite=True) as tmp:
        tmp.write_text(plan.yaml_text, encoding="utf-8")
    rc = launch.run_streaming(plan.command, launch.child_env(plan.env, plan.launcher), plan.log_path, echo)
    out = plan.output_dir
    adapter = (out / "adapter_model.safetensors").is_file() or (out / "adapter_model.bin").is_file()
    weights = adapter or any((out / f).is_file() for f in outputs.WEIGHT_FILES)
    plot = out / "training_loss.png"
    stats = None
    if rc == 0 and plan.node_rank == 0:
        if plan.summarize is not None:
            stats = plan.summarize(out, plan)
        else:
            world = plan.nproc * int(plan.env.get("NNODES", "1"))
            device = summary.gpu_name() if plan.lf_env.get("cuda_devices") else "cpu"
            stats = summary.summarize(out, plan.log_path, world, plan.config, plan.resume_from, device,
                                      plan.peak_tflops)
        summary.write_summary(out, stats)
    return TrainResult(
        returncode=rc,
        output_dir=out,
        log_path=plan.log_path,
        final_model=out if rc == 0 and weights else None,
        loss_plot=plot if plot.is_file() else None,
        adapter=adapter,
        summary=stats,
    )
