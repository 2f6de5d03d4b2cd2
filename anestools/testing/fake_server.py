"""A small OpenAI-compatible chat server (aiohttp.web) that answers after a fixed delay.

Why it exists: to measure the evaluation client (``scripts/bench/eval_client.py``) and to test
resume, retries and error accounting without a GPU — the server stands in for SGLang's HTTP
behaviour (latency, concurrency, 500s), never for a model's quality. It answers
``Answer: X`` with X chosen deterministically from the question text, so two runs agree.
With ``--vague N`` every N-th question (by a hash of its text) gets a response no rule can read
("It is between X and the next one…"), which the judge tests need. A judge prompt
(:mod:`anestools.eval.judge`) is answered with one letter chosen the same way.

With ``--constrained sglang|vllm|openai`` it also honours the constrained answer pass the way
those servers document it (:mod:`anestools.eval.answer_pass`): ``sglang`` takes ``regex`` and
``continue_final_message``; ``vllm`` takes ``guided_choice`` and ``continue_final_message`` (refused
unless ``add_generation_prompt`` is false); ``openai`` takes ``logit_bias`` (token ids of
``--tokenizer``'s ``tokenizer.json``) and refuses ``continue_final_message`` with a 400. All three
return ``logprobs`` when asked. Without it, constraint fields are ignored, as a server that does
not know them would. The letter a constrained answer gives is the first allowed letter the
response being finished names, else one chosen from the question.

With ``--strict-model`` a request naming a model other than ``fake-model`` gets 404 (as vLLM
and hosted APIs answer); with ``--reasoning-only`` every answer comes back in
``reasoning_content`` with an empty ``content`` (a mismatched reasoning parser).

With ``--think`` it stands in for a reasoning model behind a reasoning parser, whose score depends
on the thinking budget: each question needs :func:`completion_tokens` tokens of chain (8..63, by
its text). The chain goes to ``reasoning_content`` and opens with a decoy letter ("Answer: X?"),
the final ``content`` is ``Answer: Y``; a request whose ``max_tokens`` is below what the question
needs gets the chain cut short, no content and ``finish_reason: length`` (as SGLang returns a
chain cut inside the think block), and reports ``max_tokens`` completion tokens.

With ``--reasoner`` it is a deterministic *reasoning teacher* for ``qa reason``
(:func:`reasoner_outcome`): each reply is right, wrong or unparsable depending on the prompt and
the request's ``seed``, and carries its chain in ``reasoning_content`` (odd seeds) or in a
``<think>`` block of the content (even seeds). A test bank states its gold letter in the stem
(``[key B]``); ``[always]`` / ``[never]`` / ``[nochain]`` force a right, a never-right, or a right
answer without any chain.

Run: ``python -m anestools.testing.fake_server --port 8123 --delay 0.5 [--fail-status 500] [--vague N]
[--truncate] [--think] [--constrained sglang|vllm|openai [--tokenizer DIR]] [--strict-model] [--reasoning-only]
[--reasoner]``.
Only binds loopback addresses.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import re
import time
import zlib
from collections import Counter
from pathlib import Path

from aiohttp import web

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def choose_letter(text: str) -> str:
    """A letter among the ``X. option`` lines of ``text`` (deterministic), else ``A``."""
    letters = re.findall(r"^([A-I])\. ", text, flags=re.MULTILINE)
    if not letters:
        return "A"
    return letters[zlib.crc32(text.encode()) % len(letters)]


VERSION = "fake-1.0"
# Fields of a constrained answer-pass request; such requests are counted apart (``pass_requests``,
# ``pass_with_api_key``, ``pass_failed``, ``pass_answered``), so ``requests``, ``with_seed``,
# ``with_api_key``, ``failed`` and ``answered`` count question (and judge) requests.
PASS_FIELDS = ("regex", "guided_choice", "logit_bias")
SERVED = "fake-model"


def is_vague(text: str, vague: int) -> bool:
    """Whether the fake answers ``text`` without committing (every ``vague``-th, by hash)."""
    return vague > 0 and zlib.crc32(text.encode()) % vague == 0


_KEY = re.compile(r"\[key ([A-I])\]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def reasoner_outcome(user: str, seed: int | None) -> str:
    """What the reasoning teacher does for this prompt and seed: right, wrong, unparsable or nochain."""
    if "[always]" in user:
        return "right"
    if "[nochain]" in user:
        return "nochain"
    roll = zlib.crc32(f"{user}|{seed}".encode()) % 4
    if "[never]" in user:
        return "wrong" if roll % 2 else "unparsable"
    return ("wrong", "unparsable", "right", "right")[roll]


def reasoner_message(user: str, seed: int | None) -> dict:
    """The reasoning teacher's reply message (see the module doc)."""
    letters = re.findall(r"^([A-I])\. ", user, flags=re.MULTILINE) or ["A", "B"]
    key = _KEY.search(user)
    gold = key.group(1) if key else choose_letter(user)
    outcome = reasoner_outcome(user, seed)
    wrong = next(x for x in letters if x != gold)
    letter = wrong if outcome == "wrong" else gold
    if _CJK.search(user):
        chain = (f"首先分析题干中的临床情况，再逐一比较各个选项的药理作用和适应证。综合考虑患者的病情和麻醉管理原则，"
                 f"选项{letter}最符合题意。")
        answer = f"答案：{letter}" if outcome != "unparsable" else "这几个选项都有道理，很难确定。"
    else:
        chain = (f"First consider the clinical situation in the question, then compare the pharmacology and the "
                 f"indications of each option in turn. Weighing the patient's condition, option {letter} fits best.")
        answer = f"Answer: {letter}" if outcome != "unparsable" else "It is between the options; hard to say."
    if outcome == "nochain":
        return {"role": "assistant", "content": answer}
    if seed is not None and seed % 2:
        return {"role": "assistant", "content": answer, "reasoning_content": chain}
    return {"role": "assistant", "content": f"<think>{chain}</think>\n{answer}"}


