"""Executors are built with the right arguments (Slurm and Ray are constructed, never run here)."""

from __future__ import annotations

import importlib.util

import pytest
from datatrove.executor import LocalPipelineExecutor, SlurmPipelineExecutor
from datatrove.executor.ray import RayPipelineExecutor

from anestools.corpus.build import BuildConfig, build_stages, sample_path
from anestools.corpus.executors import ExecutorOptions, build_executor, check_runnable, executor_kwargs
from anestools.errors import ConfigError, MissingDependencyError


def test_local_kwargs_and_instance(tmp_path):
    opts = ExecutorOptions(kind="local", tasks=8, workers=3)
    name, kw = executor_kwargs(opts, [], str(tmp_path / "logs"))
    assert name == "LocalPipelineExecutor"
    assert kw["tasks"] == 8 and kw["workers"] == 3 and kw["skip_completed"] is True
    ex = build_executor([], opts, str(tmp_path / "logs"))
    assert isinstance(ex, LocalPipelineExecutor)
    assert ex.world_size == 8 and ex.workers == 3 and ex.skip_completed
    # automatic workers never exceed the number of tasks
    assert executor_kwargs(ExecutorOptions(tasks=1), [], "x")[1]["workers"] == 1
    # forked on Linux (a constructor argument of datatrove's executor), unless asked otherwise
    import sys

    assert kw["start_method"] == ex.start_method == ("fork" if sys.platform.startswith("linux") else "forkserver")
    assert executor_kwargs(ExecutorOptions(start_method="spawn"), [], "x")[1]["start_method"] == "spawn"
    with pytest.raises(ConfigError, match="start method"):
        ExecutorOptions(start_method="thread").validate()


def test_slurm_kwargs_and_instance(tmp_path):
    opts = ExecutorOptions(kind="slurm", tasks=500, workers=100, slurm_partition="cpu", slurm_time="06:00:00",
                           slurm_cpus_per_task=2, slurm_mem_per_cpu_gb=4, slurm_qos="high",
                           slurm_env_command="source .venv/bin/activate", slurm_sbatch_args={"account": "anes"})
    name, kw = executor_kwargs(opts, [], str(tmp_path / "logs"), job_name="anescorpus-filter")
    assert name == "SlurmPipelineExecutor"
    assert {k: kw[k] for k in ("tasks", "workers", "partition", "time", "cpus_per_task", "mem_per_cpu_gb", "qos",
                               "job_name", "env_command", "sbatch_args")} == {
        "tasks": 500, "workers": 100, "partition": "cpu", "time": "06:00:00", "cpus_per_task": 2,
        "mem_per_cpu_gb": 4, "qos": "high", "job_name": "anescorpus-filter",
        "env_command": "source .venv/bin/activate",
        "sbatch_args": {"kill-on-invalid-dep": "yes", "account": "anes"}}
    assert kw["job_id_retriever"].ledger == str(tmp_path / "slurm_jobs.jsonl")
    ex = build_executor([], opts, str(tmp_path / "logs"), job_name="anescorpus-filter")
    assert isinstance(ex, SlurmPipelineExecutor)
    assert (ex.tasks, ex.partition, ex.time, ex.job_name, ex.skip_completed) == (
        500, "cpu", "06:00:00", "anescorpus-filter", True)
    assert ex.get_sbatch_args()["partition"] == "cpu"


def test_slurm_jobs_default_to_the_submitting_environment(tmp_path):
    """Without --slurm-env-command the job's PATH starts with this interpreter's bin/ (where
    datatrove's launch_pickled_pipeline is installed), so a virtualenv need not be activated."""
    import sys
    from pathlib import Path

    kw = executor_kwargs(ExecutorOptions(kind="slurm", slurm_partition="cpu"), [], str(tmp_path / "logs"))[1]
    assert kw["env_command"].startswith(f"export PATH={Path(sys.executable).parent}:$PATH")
    assert (Path(sys.executable).parent / "launch_pickled_pipeline").exists()
    kw = executor_kwargs(ExecutorOptions(kind="slurm", slurm_partition="cpu", slurm_venv_path="/v/bin/activate"),
                         [], str(tmp_path / "logs"))[1]
    assert "env_command" not in kw and kw["venv_path"] == "/v/bin/activate"


