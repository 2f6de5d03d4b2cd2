"""Parse and validate the teacher's JSON replies.

Why a tolerant extractor and a strict validator: teachers wrap JSON in code fences, prepend a
chain of thought (``<think>``) or a sentence; the first JSON object that decodes is taken.
What it contains is then checked field by field, and every problem becomes a named reason
(``no JSON object``, ``pair 2: 'options' has 3 entries``) that the summary counts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

OPTION_LETTERS = "ABCDEFGHI"
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL)
_LEVELS = {"system 1": 1, "system1": 1, "1": 1, "system 1.x": 2, "system1.x": 2, "1.x": 2, "2": 2,
           "system 2": 3, "system2": 3, "3": 3}


class ParseError(ValueError):
    """The whole reply is unusable; the message is the reason counted in the summary."""


def extract_json(text: str) -> dict[str, Any]:
    """The first JSON object in ``text`` (after any ``<think>`` block); ``ParseError`` if none."""
    body = _THINK.sub("", text or "").strip()
    decoder = json.JSONDecoder()
    start = body.find("{")
    while start >= 0:
        try:
            obj, _ = decoder.raw_decode(body, start)
        except json.JSONDecodeError:
            start = body.find("{", start + 1)
            continue
        if isinstance(obj, dict):
            return obj
        start = body.find("{", start + 1)
    raise ParseError("no JSON object in the response")


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def parse_level(value: Any) -> int | None:
    """``System 1`` / ``System 1.x`` / ``System 2`` (or 1/2/3 as in AnesBench) -> 1/2/3."""
    if isinstance(value, bool):
        return None
    key = str(value).strip().lower() if value is not None else ""
    return _LEVELS.get(key)


@dataclass
class RawPair:
    """A candidate pair as the teacher wrote it (mcq fields empty for open questions)."""

    question: str
    answer: str
    options: list[str] | None = None
    target: str | None = None
    level: int | None = None
    explanation: str | None = None


def parse_pairs(text: str, style: str) -> tuple[list[RawPair], list[dict[str, Any]]]:
    """Valid pairs and the malformed ones (``{"reason", "item"}``); ``ParseError`` if none is a pair."""
    obj = extract_json(text)
    items = obj.get("pairs")
    if items is None and ("question" in obj):
        items = [obj]
    if not isinstance(items, list) or not items:
        raise ParseError("JSON has no non-empty 'pairs' list")
    good: list[RawPair] = []
    bad: list[dict[str, Any]] = []
    for i, item in enumerate(items, start=1):
        try:
            good.append(_pair(item, style, i))
        except ParseError as exc:
            bad.append({"reason": str(exc), "item": item})
    return good, bad


def _pair(item: Any, style: str, i: int) -> RawPair:
    if not isinstance(item, dict):
        raise ParseError(f"pair {i} is not an object")
    q = _text(item.get("question"))
    if q is None:
        raise ParseError(f"pair {i}: missing 'question'")
    if style == "open":
        a = _text(item.get("answer"))
        if a is None:
            raise ParseError(f"pair {i}: missing 'answer'")
        return RawPair(q, a)
    options = item.get("options")
    if isinstance(options, dict):  # {"A": "...", "B": "..."}
        options = [options[k] for k in sorted(options)]
    if not isinstance(options, list) or not 4 <= len(options) <= 5:
        n = len(options) if isinstance(options, list) else 0
        raise ParseError(f"pair {i}: 'options' has {n} entries (expected 4 or 5)")
    opts = [_strip_letter(_text(o) or "") for o in options]
    if not all(opts):
        raise ParseError(f"pair {i}: an option is empty")
    if len({o.lower() for o in opts}) != len(opts):
        raise ParseError(f"pair {i}: two options are identical")
    target = str(item.get("answer") or "").strip().upper().rstrip(".")
    if len(target) != 1 or target not in OPTION_LETTERS[: len(opts)]:
        raise ParseError(f"pair {i}: 'answer' {item.get('answer')!r} is not one of the option letters")
    level = parse_level(item.get("level"))
    if level is None:
        raise ParseError(f"pair {i}: 'level' {item.get('level')!r} is not System 1, System 1.x or System 2")
    explanation = _text(item.get("explanation")) or ""
    return RawPair(q, explanation, opts, target, level, explanation)


def _strip_letter(option: str) -> str:
    """``"B. Sugammadex"`` -> ``"Sugammadex"`` (teachers often repeat the letters)."""
    m = re.match(r"^[A-I][.)、:：]\s*", option)
    return option[m.end():].strip() if m else option


def parse_verdicts(text: str, n: int) -> dict[int, tuple[bool, str]]:
    """``{pair number: (supported, reason)}`` for pairs 1..n; ``ParseError`` when any is missing."""
    obj = extract_json(text)
    items = obj.get("verdicts")
    if not isinstance(items, list):
        raise ParseError("judge JSON has no 'verdicts' list")
    out: dict[int, tuple[bool, str]] = {}
    for item in items:
        if not isinstance(item, dict):
            continue
        try:
            idx = int(item.get("id"))
        except (TypeError, ValueError):
            continue
        sup = item.get("supported")
        if isinstance(sup, str):
            sup = {"true": True, "yes": True, "false": False, "no": False}.get(sup.strip().lower())
        if isinstance(sup, bool) and 1 <= idx <= n:
            out[idx] = (sup, str(item.get("reason") or "")[:300])
    missing = [i for i in range(1, n + 1) if i not in out]
    if missing:
        raise ParseError(f"judge gave no verdict for pair(s) {missing}")
    return out


def parse_translation(text: str, keys: dict[str, Any]) -> dict[str, Any]:
    """The translated fields with the same keys and shapes as ``keys``; ``ParseError`` otherwise."""
    obj = extract_json(text)
    out: dict[str, Any] = {}
    for k, v in keys.items():
        got = obj.get(k)
        if isinstance(v, list):
            if not isinstance(got, list) or len(got) != len(v) or not all(_text(x) for x in got):
                raise ParseError(f"translation: '{k}' must be a list of {len(v)} non-empty strings")
            out[k] = [_strip_letter(x.strip()) for x in got]
        elif _text(got) is None:
            raise ParseError(f"translation: missing '{k}'")
        else:
            out[k] = got.strip()
    return out
