"""Multiple-choice rows -> reasoning SFT records and RL records (``convert --kind reasoning|rl``).

Two input layouts, told apart by their columns (read from the schema, before any row):

* **AnesR1** (``qa reason`` output): ``question`` (the stem), ``options`` (list<string>, A.. in
  order), ``answer`` (gold letter), ``reasoning`` / ``response`` (the verified chain and the final
  answer text), ``id``, ``level``, ``language``, ``difficulty`` (easy | mixed | unsolved);
* **mcq** (``qa generate --style mcq`` output): ``stem``, ``options``, ``target``, ``pair_id``,
  ``level``, ``language`` (no chain: usable for ``rl`` only).

Why the chain is stored as ``<think>\\n{reasoning}\\n</think>\\n\\n{response}``: that is
LLaMA-Factory's default ``thought_words`` pair, the one its qwen3 / deepseekr1 / glm / mimo /
minimax reasoning templates use, so their ``ReasoningTemplate`` sees a thinking block, does not
add an empty one, and trains on the chain (docs/convert.md lists the templates). The prompt is
eval's chain-of-thought user message (:mod:`anestools.common.mcq_prompt`), so a model is trained
on the words it is scored with.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from anestools.common.mcq_prompt import LETTERS, mcq_user_message
from anestools.errors import InputError

MCQ_KINDS = ("reasoning", "rl")
THINK_OPEN, THINK_CLOSE = "<think>\n", "\n</think>\n\n"
_TAGS = ("<think>", "</think>")
DIFFICULTIES = ("easy", "mixed", "unsolved")
PROMPT_STYLE = "cot"  # eval's default prompt: the chain the model writes is what RL rewards
# Output names of `qa reason` (the AnesR1 contract): the chains, and every item once.
ANESR1 = "anesr1.parquet"
ANESR1_ITEMS = "anesr1_items.parquet"


@dataclass(frozen=True)
class Layout:
    """Which column holds which field in one input file."""

    name: str  # "anesr1" | "mcq"
    question: str
    options: str
    answer: str
    id: str | None
    level: str | None
    reasoning: str | None = None
    response: str | None = None
    difficulty: str | None = None

    def columns(self, kind: str) -> list[str]:
        """The columns to read for ``kind`` (``difficulty`` only when a filter needs it)."""
        cols = [self.question, self.options, self.answer, self.id, self.level]
        if kind == "reasoning":
            cols += [self.reasoning, self.response]
        return [c for c in cols if c is not None]

    def text_columns(self, kind: str) -> tuple[str, ...]:
        """String columns a row needs non-empty (an empty one skips the row, counted)."""
        if kind == "reasoning":
            return (self.question, self.reasoning or "", self.response or "")
        return (self.question,)


def _is_string(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t) or getattr(pa.types, "is_string_view", lambda _: False)(t)


def _is_string_list(t: pa.DataType) -> bool:
    return (pa.types.is_list(t) or pa.types.is_large_list(t)) and _is_string(t.value_type)


def layout_of(schema: pa.Schema, name: str, kind: str, need_difficulty: bool) -> Layout:
    """The layout of one input file for ``kind``; a one-line ``InputError`` naming what is missing."""
    cols = set(schema.names)
    if {"stem", "options", "target"} <= cols:
        if kind == "reasoning":
            raise InputError(f"{name}: a `qa generate --style mcq` set has no reasoning chains: run "
                             "`anestools qa reason` on it, then convert its anesr1.parquet with --kind reasoning")
        layout = Layout("mcq", "stem", "options", "target", "pair_id" if "pair_id" in cols else None,
                        "level" if "level" in cols else None,
                        difficulty="difficulty" if "difficulty" in cols else None)
    elif {"question", "options", "answer"} <= cols:
        layout = Layout("anesr1", "question", "options", "answer", "id" if "id" in cols else None,
                        "level" if "level" in cols else None,
                        reasoning="reasoning" if "reasoning" in cols else None,
                        response="response" if "response" in cols else None,
                        difficulty="difficulty" if "difficulty" in cols else None)
        if kind == "reasoning" and (layout.reasoning is None or layout.response is None):
            missing = [c for c in ("reasoning", "response") if c not in cols]
            raise InputError(f"{name}: missing column(s) {missing} for --kind reasoning (an AnesR1 parquet "
                             f"written by `anestools qa reason`; found {sorted(cols)})")
    else:
        raise InputError(
            f"{name}: --kind {kind} needs an AnesR1 parquet (question, options, answer, reasoning, response: "
            f"`qa reason` output) or a `qa generate --style mcq` set (stem, options, target); found {sorted(cols)}"
        )
    if need_difficulty and layout.difficulty is None:
        raise InputError(f"{name}: --difficulty needs a 'difficulty' column (AnesR1 parquet from "
                         "`anestools qa reason`); this file has none")
    # A column with no value at all reads as type null: fine where a row check names the row
    # (id, answer), not for the texts and the difficulty, which are matched column-wise.
    strings = [layout.question, layout.answer, layout.id, layout.difficulty if need_difficulty else None]
    strings += [layout.reasoning, layout.response] if kind == "reasoning" else []
    for col in (c for c in strings if c is not None):
        t = schema.field(col).type
        if pa.types.is_null(t) and col not in (layout.id, layout.answer):
            raise InputError(f"{name}: column {col!r} holds no value in any row")
        if not (_is_string(t) or pa.types.is_null(t)):
            raise InputError(f"{name}: column {col!r} has type {t}, expected string")
    t = schema.field(layout.options).type
    if not _is_string_list(t):
        raise InputError(f"{name}: column {layout.options!r} has type {t}, expected list<string>")
    if layout.level is not None:
        t = schema.field(layout.level).type
        if not (pa.types.is_integer(t) or pa.types.is_null(t)):
            raise InputError(f"{name}: column {layout.level!r} has type {t}, expected an integer")
    return layout


def twin_skip_reason(name: str, kind: str, names: set[str]) -> str | None:
    """Why an input of a ``qa reason`` output folder is left out for ``kind``, if it is.

    ``anesr1_items.parquet`` lists every item with no chain: nothing for ``reasoning``. For
    ``rl``, the items file is the one-row-per-item list; ``anesr1.parquet`` next to it holds the
    same items again, once per kept chain.
    """
    path = Path(name)
    if kind == "reasoning" and path.name == ANESR1_ITEMS:
        return f"lists items without chains (the chains are in {ANESR1})"
    if kind == "rl" and path.name == ANESR1 and str(path.with_name(ANESR1_ITEMS)) in names:
        return f"{ANESR1_ITEMS} of the same folder lists every item once"
    return None


class RowBuilder:
    """Validates the kept rows of one input and turns them into output records.

    ``seen`` (rl): the ``(language, id)`` keys written so far, so an item given twice (two chains
    of one item, or the same file twice) is one RL prompt; one short key per item in memory.
    """

    def __init__(self, kind: str, style: str, instruction: str) -> None:
        self.kind = kind
        self.style = style
        self.instruction = instruction
        self.seen: set[tuple[str, str]] = set()

    def build(self, source: str, layout: Layout, columns: dict[str, list[Any]], rows: Sequence[int],
              languages: Sequence[str | None], raw_languages: Sequence[Any]) -> tuple[list[dict[str, Any]], Counter[str]]:
        """Records for the kept rows (``rows``: their 1-based numbers in the file) and duplicates per language."""
        out: list[dict[str, Any]] = []
        duplicates: Counter[str] = Counter()
        for i, row in enumerate(rows):
            where = f"{source}: row {row}"
            lang = languages[i]
            if lang not in ("en", "zh"):
                raise InputError(f"{where}: field 'language' is {raw_languages[i]!r}: the prompt is written in "
                                 "the row's language, en or zh")
            options = _options(columns[layout.options][i], where, layout.options)
            answer = _answer(columns[layout.answer][i], options, where, layout.answer)
            question = columns[layout.question][i].strip()
            prompt = mcq_user_message(question, options, lang, PROMPT_STYLE)
            if self.kind == "rl":
                item_id = _item_id(columns, layout, i, source, row, where)
                if (lang, item_id) in self.seen:
                    duplicates[lang] += 1
                    continue
                self.seen.add((lang, item_id))
                level = columns[layout.level][i] if layout.level else None
                out.append({"id": item_id, "prompt": [{"role": "user", "content": prompt}], "answer": answer,
                            "options": list(options.values()), "language": lang, "level": level})
            else:
                chain = _untagged(columns[layout.reasoning or ""][i], where, "reasoning")
                response = _untagged(columns[layout.response or ""][i], where, "response")
                out.append(self._sft(prompt, f"{THINK_OPEN}{chain}{THINK_CLOSE}{response}"))
        return out, duplicates

    def _sft(self, prompt: str, assistant: str) -> dict[str, Any]:
        if self.style == "alpaca":
            return {"instruction": self.instruction, "input": prompt, "output": assistant}
        rec: dict[str, Any] = {"conversations": [{"from": "human", "value": prompt},
                                                 {"from": "gpt", "value": assistant}]}
        if self.instruction:
            rec["system"] = self.instruction
        return rec


def _options(value: Any, where: str, field: str) -> dict[str, str]:
    if not value:
        raise InputError(f"{where}: field {field!r} is empty: a multiple-choice item needs 2 to {len(LETTERS)} options")
    if not 2 <= len(value) <= len(LETTERS):
        raise InputError(f"{where}: field {field!r} has {len(value)} options, expected 2 to {len(LETTERS)}")
    for letter, text in zip(LETTERS, value):
        if text is None or not text.strip():
            raise InputError(f"{where}: field {field!r}: option {letter} is empty")
    return {letter: text.strip() for letter, text in zip(LETTERS, value)}


def _answer(value: Any, options: dict[str, str], where: str, field: str) -> str:
    letter = value.strip().upper() if isinstance(value, str) else ""
    if len(letter) != 1 or letter not in options:
        raise InputError(f"{where}: field {field!r} is {value!r}, expected one of the option letters "
                         f"{', '.join(options)}")
    return letter


def _item_id(columns: dict[str, list[Any]], layout: Layout, i: int, source: str, row: int, where: str) -> str:
    if layout.id is None:  # no id column: the file and row name the item
        return f"{Path(source).name}:{row}"
    value = columns[layout.id][i]
    if value is None or not str(value).strip():
        raise InputError(f"{where}: field {layout.id!r} is empty")
    return str(value)


def _untagged(value: str, where: str, field: str) -> str:
    text = value.strip()
    for tag in _TAGS:
        if tag in text:
            raise InputError(f"{where}: field {field!r} holds a {tag} tag; AnesR1 chains are stored without "
                             "tags (convert adds the thinking block)")
    return text
