"""Local workers forked from a warm process: same output as one worker, no fork deadlocks."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from anestools.corpus.build import BuildConfig, run_build, sample_path
from anestools.corpus.executors import ExecutorOptions

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork start method: Linux only")



def _split_sample(folder: Path, parts: int) -> None:
    table = pq.read_table(sample_path())
    folder.mkdir(parents=True)
    step = -(-table.num_rows // parts)
    for i in range(parts):
        pq.write_table(table.slice(i * step, step), folder / f"{i:03d}.parquet")


def _rows(out: Path) -> list[tuple]:
    rows = []
    for f in sorted(out.glob("*/*.parquet")):
        t = pq.read_table(f)
        rows.extend(zip(t.column("id").to_pylist(), t.column("language").to_pylist(), t.column("anes_score").to_pylist(),
                        t.column("matched_terms").to_pylist()))
    return sorted(rows)


def test_forked_workers_give_the_one_worker_output(tmp_path):
    """2 workers (datatrove's forkserver, or fork) produce exactly what 1 worker produces."""
    _split_sample(tmp_path / "in", 4)
    results = {}
    for name, opts in {
        "one": ExecutorOptions(tasks=4, workers=1),
        "fork": ExecutorOptions(tasks=4, workers=2, start_method="fork"),
        "forkserver": ExecutorOptions(tasks=4, workers=2, start_method="forkserver"),
    }.items():
        res = run_build(BuildConfig(inputs=[str(tmp_path / "in")], output=str(tmp_path / name), executor=opts))
        results[name] = (res.kept, _rows(tmp_path / name))
    assert results["one"][0] == {"en": 70, "zh": 35}
    assert results["fork"] == results["one"] == results["forkserver"]


def _child_writes(i: int) -> int:
    print(f"child {i} writes to stderr", file=sys.stderr, flush=True)
    return i


def test_forking_while_the_progress_bar_draws_never_hangs():
    """Forks taken while another thread redraws the bar complete: drawing pauses around each
    fork, so no child inherits a held console or stream lock."""
    import threading

    from anestools.corpus.progress import tasks_progress

    ctx = multiprocessing.get_context("fork")
    stop = threading.Event()
    with tasks_progress("forks") as update:
        def draw() -> None:
            n = 0
            while not stop.is_set():
                n += 1
                update(n % 4, 4)

        thread = threading.Thread(target=draw, daemon=True)
        thread.start()
        try:
            for _ in range(20):
                with ctx.Pool(2) as pool:
                    result = pool.map_async(_child_writes, range(4))
                    assert result.get(timeout=30) == [0, 1, 2, 3]
        finally:
            stop.set()
            thread.join()


def test_cli_default_is_one_task_per_input_shard(cli, tmp_path):
    """With no --tasks, each input shard is its own task (and local workers share them)."""
    _split_sample(tmp_path / "in", 3)
    code, stdout, stderr = cli("-q", "corpus", "build", "--input", str(tmp_path / "in"), "--output", str(tmp_path / "o"))
    assert code == 0, stderr
    assert len(list((tmp_path / "o" / "_logs" / "1-filter" / "completions").iterdir())) == 3
    assert sorted(p.name for p in (tmp_path / "o" / "en").glob("*.parquet")) == ["00000.parquet", "00001.parquet", "00002.parquet"]
