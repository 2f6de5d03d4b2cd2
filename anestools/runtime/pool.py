"""One bounded async worker pool: ``concurrency`` items in flight, items pulled lazily.

Why one: SGLang batches whatever is in flight, so every stage that talks to a model server
wants the same thing — keep N requests open, never materialise the work list (a generator
over a large corpus stays a generator), hand each result to one callback in the event-loop
thread (so it may append to a journal without locks).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

__all__ = ["Later", "run_pool"]


@dataclass
class Later:
    """A work item's result whose last step is CPU work elsewhere (e.g. a language label in a
    worker process): its request slot is free already, so the pool starts the next item meanwhile."""

    result: Awaitable[Any]


async def run_pool(items: Iterable[T], work: Callable[[T], Awaitable[R | Later]], concurrency: int,
                   done: Callable[[R], None]) -> int:
    """Run ``work`` on every item with ``concurrency`` in flight; ``done(result)`` as each finishes.

    Returns how many results were handed to ``done``. A :class:`Later` result is awaited off
    the worker, at most ``concurrency`` of them at once (beyond that the worker waits: CPU that
    cannot keep up slows the requests, never memory).
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
