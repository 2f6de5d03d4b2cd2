"""Issue 27 item 4: outputs appear under their final names only when complete, and readers refuse
unfinished ones (a QA set exactly as a corpus)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
from test_inputs_outputs import ROOT, UNREACHABLE, jsonl_rows, one_line, start_teacher, write_corpus

from anestools.runtime.engines import kill_group

DOCS = {f"d{i:02d}": f"Drug number {i} is used in anesthesia for induction. Its dose is {i} mg per kilogram. "
                     f"Monitoring after drug {i} includes blood pressure." for i in range(24)}


def _journal_lines(out: Path) -> int:
    j = out / "_journal.jsonl"
    return j.read_bytes().count(b"\n") if j.exists() else 0


def test_interrupted_qa_generate_publishes_no_final_set_and_convert_refuses_it(cli, tmp_path):
    """The issue's scenario: SIGINT 8 s into ``qa generate`` left 12 of 36 pairs as anesqa.parquet,
    and ``convert`` took it with exit 0."""
    corpus = tmp_path / "corpus"
    write_corpus(corpus, DOCS)
    out = tmp_path / "qa"
    args = [sys.executable, "-m", "anestools", "qa", "generate", str(corpus), "-o", str(out), "--model", "teacher",
            "--min-tokens", "5"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    slow, slow_url = start_teacher(delay=0.3)
    try:
        proc = subprocess.Popen([*args, "--base-url", slow_url, "--concurrency", "2"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _journal_lines(out) < 4:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        kill_group(slow, grace=5)
    assert proc.returncode == 130, stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["complete"] is False and 4 <= summary["passages"]["done"] < 24
    assert not (out / "anesqa.parquet").exists()  # never under the final name
    partial = out / "_anesqa.partial.parquet"
    assert summary["outputs"]["dataset"] == str(partial) and pq.read_metadata(partial).num_rows == summary["kept"]

    data = tmp_path / "data"
    code, _, err = cli("convert", str(out), "-o", str(data))  # the folder: nothing final to read
    assert code == 2 and "contains no" in one_line(err)
    code, _, err = cli("convert", str(partial), "-o", str(data))  # named by hand: refused as unfinished
    assert code == 2 and "unfinished QA set" in one_line(err)
    code, _, err = cli("qa", "translate", str(partial), "--to", "zh", "-o", str(tmp_path / "zh"), *UNREACHABLE)
    assert code == 2 and "unfinished QA set" in one_line(err)
    assert not data.exists()

    # a set an older version published under the final name while incomplete: refused the same way
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    shutil.copy(partial, legacy / "anesqa.parquet")
    (legacy / "summary.json").write_text(json.dumps({**summary, "outputs": {
        "dataset": str(legacy / "anesqa.parquet"), "dropped": str(legacy / "_dropped.jsonl")}}))
    code, _, err = cli("convert", str(legacy), "-o", str(data))
    assert code == 2 and "unfinished QA set" in one_line(err) and "complete: false" in err

    # the rerun finishes: the final name appears, the partial one goes, convert takes it
    fast, fast_url = start_teacher()
    try:
        rerun = subprocess.run([*args, "--base-url", fast_url], env=env, capture_output=True, text=True, timeout=120)
    finally:
        kill_group(fast, grace=5)
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["complete"] and summary["outputs"]["dataset"] == str(out / "anesqa.parquet")
    assert not partial.exists() and pq.read_metadata(out / "anesqa.parquet").num_rows == summary["kept"] == 72
    code, _, err = cli("-q", "convert", str(out), "-o", str(data))
    assert code == 0, err
    assert len(jsonl_rows(data / "AnesQA_all.jsonl")) == 72


def test_qa_generate_refuses_an_unfinished_corpus_like_convert(cli, tmp_path):
    out = tmp_path / "corpus"
    code, _, err = cli("-q", "corpus", "build", "--output", str(out), "--dedup", "none")
    assert code == 0, err
    (out / "_SUCCESS").unlink()  # as if the run was killed before its last stage
    for target in (out, out / "en"):
        code, _, err = cli("qa", "generate", str(target), "-o", str(tmp_path / "qa"), *UNREACHABLE, "--dry-run")
        assert code == 2 and "unfinished corpus" in one_line(err)
