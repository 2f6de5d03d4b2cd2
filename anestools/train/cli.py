"""``anestools train``: launch LLaMA-Factory CPT/SFT recipes. Thin layer over ``core``."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from anestools.common import console as con
from anestools.train import grpo, pretokenize, summary
from anestools.train.core import TrainPlan, TrainResult, plan_training, run_training
from anestools.train.recipes import list_recipes
from anestools.train.render import TrainOptions

app = typer.Typer(
    help=(
        "Train with LLaMA-Factory recipes (CPT and SFT) and TRL (GRPO).\n\n"
        "Examples:\n\n"
        "  anestools train recipes\n\n"
        "  anestools train cpt --recipe qwen2.5-7b --data-dir data --dataset anescorpus_en --gpus 8\n\n"
        "  anestools train sft --recipe qwen2.5-7b --model saves/qwen2.5-7b-cpt --dry-run"
    ),
    no_args_is_help=True,
)


def _echo(chunk: bytes) -> None:
    """Stream the trainer's output live to stderr (stdout is kept for the final summary)."""
    buf = getattr(sys.stderr, "buffer", None)
    if buf is not None:
        buf.write(chunk)
        buf.flush()
    else:
        sys.stderr.write(chunk.decode("utf-8", "replace"))
        sys.stderr.flush()


def _show_checks(plan: TrainPlan) -> None:
    for line in plan.warnings:
        con.console.print(f"[yellow]warning:[/] {line}", highlight=False, soft_wrap=True)
    con.console.print(f"recipe [bold]{plan.recipe.name}[/] ({plan.recipe.path})", highlight=False, soft_wrap=True)
    for line in plan.checks:
        con.console.print(f"  [green]checked[/] {line}", highlight=False, soft_wrap=True)
    for line in plan.skipped:
        con.console.print(f"  [yellow]skipped[/] {line}", highlight=False, soft_wrap=True)
    if plan.resume_from:
        con.console.print(f"  resuming from {plan.resume_from}", highlight=False, soft_wrap=True)


def _print_dry_run(plan: TrainPlan) -> None:
    env_lines = [f"{k}={shlex.quote(v)}" for k, v in plan.env.items()]
    env_lines.append(f"PATH={shlex.quote(str(plan.launcher.parent))}:$PATH")
    text = "\n".join(
        [
            "# environment (added to the current one)",
            *env_lines,
            "# command",
            " ".join(shlex.quote(c) for c in plan.command),
            f"# {plan.config_path}",
            plan.yaml_text.rstrip("\n"),
            *_node_lines(plan),
        ]
    )
    typer.echo(text)


NODE_FLAGS = ("--nnodes", "--node-rank", "--master-addr", "--master-port", "--dry-run")


def node_argv(argv: list[str], plan: TrainPlan, rank: int) -> list[str]:
    """``anestools train ...`` as typed, for node ``rank``: the node flags given explicitly."""
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        name = arg.split("=", 1)[0]
        if name in NODE_FLAGS:
            skip = "=" not in arg and name != "--dry-run"
            continue
        out.append(arg)
    return [*out, "--nnodes", str(plan.nnodes), "--node-rank", str(rank), "--master-addr", plan.env["MASTER_ADDR"],
            "--master-port", plan.env["MASTER_PORT"]]


def _node_lines(plan: TrainPlan) -> list[str]:
    """Multi-node: what runs on each node (ours, then the launcher's), the same but for the rank."""
    if plan.nnodes < 2:
        return []
    lines = [f"# on each of the {plan.nnodes} nodes (start them all; node 0 at MASTER_ADDR is the rendezvous)"]
    argv = sys.argv[1:]
    typed = argv[argv.index("train"):] if "train" in argv else None  # None: not called as a command
    for rank in range(plan.nnodes):
        env = dict(plan.env, NODE_RANK=str(rank))
        launcher = [*(f"{k}={v}" for k, v in env.items()), *plan.command]
        if typed is not None:
            lines.append(f"# node {rank}: {shlex.join(['anestools', *node_argv(typed, plan, rank)])}")
        lines.append(f"# node {rank} runs: {shlex.join(launcher)}")
    return lines


def eval_hint(model: str | Path, gpus: int | None) -> str:
    """The eval command to suggest: it must run on this machine (``--engine auto`` picks the engine;
    without a GPU, the ``cpu-smoke`` preset keeps it to a few short answers on the CPU)."""
    cmd = f"anestools eval --model {shlex.quote(str(model))}"
    return cmd if gpus else f"{cmd} -c cpu-smoke"