def test_ray_is_constructed_lazily_without_ray(tmp_path):
    opts = ExecutorOptions(kind="ray", tasks=64, workers=16, ray_cpus_per_task=2, ray_mem_per_cpu_gb=3)
    name, kw = executor_kwargs(opts, [], str(tmp_path / "logs"))
    assert name == "RayPipelineExecutor"
    assert (kw["tasks"], kw["workers"], kw["cpus_per_task"], kw["mem_per_cpu_gb"]) == (64, 16, 2, 3)
    ex = build_executor([], opts, str(tmp_path / "logs"))
    assert isinstance(ex, RayPipelineExecutor)
    assert (ex.world_size, ex.workers, ex.cpus_per_task) == (64, 16, 2)
    if importlib.util.find_spec("ray") is None:
        with pytest.raises(MissingDependencyError, match="ray"):
            check_runnable(opts)


@pytest.mark.parametrize(
    "opts, message",
    [
        (ExecutorOptions(kind="spark"), "unknown executor 'spark'"),
        (ExecutorOptions(kind="slurm"), "needs --slurm-partition"),
        (ExecutorOptions(tasks=-1), "--tasks must be >= 1, or 0"),
        (ExecutorOptions(workers=0), "--workers must be"),
    ],
)
def test_invalid_options(opts, message):
    with pytest.raises(ConfigError, match=message):
        opts.validate()


def test_build_stages_chain_for_slurm(tmp_path):
    """The whole build as chained stock Slurm executors: names, tasks and dependencies."""
    cfg = BuildConfig(inputs=[str(sample_path())], output=str(tmp_path / "out"),
                      executor=ExecutorOptions(kind="slurm", tasks=100, slurm_partition="cpu"))
    stages = build_stages(cfg, [str(sample_path())], tmp_path / "out", "web", write_paths=False)
    chain = [s.executor for s in stages]
    assert all(type(e) is SlurmPipelineExecutor for e in chain)  # datatrove's class, not a subclass
    assert [e.depends for e in chain[1:]] == chain[:-1]
    assert [e.job_name for e in chain] == [
        "anescorpus-filter", "anescorpus-quality-en", "anescorpus-quality-zh", "anescorpus-dedup-signature",
        "anescorpus-dedup-find", "anescorpus-write", "anescorpus-complete"]
    assert [e.tasks for e in chain] == [100, 64, 64, 64, 1, 64, 1]  # survivor stages: at most 64 tasks
    assert [str(e.logging_dir.path).rsplit("/", 1)[-1] for e in chain] == [
        "1-filter", "2-quality-en", "3-quality-zh", "4-dedup-signature", "5-dedup-find", "6-write", "7-complete"]
    assert [type(s).__name__ for s in chain[0].pipeline] == [
        "ParquetReader", "AnesPrescreen", "AnesRelevanceFilter", "LanguageRouter", "JsonlWriter"]
    assert [type(s).__name__ for s in chain[1].pipeline] == [
        "JsonlReader", "C4QualityFilter", "GopherRepetitionFilter", "GopherQualityFilter", "JsonlWriter"]
    assert [type(s).__name__ for s in chain[5].pipeline] == ["JsonlReader", "ExactDedupFilter", "ParquetWriter"]
    # every job of the run, `complete` (which writes _SUCCESS) included, goes to one ledger, and a
    # job whose dependency failed is cancelled by Slurm instead of pending forever
    assert {e.job_id_retriever.ledger for e in chain} == {str(tmp_path / "out" / "_logs" / "slurm_jobs.jsonl")}
    assert {e.job_id_retriever.run for e in chain} == {cfg.executor.slurm_run}
    assert not (tmp_path / "out").exists()  # building stages touches nothing
    assert all(e.get_sbatch_args()["kill-on-invalid-dep"] == "yes" for e in chain)  # (creates the log folder)


def test_minhash_chain_for_ray(tmp_path):
    cfg = BuildConfig(dedup="minhash", languages=("en",), executor=ExecutorOptions(kind="ray", tasks=4))
    stages = build_stages(cfg, [str(sample_path())], tmp_path / "out", "web", write_paths=False)
    # filter, quality-en, signatures, buckets, cluster, filter + write, marker
    assert [s.executor.world_size for s in stages] == [4, 4, 4, 14, 1, 4, 1]
