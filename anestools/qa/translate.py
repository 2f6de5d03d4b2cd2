"""``qa translate``: AnesQA pairs -> the other language, through the same teacher machinery.

Each source pair is one request (re-asked when the reply is not the expected JSON). An mcq pair
is sent as its stem, options, explanation and answer letter, so the letter can be checked and
the options keep their order. Checks, cheapest first: malformed reply, answer letter changed
(mcq), length ratio (translated / source size, a Chinese character counting 3), untranslated
Latin text (to zh), language, AnesBench overlap. Output: the same schema, ``language`` set to
the target, ``source_pair_id`` naming the source pair; resumable like ``qa generate``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from anestools.common.anesbench import AnesBenchIndex
from anestools.common.inputs import resolve_inputs
from anestools.common.langs import normalize_language
from anestools.common.paths import Output, check_io
from anestools.errors import ConfigError, InputError
from anestools.qa import store
from anestools.qa.checks import LANGUAGE_CHECK_VERSION, LanguageDetector, LengthBounds, cjk_share, latin_share
from anestools.qa.generate import ANSWER_LINE, load_decontamination
from anestools.qa.parse import OPTION_LETTERS, parse_translation
from anestools.qa.prompts import text_hash, translate_messages, translation_prompts
from anestools.qa.settings import TeacherSettings
from anestools.qa.teacher import Asker, Later, run_journaled

ProgressHook = Callable[[str, int], None]
_ANSWER_LINE = re.compile(r"\n?\s*(?:Answer:|答案：|答案:)\s*([A-I])\s*$")


@dataclass
class TranslateSettings:
    inputs: list[str] = field(default_factory=list)
    output: Path = Path("anesqa-zh")
    to: str = "zh"
    teacher: TeacherSettings = field(default_factory=lambda: TeacherSettings(temperature=0.0))
    limit: int | None = None
    ratio_min: float = 0.33
    ratio_max: float = 3.0
    max_latin: float = 0.35
    language_check: bool = True
    decontaminate: list[str] = field(default_factory=list)
    resume: bool = True
    overwrite: bool = False

    def validate(self) -> None:
        if not self.inputs:
            raise ConfigError("give the AnesQA folder or parquet files to translate")
        if self.to not in ("en", "zh"):
            raise ConfigError(f"--to {self.to!r}: expected zh (cn) or en")
        if not 0 < self.ratio_min < self.ratio_max:
            raise ConfigError("--ratio-min must be > 0 and below --ratio-max")
        if not 0 <= self.max_latin <= 1:
            raise ConfigError("--max-latin must be in [0, 1]")
        if self.limit is not None and self.limit < 1:
            raise ConfigError("--limit must be >= 1")
        self.teacher.validate()

    def fingerprint(self, prompt_hash: str, decontam_hash: str) -> str:
        return store.fingerprint({"model": self.teacher.model, "prompts": prompt_hash, "to": self.to,
                                  "temperature": self.teacher.temperature, "max_tokens": self.teacher.max_new_tokens,
                                  "ratio": [self.ratio_min, self.ratio_max], "latin": self.max_latin,
                                  "lang": [self.language_check, LANGUAGE_CHECK_VERSION], "decontam": decontam_hash})


def source_pairs(settings: TranslateSettings, skipped: dict[str, int]) -> Iterator[dict[str, Any]]:
    """Rows of the input AnesQA parquet files (streamed) not already in the target language."""
    n = 0
    for path in resolve_inputs(settings.inputs, (".parquet", ".pq"), [Output.run_dir(settings.output)],
                               "qa translate"):
        try:
            pf = pq.ParquetFile(path)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(f"{path}: not a readable parquet file ({exc})") from exc
        names = pf.schema_arrow.names
        if not {"question", "answer"} <= set(names):
            raise InputError(f"{path}: no 'question' + 'answer' columns (expected AnesQA parquet)")
        columns = [c for c in store.SCHEMA.names if c in names]
        row = 0
        for batch in pf.iter_batches(batch_size=1024, columns=columns):
            for rec in batch.to_pylist():
                row += 1
                q, a = rec.get("question"), rec.get("answer")
                if not isinstance(q, str) or not isinstance(a, str) or not q.strip() or not a.strip():
                    raise InputError(f"{path} row {row}: empty or non-string 'question'/'answer'")
                lang = normalize_language(rec.get("language")) or ("zh" if cjk_share(q) > 0.5 else "en")
                if lang == settings.to:
                    skipped["already_in_target_language"] = skipped.get("already_in_target_language", 0) + 1
                    continue
                if settings.limit is not None and n >= settings.limit:
                    return
                rec["language"] = lang
                rec["key"] = rec.get("pair_id") or text_hash(q, a)
                rec["order"] = n
                n += 1
                yield rec


def _request_fields(rec: dict[str, Any]) -> dict[str, Any]:
    if rec.get("options"):
        m = _ANSWER_LINE.search(rec["answer"])
        explanation = rec["answer"][: m.start()].strip() if m else rec["answer"].strip()
        target = rec.get("target") or (m.group(1) if m else None)
        if not target:
            raise InputError(f"pair {rec['key']}: mcq without an answer letter ('target')")
        fields: dict[str, Any] = {"question": rec.get("stem") or rec["question"], "options": list(rec["options"])}
        if explanation:
            fields["explanation"] = explanation
        fields["answer"] = target
        return fields
    return {"question": rec["question"], "answer": rec["answer"]}


@dataclass
class Translator:
    """One run's per-pair work: the settings, the AnesBench index, the language workers, the client."""

    s: TranslateSettings
    index: AnesBenchIndex | None
    fingerprint: str
    languages: LanguageDetector
    asker: Asker

    def _checks(self, src: dict[str, Any], fields: dict[str, Any], tr: dict[str, Any], row: dict[str, Any]
                ) -> tuple[str, str] | None:
        """The checks before the language label (cheapest first)."""
        to = self.s.to
        if "options" in fields and tr["answer"].strip().upper() != fields["answer"]:
            return "answer_letter_changed", f"{fields['answer']} became {tr['answer']!r}"
        before = LengthBounds.size(src["question"] + src["answer"])
        after = LengthBounds.size(row["question"] + row["answer"])
        ratio = after / max(1, before)
        if not self.s.ratio_min <= ratio <= self.s.ratio_max:
            return "length_ratio", f"translated/source size {ratio:.2f} outside [{self.s.ratio_min}, {self.s.ratio_max}]"
        share = latin_share(_body(fields, tr)) if to == "zh" else 0.0
        if share > self.s.max_latin:
            return "untranslated_text", f"{100 * share:.0f}% Latin letters (max {100 * self.s.max_latin:.0f}%)"
        return None

    def _overlap(self, row: dict[str, Any]) -> tuple[str, str] | None:
        if self.index is not None and (self.index.overlaps(row["question"]) or self.index.overlaps(row["answer"])):
            return "benchmark_overlap", "translation shares an n-gram with AnesBench"
        return None

    async def _language_then_overlap(self, rec: dict[str, Any], fields: dict[str, Any], tr: dict[str, Any]
                                     ) -> dict[str, Any]:
        problem = await self.languages.problem([tr["question"], _body(fields, tr)], self.s.to)
        problem = ("wrong_language", problem) if problem else self._overlap(rec["row"])
        if problem:
            rec["drop"], rec["detail"] = problem
        return rec

    async def pair(self, src: dict[str, Any]) -> dict[str, Any] | Later:
        to = self.s.to
        rec: dict[str, Any] = {"key": src["key"], "order": src["order"], "fingerprint": self.fingerprint,
                               "error": None, "requests": 0, "malformed": None, "row": None, "drop": None,
                               "detail": None, "source": {k: src.get(k) for k in ("question", "answer", "language")}}
        fields = _request_fields(src)
        tr = await self.asker.ask_for(rec, translate_messages(to, fields), lambda text: parse_translation(text, fields))
        if tr is None:
            return rec
        if "options" in fields:
            listing = "\n".join(f"{OPTION_LETTERS[i]}. {o}" for i, o in enumerate(tr["options"]))
            answer = ANSWER_LINE[to].format(fields["answer"])
            if tr.get("explanation"):
                answer = f"{tr['explanation']}\n{answer}"
            row = {"question": f"{tr['question']}\n{listing}", "answer": answer, "stem": tr["question"],
                   "options": tr["options"], "target": fields["answer"], "level": src.get("level"),
                   "style": src.get("style") or "mcq"}
        else:
            row = {"question": tr["question"], "answer": tr["answer"], "stem": None, "options": None,
                   "target": None, "level": None, "style": src.get("style") or "open"}
        row.update(language=to, pair_id=text_hash(src["key"], to, row["question"], row["answer"]),
                   source_id=src.get("source_id"), passage_hash=src.get("passage_hash"), source_pair_id=src["key"])
        rec["row"] = row
        problem = self._checks(src, fields, tr, row)
        if problem is None and self.s.language_check:
            # the request slot is free: the next pair starts while this one waits for its label
            return Later(self._language_then_overlap(rec, fields, tr))
        problem = problem or self._overlap(row)
        if problem:
            rec["drop"], rec["detail"] = problem
        return rec


