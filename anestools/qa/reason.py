"""``qa reason``: verified reasoning chains for multiple-choice questions (AnesR1-style data).

Per item, up to ``tries`` requests to a reasoning teacher, each with its own seed (derived from
the seed base, the item id and the try index, sent as ``seed``): the chain comes from the
server's ``reasoning_content`` (SGLang/vLLM reasoning parsers; the runtime client wraps it in
``<think>``) or from ``<think>…</think>`` in the content, and the final letter is read by the
extractor that scores eval (:func:`anestools.common.extract.extract`), so a chain is kept only
when eval would score its answer right. A right answer's chain must also pass the length
bounds and the language check (``qa generate``'s). The pass rate is over the tries made.

Scheduling: by default every try is made (an exact pass rate), so tries are independent and
the pool keeps ``concurrency`` tries in flight, pulled in item order. With ``early_stop``
whether try *t* is made depends on the tries before it, so an item's tries run one after
another (``concurrency`` items in flight): that keeps which tries are made, the pass rate and
every output the same on every run and every resume.

Every try is journaled the moment it returns (``_journal.jsonl``, key ``ITEM#T``); a rerun
replays the journaled tries and asks only for the missing ones, so ``kill -9`` loses at most
the tries in flight and duplicates none. The outputs are rebuilt from the tries at the end
(held per item until then: the journal's size, as ``qa generate``'s resume holds it).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from anestools import __version__
from anestools.common.anesbench import LETTERS, sample_files
from anestools.common.atomic import atomic_paths, write_error
from anestools.common.extract import EXTRACTOR_VERSION, extract  # the scorer eval uses: the verifier
from anestools.errors import ConfigError, InputError
from anestools.qa import store
from anestools.qa.checks import LANGUAGE_CHECK_VERSION, LanguageDetector, LengthBounds
from anestools.qa.generate import load_decontamination
from anestools.qa.prompts import text_hash
from anestools.qa.reason_bank import BankItem, read_bank, refuse_anesbench
from anestools.qa.settings import TeacherSettings
from anestools.runtime.client import ChatClient, RequestFailed
from anestools.runtime.journal import JournalWriter, latest, read_journal
from anestools.runtime.pool import run_pool
from anestools.runtime.rundir import RunDir

DATASET = "anesr1.parquet"
PARTIAL = "_anesr1.partial.parquet"
ITEMS = "anesr1_items.parquet"
ITEMS_PARTIAL = "_anesr1_items.partial.parquet"
JOURNAL = store.JOURNAL
DROPPED = store.DROPPED
SUMMARY = store.SUMMARY
PROMPTS = store.PROMPTS

SCHEMA = pa.schema([
    ("id", pa.string()), ("question", pa.string()), ("options", pa.list_(pa.string())), ("answer", pa.string()),
    ("reasoning", pa.string()), ("response", pa.string()), ("level", pa.int8()), ("language", pa.string()),
    ("pass_rate", pa.float32()), ("tries", pa.int16()), ("passes", pa.int16()), ("difficulty", pa.string()),
    ("teacher", pa.string()), ("prompt_hash", pa.string()), ("seed", pa.int64()), ("seeds", pa.list_(pa.int64())),
    ("source", pa.string()),
])

# What a try can end as, in report order; only "kept" yields a row of anesr1.parquet.
TRY_REASONS = ("no_answer", "wrong_answer", "no_reasoning", "too_short", "too_long", "wrong_language",
               "beyond_keep")

PROMPT = {
    "en": ("Answer the following multiple-choice question about anesthesiology. Think it through step by step, "
           "then give the final answer on the last line as \"Answer: X\", where X is the letter of the one "
           "correct option.\n\n{question}\n{listing}"),
    "zh": ("请回答下面的麻醉学单项选择题。请先逐步推理，最后一行以“答案：X”给出最终答案，X 为唯一正确选项的字母。"
           "\n\n{question}\n{listing}"),
}


def prompt_hash(language: str) -> str:
    return text_hash("reason-v1", language, PROMPT[language])


def reason_messages(item: BankItem) -> list[dict[str, str]]:
    listing = "\n".join(f"{L}. {o}" for L, o in zip(LETTERS, item.options))
    return [{"role": "user", "content": PROMPT[item.language].format(question=item.question, listing=listing)}]


def try_seed(base: int, item_id: str, t: int) -> int:
    """A 31-bit seed for try ``t`` of ``item_id`` (fits every server's ``seed`` field)."""
    digest = hashlib.blake2b(f"{base}\x1f{item_id}\x1f{t}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") & 0x7FFFFFFF


def item_seeds(base: int, item_id: str, tries: int) -> list[int]:
    """Every try's seed, distinct within the item (a collision moves to the next value)."""
    seeds: list[int] = []
    for t in range(tries):
        s = try_seed(base, item_id, t)
        while s in seeds:
            s = (s + 1) & 0x7FFFFFFF
        seeds.append(s)
    return seeds


def split_chain(text: str) -> tuple[str | None, str]:
    """(chain, final response) of a reply: the ``<think>`` block and what follows it.

    A reply without ``</think>`` has no chain (an unclosed ``<think>`` is a truncated one);
    a ``</think>`` without its opening tag (chat templates that open it in the prompt) closes a
    chain that starts at the reply's beginning."""
    end = text.rfind("</think>")
    if end < 0:
        return None, text.strip()
    start = text.find("<think>")
    chain = text[start + len("<think>"):end] if 0 <= start < end else text[:end]
    chain = chain.strip()
    return (chain or None), text[end + len("</think>"):].strip()


@dataclass
class ReasonSettings:
    inputs: list[str] = field(default_factory=list)
    output: Path = Path("anesr1")
    teacher: TeacherSettings = field(default_factory=TeacherSettings)
    tries: int = 4
    keep: int = 1
    early_stop: bool = False
    seed: int = 0
    limit: int | None = None
    decontaminate: list[str] = field(default_factory=list)
    mapping: Any = None
    skip_invalid: bool = False
    language_check: bool = True
    min_reasoning: int = 50
    max_reasoning: int = 32000
    max_response: int = 4000
    resume: bool = True
    overwrite: bool = False

    def validate(self) -> None:
        if not self.inputs:
            raise ConfigError("give at least one bank (qa generate --style mcq output, or a file eval can read)")
        if not 1 <= self.tries <= 1000:
            raise ConfigError(f"--tries {self.tries}: expected 1..1000")
        if not 1 <= self.keep <= self.tries:
            raise ConfigError(f"--keep {self.keep}: expected 1..--tries ({self.tries})")
        if self.limit is not None and self.limit < 1:
            raise ConfigError("--limit must be >= 1")
        self.lengths()  # bounds checked when made
        self.teacher.validate()

    def lengths(self) -> LengthBounds:
        """The chain is the "question" side of qa's bounds, the final response the "answer" side."""
        return LengthBounds(self.min_reasoning, self.max_reasoning, 1, self.max_response)

    def fingerprint(self, decontam_hash: str) -> str:
        """What shapes one try's record (not ``tries``/``keep``/``early_stop``: more tries extend a run)."""
        return store.fingerprint({"kind": "reason", "model": self.teacher.model, "extractor": EXTRACTOR_VERSION,
                                  "prompts": [prompt_hash("en"), prompt_hash("zh")], "seed": self.seed,
                                  "temperature": self.teacher.temperature,
                                  "max_tokens": self.teacher.max_new_tokens, "decontam": decontam_hash,
                                  "lang": [self.language_check, LANGUAGE_CHECK_VERSION],
                                  "lengths": asdict(self.lengths())})


@dataclass
class Prepared:
    """The selection: items to ask, items dropped before asking (with reason), the index hash."""

    items: list[BankItem]
    dropped: list[tuple[BankItem, str, str]]
    decontam_hash: str
    decontam_files: list[str]


def prepare(s: ReasonSettings) -> Prepared:
    """Read and decontaminate the banks (AnesBench itself refused; see :mod:`reason_bank`)."""
    files = list(s.decontaminate) or [str(p) for p in sample_files()]
    refuse_anesbench(s.inputs, files)
    bank = read_bank(s.inputs, s.mapping, s.skip_invalid)
    if s.limit:
        bank = bank[:s.limit]
    index, decontam_hash = load_decontamination(files)  # files is never empty: an index
    keep: list[BankItem] = []
    dropped: list[tuple[BankItem, str, str]] = []
    for it in bank:
        texts = {"question": it.question, "question with options": it.question + "\n" + "\n".join(it.options)}
        hit = next((name for name, text in texts.items() if index is not None and index.overlaps(text)), None)
        if hit:
            dropped.append((it, "benchmark_overlap", f"{hit} shares an n-gram with AnesBench"))
        else:
            keep.append(it)
    if len(bank) >= 4 and len(dropped) * 2 > len(bank):
        raise InputError(f"{', '.join(s.inputs)}: {len(dropped)} of {len(bank)} items overlap AnesBench: this "
                         "looks like the benchmark itself; qa reason refuses to build training chains on it")
    return Prepared(keep, dropped, decontam_hash, files)


class Trier:
    """One try of one item: the request, the chain split, the verdict, the chain checks."""

    def __init__(self, s: ReasonSettings, client: ChatClient, fingerprint: str,
                 languages: LanguageDetector) -> None:
        self.s, self.client, self.fingerprint, self.languages = s, client, fingerprint, languages
        self.bounds = s.lengths()

    async def __call__(self, it: BankItem, t: int, seed: int, needed: bool = True) -> dict[str, Any]:
        rec: dict[str, Any] = {"key": f"{it.id}#{t}", "item": it.id, "try": t, "seed": seed,
                               "fingerprint": self.fingerprint, "error": None, "requests": 0}
        ts = self.s.teacher
        try:
            c = await self.client.complete(reason_messages(it), temperature=ts.temperature,
                                           max_tokens=ts.max_new_tokens, extra={"seed": seed})
        except RequestFailed as exc:
            rec.update(error=exc.reason, requests=exc.attempts)
            return rec
        rec["requests"] = c.attempts
        rec["finish_reason"] = c.finish_reason
        chain, response = split_chain(c.text)
        # the answer is read after the chain (a chain closed by a bare </think>, as DeepSeek-R1
        # writes it, would otherwise be read as answer text); no chain: the whole reply
        got = extract(response if chain is not None else c.text, it.option_map)
        rec["letter"] = got.letter
        rec["passed"] = got.letter == it.answer
        if got.letter is None:
            rec["verdict"], rec["detail"] = "no_answer", f"no answer letter ({got.reason or got.status})"
        elif not rec["passed"]:
            rec["verdict"], rec["detail"] = "wrong_answer", f"answered {got.letter}, gold {it.answer}"
        elif chain is None:
            rec["verdict"], rec["detail"] = "no_reasoning", "no <think> block or reasoning_content in the reply"
        elif not needed:  # --keep chains are verified already: no checks (langdetect) for a chain not kept
            rec["verdict"], rec["detail"] = "beyond_keep", "right, but --keep chains were verified by earlier tries"
        else:
            problem = self.bounds.problem(chain, response or " ")
            if problem is None and self.s.language_check:
                lang = await self.languages.problem([chain, response] if response else [chain], it.language)
                problem = ("wrong_language", lang) if lang else None
            if problem:
                reason_, detail = problem  # qa's bounds name the chain "question", the response "answer"
                rec["verdict"] = reason_
                rec["detail"] = detail.replace("question", "reasoning", 1).replace("answer", "response", 1)
            else:
                rec["verdict"] = "kept"
                rec["reasoning"], rec["response"] = chain, response
        if rec["verdict"] != "kept":
            rec["raw"] = c.text[:2000]
        return rec


ProgressHook = Callable[[str, int], None]


@dataclass
class ReasonOutcome:
    output: Path
    summary: dict[str, Any]
    new_tries: int
    resumed_tries: int


def _check_record(rec: Any, where: str) -> dict[str, Any]:
    if not isinstance(rec, dict) or not isinstance(rec.get("key"), str) or not isinstance(rec.get("item"), str) \
            or not isinstance(rec.get("try"), int) or not isinstance(rec.get("seed"), int):
        raise InputError(f"{where}: not a qa reason journal record (needs key, item, try, seed)")
    return rec


def run_dir(out: Path) -> RunDir:
    return RunDir(out, f"anestools qa reason --output {out}",
                  owned=(DATASET, PARTIAL, ITEMS, ITEMS_PARTIAL, DROPPED, SUMMARY, PROMPTS),
                  journal=JOURNAL, final=DATASET)


def _tries_of(it: BankItem, s: ReasonSettings, journaled: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The journaled tries that count for ``it``, in order, up to the first missing one."""
    got: list[dict[str, Any]] = []
    kept = 0
    for t in range(s.tries):
        if s.early_stop and kept >= s.keep:
            break
        rec = journaled.get(f"{it.id}#{t}")
        if rec is None or rec.get("error") is not None:
            break
        got.append(rec)
        kept += rec.get("verdict") == "kept"
    return got


def _finished(it: BankItem, s: ReasonSettings, tries: list[dict[str, Any]]) -> bool:
    kept = sum(r.get("verdict") == "kept" for r in tries)
    return len(tries) == s.tries or (s.early_stop and kept >= s.keep)


def reason(settings: ReasonSettings, hook: ProgressHook | None = None, dry_run: bool = False) -> ReasonOutcome:
    """Run (or resume) ``qa reason`` into ``settings.output`` and write its outputs."""
    settings.validate()
    s = settings
    t = s.teacher = s.teacher.resolved()
    out = s.output
    from anestools.common.paths import Output, check_io

    check_io([*s.inputs, *s.decontaminate], [Output.run_dir(out)], "qa reason")
    prep = prepare(s)
    fingerprint = s.fingerprint(prep.decontam_hash)
    if dry_run:
        first = reason_messages(prep.items[0]) if prep.items else None
        summary = {"dry_run": True, "items": len(prep.items), "dropped_items": len(prep.dropped),
                   "by_language": dict(Counter(it.language for it in prep.items)), "engine": t.engine,
                   "concurrency": t.in_flight, "max_requests": len(prep.items) * s.tries * (1 + t.retries),
                   "max_tries": len(prep.items) * s.tries, "first_prompt": first}
        return ReasonOutcome(out, summary, 0, 0)
    started = time.perf_counter()
    with run_dir(out).locked() as rd:
        rd.start(s.resume, s.overwrite)
        out.mkdir(parents=True, exist_ok=True)
        journal_path = out / JOURNAL
        journaled = latest(read_journal(journal_path, _check_record), lambda r: r["key"], fingerprint=fingerprint,
                           mismatch=f"{journal_path} holds tries made with other settings (teacher, prompt, seed, "
                                    "sampling, filters or --decontaminate); choose another --output, or "
                                    "--no-resume --overwrite")
        store.write_json(out / PROMPTS, {"en": PROMPT["en"], "zh": PROMPT["zh"],
                                         "prompt_hash": {k: prompt_hash(k) for k in PROMPT}})
        resumed = sum(len(_tries_of(it, s, journaled)) for it in prep.items)
        todo = [it for it in prep.items if not _finished(it, s, _tries_of(it, s, journaled))]
        if hook:
            hook("total", len(todo))
        new = 0
        if todo:
            new = _ask(s, todo, journaled, fingerprint, journal_path, hook,
                       lambda: _write_outputs(s, prep, journaled, fingerprint, started))
        summary = _write_outputs(s, prep, journaled, fingerprint, started, time.perf_counter() - started)
        return ReasonOutcome(out, summary, new, resumed)


def _ask(s: ReasonSettings, todo: list[BankItem], journaled: dict[str, dict[str, Any]], fingerprint: str,
         journal_path: Path, hook: ProgressHook | None, on_interrupt: Callable[[], object]) -> int:
    """Make the missing tries of ``todo`` (journaling each at once); return how many were made."""
    from anestools.qa.teacher import teacher

    made = 0
    with JournalWriter(journal_path) as journal, LanguageDetector() as languages, \
            teacher(s.teacher, s.output) as (_endpoint, client, _info):
        if s.language_check and any(it.language == "en" for it in todo):
            languages.start()

        async def main() -> int:
            async with client:
                trier = Trier(s, client, fingerprint, languages)

                async def item_work(it: BankItem) -> bool:
                    nonlocal made
                    seeds = item_seeds(s.seed, it.id, s.tries)
                    kept = 0
                    for i in range(s.tries):
                        if s.early_stop and kept >= s.keep:
                            break
                        key = f"{it.id}#{i}"
                        rec = journaled.get(key)
                        if rec is None or rec.get("error") is not None:
                            rec = await trier(it, i, seeds[i], needed=kept < s.keep)
                            journal.append(rec)
                            made += 1
                            journaled[key] = rec
                            if rec["error"] is not None:
                                return False  # the item stays unfinished: a rerun retries from here
                        kept += rec.get("verdict") == "kept"
                    return True

                def done(ok: bool) -> None:
                    if hook:
                        hook("done" if ok else "error", 1)

                if s.early_stop:  # whether try T is made depends on tries before it: one after another
                    return await run_pool(todo, item_work, s.teacher.in_flight, done)
                # every try is made: they are independent, so the pool runs tries, not items (a
                # run's last round is one request, not an item's remaining tries one by one)
                missing: dict[str, int] = {}

                def units() -> Iterator[tuple[BankItem, int, int]]:
                    for it in todo:
                        seeds = item_seeds(s.seed, it.id, s.tries)
                        need = [i for i in range(s.tries) if (journaled.get(f"{it.id}#{i}") or {"error": 1}
                                                              ).get("error") is not None]
                        missing[it.id] = len(need)
                        for i in need:
                            yield it, i, seeds[i]

                async def try_work(unit: tuple[BankItem, int, int]) -> tuple[str, bool]:
                    nonlocal made
                    it, i, seed = unit
                    rec = await trier(it, i, seed)
                    journal.append(rec)
                    made += 1
                    journaled[rec["key"]] = rec
                    return it.id, rec["error"] is None

                def try_done(result: tuple[str, bool]) -> None:
                    item, ok = result
                    left = missing[item]
                    if left <= 0:
                        return  # the item failed already (counted once)
                    missing[item] = left - 1 if ok else 0
                    if hook and (not ok or left == 1):
                        hook("done" if ok else "error", 1)

                return await run_pool(units(), try_work, s.teacher.in_flight, try_done)

        try:
            asyncio.run(main())
        except KeyboardInterrupt:
            on_interrupt()
            raise
    return made


def _difficulty(passes: int, tries: int) -> str:
    return "unsolved" if passes == 0 else "easy" if passes == tries else "mixed"


def _base_row(it: BankItem, s: ReasonSettings, tries: list[dict[str, Any]]) -> dict[str, Any]:
    passes = sum(bool(r.get("passed")) for r in tries)
    n = len(tries)
    return {"id": it.id, "question": it.question, "options": list(it.options), "answer": it.answer,
            "reasoning": None, "response": None, "level": it.level, "language": it.language,
            "pass_rate": passes / n if n else None, "tries": n, "passes": passes,
            "difficulty": _difficulty(passes, n) if n else None, "teacher": s.teacher.model,
            "prompt_hash": prompt_hash(it.language), "seed": None, "seeds": [r["seed"] for r in tries],
            "source": it.source}


def _write_outputs(s: ReasonSettings, prep: Prepared, journaled: dict[str, dict[str, Any]], fingerprint: str,
                   started: float, request_seconds: float | None = None) -> dict[str, Any]:
    """Write both parquets (published under their final names only when complete), drops, summary."""
    out = s.output
    counts = {"selected": len(prep.items) + len(prep.dropped), "dropped": len(prep.dropped), "done": 0,
              "errors": 0, "not_run": 0}
    verdicts: Counter[str] = Counter()
    details: dict[str, Counter[str]] = {}
    difficulty: Counter[str] = Counter()
    histogram: Counter[str] = Counter()
    unsolved: list[dict[str, Any]] = []
    first_error: str | None = None
    kept = made = requests = 0
    no_letter = 0
    paths = [out / PARTIAL, out / ITEMS_PARTIAL, out / DROPPED]
    with contextlib.ExitStack() as stack:
        ds, items_path, drops = stack.enter_context(atomic_paths(paths, overwrite=True))
        chains = stack.enter_context(pq.ParquetWriter(ds, SCHEMA))
        item_rows = stack.enter_context(pq.ParquetWriter(items_path, SCHEMA))
        dropped = stack.enter_context(open(drops, "wb"))
        chain_batch: list[dict[str, Any]] = []
        item_batch: list[dict[str, Any]] = []
        for it, reason_, detail in prep.dropped:
            dropped.write(orjson.dumps({"reason": reason_, "detail": detail, "id": it.id, "source": it.source,
                                        "question": it.question}) + b"\n")
        for it in prep.items:
            tries = _tries_of(it, s, journaled)
            made += len(tries)
            requests += sum(r.get("requests") or 0 for r in tries)
            if not _finished(it, s, tries):
                nxt = journaled.get(f"{it.id}#{len(tries)}")
                if nxt is not None and nxt.get("error") is not None:
                    counts["errors"] += 1
                    first_error = first_error or f"{it.id}: {nxt['error']}"
                else:
                    counts["not_run"] += 1
                continue
            counts["done"] += 1
            base = _base_row(it, s, tries)
            difficulty[base["difficulty"]] += 1
            histogram[f"{base['passes']}/{base['tries']}"] += 1
            if base["difficulty"] == "unsolved":
                unsolved.append({"id": it.id, "answer": it.answer,
                                 "letters": dict(Counter(str(r.get("letter")) for r in tries))})
            item_batch.append(base)
            rows = []
            for r in tries:
                verdict = r.get("verdict") or "no_answer"
                if verdict == "kept" and len(rows) >= s.keep:  # a journal made with a larger --keep
                    verdict = "beyond_keep"
                verdicts[verdict] += 1
                no_letter += r.get("letter") is None
                if verdict == "kept":
                    rows.append({**base, "reasoning": r["reasoning"], "response": r["response"],
                                 "seed": r["seed"]})
                    continue
                detail = r.get("detail") or f"right, but --keep {s.keep} chains were verified by earlier tries"
                details.setdefault(verdict, Counter())[detail[:120]] += 1
                dropped.write(orjson.dumps({"reason": verdict, "detail": detail, "id": it.id, "try": r["try"],
                                            "seed": r["seed"], "letter": r.get("letter"),
                                            "raw": r.get("raw")}) + b"\n")
            chain_batch.extend(rows)
            kept += len(rows)
            for batch, writer in ((chain_batch, chains), (item_batch, item_rows)):
                if len(batch) >= 2000:
                    writer.write_table(pa.Table.from_pylist(batch, schema=SCHEMA))
                    batch.clear()
        for batch, writer in ((chain_batch, chains), (item_batch, item_rows)):
            if batch:
                writer.write_table(pa.Table.from_pylist(batch, schema=SCHEMA))
    complete = counts["errors"] == 0 and counts["not_run"] == 0
    try:
        for partial, final in ((PARTIAL, DATASET), (ITEMS_PARTIAL, ITEMS)):
            if complete:
                (out / partial).replace(out / final)
            else:
                (out / final).unlink(missing_ok=True)
    except OSError as exc:
        err = write_error(exc, out / DATASET)
        if err is exc:
            raise
        raise err from exc
    drops = {"benchmark_overlap": {"count": len(prep.dropped), "unit": "items"}} if prep.dropped else {}
    for v in TRY_REASONS:
        if verdicts[v]:
            drops[v] = {"count": verdicts[v], "unit": "tries", "top_details": dict(details[v].most_common(3))}
    summary = {
        "complete": complete, "kept": kept,
        "why_nothing_kept": _why_nothing(kept, counts, made, verdicts, no_letter) if complete and not kept else None,
        "items": counts, "tries": {"made": made, "passed": made - verdicts["wrong_answer"] - verdicts["no_answer"],
                                   "no_answer_letter": no_letter},
        "difficulty": {k: difficulty[k] for k in ("easy", "mixed", "unsolved")},
        "pass_rate_histogram": dict(sorted(histogram.items(), key=lambda kv: tuple(map(int, kv[0].split("/"))))),
        "unsolved": unsolved, "dropped": drops, "requests": requests, "first_error": first_error,
        "seconds": round(time.perf_counter() - started, 2),
        "request_seconds": None if request_seconds is None else round(request_seconds, 2),
        "prompt_hash": {k: prompt_hash(k) for k in PROMPT}, "extractor_version": EXTRACTOR_VERSION,
        "fingerprint": fingerprint,
        "outputs": {"dataset": str(out / (DATASET if complete else PARTIAL)),
                    "items": str(out / (ITEMS if complete else ITEMS_PARTIAL)), "dropped": str(out / DROPPED)},
        "settings": {"inputs": s.inputs, "tries": s.tries, "keep": s.keep, "early_stop": s.early_stop,
                     "seed": s.seed, "limit": s.limit, "decontaminate": prep.decontam_files,
                     "language_check": s.language_check, "min_reasoning": s.min_reasoning,
                     "max_reasoning": s.max_reasoning, "max_response": s.max_response, **s.teacher.describe()},
        "anestools_version": __version__,
    }
    store.write_json(out / SUMMARY, summary)
    return summary


def _why_nothing(kept: int, counts: dict[str, int], made: int, verdicts: Counter[str], no_letter: int) -> str:
    """One line: why a complete run kept no chain."""
    if made == 0:
        return f"no item was asked: all {counts['dropped']} items overlap AnesBench (benchmark_overlap)"
    if no_letter == made:
        return f"no try gave a verifiable answer: {no_letter}/{made} replies had no answer letter"
    right = made - verdicts["wrong_answer"] - verdicts["no_answer"]
    if right == 0:
        return (f"no try was right: {verdicts['wrong_answer']}/{made} replies named a wrong letter, "
                f"{no_letter} had no answer letter")
    rejected = ", ".join(f"{v} {verdicts[v]}" for v in TRY_REASONS[2:] if verdicts[v])
    return f"all {right} right answers were rejected: {rejected}"


def reasons_line(drops: dict[str, dict[str, Any]]) -> str:
    return ", ".join(f"{k} {v['count']} {v['unit']}" for k, v in drops.items()) or "none"


__all__ = ["ReasonSettings", "reason", "split_chain", "try_seed", "item_seeds", "SCHEMA"]
