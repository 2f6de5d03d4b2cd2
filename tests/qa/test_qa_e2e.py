"""End to end with real engines: ``transformers serve`` as teacher (tiny random model: its replies
are garbage and the filters must say so), and LLaMA-Factory fine-tuning on a generated set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

pytestmark = pytest.mark.slow


def test_transformers_serve_teacher_garbage_is_rejected_with_reasons(cli, tiny_model, corpus, tmp_path):
    out = tmp_path / "out"
    code, stdout, stderr = cli("qa", "generate", str(corpus), "-o", str(out), "--model", str(tiny_model),
                               "--engine", "transformers", "--limit", "2", "--min-tokens", "5",
                               "--max-new-tokens", "16", "--parse-retries", "1", "--startup-timeout", "180")
    assert code == 1, stderr
    assert "no pair passed the filters" in stderr and "malformed 2" in stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["kept"] == 0 and summary["passages"]["done"] == 2 and summary["passages"]["errors"] == 0
    assert summary["dropped"]["malformed"]["count"] == 2
    assert summary["requests"] == 4  # one request + one re-ask per passage
    assert summary["settings"]["engine"] == "transformers"
    assert pq.read_table(out / "anesqa.parquet").num_rows == 0
    drops = [json.loads(x) for x in (out / "_dropped.jsonl").read_text().splitlines()]
    assert len(drops) == 2 and all(d["reason"] == "malformed" and "raw" in d for d in drops)
    assert (out / "engine.log").read_text().strip()


def test_generated_set_converts_and_trains_with_llamafactory(cli, teacher_url, tiny_model, corpus, tmp_path):
    pytest.importorskip("llamafactory")
    out = tmp_path / "gen"
    code, _, stderr = cli("qa", "generate", str(corpus), "-o", str(out), "--model", "teacher", "--base-url",
                          teacher_url, "--min-tokens", "5")
    assert code == 0, stderr
    zh = tmp_path / "gen-zh"
    code, _, stderr = cli("qa", "translate", str(out), "--to", "zh", "-o", str(zh), "--model", "teacher",
                          "--base-url", teacher_url)
    assert code == 0, stderr
    data = tmp_path / "data"
    code, _, stderr = cli("convert", str(out), str(zh), "--output", str(data), "--split", "all")
    assert code == 0, stderr
    n = pq.read_table(out / "anesqa.parquet").num_rows + pq.read_table(zh / "anesqa.parquet").num_rows
    cfg = {"model_name_or_path": str(tiny_model), "stage": "sft", "do_train": True, "finetuning_type": "full",
           "dataset": "anesqa_all", "dataset_dir": str(data), "template": "default", "cutoff_len": 64,
           "output_dir": str(tmp_path / "sft"), "max_steps": 2, "per_device_train_batch_size": 2,
           "learning_rate": 1e-4, "logging_steps": 1, "report_to": "none", "use_cpu": True,
           "overwrite_output_dir": True}
    cfg_path = tmp_path / "cfg.yaml"
    cfg_path.write_text(yaml.safe_dump(cfg))
    exe = Path(sys.executable).with_name("llamafactory-cli")
    env = {**os.environ, "DISABLE_VERSION_CHECK": "1", "HF_HUB_OFFLINE": "1", "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run([str(exe), "train", str(cfg_path)], capture_output=True, text=True, timeout=600, env=env)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    assert f"Num examples = {n}" in log
    assert (tmp_path / "sft" / "model.safetensors").exists()
    first = pq.read_table(out / "anesqa.parquet").to_pylist()[0]["question"]
    assert first[:30] in log.split("inputs:", 1)[1][:3000]
