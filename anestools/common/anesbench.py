"""The one AnesBench reader: both published schemas, files or a Hub dataset id.

Shared by eval (validated items), and by the corpus decontaminator and ``qa`` (the texts of
every question and option, :class:`AnesBenchIndex`): stages meet at this file contract.

Why a dedicated loader: the two published schemas disagree on field names (``answer``/``level``
with ``en_``/``zh_``/``cn_`` prefixes in the seed README, ``target``/``category`` with one
language per file in the Hugging Face release), and a mis-read record silently changes a
score. Every record is validated at this boundary, types included (text fields are strings within
``MAX_QUESTION_CHARS`` / ``MAX_OPTION_CHARS``, ``choice_num`` an integer, options distinct,
answer letter within ``choice_num``, level 1/2/3, unique id): a list where a question belongs
would otherwise be asked as its Python repr and scored as if fine. Invalid records stop the run,
named by file, row and field, unless ``skip_invalid``.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from anestools.common.inputs import expand_local, looks_like_hub_id
from anestools.common.jsonio import iter_jsonl, read_json
from anestools.common.langs import normalize_language
from anestools.common.ngrams import NGramIndex
from anestools.errors import InputError, MissingDependencyError

LETTERS = "ABCDEFGHI"
LEVELS = (1, 2, 3)
LANGUAGES = ("en", "zh")
SUFFIXES = (".json", ".jsonl", ".parquet")
SAMPLE = "sample"  # name of the embedded default benchmark
_BILINGUAL_PREFIXES = ("en", "zh", "cn")
LANGUAGE_UNKNOWN = "language unknown"  # in every such problem: the error's hint depends on it
#: Longest question / option accepted (characters). AnesBench's longest question is about 1,500
#: characters; a clinical vignette of a few pages fits, a pasted document or a runaway field does not.
MAX_QUESTION_CHARS = 20_000
MAX_OPTION_CHARS = 2_000
_LEVEL_WORDS = {"system 1": 1, "system1": 1, "system 1.x": 2, "system1.x": 2, "system 2": 3, "system2": 3}


@dataclass(frozen=True)
class Item:
    """One multiple-choice question in one language."""

    id: str
    language: str
    level: int | None  # None: a custom bank without levels
    question: str
    options: dict[str, str]  # letter -> text, letters A.. in order
    answer: str
    explanation: str | None = None

    @property
    def key(self) -> str:
        """Unique key within a run: ids repeat across languages in the bilingual schema."""
        return f"{self.language}:{self.id}"


@dataclass
class Benchmark:
    """Loaded items plus what was skipped, for the run's record."""

    source: str
    items: list[Item]
    invalid: list[str] = field(default_factory=list)
    #: The one ``--lang`` given to questions that state no language (no field, no file-name token).
    assumed_language: str | None = None

    def select(self, languages: Iterable[str] | None = None, levels: Iterable[int] | None = None,
               limit: int | float | None = None) -> list[Item]:
        """Items of the given languages/levels (items without a level are kept).

        ``limit`` keeps the first N *per language* (an int), or that fraction of each
        language's selected items, rounded up (a float in (0, 1]).
        """
        langs = set(languages) if languages else None
        lvls = set(levels) if levels else None
        chosen = [it for it in self.items if not (langs and it.language not in langs)
                  and not (lvls and it.level is not None and it.level not in lvls)]
        if limit is None:
            return chosen
        if isinstance(limit, float):
            counts = Counter(it.language for it in chosen)
            caps = {lang: max(1, math.ceil(limit * n)) for lang, n in counts.items()}
        else:
            caps = defaultdict(lambda: limit)
        per_lang: Counter[str] = Counter()
        out = []
        for it in chosen:
            if per_lang[it.language] < caps[it.language]:
                per_lang[it.language] += 1
                out.append(it)
        return out


