"""Constrained answer pass: ask the model to finish its own response with one valid letter.

Why: rules read the formats someone thought of; a response they cannot read may still have
committed to an option. Where the rules leave a response *undecided* (not a refusal, not two
letters, not a letter outside the options, not cut off), one short second request appends the
response and an answer prefix ("Therefore, the answer is (", "所以答案是（") and lets the same
model write one token, constrained to the valid letters. With prefix caching the prompt is
already in the server's cache, so the pass costs a forward step per undecided response.

How each engine is asked (the *route* and the *constraint*, detected at preflight by a probe
whose only allowed letter is ``Q``: a server that honours the constraint must answer ``Q``):

- SGLang: ``continue_final_message`` on a final assistant message (the response + prefix) and
  ``regex`` (its structured-output sampling parameter) over the letters;
- vLLM: ``continue_final_message`` (with ``add_generation_prompt: false``) and ``guided_choice``;
- any other OpenAI-compatible server, ``transformers serve`` included: ``logit_bias`` (+100 on
  each letter's token, from the model's own ``tokenizer.json``) and ``max_tokens: 1``. When the
  server has no ``continue_final_message`` (``transformers serve`` rejects the field), the
  response is an assistant turn and a short user turn asks to finish the prefix (route
  ``followup_turn``).

``logprobs``/``top_logprobs`` are asked for; the letter's probability is renormalised over the
valid letters when the server returns them, else it is ``None`` (unknown — ``transformers
serve`` ignores ``logprobs``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from anestools.runtime.client import ChatClient, RequestFailed

MODES = ("off", "fallback", "always")
PREFIX = {"en": "Therefore, the answer is (", "zh": "所以答案是（"}
FOLLOWUP = {"en": "Finish this sentence with the letter of the option your response above chose, nothing else: ",
            "zh": "只用你上面回答所选选项的字母补全这句话，不要写别的："}
PROBE_LETTER = "Q"
LOGIT_BIAS = 100.0  # a float: transformers serve 5.6 crashes (HTTP 500) on an int bias


@dataclass(frozen=True)
class PassSupport:
    """What the preflight probe found: can this endpoint run the pass, and how."""

    supported: bool
    route: str | None = None  # continue_final_message | followup_turn
    constraint: str | None = None  # regex | guided_choice | logit_bias
    logprobs: bool | None = None  # whether the probe's answer carried logprobs
    reason: str = ""

    def as_record(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PassResult:
    """The letter the model finished with (``None``: not a valid letter, or the request failed)."""

    letter: str | None
    prob: float | None
    reply: str | None
    latency: float | None
    error: str | None = None

    def as_record(self) -> dict[str, Any]:
        return {"letter": self.letter, "prob": None if self.prob is None else round(self.prob, 6),
                "reply": None if self.reply is None else self.reply[:20],
                "latency": None if self.latency is None else round(self.latency, 4), "error": self.error}


def letter_token_ids(model: str, letters: Sequence[str]) -> dict[str, int] | None:
    """Token id of each letter in the model's ``tokenizer.json`` (``None``: no local tokenizer, or a
    letter that is not one token)."""
    path = Path(model) / "tokenizer.json"
    if not path.is_file():
        return None
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    ids = {}
    for letter in letters:
        enc = tok.encode(letter, add_special_tokens=False).ids
        if len(enc) != 1:
            return None
        ids[letter] = enc[0]
    return ids


def _constraint_fields(constraint: str, letters: Sequence[str], token_ids: Mapping[str, int] | None
                       ) -> dict[str, Any]:
    if constraint == "regex":
        return {"regex": "(" + "|".join(letters) + ")"}
    if constraint == "guided_choice":
        return {"guided_choice": list(letters)}
    assert token_ids is not None
    return {"logit_bias": {str(token_ids[k]): LOGIT_BIAS for k in letters}}


def pass_messages(messages: list[dict[str, str]], response: str, language: str, route: str
                  ) -> list[dict[str, str]]:
    """The conversation that makes the model's next token its answer letter."""
    prefix = PREFIX.get(language, PREFIX["en"])
    if route == "continue_final_message":
        return [*messages, {"role": "assistant", "content": response.rstrip() + "\n\n" + prefix}]
    return [*messages, {"role": "assistant", "content": response},
            {"role": "user", "content": FOLLOWUP.get(language, FOLLOWUP["en"]) + prefix}]


