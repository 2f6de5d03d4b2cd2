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
RESOURCES = Path(__file__).resolve().parents[1] / "anestools" / "resources"


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
    # SFT data: our multiple-choice items (benchmark answer format), never benchmark questions
    bench = {r["question"] for f in ("sample_en.json", "sample_zh.json")
             for r in json.loads((RESOURCES / "bench" / f).read_text())}
    sft_rows = [json.loads(line) for line in (work / "data" / "AnesQA_all.jsonl").open()]
    assert sft_rows and all(r["output"].startswith(("Answer: ", "答案：")) for r in sft_rows)
    assert not any(q in r["instruction"] + r["input"] for r in sft_rows for q in bench)
    # both checkpoints evaluated in both languages, then compared (paired) in markdown and HTML
    summaries = {}
    for stage in ("cpt", "sft"):
        summaries[stage] = json.loads((work / "eval" / stage / "summary.json").read_text())
        assert {"language=en", "language=zh"} <= set(summaries[stage]["scores"])
        for name in ("predictions.jsonl", "report.md", "accuracy.png"):
            assert (work / "eval" / stage / name).exists()
    assert (work / "eval" / "report.html").exists()
    assert "McNemar" in (work / "eval" / "report.md").read_text()
    # the story: SFT teaches the answer format (no-answer falls from ~100% to near 0)
    before = summaries["cpt"]["scores"]["overall"]["no_answer_rate"]
    after = summaries["sft"]["scores"]["overall"]["no_answer_rate"]
    assert before >= 0.8 and after <= 0.2, (before, after)
    assert "CPT -> SFT" in out and "chance" in out and "no-answer" in out

    t0 = time.perf_counter()
    again = _demo(work)
    assert again.returncode == 0, again.stderr[-3000:]
    assert again.stderr.count("reused") == 11, again.stderr  # every step
    assert time.perf_counter() - t0 < 60
