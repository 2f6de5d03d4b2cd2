"""The async client against a real in-process aiohttp server: retries, bounded attempts, timeouts."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestServer

from anestools.runtime.client import ChatClient, RequestFailed, RetryPolicy
from anestools.testing.fake_server import choose_letter, completion_tokens, make_app

MSG = [{"role": "user", "content": "Q?\nA. one\nB. two\nC. three"}]
FAST = RetryPolicy(retries=3, backoff=0.01, max_backoff=0.05)


def run(app, coro_fn, **client_kw):
    async def main():
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        try:
            async with ChatClient(str(server.make_url("/v1")), "m", **client_kw) as client:
                return await coro_fn(client)
        finally:
            await server.close()

    return asyncio.run(main())


def ask(client):
    return client.complete(MSG, temperature=0.0, max_tokens=16)


def test_success_parses_text_usage_and_latency():
    c = run(make_app(delay=0.0), ask)
    assert c.text.endswith("Answer: " + choose_letter(MSG[0]["content"]))
    assert c.completion_tokens == completion_tokens(MSG[-1]["content"]) and c.finish_reason == "stop" and c.attempts == 1 and c.latency >= 0


def test_500s_are_retried_then_succeed():
    c = run(make_app(delay=0.0, fail_first=2), ask, policy=FAST)
    assert c.attempts == 3


def test_attempts_are_bounded():
    with pytest.raises(RequestFailed) as exc:
        run(make_app(fail_status=503), ask, policy=FAST)
    assert exc.value.attempts == 4 and "HTTP 503" in exc.value.reason


def test_client_errors_are_not_retried():
    with pytest.raises(RequestFailed) as exc:
        run(make_app(fail_status=400), ask, policy=FAST)
    assert exc.value.attempts == 1 and "HTTP 400" in exc.value.reason


def test_timeouts_are_retried_then_fail():
    with pytest.raises(RequestFailed) as exc:
        run(make_app(delay=2.0), ask, policy=RetryPolicy(retries=1, backoff=0.01), request_timeout=0.3)
    assert exc.value.attempts == 2 and exc.value.reason == "timeout"


def test_connection_refused_is_retried_then_fails():
    from anestools.runtime.engines import free_port

    async def main():
        async with ChatClient(f"http://127.0.0.1:{free_port()}", "m", policy=FAST) as client:
            return await ask(client)

    with pytest.raises(RequestFailed) as exc:
        asyncio.run(main())
    assert exc.value.attempts == 4 and "connection error" in exc.value.reason


def test_backoff_grows_and_honours_retry_after():
    p = RetryPolicy(backoff=1.0, max_backoff=8.0)
    assert 0.5 <= p.delay(0) <= 1.0 and 4.0 <= p.delay(3) <= 8.0 and 4.0 <= p.delay(10) <= 8.0
    assert p.delay(0, retry_after=5.0) == 5.0


def test_url_accepts_root_or_v1():
    assert ChatClient("http://h:1", "m").url == "http://h:1/v1/chat/completions"
    assert ChatClient("http://h:1/v1/", "m").url == "http://h:1/v1/chat/completions"