def completion_tokens(text: str) -> int:
    """The completion length the server reports for a prompt: varied, deterministic (8..63)."""
    return 8 + zlib.crc32(text.encode()) % 56


def _allowed_letters(body: dict, constrained: str | None, token_letters: dict[int, str]) -> list[str] | None:
    """The letters a constrained request allows under ``constrained``'s documented field, else None."""
    if constrained == "sglang" and isinstance(body.get("regex"), str):
        return re.findall(r"[A-Z]", body["regex"])
    if constrained == "vllm" and isinstance(body.get("guided_choice"), list):
        return [str(c) for c in body["guided_choice"]]
    if constrained == "openai" and isinstance(body.get("logit_bias"), dict):
        return [token_letters[int(k)] for k, v in body["logit_bias"].items() if v > 0 and int(k) in token_letters]
    return None


def _logprobs(letter: str, allowed: list[str]) -> dict:
    """A deterministic distribution over the allowed letters: 0.7 on the chosen one."""
    if len(allowed) == 1:
        top = [{"token": letter, "logprob": 0.0}]
    else:
        rest = math.log(0.3 / (len(allowed) - 1))
        top = [{"token": k, "logprob": math.log(0.7) if k == letter else rest} for k in allowed]
    return {"content": [{"token": letter, "logprob": next(t["logprob"] for t in top if t["token"] == letter),
                         "top_logprobs": top}]}


