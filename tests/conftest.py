"""Shared fixtures: a tiny locally built Llama model, reference-data paths, CLI runner."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "reference-data"

# Nothing may download at test time: make any accidental hub access fail fast.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("DISABLE_VERSION_CHECK", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

TINY_TEXTS = [
    "General anesthesia with propofol and sevoflurane requires airway management and monitoring.",
    "Spinal anaesthesia with bupivacaine is common for caesarean section; hypotension is treated with phenylephrine.",
    "Rocuronium is a neuromuscular blocking agent reversed by sugammadex.",
    "Malignant hyperthermia is treated with dantrolene.",
    "The answer is B. 答案：C。",
    "全身麻醉诱导常用丙泊酚，术后镇痛可采用硬膜外阻滞。",
    "椎管内麻醉后低血压可用去氧肾上腺素处理。",
    "Question: Which drug reverses rocuronium? A. Neostigmine B. Sugammadex C. Atropine D. Naloxone",
] * 20


@pytest.fixture(scope="session")
def reference_data() -> Path:
    """``../shared/reference-data`` (real third-party files); skip when absent (a user's clone)."""
    if not REFERENCE.is_dir():
        pytest.skip(f"reference data not found at {REFERENCE}")
    return REFERENCE


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A tiny random-init Llama model with a locally trained tokenizer (no download)."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from anestools.tiny import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model") / "model", TINY_TEXTS, vocab_size=600)


@pytest.fixture()
def cli():
    """Run ``anestools`` in-process; returns ``(exit_code, stdout, stderr)``."""
    from click.testing import CliRunner

    from anestools.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        runner = CliRunner()
        result = runner.invoke(_MainWrapper(main), list(args), catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run


class _MainWrapper:
    """Adapter so ``CliRunner`` can drive ``anestools.cli.main`` (which returns an exit code)."""

    name = "anestools"

    def __init__(self, main):
        self._main = main

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        sys.exit(self._main(list(args or [])))