def _request_fields(support: PassSupport, letters: Sequence[str], token_ids: Mapping[str, int] | None
                    ) -> dict[str, Any]:
    fields: dict[str, Any] = {**_constraint_fields(support.constraint or "", letters, token_ids),
                              "logprobs": True, "top_logprobs": min(20, len(letters))}
    if support.route == "continue_final_message":
        # vLLM refuses continue_final_message with its default add_generation_prompt; SGLang ignores it.
        fields.update(continue_final_message=True, add_generation_prompt=False)
    return fields


def letter_probability(letter: str, top: Mapping[str, float] | None, chosen_logprob: float | None,
                       letters: Sequence[str]) -> float | None:
    """P(letter) renormalised over the valid letters the server listed, else exp(its logprob)."""
    if top:
        allowed = set(letters)
        valid = {t: v for k, v in top.items() if (t := k.strip().strip("(（")) in allowed}
        if letter in valid:
            z = sum(math.exp(v) for v in valid.values())
            return math.exp(valid[letter]) / z if z > 0 else None
    if chosen_logprob is not None:
        return math.exp(chosen_logprob)
    return None


def _read_letter(text: str, letters: Sequence[str]) -> str | None:
    t = text.strip().strip("(（").strip()
    return t[:1].upper() if t[:1].upper() in letters and (len(t) == 1 or not t[1:2].isalpha()) else None


async def ask(client: ChatClient, support: PassSupport, messages: list[dict[str, str]], response: str,
              letters: Sequence[str], language: str, *, token_ids: Mapping[str, int] | None = None,
              seed: int | None = None) -> PassResult:
    """One constrained continuation; a failed request is a PassResult with ``error``."""
    extra = _request_fields(support, letters, token_ids)
    if seed is not None:
        extra["seed"] = seed
    start = time.perf_counter()
    try:
        c = await client.complete(pass_messages(messages, response, language, support.route or ""),
                                  temperature=0.0, max_tokens=1 if support.constraint == "logit_bias" else 2,
                                  extra=extra)
    except RequestFailed as exc:
        return PassResult(None, None, None, time.perf_counter() - start, exc.reason)
    letter = _read_letter(c.text, letters)
    prob = None if letter is None else letter_probability(letter, c.top_logprobs, c.logprob, letters)
    return PassResult(letter, prob, c.text, c.latency)


async def detect(client: ChatClient, engine_hint: str | None, token_ids: Mapping[str, int] | None) -> PassSupport:
    """Probe the endpoint: which route and constraint make it answer with the one allowed letter.

    ``engine_hint``: ``sglang`` tries ``regex`` first; ``transformers`` only ``logit_bias``; anything
    else (``--engine openai``) tries ``regex``, ``guided_choice`` then ``logit_bias``.
    """
    constraints = {"sglang": ["regex"], "transformers": []}.get(engine_hint or "", ["regex", "guided_choice"])
    if token_ids is not None and PROBE_LETTER in token_ids:
        constraints.append("logit_bias")
    if not constraints:
        return PassSupport(False, reason="no constraint to try: transformers serve honours only logit_bias, and "
                                         "the model has no local tokenizer.json with one token per letter")
    messages = [{"role": "user", "content": "Which option is right? Reply with its letter."}]
    reasons = []
    for constraint in constraints:
        for route in ("continue_final_message", "followup_turn"):
            support = PassSupport(True, route, constraint)
            got = await ask(client, support, messages, "Let me think.", [PROBE_LETTER], "en",
                            token_ids=token_ids)
            if got.error is None and got.letter == PROBE_LETTER:
                return PassSupport(True, route, constraint, logprobs=got.prob is not None,
                                   reason=f"probe answered {got.reply!r} under {constraint} via {route}")
            reasons.append(f"{constraint} via {route}: " + (got.error or f"answered {got.reply!r}, "
                                                            f"not the only allowed letter {PROBE_LETTER!r}"))
    return PassSupport(False, reason="; ".join(reasons)[:500])


