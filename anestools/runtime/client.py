"""Async OpenAI-compatible chat client (aiohttp) with bounded retries.

Why aiohttp rather than the ``openai`` SDK or httpx: SGLang batches whatever is in flight, so
the client must keep hundreds of requests open at once, and httpx's connection pool stalls at
that concurrency while aiohttp keeps up (docs/internals.md); one shared ``ClientSession`` with
an unlimited connector, bounded by the worker pool, is all that is needed.

Why a refused model name stops the run: a server that checks the ``model`` field (vLLM, hosted
APIs) answers 404 to a name it does not serve. When preflight's ``/v1/models`` did not list the
name either, the first such answer raises :class:`ModelNotServed` (exit 4) naming what the server
serves, instead of every question failing in turn; servers that serve whatever is asked (SGLang,
``transformers serve``) never answer so, and go on as before.

Why bounded retries: the paper's evaluator retried forever, so one poisoned request hung the
run. Here 429, 5xx, timeouts and connection errors are retried with exponential backoff and
full jitter (``Retry-After`` honoured), up to ``retries`` extra attempts; then the request
fails with :class:`RequestFailed` and the caller records an error (retried on resume).

Why the answer is validated here (:func:`parse_completion`): it is the boundary with a server
we do not control; a 200 of the wrong shape or types is a malformed response (an error for
that question), never a value written to disk. Every recorded text passes through
:func:`anestools.common.redact.redact`, so an echoed API key never reaches a file.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from dataclasses import dataclass, replace
from typing import Any

import aiohttp

from anestools.common.redact import redact
from anestools.errors import EngineError

RETRY_STATUS = frozenset({408, 409, 429})


class RequestFailed(Exception):
    """A request that still failed after all attempts; ``attempts`` made, last reason."""

    def __init__(self, reason: str, attempts: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = attempts


class ModelNotServed(EngineError):
    """The server refuses the model asked for, and does not list it among its models (exit code 4)."""


def _refuses_model(status: int, detail: str) -> bool:
    return status == 404 or (status == 400 and "model" in detail.lower())


@dataclass(frozen=True)
class Completion:
    text: str
    completion_tokens: int | None
    prompt_tokens: int | None
    finish_reason: str | None
    latency: float
    attempts: int
    logprob: float | None = None  # the first token's, when the request asked for logprobs
    top_logprobs: dict[str, float] | None = None  # the first token's alternatives: token -> logprob


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 4
    backoff: float = 0.5  # first delay (s); doubles each attempt
    max_backoff: float = 30.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Full-jitter exponential backoff; never shorter than the server's Retry-After."""
        cap = min(self.max_backoff, self.backoff * (2 ** attempt))
        d = random.uniform(cap / 2, cap)
        return max(d, retry_after or 0.0)


def _retry_after(headers: Any) -> float | None:
    try:
        return min(60.0, float(headers.get("Retry-After")))
    except (TypeError, ValueError):
        return None


class ChatClient:
    """``async with ChatClient(base_url, ...) as c: await c.complete(messages, ...)``.

    ``base_url`` is the server root or its ``/v1`` URL. The API key is only ever put in the
    ``Authorization`` header (never logged, never written).
    """

    def __init__(self, base_url: str, model: str, api_key: str | None = None, *,
                 request_timeout: float = 600.0, policy: RetryPolicy | None = None,
                 served_models: tuple[str, ...] = ()) -> None:
        root = base_url.rstrip("/")
        self.url = (root if root.endswith("/v1") else root + "/v1") + "/chat/completions"
        self.model = model
        self._headers = {"Content-Type": "application/json"}
        self._secrets = (api_key,)
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        self._timeout = aiohttp.ClientTimeout(total=request_timeout, sock_connect=30)
        self.policy = policy or RetryPolicy()
        # what /v1/models listed (preflight); a refused model that is not among them stops the run
        self.served_models = served_models if model not in served_models else ()
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> ChatClient:
        connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=300)
        self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout,
                                              headers=self._headers)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def complete(self, messages: list[dict[str, str]], *, temperature: float, max_tokens: int,
                       extra: dict[str, Any] | None = None) -> Completion:
        """One chat completion, retried per the policy; raises ``RequestFailed``."""
        assert self._session is not None, "use 'async with ChatClient(...)'"
        body: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": temperature,
                                "max_tokens": max_tokens, "stream": False}
        if extra:
            body.update(extra)
        attempt = 0
        while True:
            attempt += 1
            start = time.perf_counter()
            retry_after = None
            try:
                async with self._session.post(self.url, json=body) as resp:
                    if resp.status == 200:
                        data = await resp.json(content_type=None)
                        c = parse_completion(data, time.perf_counter() - start, attempt)
                        return c if not self._secrets[0] else replace(
                            c, text=redact(c.text, self._secrets, bearer=False))
                    detail = (await resp.text())[:200].replace("\n", " ")
                    if self.served_models and _refuses_model(resp.status, detail):
                        shown = ", ".join(self.served_models[:10]) + (
                            f" (+{len(self.served_models) - 10} more)" if len(self.served_models) > 10 else "")
                        raise ModelNotServed(f"the server does not serve model {self.model!r} (HTTP {resp.status}); "
                                             f"it serves: {shown} — pass one of them as --model")
                    reason = f"HTTP {resp.status}: {detail}"
                    retryable = resp.status >= 500 or resp.status in RETRY_STATUS
                    retry_after = _retry_after(resp.headers)
            except asyncio.TimeoutError:
                reason, retryable = "timeout", True
            except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
                reason, retryable = f"connection error: {type(exc).__name__}: {exc}", True
            except (ValueError, MalformedResponse) as exc:  # bad JSON/UTF-8, or not a chat completion
                reason, retryable = f"malformed response: {exc}", True
            if not retryable or attempt > self.policy.retries:
                raise RequestFailed(redact(reason, self._secrets), attempt)
            await asyncio.sleep(self.policy.delay(attempt - 1, retry_after))