def _thinking(user: str, max_tokens: int | None) -> tuple[dict, str, int]:
    """``--think``'s reply to a question: (message, finish_reason, completion tokens)."""
    letter = choose_letter(user)
    letters = re.findall(r"^([A-I])\. ", user, flags=re.MULTILINE) or ["A", "B"]
    decoy = letters[(letters.index(letter) + 1) % len(letters)] if letter in letters else "B"
    need = completion_tokens(user)
    chain = f"Answer: {decoy}? Option {decoy} looks right at first; checking every option again, {letter} fits."
    if max_tokens is not None and max_tokens < need:  # the budget ends inside the chain
        cut = chain[:max(1, len(chain) * max_tokens // need)]
        return {"role": "assistant", "content": None, "reasoning_content": cut}, "length", max_tokens
    return {"role": "assistant", "content": f"Answer: {letter}", "reasoning_content": chain}, "stop", need


def make_app(delay: float = 0.5, fail_status: int | None = None, fail_first: int = 0,
             vague: int = 0, truncate: bool = False, constrained: str | None = None,
             token_letters: dict[int, str] | None = None, pass_delay: float | None = None,
             strict_model: bool = False, reasoning_only: bool = False, think: bool = False,
             reasoner: bool = False) -> web.Application:
    """``fail_status``: every chat request gets that HTTP status; ``fail_first``: the first N do;
    ``vague``: every N-th question gets an unreadable answer; ``truncate``: every answer is cut at
    the token limit (``finish_reason: length``, no answer line); ``think``: a reasoning model whose
    chain needs more tokens than a small ``max_tokens`` allows (module docstring). Judge prompts are
    never cut."""
    app = web.Application()
    stats: Counter[str] = Counter()

    async def chat(request: web.Request) -> web.Response:
        body = await request.json()
        keyed = request.headers.get("Authorization", "").startswith("Bearer ")
        is_pass = any(k in body for k in PASS_FIELDS)
        if is_pass:  # the answer pass (and its probe): counted apart
            stats["pass_requests"] += 1
            stats["pass_with_api_key"] += keyed
        else:
            stats["requests"] += 1
            if body.get("seed") is not None:
                stats["with_seed"] += 1
            if keyed:
                stats["with_api_key"] += 1
        if strict_model and body.get("model") != SERVED:
            return web.json_response({"error": {"message": f"The model `{body.get('model')}` does not exist."}},
                                     status=404)
        if fail_status or stats["requests"] + stats["pass_requests"] <= fail_first:
            stats["pass_failed" if is_pass else "failed"] += 1
            return web.json_response({"error": {"message": "injected failure"}},
                                     status=fail_status or 500)
        allowed = _allowed_letters(body, constrained, token_letters or {})
        if body.get("continue_final_message") and constrained == "openai":
            return web.json_response({"error": {"message": "Unrecognized request argument supplied: "
                                                           "continue_final_message"}}, status=400)
        if constrained == "vllm" and body.get("continue_final_message") and body.get("add_generation_prompt", True):
            return web.json_response({"error": {"message": "Cannot set both `continue_final_message` and "
                                                           "`add_generation_prompt` to True."}}, status=400)
        honoured = bool(allowed)
        # a cached prefix + one token is cheaper than an answer: --pass-delay models it
        await asyncio.sleep(pass_delay if honoured and pass_delay is not None else delay)
        user = next((m["content"] for m in reversed(body["messages"]) if m["role"] == "user"), "")
        finish = "stop"
        tokens = completion_tokens(user)
        logprobs = None
        if allowed:
            stats["answer_pass"] += 1
            said = next((m["content"] for m in reversed(body["messages"]) if m["role"] == "assistant"), "")
            named = [x for x in re.findall(r"\b([A-I])\b", said) if x in allowed]
            first_user = next((m["content"] for m in body["messages"] if m["role"] == "user"), "")
            answer = named[0] if named else (choose_letter(first_user) if choose_letter(first_user) in allowed
                                             else allowed[0])
            tokens = 1
            if body.get("logprobs"):
                logprobs = _logprobs(answer, allowed)
        elif "Response to grade:" in user:
            stats["judged"] += 1
            answer = choose_letter(user)
        elif truncate:
            answer, finish, tokens = "Reasoning about the options, step by", "length", body.get("max_tokens") or 64
        elif is_vague(user, vague):
            answer = f"It is between {choose_letter(user)} and the option after it; hard to say."
        else:
            answer = f"Reasoning about the options.\nAnswer: {choose_letter(user)}"
        stats["pass_answered" if is_pass else "answered"] += 1
        message = {"role": "assistant", "content": answer}
        if reasoner and not allowed:
            message = reasoner_message(user, body.get("seed"))
        elif think and not allowed and "Response to grade:" not in user:
            message, finish, tokens = _thinking(user, body.get("max_tokens"))
        elif reasoning_only:
            message = {"role": "assistant", "content": "", "reasoning_content": answer}
        return web.json_response({
            "id": f"fake-{stats['requests']}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model"),
            "choices": [{"index": 0, "finish_reason": finish, "logprobs": logprobs,
                         "message": message}],
            "usage": {"prompt_tokens": len(user) // 4, "completion_tokens": tokens,
                      "total_tokens": len(user) // 4 + tokens},
        })

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def models(request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": SERVED, "object": "model"}]})

    async def server_info(request: web.Request) -> web.Response:
        return web.json_response({"version": VERSION})

    async def get_stats(request: web.Request) -> web.Response:
        return web.json_response(dict(stats))

    app.router.add_post("/v1/chat/completions", chat)
    app.router.add_get("/health", health)
    app.router.add_get("/stats", get_stats)
    app.router.add_get("/v1/models", models)
    app.router.add_get("/get_server_info", server_info)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", choices=LOOPBACK)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay", type=float, default=0.5, help="seconds before each answer")
    parser.add_argument("--fail-status", type=int, default=None, help="answer every request with this status")
    parser.add_argument("--fail-first", type=int, default=0, help="fail the first N requests (HTTP 500)")
    parser.add_argument("--vague", type=int, default=0, help="every N-th question gets an unreadable answer")
    parser.add_argument("--truncate", action="store_true", help="cut every answer at the token limit")
    parser.add_argument("--constrained", choices=("sglang", "vllm", "openai"), default=None,
                        help="honour the answer pass's constraint fields the way this server documents them")
    parser.add_argument("--tokenizer", default=None, help="model dir whose tokenizer.json maps logit_bias ids")
    parser.add_argument("--pass-delay", type=float, default=None,
                        help="seconds before a constrained answer-pass reply (default: --delay)")
    parser.add_argument("--strict-model", action="store_true", help="404 for a model other than fake-model")
    parser.add_argument("--reasoning-only", action="store_true", help="empty content, answer in reasoning_content")
    parser.add_argument("--think", action="store_true",
                        help="a reasoning model: chain in reasoning_content, cut when max_tokens is below its length")
    parser.add_argument("--reasoner", action="store_true", help="a deterministic reasoning teacher (qa reason)")
    args = parser.parse_args(argv)
    token_letters: dict[int, str] = {}
    if args.tokenizer:
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(Path(args.tokenizer) / "tokenizer.json"))
        for letter in "ABCDEFGHIQ":
            ids = tok.encode(letter, add_special_tokens=False).ids
            if len(ids) == 1:
                token_letters[ids[0]] = letter
    web.run_app(make_app(args.delay, args.fail_status, args.fail_first, args.vague, args.truncate,
                         args.constrained, token_letters, args.pass_delay, args.strict_model, args.reasoning_only,
                         think=args.think, reasoner=args.reasoner),
                host=args.host, port=args.port,
                print=None, backlog=4096, access_log=None)


if __name__ == "__main__":
    main()
