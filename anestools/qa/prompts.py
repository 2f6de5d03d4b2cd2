"""Teacher prompts (generate, grounding judge, translate) in English and Chinese, with hashes.

Why the prompt text and its hash are saved: a QA set is only reproducible with the exact
instructions given to the teacher. ``prompts.json`` in the output holds every template used,
each pair carries the ``prompt_hash`` of its generation prompt, and a resumed run refuses to
mix pairs made with other prompts.

Every prompt asks for one JSON object and shows its schema: the reply is parsed and
validated (:mod:`anestools.qa.parse`), never scraped with regular expressions.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

STYLES = ("open", "mcq")
LEVEL_TAGS = {1: "System 1", 2: "System 1.x", 3: "System 2"}

GEN_SYSTEM = {
    "en": ("You write exam-quality question-answer pairs for training medical language models in "
           "anesthesiology. Every pair must be answerable from the given passage alone, and the answer "
           "must be supported by the passage. Reply with one JSON object and nothing else."),
    "zh": ("你为麻醉学医学语言模型的训练编写高质量的问答对。每个问答对都必须仅凭所给段落即可回答，"
           "且答案必须有段落依据。只回复一个 JSON 对象，不要输出其他内容。"),
}

GEN_USER = {
    ("open", "en"): (
        "Passage:\n\"\"\"\n{passage}\n\"\"\"\n\n"
        "Write {n} different question-answer pairs in English about the clinically important facts of this "
        "passage. The question must stand alone (do not say \"the passage\"); the answer explains the "
        "reasoning in 1-4 sentences.\n"
        "Reply as JSON: {{\"pairs\": [{{\"question\": \"...\", \"answer\": \"...\"}}]}}"),
    ("open", "zh"): (
        "段落：\n\"\"\"\n{passage}\n\"\"\"\n\n"
        "请用中文针对该段落中临床上重要的内容编写{n}个不同的问答对。问题须独立成立（不要说“该段落”），"
        "答案用1到4句话解释理由。\n"
        "以 JSON 回复：{{\"pairs\": [{{\"question\": \"...\", \"answer\": \"...\"}}]}}"),
    ("mcq", "en"): (
        "Passage:\n\"\"\"\n{passage}\n\"\"\"\n\n"
        "Write {n} different single-best-answer multiple-choice questions in English on this passage, each "
        "with 4 or 5 options, exactly one correct. Give the letter of the correct option, a short "
        "explanation, and the cognitive level: \"System 1\" (factual recall), \"System 1.x\" (recall plus "
        "a reasoning step) or \"System 2\" (complex clinical decision).\n"
        "Reply as JSON: {{\"pairs\": [{{\"question\": \"...\", \"options\": [\"...\", \"...\", \"...\", "
        "\"...\"], \"answer\": \"B\", \"explanation\": \"...\", \"level\": \"System 1\"}}]}}"),
    ("mcq", "zh"): (
        "段落：\n\"\"\"\n{passage}\n\"\"\"\n\n"
        "请用中文针对该段落编写{n}道不同的单项选择题，每题4或5个选项，仅一个正确。给出正确选项的字母、"
        "简短解析，以及认知层级：\"System 1\"（事实回忆）、\"System 1.x\"（回忆加一步推理）或"
        "\"System 2\"（复杂临床决策）。\n"
        "以 JSON 回复：{{\"pairs\": [{{\"question\": \"...\", \"options\": [\"...\", \"...\", \"...\", "
        "\"...\"], \"answer\": \"B\", \"explanation\": \"...\", \"level\": \"System 1\"}}]}}"),
}

JUDGE_SYSTEM = ("You check question-answer pairs against a source passage. A pair is supported when the "
                "passage states or directly implies its answer. Reply with one JSON object and nothing else.")
JUDGE_USER = (
    "Passage:\n\"\"\"\n{passage}\n\"\"\"\n\nPairs:\n{pairs}\n\n"
    "For every pair, say whether its answer is supported by the passage.\n"
    "Reply as JSON: {{\"verdicts\": [{{\"id\": 1, \"supported\": true, \"reason\": \"...\"}}]}}")

TRANSLATE_SYSTEM = ("You translate medical question-answer pairs faithfully and completely. Keep drug names "
                    "recognisable, keep numbers and units, never add or remove content. Reply with one JSON "
                    "object and nothing else.")
TRANSLATE_USER = {
    "zh": ("Translate this question-answer pair into Simplified Chinese.\n\n{pair}\n\n"
           "Reply as JSON with the same keys: {schema}"),
    "en": ("Translate this question-answer pair into English.\n\n{pair}\n\n"
           "Reply as JSON with the same keys: {schema}"),
}


def text_hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def generation_messages(style: str, language: str, passage: str, n: int) -> list[dict[str, str]]:
    return [{"role": "system", "content": GEN_SYSTEM[language]},
            {"role": "user", "content": GEN_USER[(style, language)].format(passage=passage, n=n)}]


def generation_prompt_hash(style: str, language: str) -> str:
    return text_hash(GEN_SYSTEM[language], GEN_USER[(style, language)])


def judge_messages(passage: str, pairs: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    listing = "\n".join(f"{i}. Q: {q}\n   A: {a}" for i, (q, a) in enumerate(pairs, start=1))
    return [{"role": "system", "content": JUDGE_SYSTEM},
            {"role": "user", "content": JUDGE_USER.format(passage=passage, pairs=listing)}]


def translate_messages(to: str, pair: dict) -> list[dict[str, str]]:
    body = json.dumps(pair, ensure_ascii=False)
    schema = json.dumps({k: "..." if not isinstance(v, list) else ["..."] * len(v) for k, v in pair.items()})
    return [{"role": "system", "content": TRANSLATE_SYSTEM},
            {"role": "user", "content": TRANSLATE_USER[to].format(pair=body, schema=schema)}]


@dataclass(frozen=True)
class PromptSet:
    """The templates one run uses, for ``prompts.json`` and the fingerprint."""

    templates: dict[str, str]

    @property
    def hash(self) -> str:
        return text_hash(json.dumps(self.templates, sort_keys=True, ensure_ascii=False))

    def describe(self) -> dict:
        return {"hash": self.hash, "templates": self.templates}


def generation_prompts(style: str, languages: Sequence[str], grounding: bool) -> PromptSet:
    t: dict[str, str] = {}
    for lang in languages:
        t[f"generate.{style}.{lang}.system"] = GEN_SYSTEM[lang]
        t[f"generate.{style}.{lang}.user"] = GEN_USER[(style, lang)]
    if grounding:
        t["judge.system"] = JUDGE_SYSTEM
        t["judge.user"] = JUDGE_USER
    return PromptSet(t)


def translation_prompts(to: str) -> PromptSet:
    return PromptSet({"translate.system": TRANSLATE_SYSTEM, f"translate.{to}.user": TRANSLATE_USER[to]})
