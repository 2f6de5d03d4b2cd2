"""Per-pair checks: length bounds, language, near-duplicates, untranslated Latin text.

Each check returns ``None`` (pass) or a short detail string; the caller records the reason
name (``too_short``, ``wrong_language``...) so the summary can count drops by cause.

Language: a script test first (a Chinese pair must be mostly Han characters without kana or
Hangul, which settles Chinese: langdetect's ko/ja profiles also hold Han characters and call
short Chinese medical text "ko", as the corpus stage found; an English pair must be mostly Latin
letters); then, for English, langdetect with seed 0 (so the same text always gets the same
label) among the Latin-script languages, in worker processes (:class:`LanguageDetector`) so the
event loop keeps its requests in flight.

Near-duplicates: Jaccard similarity of word 3-grams (English) or character 3-grams (Chinese)
with exact verification; candidates come from an inverted index probed with a question's
rarest shingles (:class:`NearDupIndex`), so no similar pair is missed and a common shingle such
as "what is the" is rarely probed.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import math
import multiprocessing
import os
import re
import signal
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING

from anestools.common.proc import die_with_driver
from anestools.errors import ConfigError
from anestools.runtime.options import AtLeast, check_fields, checked

if TYPE_CHECKING:
    from langdetect import DetectorFactory

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")
_NON_LATIN = re.compile(r"[^\W\d_A-Za-z\u00c0-\u024f\u1e00-\u1eff]")  # letters of any other script
_WORD = re.compile(r"[a-z0-9]+")
_NOT_CONTENT = re.compile(r"[\W_]+", re.UNICODE)

def cjk_share(text: str) -> float:
    """Share of CJK characters among CJK + Latin letters (0 when there is neither)."""
    c = len(_CJK.findall(text))
    if not c:  # the usual English case: no need to count every letter
        return 0.0
    latin = len(_LATIN.findall(text))
    return c / (c + latin)


def latin_share(text: str) -> float:
    """Share of Latin letters among CJK + Latin letters: untranslated text in a Chinese pair."""
    c = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return latin / (c + latin) if c + latin else 0.0


def _script_problem(text: str, expected: str) -> str | None:
    share = cjk_share(text)
    if expected == "zh":
        if share < 0.5:
            return f"expected zh, {100 * share:.0f}% Chinese characters"
        if len(_KANA_HANGUL.findall(text)) > 0.1 * len(_CJK.findall(text)):
            return "expected zh, contains Japanese/Korean script"
    elif share > 0.2:
        return f"expected {expected}, {100 * share:.0f}% Chinese characters"
    else:
        other = len(_NON_LATIN.findall(text))
        share = other / (other + len(_LATIN.findall(text))) if other else 0.0
        if share > 0.2:
            return f"expected {expected}, {100 * share:.0f}% non-Latin letters"
    return None


def script_problem(parts: Sequence[str] | str, expected: str) -> str | None:
    """The cheap half of the language check, on each part (question, answer...) separately."""
    for part in [parts] if isinstance(parts, str) else parts:
        problem = _script_problem(part, expected)
        if problem:
            return problem
    return None


def detected_problem(code: str | None, expected: str) -> str | None:
    """Judge langdetect's label for an English pair (``zh-cn``/``zh-tw`` count as ``zh``)."""
    if code is None or code == "unknown":
        return "language not detectable"
    lang = "zh" if code.startswith("zh") else code
    return None if lang == expected else f"expected {expected}, detected {code}"


# langdetect's profiles of the languages written in the Latin alphabet. Text in any other script
# never reaches langdetect here (the script test rejects it first), so the other 25 profiles
# could only ever lose; leaving them out takes about a third off every call (docs/qa.md), and the
# labels of Latin-script text stay langdetect's own (tests/qa/test_qa_pipeline.py compares them).
LATIN_PROFILES = ("af", "ca", "cs", "cy", "da", "de", "en", "es", "et", "fi", "fr", "hr", "hu", "id", "it", "lt",
                  "lv", "nl", "no", "pl", "pt", "ro", "sk", "sl", "so", "sq", "sv", "sw", "tl", "tr", "vi")


@functools.lru_cache(maxsize=1)
def _latin_factory() -> DetectorFactory:
    """A langdetect ``DetectorFactory`` holding :data:`LATIN_PROFILES`, seeded with 0 (langdetect's
    documented switch: the same text always gets the same label)."""
    from langdetect import DetectorFactory
    from langdetect.detector_factory import PROFILES_DIRECTORY

    factory = DetectorFactory()
    profiles = []
    for code in LATIN_PROFILES:
        with open(os.path.join(PROFILES_DIRECTORY, code), encoding="utf-8") as fh:
            profiles.append(fh.read())
    factory.load_json_profile(profiles)
    factory.set_seed(0)
    return factory


WORKER_NICENESS = 5


