"""``qa generate``: passages -> teacher -> validated, filtered, decontaminated AnesQA pairs.

Per passage (concurrently, ``concurrency`` requests in flight): one generation request (re-asked
up to ``parse_retries`` times when the reply is not valid JSON), then the per-pair checks,
cheapest first — malformed, length bounds, AnesBench overlap, language script — and one grounding
request (the same teacher as judge) for the pairs still standing, while langdetect labels the
English ones in a worker process (:class:`~anestools.qa.checks.LanguageDetector`). The passage's result is
journaled at once. Duplicates depend on what else was kept, so they are decided at the end,
in selection order, when the dataset, drops and summary are rebuilt from the journal.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from anestools.common.anesbench import AnesBenchIndex
from anestools.common.digest import files_digest
from anestools.common.paths import Output, check_io
from anestools.errors import ConfigError
from anestools.qa import store
from anestools.qa.checks import (
    LANGUAGE_CHECK_VERSION,
    LanguageDetector,
    LengthBounds,
    NearDupIndex,
    script_problem,
)
from anestools.qa.parse import OPTION_LETTERS, ParseError, RawPair, parse_pairs, parse_verdicts
from anestools.qa.passages import Passage, corpus_files, iter_chunks, select_passages
from anestools.qa.prompts import (
    STYLES,
    generation_messages,
    generation_prompt_hash,
    generation_prompts,
    judge_messages,
    text_hash,
)
from anestools.qa.settings import TeacherSettings
from anestools.qa.teacher import Asker, Later, run_journaled
from anestools.runtime.client import RequestFailed

ProgressHook = Callable[[str, int], None]  # ("total", N) once, then ("done"|"error", 1) per passage
ANSWER_LINE = {"en": "Answer: {}", "zh": "答案：{}"}


@dataclass
class GenerateSettings:
    inputs: list[str] = field(default_factory=list)
    output: Path = Path("anesqa")
    teacher: TeacherSettings = field(default_factory=TeacherSettings)
    style: str = "open"
    languages: tuple[str, ...] = ("en", "zh")
    pairs_per_passage: int = 3
    chunk_tokens: int = 512
    min_tokens: int = 48
    limit: int | None = None
    seed: int = 0
    decontaminate: list[str] = field(default_factory=list)
    grounding: bool = True
    language_check: bool = True
    lengths: LengthBounds = field(default_factory=LengthBounds)
    near_dup: float = 0.8
    resume: bool = True
    overwrite: bool = False

    def validate(self) -> None:
        if not self.inputs:
            raise ConfigError("give at least one AnesCorpus shard, folder or glob")
        if self.style not in STYLES:
            raise ConfigError(f"--style {self.style!r}: expected one of {', '.join(STYLES)}")
        if self.pairs_per_passage < 1:
            raise ConfigError("--pairs-per-passage must be >= 1")
        if self.chunk_tokens < 16 or self.min_tokens < 1 or self.min_tokens > self.chunk_tokens:
            raise ConfigError("--chunk-tokens must be >= 16 and --min-tokens between 1 and --chunk-tokens")
        if self.limit is not None and self.limit < 1:
            raise ConfigError("--limit must be >= 1")
        if not 0 < self.near_dup <= 1:
            raise ConfigError("--near-dup must be in (0, 1]")
        bad = [lang for lang in self.languages if lang not in ("en", "zh")]
        if bad or not self.languages:
            raise ConfigError(f"--lang: unknown language(s) {bad}; expected en, zh (cn)")
        self.teacher.validate()

    def fingerprint(self, prompt_hash: str, decontam_hash: str) -> str:
        return store.fingerprint({"model": self.teacher.model, "prompts": prompt_hash, "style": self.style,
                                  "n": self.pairs_per_passage, "chunk": [self.chunk_tokens, self.min_tokens],
                                  "temperature": self.teacher.temperature, "max_tokens": self.teacher.max_new_tokens,
                                  "decontam": decontam_hash, "grounding": self.grounding,
                                  "lang": [self.language_check, LANGUAGE_CHECK_VERSION],
                                  "lengths": asdict(self.lengths)})


def load_decontamination(files: Sequence[str]) -> tuple[AnesBenchIndex | None, str]:
    """The corpus stage's public AnesBench index over ``files`` (None without files) and a hash of
    the files' bytes (part of the run's fingerprint: another benchmark file means another run)."""
    if not files:
        return None, ""
    index = AnesBenchIndex.from_files(files)  # names the file on unreadable or unrecognised input
    return index, files_digest(files, length=12, separator=b"", what="benchmark file") or ""


def selection(settings: GenerateSettings, skipped: dict[str, int]) -> Iterator[Passage]:
    files = corpus_files(settings.inputs, [Output.run_dir(settings.output)])
    chunks = iter_chunks(files, frozenset(settings.languages), settings.chunk_tokens, settings.min_tokens, skipped)
    seen: dict[str, int] = {}
    for p in select_passages(chunks, settings.limit, settings.seed):
        n = seen.get(p.key, 0)
        seen[p.key] = n + 1
        yield p if n == 0 else Passage(f"{p.key}~{n}", p.source_id, p.language, p.text, p.order)


def _pair_fields(raw: RawPair, style: str, language: str) -> dict[str, Any]:
    if style == "open":
        return {"question": raw.question, "answer": raw.answer, "stem": None, "options": None, "target": None,
                "level": None}
    opts = raw.options or []
    listing = "\n".join(f"{OPTION_LETTERS[i]}. {o}" for i, o in enumerate(opts))
    answer = ANSWER_LINE[language].format(raw.target)
    if raw.explanation:
        answer = f"{raw.explanation}\n{answer}"
    return {"question": f"{raw.question}\n{listing}", "answer": answer, "stem": raw.question, "options": opts,
            "target": raw.target, "level": raw.level}


@dataclass
class Generator:
    """One run's per-passage work: the settings, the AnesBench index, the language workers, the client."""

    s: GenerateSettings
    index: AnesBenchIndex | None
    fingerprint: str
    languages: LanguageDetector
    asker: Asker

    def _cheap_checks(self, pair: dict[str, Any]) -> tuple[str, str] | None:
        problem = self.s.lengths.problem(pair["stem"] or pair["question"], pair["answer"])
        if problem:
            return problem
        if self.index is not None:
            for name in ("question", "answer"):
                if self.index.overlaps(pair[name]):
                    return "benchmark_overlap", f"{name} shares an n-gram with AnesBench"
        return None

    async def _ground(self, p: Passage, candidates: list[dict[str, Any]], rec: dict[str, Any]) -> None:
        """One judge request (the teacher) for the passage's candidates; ``ungrounded`` drops."""
        try:
            listing = [(c["question"], c["answer"]) for c in candidates]
            judged = await self.asker.ask(judge_messages(p.text, listing),
                                          lambda text: parse_verdicts(text, len(candidates)))
            rec["requests"] += judged.requests
            for i, c in enumerate(candidates, start=1):
                supported, reason = judged.value[i]
                c["grounding"] = reason
                if not supported:
                    c["drop"], c["detail"] = "ungrounded", reason or "judge: not supported by the passage"
        except ParseError as exc:
            rec["requests"] += exc.requests  # type: ignore[attr-defined]
            for c in candidates:
                c["drop"], c["detail"] = "ungrounded", f"judge reply unusable: {exc}"

    async def passage(self, p: Passage) -> dict[str, Any] | Later:
        s = self.s
        rec: dict[str, Any] = {"key": p.key, "order": p.order, "source_id": p.source_id, "passage_hash": p.hash,
                               "language": p.language, "fingerprint": self.fingerprint, "error": None,
                               "requests": 0, "pairs": [], "malformed": None}
        parsed = await self.asker.ask_for(rec, generation_messages(s.style, p.language, p.text, s.pairs_per_passage),
                                          lambda text: parse_pairs(text, s.style))
        if parsed is None:
            return rec
        good, bad = parsed
        pairs: list[dict[str, Any]] = [{"question": None, "answer": None, "drop": "malformed", "detail": b["reason"],
                                        "item": b["item"]} for b in bad]
        candidates: list[dict[str, Any]] = []
        for raw in good:
            pair = _pair_fields(raw, s.style, p.language)
            pair["pair_id"] = text_hash(p.key, pair["question"], pair["answer"])
            problem = self._cheap_checks(pair)
            pair["drop"], pair["detail"] = problem if problem else (None, None)
            pairs.append(pair)
            if problem is None:
                candidates.append(pair)
        labels: asyncio.Future[list[str | None]] | None = None
        if s.language_check and candidates:
            texts = [[c["stem"] or c["question"], c["answer"]] for c in candidates]
            for c, problem in zip(candidates, (script_problem(t, p.language) for t in texts)):
                if problem:
                    c["drop"], c["detail"] = "wrong_language", problem
            candidates = [c for c in candidates if c["drop"] is None]
            if p.language != "zh" and candidates:
                # langdetect runs in a worker process while the judge request is in flight: the
                # passage never waits for its label before asking (the verdict of a pair that
                # then fails the language check is discarded; one judge request per passage anyway)
                labels = asyncio.ensure_future(self.languages.problems(
                    [[c["stem"] or c["question"], c["answer"]] for c in candidates], p.language))
        try:
            if s.grounding and candidates:
                await self._ground(p, candidates, rec)
        except BaseException as exc:
            if labels is not None:
                labels.cancel()
            if not isinstance(exc, RequestFailed):
                raise
            rec.update(error=f"grounding: {exc.reason}", requests=rec["requests"] + exc.attempts)
            return rec
        rec["pairs"] = pairs
        if labels is None:
            return rec
        # the request slot is free: the next passage starts while this one waits for its label
        return Later(_labelled(rec, candidates, labels))


