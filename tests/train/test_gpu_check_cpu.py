"""scripts/gpu/check.sh --cpu: the GPU check's own code path, with tiny shapes on CPU, so it cannot rot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from anestools.train.recipes import recipe_names

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_check_runs_cover_the_shipped_recipe_families():
    sys.path.insert(0, str(ROOT / "scripts" / "gpu"))
    try:
        import check
    finally:
        sys.path.pop(0)
    runs = {(stage, recipe) for _, stage, recipe, _ in check.RUNS}
    assert runs == {("sft", "qwen2.5-7b-sft-lora"), ("sft", "qwen2.5-7b-sft-full"), ("cpt", "qwen2.5-7b-cpt-full")}
    assert all(recipe in recipe_names() for _, recipe in runs)
    assert {model for *_, model in check.RUNS} == set(check.SHAPES) == {"qwen2.5-0.5b", "qwen2.5-7b"}


def test_check_sh_cpu_mode_trains_evaluates_and_writes_the_table(tmp_path):
    out = tmp_path / "out"
    env = dict(os.environ, PYTHON=sys.executable, WHEELS=str(tmp_path / "no-wheels"),
               RUNS="0.5b-sft-full,7b-sft-lora")
    proc = subprocess.run(["bash", str(ROOT / "scripts" / "gpu" / "check.sh"), "--cpu", str(out)], env=env,
                          capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "llamafactory 0.9.5" in proc.stdout  # the import check ran in that Python
    results = json.loads((out / "results.json").read_text())
    assert results["mode"] == "cpu" and results["steps"] == 2
    rows = {r["name"]: r for r in results["rows"]}
    assert set(rows) == {"0.5b-sft-full", "7b-sft-lora", "eval (transformers serve)"}
    for name in ("0.5b-sft-full", "7b-sft-lora"):
        r = rows[name]
        assert r["ok"] and r["tokens_per_s_per_gpu"] > 0 and r["tokens_seen"] > 0 and r["peak_mem_gb"] > 0
        assert r["mfu"] is None  # CPU: no peak FLOP/s
    assert rows["7b-sft-lora"]["params"] > rows["0.5b-sft-full"]["params"]  # LoRA adds parameters
    assert rows["eval (transformers serve)"]["ok"]
    table = (out / "results.md").read_text()
    assert "| 0.5b-sft-full | yes |" in table and "| 7b-sft-lora | yes |" in table
    cfg = (tmp_path / "out" / "work" / "runs" / "7b-sft-lora" / "anestools_train.yaml").read_text()
    assert "flash_attn: sdpa" in cfg and "deepspeed" not in cfg and "finetuning_type: lora" in cfg