def _start_worker() -> None:
    """Worker initializer: load the profiles once, and yield the CPU to the parent. Labels are
    throughput work with a backlog to absorb delays; the parent's event loop is latency work (every
    ms it waits is a ms the teacher waits). The parent owns the workers' lifetime (Ctrl-C or scancel
    reach the whole process group; the parent journals, rebuilds and shuts the pool down, without
    worker tracebacks); a ``kill -9`` of the parent kills them too (``die_with_driver``)."""
    die_with_driver()  # spawned: no at-fork hook reaches it, and it ignores SIGTERM (below)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    with contextlib.suppress(AttributeError, OSError):  # no os.nice on Windows
        os.nice(WORKER_NICENESS)
    _latin_factory()


# Bumped whenever the language check can decide differently, so a journal written by an
# earlier version is not resumed under this one (it is part of every run's fingerprint).
# 2: pair by pair (was: a passage's pairs joined), all of a long pair, any non-Latin script.
LANGUAGE_CHECK_VERSION = 2
MAX_CHARS = 2000  # per langdetect call: longer text is checked in pieces, never cut


def detect_code(text: str) -> str | None:
    """langdetect's label for ``text`` among :data:`LATIN_PROFILES`, ``None`` when it finds no features."""
    from langdetect import LangDetectException

    detector = _latin_factory().create()
    detector.append(text)
    try:
        return detector.detect()
    except LangDetectException:
        return None


