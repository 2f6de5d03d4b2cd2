"""#27 item 6: a full disk never leaves a torn line in a journal (eval's predictions, qa's journal).

Before: the appender took ``start = tell()`` on its ``O_APPEND`` handle and truncated back to it
after a failed write; the position was not moved by the truncation, so the next failing append
truncated to a stale offset past the real end, leaving half a line (or NUL bytes) behind. Now
there is one appender (``anestools.runtime.journal.JournalWriter``) that truncates to the size
it knows from ``fstat`` under a lock. The disk fills here as ``ulimit -f`` does
(``RLIMIT_FSIZE`` in a child process, Python ignores ``SIGXFSZ``), with appends in flight on
several threads.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from reliability_helpers import GOOD, chat_server, json_answer

from anestools.errors import OutputWriteError
from anestools.runtime.journal import JournalWriter, read_journal
from anestools.runtime.journal import JournalWriter as PredictionLog

ROOT = Path(__file__).resolve().parents[2]

# Rounds of 4 concurrent appends of mixed sizes; after each round the file must parse whole.
CHILD = r"""
import json, resource, sys, threading
from pathlib import Path
from anestools.errors import OutputWriteError
from anestools.runtime.journal import JournalWriter as PredictionLog
path, limit = Path(sys.argv[1]), int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
log = PredictionLog(path)
ok, failed, torn = [], 0, []
for r in range(40):
    sizes = [(r * 37 + t * 101) % 400 + 10 for t in range(4)]
    barrier = threading.Barrier(4)
    results = [None] * 4
    def one(t):
        barrier.wait()
        rec = {"key": f"q{r}-{t}", "sample": 0, "response": "x" * sizes[t]}
        try:
            log.append(rec)
            results[t] = rec["key"]
        except Exception as exc:
            results[t] = exc
    threads = [threading.Thread(target=one, args=(t,)) for t in range(4)]
    [th.start() for th in threads]
    [th.join() for th in threads]
    for res in results:
        if isinstance(res, Exception):
            failed += 1
            assert "File too large" in str(res), res
        else:
            ok.append(res)
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        torn.append(r)
    for line in data.splitlines():
        try:
            json.loads(line)
        except ValueError:
            torn.append(r)
            break
log.close()
print(json.dumps({"ok": ok, "failed": failed, "torn": torn}))
"""


def test_full_disk_with_appends_in_flight_never_tears_a_line_and_a_rerun_continues(tmp_path):
    path = tmp_path / "predictions.jsonl"
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path), "6000"], capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["failed"] > 10 and len(got["ok"]) > 10  # the disk filled, and some smaller records still fit
    assert got["torn"] == [], f"rounds that left a torn or invalid line: {got['torn']}"
    keys = [r["key"] for r in read_journal(path)]
    assert sorted(keys) == sorted(got["ok"])  # exactly the appends that succeeded, once each

    with PredictionLog(path) as log:  # a rerun (room again) continues after the last whole line
        log.append({"key": "after", "sample": 0})
    assert [r["key"] for r in read_journal(path)] == [*keys, "after"]


def test_a_failed_truncation_is_cut_before_the_next_append(tmp_path, monkeypatch):
    path = tmp_path / "j.jsonl"
    log = JournalWriter(path)
    log.append({"a": 1})
    real_write, real_truncate = os.write, os.ftruncate
    calls = []

    def short_then_full(fd, data):  # half the line lands, then the disk is full
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def no_truncate(fd, size):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "write", short_then_full)
    monkeypatch.setattr(os, "ftruncate", no_truncate)
    with pytest.raises(OutputWriteError, match="No space left"):
        log.append({"b": "x" * 50})
    assert not path.read_bytes().endswith(b"\n")  # the truncation failed too: a torn tail for now
    monkeypatch.setattr(os, "ftruncate", real_truncate)
    monkeypatch.setattr(os, "write", real_write)
    log.append({"c": 2})  # ...which the next append cuts first
    log.close()
    assert path.read_bytes() == b'{"a":1}\n{"c":2}\n'


def test_eval_and_qa_share_the_one_appender():
    from anestools.qa import teacher

    assert PredictionLog is JournalWriter
    assert "JournalWriter(journal_path)" in Path(teacher.__file__).read_text()


def test_eval_on_a_full_disk_with_requests_in_flight_leaves_whole_lines(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "predictions.jsonl").write_bytes(b"")

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (2500, 2500))

    with chat_server(json_answer(GOOD)) as url:
        proc = subprocess.run([sys.executable, "-m", "anestools", "-q", "eval", "--model", "m", "--engine", "openai",
                               "--base-url", url, "--limit", "30", "--lang", "en", "--concurrency", "8",
                               "-o", str(out)], capture_output=True, text=True, timeout=120, preexec_fn=limit,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert proc.returncode == 1 and "File too large" in proc.stderr, proc.stderr
        data = (out / "predictions.jsonl").read_bytes()
        assert data.endswith(b"\n") and all(json.loads(ln) for ln in data.splitlines())
        before = len(data.splitlines())
        rerun = subprocess.run([sys.executable, "-m", "anestools", "-q", "eval", "--model", "m", "--engine", "openai",
                                "--base-url", url, "--limit", "30", "--lang", "en", "-o", str(out)],
                               capture_output=True, text=True, timeout=120,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert rerun.returncode == 0, rerun.stderr
    recs = [json.loads(ln) for ln in (out / "predictions.jsonl").read_bytes().splitlines()]
    assert len(recs) == 30 and len({r["key"] for r in recs}) == 30 and before < 30  # resumed, nothing twice