def parse_level(value: Any) -> int | None:
    """1/2/3 from ints, digit strings or the paper's names (System 1, System 1.x, System 2)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)) and float(value).is_integer() and int(value) in LEVELS:
        return int(value)
    text = str(value).strip().lower()
    if text.isdigit() and int(text) in LEVELS:
        return int(text)
    return _LEVEL_WORDS.get(text)


def _absent(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)  # NaN from parquet/pandas


def type_name(value: Any) -> str:
    """``a list``, ``an integer``… for messages about a field of the wrong type."""
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
             dict: "an object", tuple: "a list"}
    return next((n for t, n in names.items() if type(value) is t), f"a {type(value).__name__}")


def check_text(value: Any, label: str, where: str, problems: list[str], limit: int) -> str | None:
    """A required text field: a non-empty string of at most ``limit`` characters, else a problem."""
    if _absent(value) or (isinstance(value, str) and not value.strip()):
        problems.append(f"{where}: {label} missing or empty")
        return None
    if not isinstance(value, str):
        problems.append(f"{where}: {label} is {type_name(value)} ({_short(value)}), expected a string")
        return None
    text = value.strip()
    if len(text) > limit:
        problems.append(f"{where}: {label} is {len(text):,} characters, over the limit of {limit:,}")
        return None
    return text


def check_distinct(options: Mapping[str, str], label: Callable[[str], str], where: str,
                   problems: list[str]) -> bool:
    """Options must differ (case and spacing aside): two equal texts make the gold letter ambiguous."""
    seen: dict[str, str] = {}
    for letter, text in options.items():
        key = " ".join(text.casefold().split())
        if key in seen:
            problems.append(f"{where}: {label(seen[key])} and {label(letter)} have the same text {_short(text)}")
            return False
        seen[key] = letter
    return True


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _text(value: Any) -> str | None:
    """An optional text field (explanation): a string, else nothing."""
    return value.strip() or None if isinstance(value, str) else None


def _integer(value: Any) -> int | None:
    """An integer given as int or integral float (parquet); else None (4.5, True, "4")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def check_level(value: Any, label: str, where: str, problems: list[str]) -> int | None:
    """A level: an integer 1/2/3 or the paper's name (System 1 / System 1.x / System 2); a digit string is not."""
    level = None if isinstance(value, str) and value.strip().isdigit() else parse_level(value)
    if level is None:
        problems.append(f"{where}: {label} = {_short(value)} is not a level: expected an integer 1/2/3 or "
                        "System 1 / System 1.x / System 2")
    return level


