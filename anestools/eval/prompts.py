"""Prompt templates: zero-shot chain of thought (the paper's protocol), direct, few-shot.

Why templates live here with a hash: a score is only comparable with another score obtained
with the same prompt. The exact templates and the ids of the few-shot examples are saved in
``summary.json`` and every prediction carries the prompt hash, so a resumed or compared run
cannot silently mix prompts.

The English chain-of-thought prompt follows the structure of the AnesBench paper's evaluation
prompt (a medical-assistant system role; analyse each option step by step, then give one
letter), in our own words, plus an explicit final-answer line that makes extraction reliable.
The Chinese prompt is its equivalent for ``zh`` items.
"""

from __future__ import annotations

from dataclasses import dataclass

from anestools.common.anesbench import Item
from anestools.common.digest import json_digest
from anestools.common.mcq_prompt import USER, mcq_user_message
from anestools.common.mcq_prompt import format_options as _format_options
from anestools.errors import ConfigError

STYLES = ("cot", "direct")

SYSTEM = {
    "en": ("You are a medical AI assistant specialised in anesthesiology and general medicine. "
           "You answer multiple-choice questions accurately, choosing the single most suitable "
           "option on the basis of medical knowledge and careful reasoning."),
    "zh": ("你是一名专注于麻醉学和临床医学的医学人工智能助手。你需要准确回答医学单项选择题，"
           "依据医学知识和严谨推理选出唯一最合适的选项。"),
}

SHOT_ANSWER = {
    ("cot", "en"): "{explanation}\nAnswer: {answer}",
    ("cot", "zh"): "{explanation}\n答案：{answer}",
    ("direct", "en"): "Answer: {answer}",
    ("direct", "zh"): "答案：{answer}",
}


def format_options(item: Item) -> str:
    return _format_options(item.options)


def user_message(item: Item, style: str) -> str:
    return mcq_user_message(item.question, item.options, item.language, style)


@dataclass(frozen=True)
class PromptBuilder:
    """Builds chat messages for items; ``shots`` maps language -> solved examples."""

    style: str = "cot"
    shots: int = 0
    dev: tuple[Item, ...] = ()
    #: Languages of the questions it will be asked for: only those need K dev examples (empty: the dev set's).
    languages: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.style not in STYLES:
            raise ConfigError(f"unknown prompt style {self.style!r}: expected one of {', '.join(STYLES)}")
        if self.shots < 0:
            raise ConfigError("--shots must be >= 0")
        if self.shots:
            for lang in sorted(set(self.languages) or {it.language for it in self.dev} or {"en"}):
                have = sum(1 for it in self.dev if it.language == lang)
                if have < self.shots + 1:
                    raise ConfigError(f"--shots {self.shots} needs at least {self.shots + 1} {lang} dev "
                                      f"examples (one may be the item itself); the dev file has {have}")

    def examples_for(self, item: Item) -> list[Item]:
        """The first K dev examples of the item's language, never the item itself."""
        if not self.shots:
            return []
        out = [d for d in self.dev
               if d.language == item.language and d.id != item.id and d.question != item.question]
        return out[: self.shots]

    def messages(self, item: Item) -> list[dict[str, str]]:
        msgs = [{"role": "system", "content": SYSTEM[item.language]}]
        for ex in self.examples_for(item):
            msgs.append({"role": "user", "content": user_message(ex, self.style)})
            expl = ex.explanation or ""
            answer = SHOT_ANSWER[(self.style, ex.language)].format(explanation=expl, answer=ex.answer)
            msgs.append({"role": "assistant", "content": answer.strip()})
        msgs.append({"role": "user", "content": user_message(item, self.style)})
        return msgs

    def describe(self) -> dict:
        """Everything that determines the prompt text, saved in the run (and hashed)."""
        langs = ("en", "zh")
        return {
            "style": self.style,
            "system": {lang: SYSTEM[lang] for lang in langs},
            "user": {lang: USER[(self.style, lang)] for lang in langs},
            "shot_answer": {lang: SHOT_ANSWER[(self.style, lang)] for lang in langs} if self.shots else None,
            "shots": self.shots,
            "dev_examples": [d.key for d in self.dev] if self.shots else [],
            "dev_digest": _digest([(d.key, d.question, d.options, d.answer, d.explanation) for d in self.dev])
            if self.shots else None,
        }

    @property
    def hash(self) -> str:
        return _digest(self.describe())


def _digest(obj: object) -> str:
    return json_digest(obj, ensure_ascii=False)