def _body(fields: dict[str, Any], tr: dict[str, Any]) -> str:
    """All the translated text: question, options, explanation, answer."""
    return "\n".join([tr["question"], *(tr.get("options") or []), *([tr["explanation"]] if tr.get("explanation") else []),
                      *([tr["answer"]] if "options" not in fields else [])])


def translate(settings: TranslateSettings, hook: ProgressHook | None = None, dry_run: bool = False
              ) -> store.Outcome:
    """Run (or resume) translation into ``settings.output`` and rebuild its outputs."""
    settings.validate()
    t = settings.teacher = settings.teacher.resolved()
    out = settings.output
    # before anything is written or deleted (--no-resume --overwrite): the output is no input
    check_io([*settings.inputs, *settings.decontaminate], [Output.run_dir(out)], "qa translate")
    prompts = translation_prompts(settings.to)
    index, decontam_hash = load_decontamination(settings.decontaminate)
    fingerprint = settings.fingerprint(prompts.hash, decontam_hash)
    skipped: dict[str, int] = {}
    if dry_run:
        pairs = list(source_pairs(settings, skipped))
        first = translate_messages(settings.to, _request_fields(pairs[0])) if pairs else None
        return store.Outcome(out, {"dry_run": True, "pairs": len(pairs), "skipped_rows": skipped,
                                      "engine": t.engine, "concurrency": t.in_flight,
                                      "max_requests": len(pairs) * (1 + t.parse_retries), "first_prompt": first},
                                0, 0)
    # one writer per folder (exit 7 for a second one); temp files of a killed run go under the lock
    with store.run_dir(out, "qa translate").locked() as rd:
        rd.start(settings.resume, settings.overwrite)
        out.mkdir(parents=True, exist_ok=True)
        latest = store.latest_records(out, fingerprint)
        keys: list[str] = []
        seen: set[str] = set()
        items: list[dict[str, Any]] = []
        for src in source_pairs(settings, skipped):
            if src["key"] in seen:  # the same pair twice in the input: translated once
                skipped["duplicate_source_pair"] = skipped.get("duplicate_source_pair", 0) + 1
                continue
            seen.add(src["key"])
            keys.append(src["key"])
            rec = latest.get(src["key"])
            if rec is None or rec.get("error") is not None:
                items.append(src)
        store.write_json(out / store.PROMPTS, prompts.describe())
        if hook:
            hook("total", len(items))
        started = time.perf_counter()
        convert = TranslatedRows(settings, prompts.hash)
        with store.Rebuild(out, convert) as rebuild:
            for key in keys:
                rebuild.expect(key)
                rec = latest.pop(key, None)
                if rec is not None and rec.get("error") is None:
                    rebuild.deliver(rec)
            with LanguageDetector() as languages:
                if settings.language_check and settings.to == "en" and items:
                    languages.start()  # profiles load in the workers while the server starts

                def work(asker: Asker):  # the client exists once the teacher answers
                    return Translator(settings, index, fingerprint, languages, asker).pair

                def interrupted() -> None:  # the journal is the truth: rebuild from it alone
                    again = TranslatedRows(settings, prompts.hash)
                    summarize(settings, store.rebuild_from_journal(out, fingerprint, keys, again), fingerprint,
                              prompts.hash, skipped, started)

                new = run_journaled(items, work, t, out, out / store.JOURNAL, hook, interrupted, rebuild.deliver)
            request_seconds = time.perf_counter() - started
        summary = summarize(settings, rebuild, fingerprint, prompts.hash, skipped, started, request_seconds)
        return store.Outcome(out, summary, new, len(keys) - len(items))