def check_id(value: Any, label: str, where: str, problems: list[str]) -> str | None:
    """An id: a non-empty string or an integer."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    problems.append(f"{where}: {label} " + ("missing" if _absent(value) or isinstance(value, str)
                                           else f"is {type_name(value)}, expected a string or an integer"))
    return None


def _options(rec: Mapping[str, Any], prefix: str, where: str, problems: list[str]) -> dict[str, str]:
    raw_num = rec.get("choice_num")
    if raw_num is not None:
        num = _integer(raw_num)
        if num is None:
            problems.append(f"{where}: field 'choice_num' = {_short(raw_num)} is not an integer "
                            f"({type_name(raw_num)})")
            return {}
        if not 2 <= num <= len(LETTERS):
            problems.append(f"{where}: field 'choice_num' = {num} outside 2..{len(LETTERS)}")
            return {}
        opts = {}
        for letter in LETTERS[:num]:
            text = check_text(rec.get(f"{prefix}{letter}"), f"option '{prefix}{letter}'", where, problems,
                              MAX_OPTION_CHARS)
            if text is None:
                problems[-1] += f" (choice_num={num})"
            else:
                opts[letter] = text
        return opts if len(opts) == num and check_distinct(opts, lambda k: f"'{prefix}{k}'", where, problems) else {}
    opts = {}
    for letter in LETTERS:
        value = rec.get(f"{prefix}{letter}")
        if _absent(value) or (isinstance(value, str) and not value.strip()):
            break
        text = check_text(value, f"option '{prefix}{letter}'", where, problems, MAX_OPTION_CHARS)
        if text is None:
            return {}
        opts[letter] = text
    if len(opts) < 2:
        problems.append(f"{where}: fewer than two options '{prefix}A', '{prefix}B'…")
        return {}
    return opts if check_distinct(opts, lambda k: f"'{prefix}{k}'", where, problems) else {}


def _make_item(rec: Mapping[str, Any], prefix: str, language: str, answer_field: str, level_field: str,
               where: str, problems: list[str]) -> Item | None:
    before = len(problems)
    rid = check_id(rec.get("id"), "field 'id'", where, problems) or "?"
    where = f"{where} (id {rid})"
    question = check_text(rec.get(f"{prefix}question"), f"field '{prefix}question'", where, problems,
                          MAX_QUESTION_CHARS)
    options = _options(rec, prefix, where, problems)
    raw_answer = rec.get(answer_field)
    answer = None
    if _absent(raw_answer):
        problems.append(f"{where}: field '{answer_field}' missing")
    elif not isinstance(raw_answer, str):
        problems.append(f"{where}: field '{answer_field}' = {_short(raw_answer)} is {type_name(raw_answer)}, "
                        "expected a letter")
    else:  # a lowercase letter or "B." is accepted as B
        answer = raw_answer.strip().upper().rstrip(".")
        if options and answer not in options:
            problems.append(f"{where}: field '{answer_field}' = {raw_answer!r} is not one of {''.join(options)}")
    level = check_level(rec.get(level_field), f"field '{level_field}'", where, problems)
    if len(problems) > before:
        return None
    return Item(id=rid, language=language, level=level, question=question, options=options,  # type: ignore[arg-type]
                answer=answer, explanation=_text(rec.get(f"{prefix}explanation")))  # type: ignore[arg-type]


def object_rows(records: Iterable[Any], source: str, problems: list[str]
                ) -> Iterator[tuple[int, str, Mapping[str, Any]]]:
    """``(row, "SOURCE row N", record)`` for each record that is an object (others are problems)."""
    for row, rec in enumerate(records, 1):
        where = f"{source} row {row}"
        if isinstance(rec, Mapping):
            yield row, where, rec
        else:
            problems.append(f"{where}: not a JSON object")


def records_to_items(records: Iterable[Mapping[str, Any]], source: str, language: str | None,
                     problems: list[str], default_language: str | None = None,
                     assumed: set[str] | None = None) -> Iterator[Item]:
    """Turn raw records of either schema into items; problems are appended, not raised.

    ``default_language``: for records whose file states no language and that have no field of
    their own (the one ``--lang`` asked for); their keys are added to ``assumed``.
    """
    for _row, where, rec in object_rows(records, source, problems):
        prefixes = [p for p in _BILINGUAL_PREFIXES if f"{p}_question" in rec]
        if prefixes:  # seed README: bilingual record, one item per language present
            for p in prefixes:
                item = _make_item(rec, f"{p}_", normalize_language(p) or p, "answer", "level", where, problems)
                if item:
                    yield item
            continue
        if "question" not in rec:
            problems.append(f"{where}: no 'question' nor 'en_question'/'zh_question' field")
            continue
        raw_lang = rec.get("language")
        lang = normalize_language(raw_lang) if raw_lang is not None else language
        if raw_lang is not None and (lang not in LANGUAGES or (language and lang != language)):
            expected = f"'{language}' (from the file name or config)" if language else "en or zh"
            problems.append(f"{where}: field 'language' = {raw_lang!r}, expected {expected}")
            continue
        guessed = lang is None and default_language is not None
        lang = default_language if guessed else lang
        if lang is None:
            problems.append(f"{where}: {LANGUAGE_UNKNOWN} (no 'language' field, not in the file name or config)")
            continue
        answer_field = "target" if "target" in rec else "answer"
        level_field = "category" if "category" in rec else "level"
        item = _make_item(rec, "", lang, answer_field, level_field, where, problems)
        if item:
            if guessed and assumed is not None:
                assumed.add(item.key)
            yield item


def language_from_name(path: str) -> str | None:
    """``anesbench_en.json`` -> en, ``sample_zh.jsonl`` -> zh (token match, never substrings)."""
    stem = Path(path).name
    for suffix in SUFFIXES:
        stem = stem.removesuffix(suffix)
    for token in reversed(re.split(r"[_\-./]+", stem)):
        lang = normalize_language(token)
        if lang:
            return lang
    return None


def read_records(path: Path) -> Iterator[Mapping[str, Any]]:
    """Records of a JSON (array, or object holding one array), JSONL or parquet file."""
    name = path.name.lower()
    try:
        if name.endswith(".parquet"):
            import pyarrow as pa
            import pyarrow.parquet as pq

            try:
                for batch in pq.ParquetFile(path).iter_batches(batch_size=1024):
                    yield from batch.to_pylist()
            except pa.ArrowException as exc:
                raise InputError(f"{path}: not a readable parquet file ({exc})") from exc
        elif name.endswith(".jsonl"):
            yield from (rec for _, rec in iter_jsonl(path))
        else:
            data = read_json(path)
            if isinstance(data, dict):
                arrays = [v for v in data.values() if isinstance(v, list)]
                if len(arrays) != 1:
                    raise InputError(f"{path}: expected a JSON array of questions (or an object holding one)")
                data = arrays[0]
            if not isinstance(data, list):
                raise InputError(f"{path}: expected a JSON array of questions")
            yield from data
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text") from exc


def sample_files() -> list[Path]:
    """The small bilingual benchmark shipped in the package (written by us, not AnesBench)."""
    root = resources.files("anestools") / "resources" / "bench"
    return [Path(str(root / "sample_en.json")), Path(str(root / "sample_zh.json"))]


def sample_dev_file() -> Path:
    """Solved examples (with explanations) for ``--shots`` on the embedded sample benchmark."""
    return Path(str(resources.files("anestools") / "resources" / "bench" / "dev.jsonl"))


def _hub_records(dataset_id: str, languages: Sequence[str], mapped: bool = False
                 ) -> Iterator[tuple[str, str | None, Iterable[Mapping]]]:
    try:
        import datasets
    except ImportError as exc:  # pragma: no cover - core dependency
        raise MissingDependencyError("loading a Hub benchmark needs the 'datasets' package") from exc
    spec, _, split = dataset_id.partition(":")
    if mapped:  # a custom bank: one dataset, the mapping says where the language is
        try:
            yield spec, None, datasets.load_dataset(spec, split=split or "test")
        except Exception as exc:
            raise InputError(f"{dataset_id}: cannot load from the Hub ({exc})") from exc
        return
    for lang in languages:
        try:
            ds = datasets.load_dataset(spec, name=lang, split=split or "test")
        except Exception as exc:  # network, unknown config, auth: one clear line
            raise InputError(f"{dataset_id}: cannot load config {lang!r} from the Hub ({exc})") from exc
        yield f"{spec}[{lang}]", lang, ds


class ItemMapping(Protocol):
    """A custom bank's field mapping (``common.bench_mapping.BenchMapping``): records -> items."""

    def to_items(self, records: Iterable[Mapping[str, Any]], source: str, file_language: str | None,
                 problems: list[str], default_language: str | None = None,
                 assumed: set[str] | None = None) -> Iterator[Item]: ...


