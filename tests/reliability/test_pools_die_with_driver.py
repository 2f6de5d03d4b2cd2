"""#27 item 3: every worker pool the project starts dies with its driver, whatever its start method.

Before: ``kill -9`` of ``qa generate`` left multiprocessing's resource tracker and the two
``spawn`` workers of the language-check pool alive (reparented to PID 1, ignoring SIGTERM); the
at-fork hook of ``forks_die_with_us`` never runs in an exec'ed child. Now every pool worker
calls ``anestools.common.proc.die_with_driver`` first (qa's pool ``initializer``; the first entry
of every local datatrove pipeline): ``PR_SET_PDEATHSIG`` (SIGKILL) plus a check that the driver
still lives. The resource tracker then sees the end of its pipe and exits by itself.

Each test runs the real command (or the library entry point, for the start methods no CLI flag
selects; ``corpus build``'s own CLI path, ``fork``, is ``test_corpus_workers.py``), records every
descendant with ``psutil`` while it runs, kills only the driver with
SIGKILL, requires all of them gone within seconds, and reruns the same command to resume.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from anestools.common.proc import kill_group
from anestools.runtime.engines import free_port

ROOT = Path(__file__).resolve().parents[2]
TEACHER = ROOT / "tests" / "qa" / "teacher_server.py"  # the qa tests' deterministic teacher

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
GONE_WITHIN = 5.0  # seconds


def _start_teacher(delay: float) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(TEACHER), "--port", str(port), "--delay", str(delay)],
                            start_new_session=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return proc, f"http://127.0.0.1:{port}/v1"
        except OSError:
            time.sleep(0.1)
    kill_group(proc, grace=5)
    raise RuntimeError("the test teacher did not start")


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _living(procs: list[psutil.Process]) -> list[psutil.Process]:
    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def _kill_driver_and_wait(driver: subprocess.Popen, seen: list[psutil.Process]) -> list[str]:
    """SIGKILL the driver alone; return the command lines of descendants still alive after GONE_WITHIN s."""
    seen = seen + [p for p in _descendants(driver.pid) if p.pid not in {s.pid for s in seen}]
    os.kill(driver.pid, signal.SIGKILL)
    driver.wait(timeout=10)
    deadline = time.monotonic() + GONE_WITHIN
    while time.monotonic() < deadline and _living(seen):
        time.sleep(0.05)
    left = _living(seen)
    names = [" ".join(p.cmdline())[:120] for p in left]
    for p in left:  # never leave them behind for the next test
        p.kill()
    return names


def _watch(driver: subprocess.Popen, until, timeout: float = 120) -> list[psutil.Process]:
    """Descendants seen while waiting for ``until()`` (the run is mid-way)."""
    seen: dict[int, psutil.Process] = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and driver.poll() is None:
        for p in _descendants(driver.pid):
            seen.setdefault(p.pid, p)
        if until(seen.values()):
            return list(seen.values())
        time.sleep(0.05)
    raise AssertionError(f"the run never reached the point to kill it (exit {driver.poll()})")


def test_kill_9_of_qa_generate_takes_the_language_pool_and_the_resource_tracker_down(tmp_path):
    docs = {f"d{i:02d}": f"Drug number {i} is used in anesthesia for induction. Its dose is {i} mg per kilogram. "
                         f"Monitoring after drug {i} includes blood pressure." for i in range(24)}
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    pq.write_table(pa.table({"text": list(docs.values()), "id": list(docs), "language": ["en"] * len(docs),
                             "source": ["test"] * len(docs)}), corpus / "en.parquet")
    out = tmp_path / "out"
    args = [sys.executable, "-m", "anestools", "qa", "generate", str(corpus), "--model", "teacher",
            "--min-tokens", "5", "-o", str(out)]
    slow, url = _start_teacher(delay=0.3)
    try:
        driver = subprocess.Popen([*args, "--base-url", url, "--concurrency", "2"], env=ENV, start_new_session=True,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        journal = out / "_journal.jsonl"

        def mid_run(procs) -> bool:
            spawned = [p for p in procs if "spawn_main" in " ".join(p.cmdline())]
            return len(spawned) >= 2 and journal.exists() and journal.read_bytes().count(b"\n") >= 3

        seen = _watch(driver, mid_run)
        kinds = " ".join(" ".join(p.cmdline()) for p in seen)
        assert "resource_tracker" in kinds and "spawn_main" in kinds  # what used to be orphaned
        assert _kill_driver_and_wait(driver, seen) == []
        rerun = subprocess.run([*args, "--base-url", url, "--concurrency", "8"], env=ENV, capture_output=True,
                               text=True, timeout=180)
    finally:
        kill_group(slow, grace=5)
    assert rerun.returncode == 0, rerun.stderr
    assert "resumed: " in rerun.stderr  # the journal written before the kill is used


def _medline_inputs(folder: Path, files: int = 2) -> Path:
    from anestools.corpus.pubmed.synth import write_medline

    folder.mkdir()
    for i in range(files):  # enough records that the workers are still busy when the driver dies
        write_medline(folder / f"pubmed25n{i + 1:04d}.xml.gz", 6_000_000, start_pmid=10_000_000 + i * 1_000_000)
    return folder


# The library's entry point: the start method is an ExecutorOptions field (no CLI flag selects it).
PUBMED_DRIVER = ("import sys\n"
                 "from pathlib import Path\n"
                 "from anestools.corpus.executors import ExecutorOptions\n"
                 "from anestools.corpus.pubmed.pipeline import PubmedOptions, run_pubmed\n"
                 "opts = PubmedOptions(inputs=[sys.argv[1]], output=Path(sys.argv[2]), select='all',\n"
                 "                     executor=ExecutorOptions(tasks=2, workers=2, start_method=sys.argv[3]))\n"
                 "r = run_pubmed(opts)\n"
                 "print(r.total_written, flush=True)\n")


@pytest.mark.parametrize("method", ["spawn", "forkserver", "fork"])
def test_kill_9_of_corpus_pubmed_takes_datatrove_s_pool_down_whatever_the_start_method(tmp_path, method):
    data = _medline_inputs(tmp_path / "in")
    out = tmp_path / "out"
    argv = [sys.executable, "-c", PUBMED_DRIVER, str(data), str(out), method]
    driver = subprocess.Popen(argv, env=ENV, start_new_session=True, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    shards = out / "_logs" / "1-pubmed-ids" / "logs"  # the first stage

    def mid_run(procs) -> bool:  # both tasks started (their logs exist) and still running
        return len(list(shards.glob("task_*.log"))) >= 2 and len(procs) >= 3

    seen = _watch(driver, mid_run)
    assert _kill_driver_and_wait(driver, seen) == []
    assert not (out / "_SUCCESS").exists()
    rerun = subprocess.run(argv, env=ENV, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr  # the lock is free, the same run resumes and finishes
    assert (out / "_SUCCESS").is_file() and int(rerun.stdout.split()[-1]) > 0


# Any pool of ours: a ProcessPoolExecutor whose initializer is die_with_driver, workers busy.
POOL_DRIVER = ("import multiprocessing, sys, time\n"
               "from concurrent.futures import ProcessPoolExecutor\n"
               "from anestools.common.proc import die_with_driver\n"
               "if __name__ == '__main__':\n"
               "    ctx = multiprocessing.get_context(sys.argv[1])\n"
               "    pool = ProcessPoolExecutor(2, mp_context=ctx, initializer=die_with_driver)\n"
               "    futs = [pool.submit(time.sleep, 300) for _ in range(2)]\n"
               "    print('ready', flush=True)\n"
               "    time.sleep(300)\n")


@pytest.mark.parametrize("method", ["spawn", "forkserver", "fork"])
def test_a_pool_with_the_shared_initializer_dies_with_its_driver(tmp_path, method):
    driver = subprocess.Popen([sys.executable, "-c", POOL_DRIVER, method], env=ENV, start_new_session=True,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert driver.stdout.readline().strip() == "ready"
    seen = _watch(driver, lambda procs: len(list(procs)) >= 2, timeout=60)  # 2 workers (+ the tracker)
    time.sleep(1.0)  # the workers run their task
    assert _kill_driver_and_wait(driver, seen) == []


def test_die_with_driver_is_a_no_op_in_the_driver_itself():
    import ctypes

    from anestools.common.proc import die_with_driver

    die_with_driver()  # not a multiprocessing child: must not tie this process to its parent
    sig = ctypes.c_int(0)
    ctypes.CDLL(None).prctl(2, ctypes.byref(sig), 0, 0, 0)  # PR_GET_PDEATHSIG
    assert sig.value == 0
