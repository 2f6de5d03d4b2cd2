"""What ``corpus build`` and ``corpus pubmed`` share on the command line: options, the run, the summary.

Each option is declared once here (``Annotated`` types) and used by both commands, so they
cannot drift apart; ``executor_options`` turns them into ``ExecutorOptions``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from anestools.common.options import AtLeast, checked_option
from anestools.errors import ConfigError

EXEC = "Execution (local, Slurm, Ray)"

InputsArg = Annotated[list[str] | None, typer.Argument(
    help="Input files, folders (recursive), globs or hf:// paths.", show_default=False)]
InputOpt = Annotated[list[str] | None, typer.Option(
    "--input", "-i", help="Same as the INPUTS arguments (repeatable; kept for older scripts).")]
OverwriteOpt = Annotated[bool, typer.Option("--overwrite", help="Replace what an earlier run of this command wrote in OUTPUT (other files are kept).")]
FormatOpt = Annotated[str, typer.Option("--format", help="Shard format: parquet or jsonl (jsonl.gz).")]
TokenizerOpt = Annotated[str | None, typer.Option("--tokenizer", help="tokenizer.json, model directory or Hub name: adds token_count.")]
LexiconOpt = Annotated[list[Path] | None, typer.Option("--lexicon", help="Lexicon file(s) replacing the shipped en/zh lists (repeatable).")]
MinTermsOpt = Annotated[int | None, typer.Option("--min-terms", help="Lexicon: distinct terms a document needs [default: 3].")]
MinScoreOpt = Annotated[float | None, checked_option("--min-score", AtLeast(0), help="Lexicon: minimum relevance score (weighted distinct terms x density) [default: 2.0].")]
KeepExcludedOpt = Annotated[Path | None, typer.Option("--keep-excluded", help="Write the documents each filter step drops to DIR/<step>/ (jsonl.gz, with the reason).")]

ExecutorOpt = Annotated[str, typer.Option("--executor", help="local, slurm or ray.", rich_help_panel=EXEC)]
TasksOpt = Annotated[int, typer.Option("--tasks", help="datatrove tasks (input files are split across them); 0: one per input file.", rich_help_panel=EXEC)]
WorkersOpt = Annotated[int, typer.Option("--workers", help="Tasks run at once (-1: automatic).", rich_help_panel=EXEC)]
SlurmPartitionOpt = Annotated[str | None, typer.Option("--slurm-partition", help="Slurm partition (required with --executor slurm).", rich_help_panel=EXEC)]
SlurmTimeOpt = Annotated[str, typer.Option("--slurm-time", help="Slurm time limit per job.", rich_help_panel=EXEC)]
SlurmCpusOpt = Annotated[int, typer.Option("--slurm-cpus-per-task", rich_help_panel=EXEC)]
SlurmMemOpt = Annotated[int, typer.Option("--slurm-mem-per-cpu-gb", rich_help_panel=EXEC)]
SlurmQosOpt = Annotated[str, typer.Option("--slurm-qos", rich_help_panel=EXEC)]
SlurmEnvOpt = Annotated[str | None, typer.Option("--slurm-env-command", help="Shell command run before each job, e.g. 'source .venv/bin/activate' [default: this interpreter's bin/ first on PATH].", rich_help_panel=EXEC)]
SlurmArgOpt = Annotated[list[str] | None, typer.Option("--slurm-arg", help="Extra sbatch option KEY=VALUE (repeatable), e.g. account=myproj.", rich_help_panel=EXEC)]
RayCpusOpt = Annotated[int, typer.Option("--ray-cpus-per-task", rich_help_panel=EXEC)]
WaitOpt = Annotated[bool, typer.Option("--wait", help="Slurm: watch the submitted jobs until they end; list failed tasks with their logs and exit non-zero if any failed or OUTPUT/_SUCCESS is missing.", rich_help_panel=EXEC)]


def merge_inputs(positional: list[str] | None, option: list[str] | None) -> list[str]:
    """INPUTS arguments and ``--input`` values, in that order."""
    return list(positional or []) + list(option or [])


def sbatch_args(values: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in values or []:
        key, sep, val = v.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--slurm-arg expects KEY=VALUE (got {v!r})")
        out[key.strip().lstrip("-")] = val.strip()
    return out


def executor_options(executor: str, tasks: int, workers: int, slurm_partition: str | None, slurm_time: str,
                     slurm_cpus_per_task: int, slurm_mem_per_cpu_gb: int, slurm_qos: str,
                     slurm_env_command: str | None, slurm_arg: list[str] | None, ray_cpus_per_task: int):
    from anestools.corpus.executors import ExecutorOptions

    return ExecutorOptions(
        kind=executor, tasks=tasks, workers=workers, slurm_partition=slurm_partition, slurm_time=slurm_time,
        slurm_cpus_per_task=slurm_cpus_per_task, slurm_mem_per_cpu_gb=slurm_mem_per_cpu_gb, slurm_qos=slurm_qos,
        slurm_env_command=slurm_env_command, slurm_sbatch_args=sbatch_args(slurm_arg),
        ray_cpus_per_task=ray_cpus_per_task)


def wait_for_slurm(output: Path, options) -> None:
    """``--wait``: watch the jobs this invocation submitted until none can run any more.

    Raises ``EngineError`` (non-zero exit) when a task did not complete, or when every job ended
    but the ``complete`` stage did not write ``OUTPUT/_SUCCESS``.
    """
    from anestools.common.corpus_marker import MARKER
    from anestools.common.slurm import LEDGER
    from anestools.common.slurm_cli import wait_for_jobs
    from anestools.errors import EngineError

    wait_for_jobs(output / "_logs" / LEDGER, options.slurm_run, "rerun the same command to resume")
    if not (output / MARKER).is_file():
        raise EngineError(f"the Slurm jobs ended but {output / MARKER} was not written "
                          f"(logs in {output / '_logs'}); rerun the same command to resume")


def print_steps(steps, title: str = "documents per step") -> None:
    """The per-step table of a run (``corpus build``, ``corpus pubmed`` and ``corpus stats``)."""
    from rich.table import Table

    from anestools.common import console as con

    table = Table(title=title, title_justify="left")
    for col in ("stage", "step", "in", "kept", "dropped", "drop reasons"):
        table.add_column(col, justify="right" if col in ("in", "kept", "dropped") else "left",
                         overflow="fold", no_wrap=col in ("in", "kept", "dropped"))
    for s in steps:
        if s.forwarded == 0 and s.dropped == 0:
            continue  # steps that do not filter (signatures, markers)
        reasons = ", ".join(f"{k} {v:,}" for k, v in sorted(s.reasons.items(), key=lambda kv: -kv[1]))
        table.add_row(s.stage, s.step, f"{s.total:,}", f"{s.forwarded:,}", f"{s.dropped:,}", reasons)
    con.out.print(table)


def print_warnings(warnings: tuple[int, list[str]], output: Path) -> None:
    from anestools.common import console as con

    n, first = warnings
    if n:
        con.console.print(f"[yellow]warning:[/] datatrove logged {n} warning(s) (task logs in {output / '_logs'}):",
                          highlight=False, soft_wrap=True)
        for line in first:
            con.console.print(f"  {line}", highlight=False, soft_wrap=True)


def run_with_progress(run, *args, **kwargs):
    """Call ``run(*args, show_logs=..., progress=..., **kwargs)`` under a tasks-done bar."""
    from anestools.common import console as con
    from anestools.corpus.progress import tasks_progress

    with tasks_progress() as update:
        return run(*args, show_logs=con.verbosity() > 0, progress=update, **kwargs)