async def _labelled(rec: dict[str, Any], candidates: list[dict[str, Any]],
                    labels: asyncio.Future[list[str | None]]) -> dict[str, Any]:
    """``rec`` once langdetect has labelled its candidates (a pair in another language is dropped)."""
    for c, lang in zip(candidates, await labels):
        if lang:
            c["drop"], c["detail"] = "wrong_language", lang
            c.pop("grounding", None)
    return rec


def generate(settings: GenerateSettings, hook: ProgressHook | None = None, dry_run: bool = False) -> store.Outcome:
    """Run (or resume) generation into ``settings.output`` and rebuild its outputs."""
    settings.validate()
    t = settings.teacher = settings.teacher.resolved()
    out = settings.output
    # before anything is written or deleted (--no-resume --overwrite): the output is no input
    check_io([*settings.inputs, *settings.decontaminate], [Output.run_dir(out)], "qa generate")
    prompts = generation_prompts(settings.style, settings.languages, settings.grounding)
    index, decontam_hash = load_decontamination(settings.decontaminate)
    fingerprint = settings.fingerprint(prompts.hash, decontam_hash)
    skipped: dict[str, int] = {}
    if dry_run:  # streamed: counts per language and the first passage only
        by_language: Counter[str] = Counter()
        first: Passage | None = None
        for p in selection(settings, skipped):
            by_language[p.language] += 1
            first = first or p
        n = sum(by_language.values())
        summary = {"dry_run": True, "passages": n, "by_language": dict(by_language),
                   "skipped_rows": skipped, "engine": t.engine, "concurrency": t.in_flight,
                   "max_requests": n * (1 + t.parse_retries) * (2 if settings.grounding else 1),
                   "first_prompt": generation_messages(settings.style, first.language, first.text,
                                                       settings.pairs_per_passage) if first else None}
        return store.Outcome(out, summary, 0, 0)
    # one writer per folder (exit 7 for a second one); temp files of a killed run go under the lock
    with store.run_dir(out, "qa generate").locked() as rd:
        rd.start(settings.resume, settings.overwrite)
        out.mkdir(parents=True, exist_ok=True)
        latest = store.latest_records(out, fingerprint)
        done = {k for k, r in latest.items() if r.get("error") is None}
        keys: list[str] = []
        asked = 0
        store.write_json(out / store.PROMPTS, prompts.describe())
        started = time.perf_counter()
        rows = PairRows(settings)
        with store.Rebuild(out, rows) as rebuild:

            def todo() -> Iterator[Passage]:
                nonlocal asked
                for p in selection(settings, skipped):
                    keys.append(p.key)
                    rebuild.expect(p.key)
                    if p.key in done:
                        rebuild.deliver(latest.pop(p.key))
                    else:
                        asked += 1
                        yield p

            # With --limit the selection is a reservoir in memory anyway: list it for an exact total;
            # without, the corpus is streamed and progress counts passages without a total.
            items: Iterator[Passage] | list[Passage] = list(todo()) if settings.limit else todo()
            if hook and isinstance(items, list):
                hook("total", len(items))

            with LanguageDetector() as languages:
                if settings.language_check and "en" in settings.languages:
                    languages.start()  # profiles load in the workers while the server starts

                def work(asker: Asker):  # the client exists once the teacher answers
                    return Generator(settings, index, fingerprint, languages, asker).passage

                def interrupted() -> None:  # the journal is the truth: rebuild from it alone
                    rebuild_from_journal(settings, keys, fingerprint, prompts.hash, skipped, started)

                new = run_journaled(items, work, t, out, out / store.JOURNAL, hook, interrupted, rebuild.deliver)
            request_seconds = time.perf_counter() - started
        summary = summarize(settings, rebuild, rows, fingerprint, prompts.hash, skipped, started, request_seconds)
        return store.Outcome(out, summary, new, len(keys) - asked)


