"""The teacher model: the eval stage's server lifecycle, preflight and async client, reused.

``--engine auto`` is eval's chooser (:func:`anestools.eval.auto_engine.choose_engine`). What is
added here is only what QA needs on top: a JSON request with bounded re-asks when the reply does not parse, and a worker pool that keeps ``concurrency``
requests in flight while reading its work items lazily (constant memory over a large corpus).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from anestools.errors import ConfigError
from anestools.eval.auto_engine import AUTO, choose_engine
from anestools.eval.client import ChatClient, Completion, RequestFailed, RetryPolicy
from anestools.eval.engines import ENGINES, Endpoint, check_engine_options, default_concurrency, open_endpoint
from anestools.eval.preflight import EndpointInfo, preflight
from anestools.qa.parse import ParseError

T = TypeVar("T")
R = TypeVar("R")
ENGINE_LOG = "engine.log"


@dataclass
class TeacherSettings:
    """Engine options shared by ``qa generate`` and ``qa translate`` (same meaning as in eval)."""

    model: str = ""
    engine: str = "auto"
    base_url: str | None = None
    api_key_env: str | None = None
    engine_python: str | None = None
    dp: str = "auto"
    tp: int = 1
    engine_args: list[str] = field(default_factory=list)
    temperature: float = 0.7
    max_new_tokens: int = 2048
    concurrency: int | None = None
    retries: int = 4
    parse_retries: int = 2
    request_timeout: float = 600.0
    startup_timeout: float = 1800.0
    engine_reason: str | None = None  # why ``auto`` chose the engine (printed, stored in summary.json)

    def resolve(self) -> None:
        """Replace ``--engine auto`` by the engine this machine can run (eval's chooser), once."""
        if self.engine != AUTO:
            return
        choice = choose_engine(AUTO, engine_python=self.engine_python, base_url=self.base_url,
                               engine_args=self.engine_args)
        self.engine, self.engine_reason = choice.engine, choice.reason
        self.engine_args = [*self.engine_args, *choice.extra_args]

    @property
    def in_flight(self) -> int:
        return self.concurrency if self.concurrency is not None else default_concurrency(self.engine)

    def validate(self) -> None:
        if not self.model:
            raise ConfigError("--model is required (the teacher model, or the served name with --base-url)")
        if self.engine not in ("auto", *ENGINES):
            raise ConfigError(f"unknown engine {self.engine!r}: expected auto, {', '.join(ENGINES)}")
        for name, value, low in (("--concurrency", self.concurrency, 1), ("--max-new-tokens", self.max_new_tokens, 1),
                                 ("--retries", self.retries, 0), ("--parse-retries", self.parse_retries, 0)):
            if value is not None and value < low:
                raise ConfigError(f"{name} must be >= {low}, got {value}")
        if self.temperature < 0:
            raise ConfigError("--temperature must be >= 0")
        if self.engine != "auto":
            check_engine_options(self.engine, self.base_url, self.api_key_env)
        elif self.api_key_env:
            check_engine_options("openai", self.base_url or "x", self.api_key_env)

    def describe(self) -> dict[str, Any]:
        return {"model": self.model, "engine": self.engine, "engine_reason": self.engine_reason,
                "base_url": self.base_url,
                "api_key_env": self.api_key_env,  # the variable's name only, never its value
                "temperature": self.temperature, "max_new_tokens": self.max_new_tokens,
                "concurrency": self.in_flight, "retries": self.retries, "parse_retries": self.parse_retries}


@contextlib.contextmanager
def teacher(settings: TeacherSettings, out_dir: Path) -> Iterator[tuple[Endpoint, ChatClient, EndpointInfo]]:
    """Start (or reach) the teacher's server, check it answers (eval's preflight: raises
    ``EndpointUnreachable``), yield it, a client and what the endpoint reported.

    The client is not opened yet: the caller enters it (``async with``) inside its event loop."""
    settings.resolve()
    with open_endpoint(settings.engine, settings.model, log_path=out_dir / ENGINE_LOG, base_url=settings.base_url,
                       api_key_env=settings.api_key_env, engine_python=settings.engine_python, dp=settings.dp,
                       tp=settings.tp, engine_args=settings.engine_args,
                       startup_timeout=settings.startup_timeout) as endpoint:
        # transformers serve answers /v1/models by scanning the whole Hugging Face cache
        info = preflight(endpoint.base_url, endpoint.api_key, list_models=settings.engine != "transformers")
        client = ChatClient(endpoint.base_url, endpoint.model, endpoint.api_key,
                            request_timeout=settings.request_timeout, policy=RetryPolicy(retries=settings.retries))
        yield endpoint, client, info


@dataclass
class Asked:
    """A parsed reply, the raw text it came from, and how many requests it took."""

    value: Any
    text: str
    requests: int


class Asker:
    """JSON requests to the teacher through the one shared client, with the run's settings."""

    def __init__(self, client: ChatClient, settings: TeacherSettings) -> None:
        self.client = client
        self.settings = settings

    async def ask(self, messages: list[dict[str, str]], parse: Callable[[str], Any]) -> Asked:
        """Ask, parse; on ``ParseError`` ask again (at least temperature 0.7) up to ``parse_retries`` times.

        Raises ``ParseError`` (with ``.text`` = the last reply, ``.requests``) when no reply
        parses, and the client's ``RequestFailed`` when the server cannot be reached.
        """
        s = self.settings
        temperature = s.temperature
        last = ""
        for attempt in range(s.parse_retries + 1):
            c: Completion = await self.client.complete(messages, temperature=temperature,
                                                       max_tokens=s.max_new_tokens)
            last = c.text
            try:
                return Asked(parse(c.text), c.text, attempt + 1)
            except ParseError as exc:
                error = exc
                temperature = max(temperature, 0.7)  # a greedy teacher would repeat the same reply
        error.text = last  # type: ignore[attr-defined]
        error.requests = s.parse_retries + 1  # type: ignore[attr-defined]
        raise error

    async def ask_for(self, rec: dict[str, Any], messages: list[dict[str, str]], parse: Callable[[str], Any]) -> Any:
        """:meth:`ask` for a journal record: the parsed value, with ``rec["requests"]`` set; or
        ``None`` when no reply parsed (``rec["malformed"]`` and the raw text) or the request
        failed (``rec["error"]``, asked again on the next run)."""
        try:
            asked = await self.ask(messages, parse)
        except ParseError as exc:
            rec.update(malformed=str(exc), raw=getattr(exc, "text", "")[:2000], requests=exc.requests)  # type: ignore[attr-defined]
            return None
        except RequestFailed as exc:
            rec.update(error=exc.reason, requests=exc.attempts)
            return None
        rec["requests"] = asked.requests
        return asked.value


@dataclass
class Later:
    """A work item's result whose last step is CPU work elsewhere (the language label in a worker
    process): its request slot is free already, so the pool starts the next item meanwhile."""

    result: Awaitable[Any]


async def run_pool(items: Iterable[T], work: Callable[[T], Awaitable[R | Later]], concurrency: int,
                   done: Callable[[R], None]) -> int:
    """Run ``work`` on every item with ``concurrency`` in flight; ``done(result)`` as each finishes.

    Items are pulled lazily from ``items`` (a generator over the corpus is never materialised);
    ``done`` runs in the event loop thread, so it may append to a file without locks. A
    :class:`Later` result is awaited off the worker, at most ``concurrency`` of them at once
    (beyond that the worker waits: CPU that cannot keep up slows the requests, never memory).
    """
    it = iter(items)
    count = 0
    finishing = asyncio.Semaphore(max(1, concurrency))
    tails: set[asyncio.Task] = set()
    failure: list[Exception] = []

    async def tail(later: Later) -> None:
        nonlocal count
        try:
            done(await later.result)
            count += 1
        except Exception as exc:  # raised below once the workers have stopped taking items
            failure.append(exc)
        finally:
            finishing.release()

    async def worker() -> None:
        nonlocal count
        for item in it:  # shared iterator: each item is taken by exactly one worker
            if failure:
                break
            result = await work(item)
            if isinstance(result, Later):
                await finishing.acquire()
                task = asyncio.ensure_future(tail(result))
                tails.add(task)
                task.add_done_callback(tails.discard)
            else:
                done(result)
                count += 1

    await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
    while tails:
        await asyncio.gather(*tails)
    if failure:
        raise failure[0]
    return count


def run_journaled(items: Iterable[T], work: Callable[[Asker], Callable[[T], Awaitable[Any]]],
                  settings: TeacherSettings, out_dir: Path, journal_path: Path,
                  hook: Callable[[str, int], None] | None, on_interrupt: Callable[[], object],
                  on_record: Callable[[dict[str, Any]], None] | None = None) -> int:
    """Start the teacher only if there is work, run it, journal every result; return how many ran.

    ``work(asker)`` returns the per-item coroutine function (its result a record, or a
    :class:`Later` record); ``in_flight`` items are in progress at once, each with at most one
    request in flight. ``on_record`` sees every record once it is journaled. On Ctrl-C/SIGTERM
    the journal already holds every finished item; ``on_interrupt`` rebuilds the outputs, then
    it re-raises.
    """
    from anestools.common.journal import JournalWriter

    it = iter(items)
    first = next(it, None)
    if first is None:
        return 0
    with JournalWriter(journal_path) as journal, teacher(settings, out_dir) as (_endpoint, client, _info):

        def record(rec: dict[str, Any]) -> None:
            journal.append(rec)
            if on_record:
                on_record(rec)
            if hook:
                hook("error" if rec["error"] else "done", 1)

        async def main() -> int:
            async with client:
                return await run_pool(_chain(first, it), work(Asker(client, settings)), settings.in_flight, record)

        try:
            return asyncio.run(main())
        except KeyboardInterrupt:
            on_interrupt()
            raise


def _chain(first: T, rest: Iterator[T]) -> Iterator[T]:
    yield first
    yield from rest
