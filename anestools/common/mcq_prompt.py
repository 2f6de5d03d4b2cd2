"""The multiple-choice user prompt that eval asks and RL / reasoning data train on.

Why here: a model trained on one wording and scored on another measures the wording, not the
model. ``eval`` builds its user message from these templates, ``convert --kind rl|reasoning``
writes the same text into training data, and neither imports the other (stages meet in
``common``). The text is part of eval's prompt hash: changing a template changes every eval
run's hash, on purpose.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

LETTERS = "ABCDEFGHI"  # AnesBench items have up to 9 options

USER = {
    ("cot", "en"): ("Below is a multiple-choice question on medicine and anesthesiology. Read it carefully "
                    "and choose the single most suitable answer among {letters}. Think step by step: "
                    "examine every option, say why it is or is not correct, then decide. Finish with a "
                    "last line of the form \"Answer: X\" (X is one letter) and write nothing after it.\n\n"
                    "{question}\n{options}"),
    ("cot", "zh"): ("下面是一道医学与麻醉学相关的单项选择题。请仔细审题，从{letters}中选出唯一最合适的答案。"
                    "请逐步思考：逐一分析每个选项正确或错误的理由，然后作出判断。最后单独一行写"
                    "“答案：X”（X为一个字母），此后不要再输出任何内容。\n\n{question}\n{options}"),
    ("direct", "en"): ("Below is a multiple-choice question on medicine and anesthesiology. Reply with the "
                       "letter of the single most suitable answer among {letters}, in the form "
                       "\"Answer: X\", and nothing else.\n\n{question}\n{options}"),
    ("direct", "zh"): ("下面是一道医学与麻醉学相关的单项选择题。请从{letters}中选出唯一最合适的答案，"
                       "只回复“答案：X”（X为一个字母），不要输出其他内容。\n\n{question}\n{options}"),
}

_AND = {"en": " and ", "zh": "、"}


def letters_phrase(letters: Sequence[str], language: str) -> str:
    """``A, B, C and D`` / ``A、B、C、D``."""
    if language == "zh":
        return "、".join(letters)
    return ", ".join(letters[:-1]) + _AND["en"] + letters[-1] if len(letters) > 1 else letters[0]


def format_options(options: Mapping[str, str]) -> str:
    """One ``X. text`` line per option, in the mapping's order."""
    return "\n".join(f"{k}. {v}" for k, v in options.items())


def mcq_user_message(question: str, options: Mapping[str, str], language: str, style: str = "cot") -> str:
    """The user message for one question (``options``: letter -> text, A.. in order)."""
    return USER[(style, language)].format(
        letters=letters_phrase(list(options), language),
        question=question,
        options=format_options(options),
    )
