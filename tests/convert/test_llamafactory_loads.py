"""The proof that ``convert`` output is right: LLaMA-Factory itself loads and trains on it.

Runs the real ``llamafactory-cli train`` (2 steps, CPU, tiny local model) on ``anescorpus_all``
(stage pt) and on ``anesqa_all`` in alpaca and sharegpt style (stage sft), and checks the
training example LLaMA-Factory decodes from our files.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from anestools.convert.core import convert

pytest.importorskip("llamafactory")
pytestmark = pytest.mark.slow

CORPUS = [
    ("Sugammadex encapsulates rocuronium and reverses deep neuromuscular blockade.", "en"),
    ("Propofol infusion syndrome is a rare complication of long sedation.", "en"),
    ("舒更葡糖钠可以快速拮抗罗库溴铵的神经肌肉阻滞作用。", "zh"),
] * 6
QA = [("Which drug reverses rocuronium?", "Sugammadex.", "en"),
      ("哪种药物拮抗罗库溴铵？", "舒更葡糖钠。", "zh")] * 4


@pytest.fixture(scope="module")
def data_dirs(tmp_path_factory) -> dict[str, Path]:
    src = tmp_path_factory.mktemp("lf-src")
    pq.write_table(pa.table({"text": [t for t, _ in CORPUS], "language": [lang for _, lang in CORPUS]}),
                   src / "corpus.parquet")
    pq.write_table(pa.table({"question": [q for q, _, _ in QA], "answer": [a for _, a, _ in QA],
                             "language": [lang for *_, lang in QA]}), src / "qa.parquet")
    alpaca = tmp_path_factory.mktemp("lf-alpaca")
    convert([str(src / "corpus.parquet"), str(src / "qa.parquet")], alpaca, split="all")
    sharegpt = tmp_path_factory.mktemp("lf-sharegpt")
    convert([str(src / "qa.parquet")], sharegpt, split="all", style="sharegpt", fmt="json",
            instruction="You are an anesthesiologist.")
    return {"alpaca": alpaca, "sharegpt": sharegpt}


def _train(tmp_path: Path, model: Path, data_dir: Path, stage: str, dataset: str, cutoff: int = 64) -> str:
    cfg = {
        "model_name_or_path": str(model), "stage": stage, "do_train": True, "finetuning_type": "full",
        "dataset": dataset, "dataset_dir": str(data_dir), "template": "default", "cutoff_len": cutoff,
        "output_dir": str(tmp_path / "out"), "max_steps": 2, "per_device_train_batch_size": 2,
        "learning_rate": 1e-4, "logging_steps": 1, "report_to": "none", "use_cpu": True,
        "overwrite_output_dir": True,
    }
    cfg_path = tmp_path / "cfg.yaml"
    cfg_path.write_text(yaml.safe_dump(cfg))
    exe = Path(sys.executable).with_name("llamafactory-cli")
    env = {**os.environ, "DISABLE_VERSION_CHECK": "1", "HF_HUB_OFFLINE": "1", "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run([str(exe), "train", str(cfg_path)], capture_output=True, text=True,
                          timeout=600, env=env)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    assert (tmp_path / "out" / "model.safetensors").exists()
    return log


def test_pretraining_on_converted_corpus(tmp_path, tiny_model, data_dirs):
    log = _train(tmp_path, tiny_model, data_dirs["alpaca"], "pt", "anescorpus_all", cutoff=512)
    decoded = log.split("inputs:", 1)[1][:2000]
    assert "Sugammadex encapsulates rocuronium" in decoded
    assert "舒更葡糖钠可以快速拮抗" in decoded


def test_sft_on_converted_alpaca_qa(tmp_path, tiny_model, data_dirs):
    log = _train(tmp_path, tiny_model, data_dirs["alpaca"], "sft", "anesqa_all")
    assert "Num examples = 8" in log
    decoded = log.split("inputs:", 1)[1][:1000]
    assert "Which drug reverses rocuronium?" in decoded and "Sugammadex." in decoded


def test_sft_on_converted_sharegpt_qa(tmp_path, tiny_model, data_dirs):
    log = _train(tmp_path, tiny_model, data_dirs["sharegpt"], "sft", "anesqa_all")
    assert "Num examples = 8" in log
    decoded = log.split("inputs:", 1)[1][:1000]
    assert "You are an anesthesiologist." in decoded  # system prompt column mapped
    assert "Which drug reverses rocuronium?" in decoded and "Sugammadex." in decoded
