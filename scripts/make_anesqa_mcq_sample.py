#!/usr/bin/env python
"""Write the embedded multiple-choice SFT sample (``anestools/resources/samples/anesqa_mcq_sample.parquet``).

Why: ``anestools demo`` fine-tunes its tiny model so that it answers in the benchmark's format
("Answer: X"). The items are multiple-choice versions of our own embedded AnesQA sample (never
benchmark items): each question keeps its answer as the correct option and takes three other
answers of the same language as distractors. A question that is also in the embedded sample
benchmark (``anestools/resources/bench``) is left out, so the demo never trains on what it
evaluates. Every question appears once per answer letter, so
the letters are balanced and the model cannot score by always giving one letter. The prompt is
eval's own ``direct`` user message, so training and evaluation ask in the same words.
Deterministic (fixed seed): rerunning the script writes the same file.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from anestools.common.anesbench import Item
from anestools.eval.prompts import SHOT_ANSWER, user_message

RESOURCES = Path(__file__).resolve().parents[1] / "anestools" / "resources"
SAMPLES = RESOURCES / "samples"
LETTERS = "ABCD"


def mcq_rows(questions: list[str], answers: list[str], language: str, rng: random.Random) -> list[dict]:
    rows = []
    for i, (question, answer) in enumerate(zip(questions, answers, strict=True)):
        others = [a for j, a in enumerate(answers) if j != i]
        for pos, letter in enumerate(LETTERS):
            distractors = rng.sample(others, len(LETTERS) - 1)
            texts = [*distractors[:pos], answer, *distractors[pos:]]
            item = Item(id=f"mcq-{language}-{i:03d}-{letter}", language=language, level=None,
                        question=question, options=dict(zip(LETTERS, texts, strict=True)), answer=letter)
            rows.append({"question": user_message(item, "direct"),
                         "answer": SHOT_ANSWER[("direct", language)].format(answer=letter),
                         "language": language})
    return rows


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def benchmark_questions() -> set[str]:
    """The embedded sample benchmark's questions (normalised), which the SFT sample must not hold."""
    return {_norm(r["question"]) for name in ("sample_en.json", "sample_zh.json")
            for r in json.loads((RESOURCES / "bench" / name).read_text(encoding="utf-8"))}


def main() -> None:
    bench = benchmark_questions()
    table = pq.read_table(SAMPLES / "anesqa_sample.parquet").to_pylist()
    left_out = [r["question"] for r in table if _norm(r["question"]) in bench]
    table = [r for r in table if _norm(r["question"]) not in bench]
    rng = random.Random(18)
    rows: list[dict] = []
    for language in ("en", "zh"):
        pairs = [r for r in table if r["language"] == language]
        rows += mcq_rows([r["question"] for r in pairs], [r["answer"] for r in pairs], language, rng)
    out = SAMPLES / "anesqa_mcq_sample.parquet"
    pq.write_table(pa.Table.from_pylist(rows), out)
    print(f"wrote {len(rows)} multiple-choice SFT items to {out}; left out (in the sample benchmark): {left_out}")


if __name__ == "__main__":
    main()
