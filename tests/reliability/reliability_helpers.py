"""Shared helpers of the reliability suite: a misbehaving chat server run in a thread, process checks."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator

from aiohttp import web

from anestools.runtime.engines import free_port

GOOD = {"choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Answer: A"}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 3}}


@contextlib.contextmanager
def chat_server(answer: Callable[[web.Request, int], web.StreamResponse]) -> Iterator[str]:
    """An OpenAI-style endpoint whose ``/v1/chat/completions`` is ``answer(request, n)``; yields its base URL.

    ``/health`` and ``/v1/models`` answer as a healthy server's do, so eval's preflight passes and
    the misbehaviour under test is the chat answer's.
    """
    port = free_port()
    ready = threading.Event()
    state: dict = {"n": 0}

    async def chat(request: web.Request) -> web.StreamResponse:
        state["n"] += 1
        await request.read()
        reply = answer(request, state["n"])
        return await reply if asyncio.iscoroutine(reply) else reply  # an async answer may read the body

    async def health(request: web.Request) -> web.StreamResponse:
        return web.Response(text="ok")

    async def models(request: web.Request) -> web.StreamResponse:
        return web.json_response({"object": "list", "data": [{"id": "served-model", "object": "model"}]})

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", chat)
        app.router.add_get("/health", health)
        app.router.add_get("/v1/models", models)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        state["stop"] = asyncio.Event()
        ready.set()
        await state["stop"].wait()
        await runner.cleanup()

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        loop.call_soon_threadsafe(state["stop"].set)
        thread.join(10)


def json_answer(body: object, status: int = 200) -> Callable[[web.Request, int], web.StreamResponse]:
    import json

    text = json.dumps(body) if not isinstance(body, str) else body
    return lambda request, n: web.Response(text=text, status=status, content_type="application/json")


def alive(pid: int) -> bool:
    """Running and not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return False

