"""Fixtures for ``anestools train`` tests: one LLaMA-Factory data dir made by the real convert."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

CORPUS = [
    "General anesthesia with propofol and sevoflurane requires airway management and monitoring.",
    "Spinal anaesthesia with bupivacaine is common for caesarean section.",
    "Rocuronium is a neuromuscular blocking agent reversed by sugammadex.",
    "Malignant hyperthermia is treated with dantrolene.",
    "全身麻醉诱导常用丙泊酚，术后镇痛可采用硬膜外阻滞。",
    "椎管内麻醉后低血压可用去氧肾上腺素处理。",
] * 4
QA = [
    ("Which drug reverses rocuronium?", "Sugammadex.", "en"),
    ("What treats malignant hyperthermia?", "Dantrolene.", "en"),
    ("Which vasopressor treats spinal hypotension?", "Phenylephrine.", "en"),
    ("椎管内麻醉后低血压用什么处理？", "去氧肾上腺素。", "zh"),
] * 4


@pytest.fixture(scope="session")
def train_data(tmp_path_factory) -> Path:
    """``anescorpus_all`` + ``anesqa_all`` (the recipes' default names) made by ``anestools convert``."""
    from anestools.convert.core import convert

    src = tmp_path_factory.mktemp("train-src")
    langs = ["zh" if any("\u4e00" <= c <= "\u9fff" for c in t) else "en" for t in CORPUS]
    pq.write_table(pa.table({"text": CORPUS, "language": langs}), src / "corpus.parquet")
    pq.write_table(
        pa.table({"question": [q for q, _, _ in QA], "answer": [a for _, a, _ in QA], "language": [lang for *_, lang in QA]}),
        src / "qa.parquet",
    )
    data = tmp_path_factory.mktemp("train-data")
    convert([str(src / "corpus.parquet")], data, split="all")
    convert([str(src / "qa.parquet")], data, split="all", instruction="Answer the anesthesiology question.")
    return data


@pytest.fixture(scope="session")
def mix_data(train_data, tmp_path_factory) -> Path:
    """``train_data`` plus ``general_all`` (a general-text corpus, made by ``convert --kind general``)."""
    import shutil

    from anestools.convert.core import convert

    data = tmp_path_factory.mktemp("mix") / "data"
    shutil.copytree(train_data, data)
    src = data.parent / "web_sample.jsonl"
    src.write_text("".join(f'{{"text": "The river number {i} flows to the sea past the old mill."}}\n'
                           for i in range(12)), encoding="utf-8")
    convert([str(src)], data, kind="general")
    return data


@pytest.fixture(scope="session")
def rl_python() -> Path:
    """The RL environment's Python (``make rl-env``, which ``make test`` builds)."""
    from anestools.train.grpo import default_engine_python

    python = default_engine_python()
    if python is None:
        pytest.skip("no RL environment (.rl-env): run `make rl-env`")
    return python


@pytest.fixture(scope="session")
def rl_toy(tmp_path_factory) -> tuple[Path, Path]:
    """(tiny model, data dir with the RL dataset ``toy``): the learnable toy task of anestools.testing.rl_toy."""
    pytest.importorskip("transformers")
    from anestools.testing.rl_toy import build_toy_model, toy_rows, write_rl_dataset

    root = tmp_path_factory.mktemp("rl-toy")
    rows = toy_rows(64, seed=0)
    return build_toy_model(root / "model", rows), write_rl_dataset(root / "data", "toy", rows)
