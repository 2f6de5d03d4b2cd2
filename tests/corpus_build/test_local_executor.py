"""Our local executor: datatrove's task semantics without a manager process or per-task pickling."""

from __future__ import annotations

import json

import multiprocess
import pytest
from datatrove.pipeline.base import PipelineStep

from anestools.corpus.executors import ExecutorOptions, build_executor
from anestools.corpus.local_executor import LocalExecutor


class Count(PipelineStep):
    """Writes one file per task and counts; fails on the rank it is told to."""

    name = "count"

    def __init__(self, folder: str, fail_rank: int = -1):
        super().__init__()
        self.folder, self.fail_rank = folder, fail_rank

    def run(self, data=None, rank: int = 0, world_size: int = 1):
        if rank == self.fail_rank:
            raise ValueError(f"task {rank} breaks")
        self.stat_update("total", value=rank + 1)
        with open(f"{self.folder}/{rank}.txt", "w") as f:
            f.write(str(world_size))
        yield from data or []


def _no_manager(*args, **kwargs):
    raise AssertionError("a multiprocess.Manager was started")


@pytest.mark.parametrize("workers, start", [(1, None), (2, "fork"), (2, "forkserver")])
def test_runs_every_task_once_merges_stats_and_skips_completed(tmp_path, monkeypatch, workers, start):
    monkeypatch.setattr(multiprocess, "Manager", _no_manager)
    out = tmp_path / "out"
    out.mkdir()
    opts = ExecutorOptions(tasks=4, workers=workers, start_method=start)
    ex = build_executor([Count(str(out))], opts, str(tmp_path / "logs"))
    assert isinstance(ex, LocalExecutor)
    ex.run()
    assert sorted(p.name for p in out.iterdir()) == ["0.txt", "1.txt", "2.txt", "3.txt"]
    assert sorted(p.name for p in (tmp_path / "logs" / "completions").iterdir()) == ["00000", "00001", "00002", "00003"]
    merged = json.loads((tmp_path / "logs" / "stats.json").read_text())
    assert merged[0]["stats"]["total"]["total"] == 1 + 2 + 3 + 4
    assert len(list((tmp_path / "logs" / "stats").glob("*.json"))) == 4
    for p in out.iterdir():
        p.unlink()
    assert build_executor([Count(str(out))], opts, str(tmp_path / "logs")).run() is None  # all done: skipped
    assert not list(out.iterdir())


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_task_fails_the_stage_and_reruns_alone(tmp_path, workers):
    out = tmp_path / "out"
    out.mkdir()
    opts = ExecutorOptions(tasks=3, workers=workers)
    with pytest.raises(ValueError, match="task 1 breaks"):
        build_executor([Count(str(out), fail_rank=1)], opts, str(tmp_path / "logs")).run()
    done = sorted(p.name for p in (tmp_path / "logs" / "completions").iterdir())
    assert "00001" not in done
    for p in out.iterdir():
        p.unlink()
    build_executor([Count(str(out))], opts, str(tmp_path / "logs")).run()
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{int(r)}.txt" for r in {"00000", "00001", "00002"} - set(done))


def test_a_stage_waits_for_its_dependency(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    opts = ExecutorOptions(tasks=2, workers=1)
    a = build_executor([Count(str(first))], opts, str(tmp_path / "logs_a"))
    b = build_executor([Count(str(second))], opts, str(tmp_path / "logs_b"), tasks=1, depends=a)
    b.run()
    assert sorted(p.name for p in first.iterdir()) == ["0.txt", "1.txt"]
    assert (second / "0.txt").read_text() == "1"
