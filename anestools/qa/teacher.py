"""The teacher model, through the runtime layer (engine lifecycle, preflight, client, pool, journal).

What is added here is only what QA needs on top: a JSON request with bounded re-asks when the
reply does not parse, and the journaled run of a stage's work items.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from anestools.qa.parse import ParseError
from anestools.qa.settings import TeacherSettings
from anestools.runtime.client import ChatClient, Completion, RequestFailed
from anestools.runtime.engines import Endpoint
from anestools.runtime.journal import JournalWriter
from anestools.runtime.pool import Later, run_pool
from anestools.runtime.preflight import EndpointInfo, preflight
from anestools.runtime.replies import empty_content

T = TypeVar("T")
ENGINE_LOG = "engine.log"

__all__ = ["Asked", "Asker", "Later", "TeacherSettings", "run_journaled", "teacher"]


@contextlib.contextmanager
def teacher(settings: TeacherSettings, out_dir: Path) -> Iterator[tuple[Endpoint, ChatClient, EndpointInfo]]:
    """Start (or reach) the teacher's server, check it answers and serves ``--model`` (preflight:
    raises ``EndpointUnreachable``, exit 4), yield it, a client (which stops the run with
    ``ModelNotServed``, exit 4, when the server refuses ``--model``) and what the endpoint reported.

    The client is not opened yet: the caller enters it (``async with``) inside its event loop."""
    with settings.endpoint(settings.model, out_dir / ENGINE_LOG) as endpoint:
        # transformers serve answers /v1/models by scanning the whole Hugging Face cache
        info = preflight(endpoint.base_url, endpoint.api_key, list_models=settings.engine != "transformers")
        client = replace(endpoint, served_models=info.models).client(settings.request_timeout, settings.retries)
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
            text = getattr(exc, "text", "")
            rec.update(malformed=str(exc), raw=text[:2000], requests=exc.requests)  # type: ignore[attr-defined]
            if empty_content(text):  # counted apart from unparsable replies (summary: empty_replies)
                rec["empty"] = True
            return None
        except RequestFailed as exc:
            rec.update(error=exc.reason, requests=exc.attempts)
            return None
        rec["requests"] = asked.requests
        return asked.value


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