class MalformedResponse(Exception):
    """A 200 answer that is not a chat completion of the expected shape and types."""


MAX_TOKENS_FIELD = 2**53  # beyond this a "token count" is garbage (and not JSON-portable)


def _field(obj: dict[str, Any], key: str, where: str, kinds: tuple[type, ...]) -> Any:
    """``obj[key]`` checked against ``kinds`` (absent or null: None)."""
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise MalformedResponse(f"{where}.{key} is {type(value).__name__}, expected "
                                f"{' or '.join(k.__name__ for k in kinds)}")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise MalformedResponse(f"{where}.{key} is not valid Unicode (lone surrogate)") from exc
    if isinstance(value, int) and not 0 <= value < MAX_TOKENS_FIELD:
        raise MalformedResponse(f"{where}.{key} = {value} is out of range")
    return value


def parse_completion(data: Any, latency: float, attempts: int) -> Completion:
    """Validate an OpenAI chat-completion body at the boundary; raise ``MalformedResponse``.

    Why so strict: whatever passes here is written to ``predictions.jsonl`` and read back by
    every later run; one untyped value (a token count as a string, a list as content) would
    poison the run directory for good.
    """
    if not isinstance(data, dict):
        raise MalformedResponse(f"body is {type(data).__name__}, expected an object")
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices:
        raise MalformedResponse("'choices' is missing or not a non-empty list")
    choice = choices[0]
    if not isinstance(choice, dict):
        raise MalformedResponse(f"choices[0] is {type(choice).__name__}, expected an object")
    message = choice.get("message")
    if message is None:
        message = {}
    if not isinstance(message, dict):
        raise MalformedResponse(f"choices[0].message is {type(message).__name__}, expected an object")
    text = _field(message, "content", "choices[0].message", (str,)) or ""
    # Reasoning parsers (SGLang --reasoning-parser) move the chain of thought out of content.
    reasoning = _field(message, "reasoning_content", "choices[0].message", (str,))
    if reasoning:
        text = f"<think>{reasoning}</think>{text}"
    finish = _field(choice, "finish_reason", "choices[0]", (str,))
    usage = data.get("usage")
    if usage is None:
        usage = {}
    if not isinstance(usage, dict):
        raise MalformedResponse(f"usage is {type(usage).__name__}, expected an object")
    logprob, top = _first_token_logprobs(choice.get("logprobs"))
    return Completion(text=text, completion_tokens=_field(usage, "completion_tokens", "usage", (int,)),
                      prompt_tokens=_field(usage, "prompt_tokens", "usage", (int,)), finish_reason=finish,
                      latency=latency, attempts=attempts, logprob=logprob, top_logprobs=top)


def _first_token_logprobs(data: Any) -> tuple[float | None, dict[str, float] | None]:
    """``choices[0].logprobs.content[0]`` as (logprob, {token: logprob}); anything malformed is unknown."""
    try:
        first = data["content"][0]
        logprob = float(first["logprob"])
        top = {str(t["token"]): float(t["logprob"]) for t in first.get("top_logprobs") or []}
    except (TypeError, KeyError, IndexError, ValueError):
        return None, None
    ok = [v for v in (logprob, *top.values()) if math.isfinite(v) or v == -math.inf]
    if len(ok) != 1 + len(top):
        return None, None
    return (logprob if math.isfinite(logprob) else None), (top or None)
