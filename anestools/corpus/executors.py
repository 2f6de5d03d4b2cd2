"""One place that turns CLI options into a datatrove executor (local, Slurm or Ray).

Usage::

    from anestools.corpus.executors import ExecutorOptions, build_executor

    opts = ExecutorOptions(kind="slurm", tasks=500, slurm_partition="cpu", slurm_time="12:00:00")
    ex = build_executor(pipeline, opts, logging_dir="out/_logs/filter", job_name="anescorpus-filter")
    ex.run()        # local: runs now; slurm: submits sbatch arrays; ray: schedules on the cluster

``executor_kwargs`` returns the exact constructor arguments (tested without Slurm or Ray).
Stages are chained with ``depends=`` so that calling ``run()`` on the last stage launches the
earlier ones first (and, on Slurm, submits them with ``afterok`` dependencies).

The executors are datatrove's own classes, unpatched. Local workers are forked on Linux (the
``start_method`` argument), so they start with what the driver loaded (``warm_up_local``). A
local pipeline starts with ``WorkerDiesWithDriver`` (``anestools.common.proc``): whatever the
start method, a worker dies with the driver (datatrove's pool takes no ``initializer``).

Slurm: jobs run in the submitting interpreter's environment unless ``slurm_env_command`` /
``slurm_venv_path`` say otherwise; every job id is recorded in ``<logging_dir>/../slurm_jobs.jsonl``
through datatrove's ``job_id_retriever`` (``anestools.common.slurm``), which ``--wait`` and
``corpus stats`` read; ``kill-on-invalid-dep`` cancels a stage whose dependency failed.

Resume: every executor is built with ``skip_completed=True``, so a rerun after a crash or
Ctrl-C skips the tasks that wrote their completion marker (``<logging_dir>/completions/``).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anestools.common.proc import WorkerDiesWithDriver
from anestools.common.slurm import LEDGER, JobRecorder, interpreter_env_command, new_run_id
from anestools.errors import ConfigError, MissingDependencyError

EXECUTORS = ("local", "slurm", "ray")


@dataclass
class ExecutorOptions:
    """How and where to run: the executor-related options of ``corpus build``/``pubmed``."""

    kind: str = "local"
    tasks: int = 1  # 0: one per input shard (resolved by the caller once the inputs are known)
    workers: int = -1  # local: parallel processes (-1: min(tasks, CPUs)); slurm/ray: max concurrent
    start_method: str | None = None  # local: fork / forkserver / spawn (None: fork on Linux)
    # Slurm
    slurm_partition: str | None = None
    slurm_time: str = "24:00:00"
    slurm_cpus_per_task: int = 1
    slurm_mem_per_cpu_gb: int = 2
    slurm_qos: str = "normal"
    slurm_env_command: str | None = None  # e.g. "source /opt/venv/bin/activate"
    slurm_venv_path: str | None = None
    slurm_sbatch_args: dict[str, Any] = field(default_factory=dict)
    slurm_logs_folder: str | None = None
    slurm_run: str = field(default_factory=new_run_id)  # tags this invocation's jobs in the ledger
    # Ray
    ray_cpus_per_task: int = 1
    ray_mem_per_cpu_gb: float = 2

    def validate(self) -> None:
        """Raise ``ConfigError`` for impossible combinations, before anything runs."""
        if self.kind not in EXECUTORS:
            raise ConfigError(f"unknown executor {self.kind!r}: expected one of {', '.join(EXECUTORS)}")
        if self.tasks < 0:
            raise ConfigError(f"--tasks must be >= 1, or 0 for one task per input shard (got {self.tasks})")
        if self.workers == 0 or self.workers < -1:
            raise ConfigError(f"--workers must be >= 1 or -1 for automatic (got {self.workers})")
        if self.start_method not in (None, "fork", "forkserver", "spawn"):
            raise ConfigError(f"unknown start method {self.start_method!r}: expected fork, forkserver or spawn")
        if self.kind == "slurm" and not self.slurm_partition:
            raise ConfigError("--executor slurm needs --slurm-partition")


def local_workers(options: ExecutorOptions, tasks: int) -> int:
    """Parallel local processes: the user's choice, else one per task up to the CPU count."""
    if options.workers != -1:
        return min(options.workers, tasks)
    return max(1, min(tasks, os.cpu_count() or 1))