def load_benchmark(spec: str | Sequence[str] | None = None, languages: Sequence[str] = LANGUAGES,
                   skip_invalid: bool = False, mapping: ItemMapping | None = None) -> Benchmark:
    """Load and validate a benchmark.

    ``spec``: None (embedded sample), JSON/JSONL/parquet files, directories or globs, or a Hub
    dataset id such as ``MiliLab/AnesBench`` (configs ``en``/``zh``, split ``test``; append
    ``:split`` for another). Raises ``InputError`` naming invalid records unless ``skip_invalid``.
    """
    specs = [spec] if isinstance(spec, str) else list(spec or [])
    problems: list[str] = []
    items: list[Item] = []
    # One --lang and a file that says nothing: its questions are in that language (printed by the CLI).
    sole = languages[0] if len(languages) == 1 else None
    if not specs or specs == [SAMPLE]:
        sources = [(str(p), language_from_name(str(p)), read_records(p)) for p in sample_files()]
        label = "embedded sample (anestools/resources/bench)"
    elif len(specs) == 1 and looks_like_hub_id(specs[0].partition(":")[0]) and not Path(specs[0]).exists():
        sources = list(_hub_records(specs[0], languages, mapped=mapping is not None))
        label = specs[0]
    else:
        files = expand_local(specs, SUFFIXES)
        sources = [(str(p), language_from_name(str(p)), read_records(p)) for p in files]
        label = ", ".join(specs)
    assumed: set[str] = set()  # item keys that got the sole --lang
    seen: dict[str, str] = {}
    to_items = mapping.to_items if mapping is not None else records_to_items
    for name, lang, records in sources:
        for item in to_items(records, name, lang, problems, sole, assumed):
            if item.key in seen:
                problems.append(f"{name}: duplicate id {item.id!r} ({item.language}), first in {seen[item.key]}")
                continue
            seen[item.key] = name
            items.append(item)
    if problems and not skip_invalid:
        shown = "; ".join(problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise InputError(f"{len(problems)} invalid benchmark record(s): {shown}{more}; "
                         + _hint(problems, mapping is not None))
    if not items:
        raise InputError(f"{label}: no valid questions found"
                         + (f" ({_hint(problems, mapping is not None)})" if problems else ""))
    return Benchmark(source=label, items=items, invalid=problems,
                     assumed_language=sole if any(it.key in assumed for it in items) else None)


def _hint(problems: Sequence[str], mapped: bool) -> str:
    """What to do: skipping is no fix when the records only lack their language (it would skip them all)."""
    unknown = sum(LANGUAGE_UNKNOWN in p for p in problems)
    if not unknown:
        return "fix them or pass --skip-invalid"
    how = "--bench-field language=en (or zh)" if mapped else "a 'language' field or _en/_zh in the file name"
    return (f"{unknown} record(s) state no language: pass --lang en (or zh) to evaluate them in that one "
            f"language, or give it with {how}")


# -- texts for decontamination (corpus, qa) -------------------------------------------------
_TEXT_PREFIXES = ("", "en_", "zh_", "cn_")


def _record_texts(rec: Mapping[str, Any]) -> list[str]:
    """A record's question, each option, and question + all options joined (either schema), so a
    page copying the whole item is caught as well as one quoting a stem."""
    out: list[str] = []
    for prefix in _TEXT_PREFIXES:
        q = rec.get(f"{prefix}question")
        opts = [rec.get(f"{prefix}{L}") for L in LETTERS]
        opts = [str(o) for o in opts if isinstance(o, str | int | float) and str(o).strip()]
        if isinstance(q, str) and q.strip():
            out.append(q)
            if opts:
                out.append(q + "\n" + "\n".join(opts))
        out.extend(opts)
    return out


def load_benchmark_texts(path: str | Path) -> list[str]:
    """All question/option texts of an AnesBench file (error if none is recognised)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: benchmark file not found")
    texts: list[str] = []
    for i, rec in enumerate(read_records(p)):
        if not isinstance(rec, Mapping):
            raise InputError(f"{p}: record {i} is not an object")
        texts.extend(_record_texts(rec))
    if not texts:
        raise InputError(
            f"{p}: no AnesBench questions found (expected 'question'/'A'..'I' or 'en_question'/'zh_question' fields)"
        )
    return texts


class AnesBenchIndex(NGramIndex):
    """The AnesBench n-gram index, built from benchmark files, queried with ``overlaps(text)``.

    Usage::

        index = AnesBenchIndex.from_files(["anesbench_en.json", "anesbench_zh.json"])
        index.overlaps(page_text)        # True: the page shares a 13-word / 20-character n-gram
    """

    @classmethod
    def from_files(cls, paths: Sequence[str | Path]) -> AnesBenchIndex:
        texts: list[str] = []
        for p in paths:
            texts.extend(load_benchmark_texts(p))
        return cls.from_texts(texts)
