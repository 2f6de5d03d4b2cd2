"""``anestools demo`` end to end: the real stages on the embedded samples, then a reuse rerun."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("llamafactory")
pytestmark = pytest.mark.slow


def _demo(workdir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "anestools", "demo", "--workdir", str(workdir)],
                          capture_output=True, text=True, timeout=1500)


def test_demo_runs_every_stage_and_reuses_finished_steps(tmp_path):
    work = tmp_path / "demo"
    proc = _demo(work)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    # corpus shards per language from both corpus commands
    assert list((work / "corpus" / "web").glob("en/*.parquet")) and list((work / "corpus" / "web").glob("zh/*.parquet"))
    assert list((work / "corpus" / "pubmed").rglob("*.parquet"))
    # LLaMA-Factory data dir with both datasets registered
    info = json.loads((work / "data" / "dataset_info.json").read_text())
    assert {"anescorpus_all", "anesqa_all"} <= set(info)
    # a locally built model, trained by CPT then SFT
    assert (work / "tiny-model" / "tokenizer.json").exists()
    for stage in ("cpt", "sft"):
        assert (work / stage / "model.safetensors").exists()
        assert (work / stage / "train.log").exists()
    # evaluation in both languages with the full set of outputs
    summary = json.loads((work / "eval" / "summary.json").read_text())
    text = json.dumps(summary)
    assert '"en"' in text and '"zh"' in text
    for name in ("predictions.jsonl", "report.md", "accuracy.png"):
        assert (work / "eval" / name).exists()
    assert "anestools demo" in out and "accuracy" in out

    t0 = time.perf_counter()
    again = _demo(work)
    assert again.returncode == 0, again.stderr[-3000:]
    assert again.stderr.count("reused") == 9, again.stderr  # every step
    assert time.perf_counter() - t0 < 60