class TranslatedRows:
    """A finished source pair's translation as a row or a drop (:data:`store.Convert`)."""

    def __init__(self, settings: TranslateSettings, prompt_hash: str) -> None:
        self.teacher, self.prompt_hash = settings.teacher.model, prompt_hash

    def __call__(self, key: str, rec: dict[str, Any], sink: store.Sink) -> None:
        if rec.get("malformed"):
            sink.malformed(rec["malformed"], {"source_pair_id": key, "source": rec["source"], "raw": rec.get("raw")})
            return
        row = {**rec["row"], "teacher": self.teacher, "prompt_hash": self.prompt_hash}
        if rec["drop"]:
            sink.drop(rec["drop"], rec["detail"], {**row, "source": rec["source"]})
        else:
            sink.keep(row)


def summarize(settings: TranslateSettings, rebuild: store.Rebuild, fingerprint: str, prompt_hash: str,
              skipped: dict[str, int], started: float, request_seconds: float | None = None) -> dict[str, Any]:
    """Write ``summary.json`` for the outputs ``rebuild`` published."""
    out = settings.output
    counts = rebuild.counts
    summary = {
        **rebuild.report(skipped, started, request_seconds, prompt_hash, fingerprint),
        "sources": counts,
        "pairs": {"generated": counts["done"], "kept": rebuild.kept, "dropped": counts["done"] - rebuild.kept},
        "settings": {"inputs": settings.inputs, "to": settings.to, "limit": settings.limit,
                     "ratio": [settings.ratio_min, settings.ratio_max], "max_latin": settings.max_latin,
                     "language_check": settings.language_check, "decontaminate": settings.decontaminate,
                     **settings.teacher.describe()},
    }
    store.write_json(out / store.SUMMARY, summary)
    return summary
