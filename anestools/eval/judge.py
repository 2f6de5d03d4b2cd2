"""Judge fallback: ask a model which option a response chose, only where no rule committed.

Why a fallback and not a replacement: rules are exact, free and auditable; a judge is a model
with its own errors. So the judge is asked only about responses the rules leave at ``None``
(never to override a rule), its question is constrained ("one letter or NONE"), every
prediction says who decided (``extracted_by``: ``rule`` | ``judge`` | ``none``), and
``--judge-audit K`` also judges K rule-extracted responses to measure how often the judge
agrees with the rules — a number a reviewer can weigh the judged answers by.

The judge is any model behind the same engines as the evaluated one (``--judge-engine``,
``--judge-base-url``), reached with the same client.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from anestools.common.anesbench import Item
from anestools.runtime.client import ChatClient, RequestFailed

JUDGE_SYSTEM = ("You grade answers to multiple-choice questions. You do not solve the question; you only "
                "report which option the given response finally chooses.")
JUDGE_USER = ("Question:\n{question}\n\nOptions:\n{options}\n\nResponse to grade:\n<<<\n{response}\n>>>\n\n"
              "Which single option does this response finally choose? Reply with exactly one letter among "
              "{letters}, or NONE if it chooses no option, several options, or is cut off before choosing.")
RESPONSE_CHARS = 6000  # the tail of long reasoning is where the conclusion is
_VERDICT = re.compile(r"^\W*(NONE|[A-I])\b", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    """The judge's letter (``None``: it said NONE or nothing usable), its raw reply, or an error."""

    letter: str | None
    reply: str | None
    error: str | None = None

    def as_record(self) -> dict[str, Any]:
        return {"letter": self.letter, "reply": None if self.reply is None else self.reply[:200],
                "error": self.error}


def judge_messages(item: Item, response: str) -> list[dict[str, str]]:
    tail = response if len(response) <= RESPONSE_CHARS else "…" + response[-RESPONSE_CHARS:]
    user = JUDGE_USER.format(question=item.question,
                             options="\n".join(f"{k}. {v}" for k, v in item.options.items()),
                             response=tail, letters=", ".join(item.options))
    return [{"role": "system", "content": JUDGE_SYSTEM}, {"role": "user", "content": user}]


def parse_verdict(reply: str, options: Mapping[str, str]) -> str | None:
    """``"C"`` / ``"C."`` / ``"**C**"`` -> ``C``; ``NONE``, a letter not offered, or prose -> ``None``."""
    m = _VERDICT.match(reply or "")
    if not m or m.group(1).upper() == "NONE":
        return None
    letter = m.group(1).upper()
    return letter if letter in options else None


async def ask_judge(client: ChatClient, item: Item, response: str, *, max_tokens: int = 8,
                    seed: int | None = None) -> Verdict:
    """One constrained judge question (temperature 0); a failed request is a Verdict with ``error``."""
    extra = {"seed": seed} if seed is not None else None
    try:
        c = await client.complete(judge_messages(item, response), temperature=0.0, max_tokens=max_tokens,
                                  extra=extra)
    except RequestFailed as exc:
        return Verdict(None, None, exc.reason)
    return Verdict(parse_verdict(c.text, item.options), c.text)


def audit_sample(records: Iterable[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    """K rule-extracted records, chosen by a hash of their key (stable across runs and resumes)."""
    ruled = [r for r in records if r.get("extracted_by") == "rule" and r.get("error") is None]
    ruled.sort(key=lambda r: hashlib.sha256(f"{r['key']}#{r['sample']}".encode()).hexdigest())
    return ruled[:k]


def agreement(audits: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """``{"n", "agree", "rate", "judge_errors"}`` over audit rows (``rule`` vs ``judge`` letters)."""
    rows = list(audits)
    usable = [a for a in rows if a.get("judge_error") is None]
    agree = sum(a["rule"] == a["judge"] for a in usable)
    return {"n": len(usable), "agree": agree, "rate": agree / len(usable) if usable else None,
            "judge_errors": len(rows) - len(usable)}
