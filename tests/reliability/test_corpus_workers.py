"""#19 item 6 for corpus workers: after ``kill -9`` of ``corpus build``, its forked workers die too.

Before: datatrove's pool workers and its ``Manager`` process were orphaned; the workers finished
their task (writing into OUTPUT) and the Manager lived on forever. Now every fork of the run
gets ``PR_SET_PDEATHSIG`` (``anestools.common.proc.forks_die_with_us``), and the workers share
the output lock, so a rerun is refused until they are gone and then resumes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from reliability_helpers import alive

from anestools.corpus.build import sample_path

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")


def _children(pid: int) -> set[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return set()
    return {int(x) for x in text.split()}


def _inputs(folder: Path, files: int = 2, copies: int = 12) -> Path:
    folder.mkdir()
    t = pq.read_table(sample_path())
    for i in range(files):  # enough work that the workers are still busy when the driver dies
        parts = [t.set_column(1, "id", pc.binary_join_element_wise(t["id"], pa.scalar(f"-{i}-{j}"), ""))
                 for j in range(copies)]
        pq.write_table(pa.concat_tables(parts), folder / f"web{i}.parquet")
    return folder


def _run(*args: str, **kw) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "anestools", "-q", "corpus", "build", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True, **kw)


def test_kill_9_of_corpus_build_takes_its_workers_down(tmp_path):
    data = _inputs(tmp_path / "in")
    out = tmp_path / "out"
    args = (str(data), "--output", str(out), "--tasks", "2", "--workers", "2")
    driver = _run(*args)
    deadline = time.monotonic() + 240
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 2 and driver.poll() is None:
        workers = _children(driver.pid)
        time.sleep(0.2)
    assert len(workers) >= 2, "the build never forked its workers"
    everyone = {p.pid for p in psutil.Process(driver.pid).children(recursive=True)} | workers  # + the Manager
    os.kill(driver.pid, signal.SIGKILL)
    driver.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(alive(p) for p in everyone):
        time.sleep(0.1)
    assert not any(alive(p) for p in workers), "datatrove workers outlived a kill -9 of corpus build"
    assert not any(alive(p) for p in everyone), "a descendant (datatrove's Manager?) outlived the driver"
    rerun = _run(*args)
    _, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err  # nothing holds the lock any more: the same command resumes
    assert (out / "_SUCCESS").is_file()