def pieces(text: str, limit: int = MAX_CHARS) -> list[str]:
    """``text`` in equal parts of at most ``limit`` characters (no short tail for langdetect to
    misjudge), so all of it is read."""
    n = max(1, -(-len(text) // limit))
    size = max(1, -(-len(text) // n))
    return [text[i:i + size] for i in range(0, len(text), size)] or [text]


def detect_codes(texts: Sequence[str]) -> list[str | None]:
    """:func:`detect_code` for each text: one round trip to a worker process for a whole batch."""
    return [detect_code(t) for t in texts]


class LanguageDetector:
    """Seeded langdetect (its public API) in worker processes, off the event loop.

    Why processes: langdetect is pure Python, several ms per call; at a fast teacher's rate
    (hundreds of passages per second) calling it on the event loop, or in a thread holding the
    GIL, would stall the requests. Texts awaiting a label are gathered for ``wait`` seconds (or
    up to ``max_batch``) and sent to a pool of ``workers`` seeded processes as one task, so the
    transport costs one round trip per batch, not per text. One worker per CPU (at most 4), at a
    lower priority than the parent (:data:`WORKER_NICENESS`). Use as a context manager (or
    :meth:`close`) so the workers end with the run.
    """

    def __init__(self, workers: int | None = None, max_batch: int = 64, wait: float = 0.01) -> None:
        self.workers = workers or max(1, min(4, os.cpu_count() or 1))
        self.max_batch, self.wait = max_batch, wait
        self._pool: ProcessPoolExecutor | None = None
        self._pending: list[tuple[str, asyncio.Future]] = []
        self._timer: asyncio.TimerHandle | None = None

    def start(self) -> None:
        """Start the workers and load langdetect's profiles there (about a second), e.g. while a
        server starts, so the first passages do not wait for it."""
        if self._pool is None:
            # spawn: the parent may already run threads (progress, server log), unsafe to fork
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start_worker)
            for _ in range(self.workers):
                self._pool.submit(detect_code, "warm up the language profiles")

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> LanguageDetector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def detect(self, text: str) -> str | None:
        """The seeded langdetect label of ``text`` (``None``: no features), computed in a worker."""
        self.start()
        loop = asyncio.get_running_loop()
        fut: asyncio.Future = loop.create_future()
        self._pending.append((text, fut))
        if len(self._pending) >= self.max_batch:
            self._flush()
        elif self._timer is None:
            self._timer = loop.call_later(self.wait, self._flush)
        return await fut

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, []
        if not batch:
            return
        task = asyncio.get_running_loop().run_in_executor(self._pool, detect_codes, [t for t, _ in batch])

        def deliver(done: asyncio.Future) -> None:
            error = done.exception() if not done.cancelled() else asyncio.CancelledError()
            for i, (_, fut) in enumerate(batch):
                if fut.done():
                    continue
                if error is not None:  # handed to every waiting pair, never lost in a callback
                    fut.set_exception(error)
                else:
                    fut.set_result(done.result()[i])

        task.add_done_callback(deliver)

    async def problem(self, parts: Sequence[str], expected: str) -> str | None:
        """``None`` when every part is in ``expected`` (en/zh), else why not.

        The script test runs on each part (an English question with a Chinese answer fails).
        Han text without kana or Hangul is Chinese: langdetect's ko/ja profiles also hold Han
        characters and label short Chinese medical text "ko" (the corpus stage's script guard),
        so langdetect runs only for English, on the parts joined (a question alone is often too
        short for a stable label), in :data:`MAX_CHARS` pieces.
        """
        problem = script_problem(parts, expected)
        if problem or expected == "zh":
            return problem
        for code in await asyncio.gather(*(self.detect(t) for t in pieces("\n".join(parts)))):
            problem = detected_problem(code, expected)
            if problem:
                return problem
        return None

    async def problems(self, items: Sequence[Sequence[str]], expected: str) -> list[str | None]:
        """:meth:`problem` for each item (the pairs of one passage), all sent to the workers at once.

        Pair by pair, never the passage's pairs joined: langdetect names a text's majority
        language, so one French pair among three English ones would pass a joined check."""
        return list(await asyncio.gather(*(self.problem(parts, expected) for parts in items)))


@dataclass(frozen=True)
class LengthBounds:
    """Characters; Chinese text is counted x3 so the same bounds suit both languages.

    Checked when made: a bound below 0, or a minimum above its maximum (which would drop every
    pair), is refused naming both numbers."""

    min_question: int = checked(15, AtLeast(0))
    max_question: int = checked(1500, AtLeast(0))
    min_answer: int = checked(2, AtLeast(0))
    max_answer: int = checked(4000, AtLeast(0))

    def __post_init__(self) -> None:
        check_fields(self)
        for what in ("question", "answer"):
            low, high = getattr(self, f"min_{what}"), getattr(self, f"max_{what}")
            if low > high:
                raise ConfigError(f"--min-{what} {low} is above --max-{what} {high}: every pair would be dropped")

    @staticmethod
    def size(text: str) -> int:
        return len(text) + 2 * len(_CJK.findall(text))

    def problem(self, question: str, answer: str) -> tuple[str, str] | None:
        q, a = self.size(question), self.size(answer)
        if q < self.min_question:
            return "too_short", f"question {q} < {self.min_question}"
        if a < self.min_answer:
            return "too_short", f"answer {a} < {self.min_answer}"
        if q > self.max_question:
            return "too_long", f"question {q} > {self.max_question}"
        if a > self.max_answer:
            return "too_long", f"answer {a} > {self.max_answer}"
        return None


def normalize(text: str) -> str:
    """Lower case, no punctuation or spaces: the key of exact duplicates."""
    return _NOT_CONTENT.sub("", text.lower())


def shingles(text: str, n: int = 3) -> set[str]:
    if _CJK.search(text):
        s = normalize(text)
        return {s[i:i + n] for i in range(max(1, len(s) - n + 1))} if s else set()
    w = _WORD.findall(text.lower())
    if len(w) < n:
        return {" ".join(w)} if w else set()
    return {" ".join(w[i:i + n]) for i in range(len(w) - n + 1)}


class NearDupIndex:
    """Exact and near-duplicate questions among those added so far, in the order they are added.

    Every kept question's shingles are indexed. A question ``x`` whose Jaccard with an earlier
    ``y`` is at least ``t`` shares at least ``need = ceil(t * |x|)`` shingles with it, so of any
    ``p`` of ``x``'s shingles, ``y`` holds at least ``p - (|x| - need)`` (pigeonhole). A query
    reads the posting lists of its ``p = k + 3`` shingles with the shortest lists *now*
    (``k = |x| - need + 1``) and verifies only the candidates met at least ``p - k + 1`` times:
    exact, rare shingles first as in prefix filtering, and with no global frequencies needed in
    advance, so questions can be added as the run finishes them. (Three extra lists: measured
    in docs/qa.md, the least work across thresholds 0.5-0.9.)
    """

    def __init__(self, threshold: float = 0.8) -> None:
        self.threshold = threshold
        self._exact: dict[str, str] = {}
        self._sets: list[set[str]] = []
        self._ids: list[str] = []
        self._postings: dict[str, list[int]] = {}

    def _candidates(self, s: set[str]) -> Iterator[int]:
        need = math.ceil(self.threshold * len(s) - 1e-9)  # shingles a duplicate shares at least
        k = max(1, len(s) - need + 1)
        p = min(len(s), k + 3)
        postings = self._postings
        probe = sorted(s, key=lambda g: len(postings.get(g, ())))[:p]
        hits = Counter(chain.from_iterable(postings.get(g, ()) for g in probe))
        least = p - k + 1
        return (j for j, n in hits.items() if n >= least)

    def check_add(self, pair_id: str, question: str, shingled: set[str] | None = None) -> tuple[str, str] | None:
        """``(reason, detail)`` if ``question`` duplicates a kept one; else remember it.

        ``shingled``: ``shingles(question)`` when the caller already has it."""
        key = normalize(question)
        if key in self._exact:
            return "duplicate_exact", f"same question as {self._exact[key]}"
        s = shingles(question) if shingled is None else shingled
        if s:
            low, high = self.threshold * len(s) - 1e-9, len(s) / self.threshold + 1e-9  # size filter
            for j in self._candidates(s):
                other = self._sets[j]
                if not low <= len(other) <= high:
                    continue
                inter = len(s & other)
                jac = inter / (len(s) + len(other) - inter)
                if jac >= self.threshold:
                    return "duplicate_near", f"Jaccard {jac:.2f} with {self._ids[j]}"
        self._exact[key] = pair_id
        idx = len(self._sets)
        self._sets.append(s)
        self._ids.append(pair_id)
        for g in s:
            self._postings.setdefault(g, []).append(idx)
        return None
