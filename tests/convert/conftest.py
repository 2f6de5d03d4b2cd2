"""Fixtures for ``convert --kind reasoning|rl``: a small ``qa reason`` output folder (AnesR1 contract).

Written here from the contract (docs/convert.md) so that convert is tested on its own: the
columns and types are those ``qa reason`` publishes in ``anesr1.parquet`` (one row per kept
chain) and ``anesr1_items.parquet`` (every item once, no chain).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ANESR1_SCHEMA = pa.schema([
    ("id", pa.string()), ("question", pa.string()), ("options", pa.list_(pa.string())), ("answer", pa.string()),
    ("reasoning", pa.string()), ("response", pa.string()), ("level", pa.int8()), ("language", pa.string()),
    ("pass_rate", pa.float32()), ("tries", pa.int16()), ("passes", pa.int16()), ("difficulty", pa.string()),
    ("teacher", pa.string()), ("prompt_hash", pa.string()), ("seed", pa.int64()), ("seeds", pa.list_(pa.int64())),
    ("source", pa.string()),
])

EN_Q = "Which drug reverses rocuronium-induced neuromuscular blockade?"
EN_OPTIONS = ["Neostigmine", "Sugammadex", "Atropine", "Naloxone"]
ZH_Q = "逆转罗库溴铵神经肌肉阻滞的药物是？"
ZH_OPTIONS = ["新斯的明", "舒更葡糖钠", "阿托品"]
CHAIN_EN = "Sugammadex encapsulates rocuronium; neostigmine only inhibits cholinesterase."
CHAIN_EN_2 = "Rocuronium is an aminosteroid, so sugammadex binds it directly."
CHAIN_ZH = "舒更葡糖钠可包裹罗库溴铵分子。"


def item(id: str, question: str, options: list[str], answer: str, language: str, difficulty: str,
         passes: int, tries: int = 4, level: int | None = 1, reasoning: str | None = None,
         response: str | None = None, seed: int | None = None) -> dict[str, Any]:
    return {"id": id, "question": question, "options": options, "answer": answer, "reasoning": reasoning,
            "response": response, "level": level, "language": language, "pass_rate": passes / tries,
            "tries": tries, "passes": passes, "difficulty": difficulty, "teacher": "test-teacher",
            "prompt_hash": "p0", "seed": seed, "seeds": list(range(tries)), "source": "anesqa-mcq"}


CHAINS = [  # anesr1.parquet: q1 has two verified chains
    item("q1", EN_Q, EN_OPTIONS, "B", "en", "easy", 4, reasoning=CHAIN_EN, response="Answer: B", seed=0),
    item("q1", EN_Q, EN_OPTIONS, "B", "en", "easy", 4, reasoning=CHAIN_EN_2, response="Answer: B", seed=1),
    item("z1", ZH_Q, ZH_OPTIONS, "B", "zh", "mixed", 2, level=None, reasoning=CHAIN_ZH, response="答案：B", seed=2),
]
ITEMS = [  # anesr1_items.parquet: every item once, u1 never solved (suspected wrong key)
    item("q1", EN_Q, EN_OPTIONS, "B", "en", "easy", 4),
    item("z1", ZH_Q, ZH_OPTIONS, "B", "zh", "mixed", 2, level=None),
    item("u1", "Which agent triggers malignant hyperthermia?", ["Sevoflurane", "Propofol", "Ketamine"], "C",
         "en", "unsolved", 0, level=2),
]


def write_anesr1(folder: Path, chains: list[dict[str, Any]] = CHAINS, items: list[dict[str, Any]] = ITEMS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(chains, ANESR1_SCHEMA), folder / "anesr1.parquet")
    pq.write_table(pa.Table.from_pylist(items, ANESR1_SCHEMA), folder / "anesr1_items.parquet")
    return folder


@pytest.fixture()
def anesr1_dir(tmp_path) -> Path:
    return write_anesr1(tmp_path / "anesr1")