def _print_result(plan: TrainPlan, result: TrainResult) -> None:
    out = con.out
    if result.final_model is not None:
        what = "LoRA adapter" if result.adapter else "final model"
        out.print(f"{what}: {result.final_model}", highlight=False, soft_wrap=True)
    if result.loss_plot is not None:
        out.print(f"loss plot: {result.loss_plot}", highlight=False, soft_wrap=True)
    out.print(f"log: {result.log_path}", highlight=False, soft_wrap=True)
    if result.summary is not None:
        out.print(f"{summary.describe(result.summary)} ({result.output_dir / summary.SUMMARY_NAME})",
                  highlight=False, soft_wrap=True)
    if result.final_model is None:
        return
    if result.adapter:
        merged = f"{result.output_dir}-merged"
        base = plan.config.get("model_name_or_path")
        template = plan.config.get("template", "empty")
        out.print(
            f"next: llamafactory-cli export --model_name_or_path {base} --adapter_name_or_path {result.output_dir} "
            f"--template {template} --finetuning_type lora --export_dir {merged}\n"
            f"      {eval_hint(merged, plan.lf_env.get('cuda_devices'))}",
            highlight=False,
            soft_wrap=True,
        )
    else:
        out.print(f"next: {eval_hint(result.final_model, plan.lf_env.get('cuda_devices'))}", highlight=False,
                  soft_wrap=True)


