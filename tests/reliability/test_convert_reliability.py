"""#19 items 3, 10, 11, 12 and stale temps, for ``anestools convert`` (real CLI, real files)."""

from __future__ import annotations

import errno
import json
import os
import resource
import subprocess
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from anestools.common import atomic
from anestools.common.lock import output_lock

TEXTS = ["Propofol induction and airway management.", "Sugammadex reverses rocuronium."] * 10


@pytest.fixture()
def corpus(tmp_path):
    path = tmp_path / "corpus_en.parquet"
    pq.write_table(pa.table({"text": TEXTS, "language": ["en"] * len(TEXTS)}), path)
    return path


def _one_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in stderr, stderr
    return lines[0]


def _anestools(*args, limit_bytes: int | None = None) -> subprocess.CompletedProcess:
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run([sys.executable, "-m", "anestools", "-q", *map(str, args)], capture_output=True,
                          text=True, timeout=120, preexec_fn=limit if limit_bytes else None)


def test_a_second_convert_into_the_same_output_is_refused(cli, corpus, tmp_path):
    out = tmp_path / "data"
    with output_lock(out, "anestools convert (first run)"):
        code, _, stderr = cli("-q", "convert", str(corpus), "--output", str(out))
        assert code == 7 and "being written by" in _one_line(stderr) and "first run" in stderr
        assert sorted(p.name for p in out.iterdir()) == [".anestools.lock"]  # the second wrote nothing
    assert cli("-q", "convert", str(corpus), "--output", str(out))[0] == 0


def test_invalid_utf8_in_a_string_column_is_one_line(cli, tmp_path):
    raw = pa.array([b"fine", b"bad \xff\xfe"], pa.binary())
    bad = pa.Array.from_buffers(pa.string(), 2, raw.buffers())  # arrow lets a writer store it
    pq.write_table(pa.table({"text": bad}), tmp_path / "bad.parquet")
    code, _, stderr = cli("-q", "convert", str(tmp_path / "bad.parquet"), "--output", str(tmp_path / "d"))
    line = _one_line(stderr)
    assert code == 2 and "bad.parquet" in line and "'text'" in line and "UTF8" in line
    assert not (tmp_path / "d").exists()


def test_full_disk_is_one_line_and_publishes_nothing(tmp_path):
    src = tmp_path / "big.parquet"
    pq.write_table(pa.table({"text": [f"anesthesia text {i} " * 40 for i in range(3000)]}), src)
    out = tmp_path / "data"
    proc = _anestools("convert", src, "--output", out, limit_bytes=100_000)  # like `ulimit -f`
    line = _one_line(proc.stderr)
    assert proc.returncode == 1 and "AnesCorpus_all.jsonl" in line and "File too large" in line
    assert not out.exists() or not [p for p in out.iterdir() if not p.name.startswith(".anestools")]


def test_dataset_info_being_a_directory_is_one_line(cli, corpus, tmp_path):
    out = tmp_path / "data"
    (out / "dataset_info.json").mkdir(parents=True)
    code, _, stderr = cli("-q", "convert", str(corpus), "--output", str(out))
    assert code == 2 and "dataset_info.json: cannot read" in _one_line(stderr)


def test_a_non_utf8_file_name_in_an_input_dir_is_one_line(cli, corpus, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    os.rename(corpus, os.path.join(os.fsencode(d), b"caf\xe9.parquet"))
    code, _, stderr = cli("-q", "convert", str(d), "--output", str(tmp_path / "data"))
    assert code == 2 and "caf\\xe9.parquet: the file name is not valid UTF-8" in _one_line(stderr)


def test_a_failed_dataset_info_write_leaves_no_unregistered_data_file(cli, corpus, tmp_path, monkeypatch):
    out = tmp_path / "data"
    real_replace = os.replace

    def full_disk_on_info(src, dst):
        if str(dst).endswith("dataset_info.json"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", full_disk_on_info)
    code, _, stderr = cli("-q", "convert", str(corpus), "--output", str(out))
    assert code == 1 and "No space left" in _one_line(stderr)
    assert not (out / "AnesCorpus_all.jsonl").exists()  # published together with its registration, or not
    monkeypatch.undo()
    code, _, stderr = cli("-q", "convert", str(corpus), "--output", str(out))  # the rerun is not refused
    assert code == 0, stderr
    assert "anescorpus_all" in json.loads((out / "dataset_info.json").read_text())


def test_a_missing_local_path_is_an_input_error_at_once(tmp_path):
    (tmp_path / "in").mkdir()
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "anestools", "-q", "convert", "in/nope.parquet", "--output", "d"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert time.perf_counter() - t0 < 15  # no Hub retries (~23 s before)
    assert proc.returncode == 2 and "in/nope.parquet: no such file" in _one_line(proc.stderr)
    assert "WARNING" not in proc.stderr


def test_stale_temp_files_of_a_killed_run_are_removed(cli, corpus, tmp_path):
    out = tmp_path / "data"
    out.mkdir()
    stale = out / ".AnesCorpus_all.jsonl.k3j4h5g6.tmp"  # what kill -9 mid-write leaves
    stale.write_text('{"text": "half')
    assert cli("-q", "convert", str(corpus), "--output", str(out))[0] == 0
    assert not stale.exists()