def local_start_method(options: ExecutorOptions) -> str:
    """``fork`` on Linux (workers start with what the driver already loaded), else ``forkserver``.

    A constructor argument of datatrove's executor. Forking is safe here because the only other
    thread of ``anestools corpus`` is the progress bar's, which pauses around every fork
    (``anestools.corpus.progress``); macOS forbids forking a process that has used system
    frameworks, hence datatrove's default there.
    """
    if options.start_method:
        return options.start_method
    import multiprocessing

    linux = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
    return "fork" if linux else "forkserver"


def executor_kwargs(
    options: ExecutorOptions,
    pipeline: list,
    logging_dir: str,
    job_name: str = "anescorpus",
    tasks: int | None = None,
    depends: Any = None,
) -> tuple[str, dict[str, Any]]:
    """Name of the datatrove executor class and the keyword arguments it is built with."""
    options.validate()
    n = options.tasks if tasks is None else tasks
    common: dict[str, Any] = {
        "pipeline": pipeline,
        "tasks": n,
        "logging_dir": logging_dir,
        "skip_completed": True,
        "depends": depends,
    }
    if options.kind == "local":  # each pool worker dies with the driver, whatever the start method
        return "LocalPipelineExecutor", {**common, "pipeline": [WorkerDiesWithDriver(), *pipeline],
                                         "workers": local_workers(options, n),
                                         "start_method": local_start_method(options)}
    if options.kind == "slurm":
        kw = {
            **common,
            "workers": options.workers,
            "job_name": job_name,
            "partition": options.slurm_partition,
            "time": options.slurm_time,
            "cpus_per_task": options.slurm_cpus_per_task,
            "mem_per_cpu_gb": options.slurm_mem_per_cpu_gb,
            "qos": options.slurm_qos,
            # a stage whose dependency failed is cancelled instead of pending forever
            "sbatch_args": {"kill-on-invalid-dep": "yes", **options.slurm_sbatch_args},
            # records every job id in <logs>/slurm_jobs.jsonl (watched by --wait and corpus stats)
            "job_id_retriever": JobRecorder(str(Path(logging_dir).parent / LEDGER), job_name,
                                            options.slurm_run, logging_dir),
        }
        if options.slurm_env_command:
            kw["env_command"] = options.slurm_env_command
        elif not options.slurm_venv_path:  # default: the environment that submits the jobs
            kw["env_command"] = interpreter_env_command()
        if options.slurm_venv_path:
            kw["venv_path"] = options.slurm_venv_path
        if options.slurm_logs_folder:
            kw["slurm_logs_folder"] = f"{options.slurm_logs_folder.rstrip('/')}/{job_name}"
        return "SlurmPipelineExecutor", kw
    return "RayPipelineExecutor", {
        **common,
        "workers": options.workers,
        "cpus_per_task": options.ray_cpus_per_task,
        "mem_per_cpu_gb": options.ray_mem_per_cpu_gb,
    }


def warm_up_local(quality: bool = True) -> None:
    """Load, once in the driver, what every forked local worker would otherwise load again:
    langdetect's profiles and datatrove's English word tokenizer (spaCy), through their public
    calls. A 1-worker run loads them once anyway."""
    from anestools.corpus.steps.language import detect_language

    detect_language("warm up the language profiles")
    if quality:
        from datatrove.utils.word_tokenizers import load_word_tokenizer

        load_word_tokenizer("en").word_tokenize("warm up the tokenizer")


def build_executor(
    pipeline: list,
    options: ExecutorOptions,
    logging_dir: str,
    job_name: str = "anescorpus",
    tasks: int | None = None,
    depends: Any = None,
):
    """Construct the datatrove executor for ``pipeline`` (nothing runs until ``.run()``)."""
    name, kwargs = executor_kwargs(options, pipeline, logging_dir, job_name, tasks, depends)
    if name == "LocalPipelineExecutor":
        from datatrove.executor import LocalPipelineExecutor as cls
    elif name == "SlurmPipelineExecutor":
        from datatrove.executor import SlurmPipelineExecutor as cls
    else:
        from datatrove.executor.ray import RayPipelineExecutor as cls
    return cls(**kwargs)


def check_runnable(options: ExecutorOptions) -> None:
    """Fail early, with an install hint, when the chosen executor cannot start here."""
    import shutil
    from importlib.util import find_spec

    if options.kind == "ray" and find_spec("ray") is None:
        raise MissingDependencyError("--executor ray needs the 'ray' package (pip install 'anestools[ray]')")
    if options.kind == "slurm" and shutil.which("sbatch") is None:
        raise MissingDependencyError("--executor slurm needs the Slurm 'sbatch' command on PATH")