def _train(stage: str, opts: TrainOptions) -> None:
    plan = plan_training(opts)
    _show_checks(plan)
    if plan.finished is not None:
        con.out.print(f"{plan.finished.describe()} (pass --overwrite to train again, or raise max_steps / "
                      "num_train_epochs with --set to continue)", highlight=False, soft_wrap=True)
        return
    if opts.dry_run:
        _print_dry_run(plan)
        return
    con.console.print(
        f"launching {plan.nproc} process(es) per node x {plan.nnodes} node(s), node rank {plan.node_rank}: "
        f"{' '.join(plan.command)} "
        f"(log: {plan.log_path})",
        highlight=False,
        soft_wrap=True,
    )
    result = run_training(plan, echo=None if con.quiet() else _echo)
    if result.returncode != 0:
        con.console.print(
            f"[bold red]error:[/] LLaMA-Factory exited with code {result.returncode}; see {result.log_path}",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(result.returncode)
    _print_result(plan, result)


def _tokenize(stage: str, opts: TrainOptions) -> None:
    """``anestools train tokenize``: the same options as training; run-only ones are ignored."""
    plan = pretokenize.plan_tokenize(opts)
    con.console.print(f"recipe [bold]{plan.recipe.name}[/] ({plan.recipe.path})", highlight=False, soft_wrap=True)
    for line in plan.checks:
        con.console.print(f"  [green]checked[/] {line}", highlight=False, soft_wrap=True)
    if plan.up_to_date:
        con.out.print(f"tokenized data up to date: {plan.output}", highlight=False, soft_wrap=True)
        return
    if opts.dry_run:
        con.out.print(f"would tokenize into {plan.output} with {plan.python}", highlight=False, soft_wrap=True)
        return
    result = pretokenize.run_tokenize(plan, echo=None if con.quiet() else _echo)
    if result.returncode != 0:
        con.console.print(f"[bold red]error:[/] LLaMA-Factory preprocessing exited with code {result.returncode}; "
                          f"see {result.log_path}", highlight=False, soft_wrap=True)
        raise typer.Exit(result.returncode)
    rows = ", ".join(f"{k} {v:,}" for k, v in result.rows.items())
    con.out.print(f"tokenized data: {result.output} ({rows} rows; log {result.log_path})", highlight=False, soft_wrap=True)
    con.out.print(f"next: anestools train {stage} ... --tokenized-path {result.output}", highlight=False, soft_wrap=True)


def _make_command(stage: str, doc: str, run=_train):
    def command(
        recipe: Annotated[str | None, typer.Option("--recipe", "-r", help="Shipped recipe name (see `anestools train recipes`; a prefix such as tiny-cpu or qwen2.5-7b is completed with the stage and method) or a YAML path. Default: qwen2.5-7b.")] = None,
        model: Annotated[str | None, typer.Option("--model", "-m", help="Model directory or Hub id; overrides the recipe (SFT also picks the chat template of a known family).")] = None,
        data_dir: Annotated[Path | None, typer.Option("--data-dir", "-d", help="LLaMA-Factory data directory made by `anestools convert` (has dataset_info.json). Default: the recipe's (data).")] = None,
        dataset: Annotated[str | None, typer.Option("--dataset", help="Dataset name(s) in DATA_DIR/dataset_info.json, comma-separated.")] = None,
        output: Annotated[Path | None, typer.Option("--output", "-o", help="Output directory (checkpoints, final model, train.log). Default: the recipe's saves/<recipe>.")] = None,
        method: Annotated[str | None, typer.Option("--method", help="full, lora or qlora (4-bit LoRA); default: the recipe's.")] = None,
        deepspeed: Annotated[str | None, typer.Option("--deepspeed", help="z0, z2, z3, z3-offload (configs/deepspeed/) or none; default: the recipe's.")] = None,
        overrides: Annotated[list[str] | None, typer.Option("--set", help="Override any LLaMA-Factory key: --set learning_rate=2e-5 (repeatable).")] = None,
        gpus: Annotated[str | None, typer.Option("--gpus", help="Processes per node: a number or auto (= visible GPUs; 1 on CPU). Without GPUs, N runs N CPU processes (gloo). Multi-node default: NPROC_PER_NODE, else auto.", show_default="auto")] = None,
        nnodes: Annotated[int | None, typer.Option("--nnodes", help="Number of nodes (multi-node: run the same command on every node). Default: NNODES from the environment, else 1.", show_default="1")] = None,
        node_rank: Annotated[int | None, typer.Option("--node-rank", help="Rank of this node, 0..nnodes-1. Multi-node default: NODE_RANK.", show_default="0")] = None,
        master_addr: Annotated[str | None, typer.Option("--master-addr", help="Host of node rank 0 (required when --nnodes > 1). Multi-node default: MASTER_ADDR.")] = None,
        master_port: Annotated[int | None, typer.Option("--master-port", help="Rendezvous port (default: a free port; multi-node: MASTER_PORT, else 29500).")] = None,
        resume: Annotated[str, typer.Option("--resume", help="auto (newest checkpoint-* in OUTPUT, or start fresh), a checkpoint PATH, or none.")] = "none",
        overwrite: Annotated[bool, typer.Option("--overwrite", help="Delete a previous run in OUTPUT and start again.")] = False,
        launcher: Annotated[Path | None, typer.Option("--launcher", help="llamafactory-cli of another virtualenv (the training environment).")] = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate, print environment, command and rendered YAML; start nothing.")] = False,
        mix: Annotated[str | None, typer.Option("--mix", help="Replay/mixing: NAME:WEIGHT,... (weights sum to 1), e.g. anescorpus_en:0.9,general_en:0.1; replaces --dataset.")] = None,
        mix_strategy: Annotated[str | None, typer.Option("--mix-strategy", help="interleave_under (default: stop when a dataset runs out), interleave_over (oversample until all are used) or interleave_once.")] = None,
        tokenized_path: Annotated[Path | None, typer.Option("--tokenized-path", help="Train on data pre-tokenized by `anestools train tokenize` (no tokenization in the job).")] = None,
        peak_tflops: Annotated[float | None, typer.Option("--peak-tflops", help="Peak dense bf16 TFLOP/s of one GPU, for the MFU in OUTPUT/anestools_summary.json (default: known GPUs by name).")] = None,
    ) -> None:
        datasets = [d.strip() for d in dataset.split(",") if d.strip()] if dataset else None
        run(
            stage,
            TrainOptions(
                stage=stage, recipe=recipe, model=model, data_dir=data_dir, datasets=datasets, output=output,
                method=method, deepspeed=deepspeed, overrides=list(overrides or []), gpus=gpus, nnodes=nnodes,
                node_rank=node_rank, master_addr=master_addr, master_port=master_port, resume=resume,
                overwrite=overwrite, launcher=launcher, dry_run=dry_run, mix=mix, mix_strategy=mix_strategy,
                tokenized_path=tokenized_path, peak_tflops=peak_tflops,
            ),
        )

    command.__doc__ = doc
    return command


CPT_DOC = """Continued pre-training (LLaMA-Factory stage pt) on AnesCorpus.

The recipe, flags and --set overrides are rendered to OUTPUT/anestools_train.yaml, checked with
LLaMA-Factory's own parser (no model is loaded), then `llamafactory-cli train` runs under torchrun.

Examples:

  anestools train cpt --recipe qwen2.5-7b-cpt-full --data-dir data --dataset anescorpus_en --output saves/qwen-cpt

  anestools train cpt --recipe llama3.1-8b --method lora --gpus 4 --deepspeed z2 --resume auto

  anestools train cpt --recipe tiny-cpu --model tiny-model --data-dir data --dataset anescorpus_all --dry-run
"""

SFT_DOC = """Supervised fine-tuning (LLaMA-Factory stage sft) on AnesQA.

Examples:

  anestools train sft --recipe qwen2.5-7b-sft-full --model saves/qwen-cpt --data-dir data --output saves/qwen-sft

  anestools train sft --recipe llama3.1-8b-sft-lora --set learning_rate=5e-5 --set num_train_epochs=3

  anestools train sft --recipe qwen2.5-7b --nnodes 2 --node-rank 0 --master-addr node01 --gpus 8 --resume auto

  NNODES=2 NODE_RANK=1 MASTER_ADDR=node01 MASTER_PORT=29500 anestools train sft --recipe qwen2.5-7b --resume auto

  anestools train sft --recipe tiny-cpu --model tiny-model --data-dir data --dataset anesqa_all --gpus 2
"""

app.command("cpt")(_make_command("cpt", CPT_DOC))
app.command("sft")(_make_command("sft", SFT_DOC))

TOKENIZE_DOC = """Tokenize the {stage} data once with LLaMA-Factory into --tokenized-path (one CPU process, no GPU).

Takes the same options as `anestools train {stage}` (run-only ones such as --gpus or --output are
ignored), so a job script can run it first with the training arguments. Re-running with the same
settings and unchanged datasets does nothing; other settings need --overwrite.

Examples:

  anestools train tokenize {stage} --recipe qwen2.5-7b --data-dir data --tokenized-path data/tok-{stage}

  anestools train {stage} --recipe qwen2.5-7b --tokenized-path data/tok-{stage} --gpus 8
"""
tokenize_app = typer.Typer(
    help=(
        "Pre-tokenize CPT/SFT data once (LLaMA-Factory tokenized_path), e.g. as a CPU job before training.\n\n"
        "Example: anestools train tokenize cpt --recipe qwen2.5-7b --data-dir data --tokenized-path data/tok-cpt"
    ),
    no_args_is_help=True,
)
tokenize_app.command("cpt")(_make_command("cpt", TOKENIZE_DOC.format(stage="cpt"), run=_tokenize))
tokenize_app.command("sft")(_make_command("sft", TOKENIZE_DOC.format(stage="sft"), run=_tokenize))
app.add_typer(tokenize_app, name="tokenize")


GRPO_DOC = """RL with a verifiable reward: TRL's GRPOTrainer, rewarded by the eval answer extractor.

A completion scores 1 when `anestools eval` would read the gold letter from it, else 0 (plus an
optional small --format-reward for any readable answer). TRL runs in its own environment
(`make rl-env`, or --engine-python); the rendered config is checked by TRL's own GRPOConfig parser
before anything starts, then `torchrun -m anestools.train.grpo_run` runs one worker per GPU.

Examples:

  anestools train grpo --recipe qwen2.5-7b-grpo-full --model saves/qwen-sft --data-dir data --dataset anesrl_all --output saves/qwen-grpo

  anestools train grpo --recipe qwen2.5-7b-grpo-lora --gpus 1 --set num_generations=16 --resume auto

  anestools train grpo --recipe tiny-cpu --model tiny-model --data-dir data --dataset anesrl_all --dry-run
"""


@app.command("grpo", help=GRPO_DOC)
def grpo_command(
    recipe: Annotated[str | None, typer.Option("--recipe", "-r", help="Shipped grpo recipe (qwen2.5-7b-grpo-full|lora, tiny-cpu) or a YAML path. Default: qwen2.5-7b-grpo-full.")] = None,
    model: Annotated[str | None, typer.Option("--model", "-m", help="Model directory (e.g. the SFT output) or Hub id; overrides the recipe.")] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", "-d", help="Data directory with dataset_info.json holding the RL dataset (`anestools convert --kind rl`).")] = None,
    dataset: Annotated[str | None, typer.Option("--dataset", help="RL dataset name(s) in DATA_DIR/dataset_info.json, comma-separated.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Output directory (checkpoints, final model, train.log, anestools_summary.json).")] = None,
    method: Annotated[str | None, typer.Option("--method", help="full or lora; default: the recipe's.")] = None,
    deepspeed: Annotated[str | None, typer.Option("--deepspeed", help="z0, z2, z3, z3-offload (configs/deepspeed/) or none; default: the recipe's.")] = None,
    overrides: Annotated[list[str] | None, typer.Option("--set", help="Override any TRL GRPOConfig key: --set num_generations=16 (repeatable).")] = None,
    format_reward: Annotated[float | None, typer.Option("--format-reward", help="Weight in [0, 0.5] of the format term (1 for any answer the extractor can read); default: the recipe's (0 = off).")] = None,
    gpus: Annotated[str | None, typer.Option("--gpus", help="Processes per node: a number or auto (= visible GPUs; 1 on CPU).", show_default="auto")] = None,
    nnodes: Annotated[int | None, typer.Option("--nnodes", help="Number of nodes (run the same command on every node). Default: NNODES, else 1.", show_default="1")] = None,
    node_rank: Annotated[int | None, typer.Option("--node-rank", help="Rank of this node. Multi-node default: NODE_RANK.", show_default="0")] = None,
    master_addr: Annotated[str | None, typer.Option("--master-addr", help="Host of node rank 0 (required when --nnodes > 1). Multi-node default: MASTER_ADDR.")] = None,
    master_port: Annotated[int | None, typer.Option("--master-port", help="Rendezvous port (default: a free port; multi-node: MASTER_PORT, else 29500).")] = None,
    resume: Annotated[str, typer.Option("--resume", help="auto (newest checkpoint-* in OUTPUT, or start fresh), a checkpoint PATH, or none.")] = "none",
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Delete a previous run in OUTPUT and start again.")] = False,
    engine_python: Annotated[Path | None, typer.Option("--engine-python", help="Python of the RL environment (TRL). Default: $ANESTOOLS_RL_PYTHON, else .rl-env/bin/python (`make rl-env`).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate (TRL's parser included), print environment, command and rendered YAML; start nothing.")] = False,
) -> None:
    datasets = [d.strip() for d in dataset.split(",") if d.strip()] if dataset else None
    opts = TrainOptions(
        stage=grpo.STAGE, recipe=recipe, model=model, data_dir=data_dir, datasets=datasets, output=output,
        method=method, deepspeed=deepspeed, overrides=list(overrides or []), gpus=gpus, nnodes=nnodes,
        node_rank=node_rank, master_addr=master_addr, master_port=master_port, resume=resume,
        overwrite=overwrite, launcher=engine_python, dry_run=dry_run,
    )
    plan = grpo.plan_grpo(opts, format_reward)
    _show_checks(plan)
    if plan.finished is not None:
        con.out.print(f"{plan.finished.describe()} (pass --overwrite to train again, or raise max_steps with "
                      "--set to continue)", highlight=False, soft_wrap=True)
        return
    if dry_run:
        _print_dry_run(plan)
        return
    con.console.print(f"launching {plan.nproc} process(es) per node x {plan.nnodes} node(s), node rank "
                      f"{plan.node_rank}: {shlex.join(plan.command)} (log: {plan.log_path})",
                      highlight=False, soft_wrap=True)
    result = run_training(plan, echo=None if con.quiet() else _echo)
    if result.returncode != 0:
        con.console.print(f"[bold red]error:[/] the GRPO trainer exited with code {result.returncode}; see "
                          f"{result.log_path}", highlight=False, soft_wrap=True)
        raise typer.Exit(result.returncode)
    if result.final_model is not None:
        what = "LoRA adapter" if result.adapter else "final model"
        con.out.print(f"{what}: {result.final_model}", highlight=False, soft_wrap=True)
    con.out.print(f"log: {result.log_path}", highlight=False, soft_wrap=True)
    if result.summary is not None:
        con.out.print(f"{grpo.describe(result.summary)} ({result.output_dir / summary.SUMMARY_NAME})",
                      highlight=False, soft_wrap=True)
    if result.final_model is not None and not result.adapter:
        con.out.print(f"next: {eval_hint(result.final_model, plan.lf_env.get('cuda_devices'))}", highlight=False,
                      soft_wrap=True)


@app.command("recipes")
def recipes_command() -> None:
    """List the shipped recipes with model, stage, method, DeepSpeed config and GPUs.

    Examples:

      anestools train recipes

      anestools train sft --recipe qwen2.5-7b-sft-lora --dry-run
    """
    table = Table(title="anestools train recipes")
    table.add_column("recipe", no_wrap=True)
    for col in ("model", "stage", "method", "deepspeed", "GPUs"):
        table.add_column(col, overflow="fold")
    for r in list_recipes():
        table.add_row(r.name, r.model, r.stage, r.method, r.deepspeed, r.gpus)
    con.out.print(table)