def describe(mode: str, support: PassSupport | None) -> dict[str, Any]:
    """The summary's ``answer_pass.config``: requested mode, effective mode and what preflight found."""
    effective = "off" if mode == "off" or support is None or not support.supported else mode
    return {"mode": mode, "effective": effective, **(support.as_record() if support else {})}


@dataclass(frozen=True)
class PassPlan:
    """What the run does: the mode, what preflight found, and the letter token ids (logit_bias)."""

    mode: str
    support: PassSupport
    token_ids: Mapping[str, int] | None = None

    def wanted(self, undecided: bool, finish_reason: str | None) -> bool:
        """Whether to ask: every response with ``always``; with ``fallback`` only an undecided one that
        was not cut at the token limit (finishing a truncated response would invent an answer)."""
        return self.mode == "always" or (undecided and finish_reason != "length")

    @staticmethod
    def usable(undecided: bool, finish_reason: str | None) -> bool:
        """Whether the pass's letter may decide: only where the rules left the response undecided."""
        return undecided and finish_reason != "length"


def summarize(records: Sequence[Mapping[str, Any]], config: Mapping[str, Any] | None) -> dict[str, Any]:
    """The summary's ``answer_pass``: accuracy with and without the pass, what it decided and cost."""
    asked = [r for r in records if isinstance(r.get("answer_pass"), dict)]
    decided = [r for r in records if r.get("extracted_by") == "answer_pass"]
    n = len(records)

    def rule_letter(r: Mapping[str, Any]) -> Any:
        return r["rule_extracted"] if "rule_extracted" in r else (
            r.get("extracted") if r.get("extracted_by") == "rule" else None)

    both = [r for r in asked if rule_letter(r) and r["answer_pass"].get("letter")]
    pass_s = sum(r["answer_pass"].get("latency") or 0.0 for r in asked)
    run_s = sum(r.get("latency") or 0.0 for r in records)
    probs = [r["answer_pass"].get("prob") for r in asked if r["answer_pass"].get("letter")]
    return {
        "config": dict(config) if config else None,
        "responses": n,
        "asked": len(asked),
        "decided": len(decided),
        "decided_rate": len(decided) / n if n else None,
        "errors": sum(1 for r in asked if r["answer_pass"].get("error")),
        "accuracy_with_pass": sum(bool(r.get("correct")) for r in records) / n if n else None,
        "accuracy_rules_only": sum(rule_letter(r) == r.get("gold") for r in records) / n if n else None,
        "agrees_with_rules": ({"n": len(both), "agree": sum(rule_letter(r) == r["answer_pass"]["letter"]
                                                            for r in both)} if both else None),
        "probability_known": sum(p is not None for p in probs),
        "probability_unknown": sum(p is None for p in probs),
        "request_seconds": round(pass_s, 3),
        "share_of_request_seconds": round(pass_s / run_s, 4) if run_s else None,
    }


def summary_line(summary: Mapping[str, Any]) -> str | None:
    """One report line on the pass, or ``None`` when the run did not use it."""
    ap = summary.get("answer_pass") or {}
    cfg = ap.get("config") or {}
    if not cfg:
        return None
    if cfg.get("effective") == "off":
        why = "off" if cfg.get("mode") == "off" else f"not supported by this endpoint ({cfg.get('reason')})"
        return f"- answer pass: {why}"

    def pct(x: Any) -> str:
        return "–" if x is None else f"{100 * x:.1f}%"

    return (f"- answer pass ({cfg.get('mode')}; {cfg.get('constraint')} via {cfg.get('route')}): asked "
            f"{ap.get('asked')}, decided {ap.get('decided')} ({pct(ap.get('decided_rate'))}); accuracy "
            f"{pct(ap.get('accuracy_with_pass'))} with the pass, {pct(ap.get('accuracy_rules_only'))} rules only; "
            f"probability known for {ap.get('probability_known')}, unknown for {ap.get('probability_unknown')}; "
            f"{pct(ap.get('share_of_request_seconds'))} of request time")
