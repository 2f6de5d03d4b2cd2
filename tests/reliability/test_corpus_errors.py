"""Issue 19, item 10 (corpus part): one line instead of a traceback, in the real CLI process."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from anestools.corpus.build import sample_path

ROOT = Path(__file__).resolve().parents[2]


def anestools(*args: str, limit_file_bytes: int | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))

    def limit() -> None:
        if limit_file_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_bytes, limit_file_bytes))

    return subprocess.run([sys.executable, "-m", "anestools", *args], capture_output=True, text=True, env=env,
                          timeout=600, preexec_fn=limit)


def test_bad_shard_is_one_line_even_with_q(tmp_path):
    data = tmp_path / "in"
    data.mkdir()
    shutil.copy(sample_path(), data / "a.parquet")
    (data / "b.parquet").write_bytes(b"PAR1" + b"\0" * 64 + b"PAR1")  # looks like parquet, is not
    for quiet in ([], ["-q"]):
        proc = anestools(*quiet, "corpus", "build", str(data), "--output", str(tmp_path / f"o{len(quiet)}"),
                         "--tasks", "2")
        assert proc.returncode == 4
        assert "Traceback" not in proc.stderr and proc.stderr.count("error:") == 1
        assert len(proc.stderr.splitlines()) <= 3, proc.stderr  # no ~150-line loguru traceback
        assert "_logs" in proc.stderr  # ... which is in the task log the line points to


def test_jsonl_without_text_gets_a_hint(tmp_path):
    f = tmp_path / "web.jsonl"
    f.write_text(json.dumps({"id": "1", "content": "spinal anaesthesia"}) + "\n")
    proc = anestools("-q", "corpus", "build", str(f), "--output", str(tmp_path / "o"))
    assert proc.returncode == 2 and proc.stderr.strip().startswith("error:")
    assert "--text-key content" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_full_disk_is_one_line(tmp_path):
    proc = anestools("-q", "corpus", "build", "--output", str(tmp_path / "o"), limit_file_bytes=15_000)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and proc.stderr.count("error:") == 1, proc.stderr[-2000:]
    assert "space" in proc.stderr or "too large" in proc.stderr.lower()


def _corpus(cli, tmp_path) -> Path:
    out = tmp_path / "corpus"
    code, _, err = cli("-q", "corpus", "build", "--output", str(out), "--dedup", "none")
    assert code == 0, err
    return out


def test_stats_on_malformed_stats_json(cli, tmp_path):
    out = _corpus(cli, tmp_path)
    stats = sorted((out / "_logs" / "1-filter" / "stats").glob("*.json"))[0]
    for content in ('{"not": "a list"}', '[{"name": "x", "stats": {"total": "many"}}]', "[1, 2]", "{torn"):
        stats.write_text(content)
        code, _, err = cli("corpus", "stats", str(out))
        assert code == 2 and err.count("error:") == 1 and str(stats) in err, (content, err)


def test_stats_on_an_int_text_column(cli, tmp_path):
    out = _corpus(cli, tmp_path)
    shard = sorted(out.glob("en/*.parquet"))[0]
    pq.write_table(pa.table({"text": [1, 2], "language": ["en", "en"]}), shard)
    code, _, err = cli("corpus", "stats", str(out))
    assert code == 2 and "column 'text' is int64" in err and err.count("error:") == 1