class PairRows:
    """A finished passage's pairs as rows and drops (:data:`store.Convert`); near-duplicates are
    decided here, in selection order, against the questions kept before."""

    def __init__(self, settings: GenerateSettings) -> None:
        self.s = settings
        self.dedup = NearDupIndex(settings.near_dup)
        self.generated = 0

    def __call__(self, key: str, rec: dict[str, Any], sink: store.Sink) -> None:
        s = self.s
        prov = {"source_id": rec["source_id"], "passage_hash": rec["passage_hash"], "language": rec["language"]}
        if rec.get("malformed"):
            sink.malformed(rec["malformed"], {**prov, "raw": rec.get("raw")})
            return
        phash = generation_prompt_hash(s.style, rec["language"])
        for pair in rec["pairs"]:
            self.generated += 1
            row = {**pair, **prov, "teacher": s.teacher.model, "prompt_hash": phash, "style": s.style,
                   "source_pair_id": None}
            if pair["drop"] is None:
                dup = self.dedup.check_add(pair["pair_id"], pair["stem"] or pair["question"])
                if dup:
                    row["drop"], row["detail"] = dup
            if row["drop"] is not None:
                sink.drop(row.pop("drop"), row.pop("detail"), row)
            else:
                sink.keep(row)


def rebuild_from_journal(settings: GenerateSettings, keys: Sequence[str], fingerprint: str, prompt_hash: str,
                         skipped: dict[str, int], started: float) -> dict[str, Any]:
    """Rebuild ``anesqa.parquet``, ``_dropped.jsonl`` and ``summary.json`` from the journal alone."""
    rows = PairRows(settings)
    rebuild = store.rebuild_from_journal(settings.output, fingerprint, keys, rows)
    return summarize(settings, rebuild, rows, fingerprint, prompt_hash, skipped, started)


def summarize(settings: GenerateSettings, rebuild: store.Rebuild, rows: PairRows, fingerprint: str,
              prompt_hash: str, skipped: dict[str, int], started: float,
              request_seconds: float | None = None) -> dict[str, Any]:
    """Write ``summary.json`` for the outputs ``rebuild`` published."""
    out = settings.output
    summary = {
        **rebuild.report(skipped, started, request_seconds, prompt_hash, fingerprint),
        "passages": rebuild.counts,
        "pairs": {"generated": rows.generated, "kept": rebuild.kept, "dropped": rows.generated - rebuild.kept},
        "settings": {"inputs": settings.inputs, "style": settings.style, "languages": list(settings.languages),
                     "pairs_per_passage": settings.pairs_per_passage, "chunk_tokens": settings.chunk_tokens,
                     "min_tokens": settings.min_tokens, "limit": settings.limit, "seed": settings.seed,
                     "decontaminate": settings.decontaminate, "grounding": settings.grounding,
                     "language_check": settings.language_check, "lengths": asdict(settings.lengths),
                     "near_dup": settings.near_dup, **settings.teacher.describe()},
    }
    store.write_json(out / store.SUMMARY, summary)
    return summary
