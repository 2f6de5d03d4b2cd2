"""Async OpenAI-compatible chat client (aiohttp) with bounded retries.

Why aiohttp rather than the ``openai`` SDK or httpx: SGLang batches whatever is in flight, so
the client must keep hundreds of requests open at once. Measured here (scripts/bench and the
issue's planning note) httpx's connection pool stalls at that concurrency while aiohttp keeps
up; one shared ``ClientSession`` with an unlimited connector, bounded by our own semaphore,
is all that is needed.

Why bounded retries: the paper's evaluator retried forever, so one poisoned request hung the
run. Here 429, 5xx, timeouts and connection errors are retried with exponential backoff and
full jitter (``Retry-After`` honoured), up to ``retries`` extra attempts; then the request
fails with :class:`RequestFailed` and the caller records an error (retried on resume).
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

RETRY_STATUS = frozenset({408, 409, 429})


class RequestFailed(Exception):
    """A request that still failed after all attempts; ``attempts`` made, last reason."""

    def __init__(self, reason: str, attempts: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = attempts


@dataclass(frozen=True)
class Completion:
    text: str
    completion_tokens: int | None
    prompt_tokens: int | None
    finish_reason: str | None
    latency: float
    attempts: int


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
                 request_timeout: float = 600.0, policy: RetryPolicy | None = None) -> None:
        root = base_url.rstrip("/")
        self.url = (root if root.endswith("/v1") else root + "/v1") + "/chat/completions"
        self.model = model
        self._headers = {"Content-Type": "application/json"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        self._timeout = aiohttp.ClientTimeout(total=request_timeout, sock_connect=30)
        self.policy = policy or RetryPolicy()
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
                        return _parse(data, time.perf_counter() - start, attempt)
                    detail = (await resp.text())[:200].replace("\n", " ")
                    reason = f"HTTP {resp.status}: {detail}"
                    retryable = resp.status >= 500 or resp.status in RETRY_STATUS
                    retry_after = _retry_after(resp.headers)
            except asyncio.TimeoutError:
                reason, retryable = "timeout", True
            except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
                reason, retryable = f"connection error: {type(exc).__name__}: {exc}", True
            except (ValueError, KeyError, IndexError, TypeError) as exc:
                reason, retryable = f"malformed response: {exc}", True
            if not retryable or attempt > self.policy.retries:
                raise RequestFailed(reason, attempt)
            await asyncio.sleep(self.policy.delay(attempt - 1, retry_after))


def _parse(data: dict[str, Any], latency: float, attempts: int) -> Completion:
    choice = data["choices"][0]
    message = choice.get("message") or {}
    text = message.get("content") or ""
    # Reasoning parsers (SGLang --reasoning-parser) move the chain of thought out of content.
    reasoning = message.get("reasoning_content")
    if reasoning:
        text = f"<think>{reasoning}</think>{text}"
    usage = data.get("usage") or {}
    return Completion(text=text, completion_tokens=usage.get("completion_tokens"),
                      prompt_tokens=usage.get("prompt_tokens"), finish_reason=choice.get("finish_reason"),
                      latency=latency, attempts=attempts)
