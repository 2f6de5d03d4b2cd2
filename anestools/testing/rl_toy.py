"""A toy verifiable task in the RL dataset format, and a tiny model that can learn it.

Why: the GRPO tests and ``scripts/bench/grpo.py`` need a task a random-init tiny model can learn
in a few dozen CPU steps, so that a rising reward shows the loop (generation, the extractor reward,
the policy update) works. Each item has four options, one of them the fixed word ``yes`` at a
random position; it is the gold letter. The rows follow the ``convert --kind rl`` contract
(``id``, conversational ``prompt``, ``answer``, ``options``, ``language``, ``level``) until that
converter writes them.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

WORDS = ("apple", "river", "stone", "cloud", "tiger", "paper", "glass", "music")
TARGET = "yes"
LETTERS = "ABCD"


def toy_rows(n: int, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        options = [*rng.sample(WORDS, 3), TARGET]
        rng.shuffle(options)
        listing = "\n".join(f"{letter}. {text}" for letter, text in zip(LETTERS, options))
        content = f"Which option is {TARGET}?\n{listing}\nAnswer with the letter of the correct option."
        rows.append({"id": f"toy-{i}", "prompt": [{"role": "user", "content": content}],
                     "answer": LETTERS[options.index(TARGET)], "options": options, "language": "en", "level": None})
    return rows


def write_rl_dataset(data_dir: Path, name: str, rows: list[dict[str, Any]]) -> Path:
    """``DATA_DIR/NAME.jsonl`` registered in ``dataset_info.json`` as an RL dataset."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / f"{name}.jsonl", "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    info_path = data_dir / "dataset_info.json"
    info = json.loads(info_path.read_text(encoding="utf-8")) if info_path.is_file() else {}
    info[name] = {"file_name": f"{name}.jsonl", "anestools_kind": "rl"}
    info_path.write_text(json.dumps(info, indent=2), encoding="utf-8")
    return data_dir


def build_toy_model(out_dir: Path, rows: list[dict[str, Any]], seed: int = 0) -> Path:
    """A very small Llama (1 layer, width 32) whose tokenizer knows the prompts and bare letters."""
    from anestools.tiny import build_tiny_model

    texts = [r["prompt"][0]["content"] for r in rows] + ["The answer is A.", "A", "B", "C", "D"] * 20
    return build_tiny_model(out_dir, texts, vocab_size=300, hidden_size=32, num_layers=1, num_heads=2, seed=seed)
