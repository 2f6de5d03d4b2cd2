"""The verifiable reward of ``anestools train grpo``: did the completion commit to the gold letter.

Why the eval extractor (:func:`anestools.common.extract.extract`) and nothing else: a reward that
reads an answer differently from the scorer trains the model towards a different target than the
one it is evaluated on; one that guesses a letter from an unclear text rewards hedging. So a
completion scores 1.0 exactly when eval would score it right, else 0.0 (wrong letter, no answer,
undecided). The functions follow TRL's reward-function contract: ``completions`` plus the dataset
columns (``answer``, ``options``) as keyword lists, one float per completion; a conversational
completion is a list of messages, of which the assistant's text is read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from anestools.common.extract import extract

LETTERS = "ABCDEFGHI"


def completion_text(completion: str | Sequence[Mapping[str, Any]]) -> str:
    """The text a completion answers with: a plain string, or the assistant messages' content."""
    if isinstance(completion, str):
        return completion
    parts = [str(m.get("content") or "") for m in completion if m.get("role", "assistant") == "assistant"]
    return "\n".join(parts)


def option_map(options: Sequence[str]) -> dict[str, str]:
    """``["x", "y"]`` -> ``{"A": "x", "B": "y"}`` (the RL dataset's ``options`` column)."""
    return dict(zip(LETTERS, options))


def answer_letter(completion: str | Sequence[Mapping[str, Any]], options: Sequence[str]) -> str | None:
    """The letter the completion commits to, read by the eval extractor, or ``None``."""
    return extract(completion_text(completion), option_map(options)).letter


def accuracy(completions: Sequence[Any], answer: Sequence[str], options: Sequence[Sequence[str]],
             **_columns: Any) -> list[float]:
    """1.0 where the extracted letter is the gold ``answer``, else 0.0 (TRL reward function)."""
    return [1.0 if answer_letter(c, o) == str(a).strip().upper() else 0.0
            for c, a, o in zip(completions, answer, options)]


def committed(completions: Sequence[Any], options: Sequence[Sequence[str]], **_columns: Any) -> list[float]:
    """1.0 where the completion commits to one of its options (right or wrong), else 0.0.

    The optional format term (``format_reward`` weight, default 0): it pays for an answer the
    extractor can read, never more than a small weight, so being right always pays more.
    """
    return [1.0 if answer_letter(c, o) is not None else 0.0 for c, o in zip(completions, options)]
