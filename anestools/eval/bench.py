"""AnesBench loading and validation: both published schemas, files or a Hub dataset id.

Why a dedicated loader: the two published schemas disagree on field names (``answer``/``level``
with ``en_``/``zh_``/``cn_`` prefixes in the seed README, ``target``/``category`` with one
language per file in the Hugging Face release), and a mis-read record silently changes a
score. Every record is validated (options present, answer letter within ``choice_num``, level
in 1/2/3, unique id) and invalid records stop the run with their ids unless ``skip_invalid``.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from anestools.common.inputs import expand_local, looks_like_hub_id
from anestools.common.jsonio import iter_jsonl, read_json
from anestools.common.langs import normalize_language
from anestools.errors import InputError, MissingDependencyError

if TYPE_CHECKING:
    from anestools.eval.custom_bench import BenchMapping

LETTERS = "ABCDEFGHI"
LEVELS = (1, 2, 3)
LANGUAGES = ("en", "zh")
SUFFIXES = (".json", ".jsonl", ".parquet")
SAMPLE = "sample"  # name of the embedded default benchmark
_BILINGUAL_PREFIXES = ("en", "zh", "cn")
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


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from parquet/pandas
        return None
    s = str(value).strip()
    return s or None


def _integer(value: Any) -> int | None:
    """An integer given as int, integral float (parquet) or digit string; else None (4.5, True, "x")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip()
    return int(text) if text.lstrip("+-").isdigit() else None


def _options(rec: Mapping[str, Any], prefix: str, where: str, problems: list[str]) -> dict[str, str]:
    raw_num = rec.get("choice_num")
    if raw_num is not None:
        num = _integer(raw_num)
        if num is None:
            problems.append(f"{where}: field 'choice_num' = {raw_num!r} is not an integer")
            return {}
        if not 2 <= num <= len(LETTERS):
            problems.append(f"{where}: field 'choice_num' = {num} outside 2..{len(LETTERS)}")
            return {}
        opts = {}
        for letter in LETTERS[:num]:
            text = _text(rec.get(f"{prefix}{letter}"))
            if text is None:
                problems.append(f"{where}: option '{prefix}{letter}' missing or empty (choice_num={num})")
            else:
                opts[letter] = text
        return opts
    opts = {}
    for letter in LETTERS:
        text = _text(rec.get(f"{prefix}{letter}"))
        if text is None:
            break
        opts[letter] = text
    if len(opts) < 2:
        problems.append(f"{where}: fewer than two options '{prefix}A', '{prefix}B'…")
    return opts


def _make_item(rec: Mapping[str, Any], prefix: str, language: str, answer_field: str, level_field: str,
               where: str, problems: list[str]) -> Item | None:
    before = len(problems)
    rid = _text(rec.get("id"))
    if rid is None:
        problems.append(f"{where}: field 'id' missing")
        rid = "?"
    where = f"{where} (id {rid})"
    question = _text(rec.get(f"{prefix}question"))
    if question is None:
        problems.append(f"{where}: field '{prefix}question' missing or empty")
    options = _options(rec, prefix, where, problems)
    answer = _text(rec.get(answer_field))
    answer = answer.upper().rstrip(".") if answer else None
    if answer is None:
        problems.append(f"{where}: field '{answer_field}' missing")
    elif options and answer not in options:
        problems.append(f"{where}: field '{answer_field}' = {answer!r} is not one of {''.join(options)}")
    level = parse_level(rec.get(level_field))
    if level is None:
        problems.append(f"{where}: field '{level_field}' = {rec.get(level_field)!r} is not a level 1/2/3")
    if len(problems) > before:
        return None
    return Item(id=rid, language=language, level=level, question=question, options=options,  # type: ignore[arg-type]
                answer=answer, explanation=_text(rec.get(f"{prefix}explanation")))  # type: ignore[arg-type]


def records_to_items(records: Iterable[Mapping[str, Any]], source: str, language: str | None,
                     problems: list[str]) -> Iterator[Item]:
    """Turn raw records of either schema into items; problems are appended, not raised."""
    for row, rec in enumerate(records, 1):
        where = f"{source} row {row}"
        if not isinstance(rec, Mapping):
            problems.append(f"{where}: not a JSON object")
            continue
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
        if lang is None:
            problems.append(f"{where}: language unknown (no 'language' field, not in the file name or config)")
            continue
        answer_field = "target" if "target" in rec else "answer"
        level_field = "category" if "category" in rec else "level"
        item = _make_item(rec, "", lang, answer_field, level_field, where, problems)
        if item:
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


def load_benchmark(spec: str | Sequence[str] | None = None, languages: Sequence[str] = LANGUAGES,
                   skip_invalid: bool = False, mapping: BenchMapping | None = None) -> Benchmark:
    """Load and validate a benchmark.

    ``spec``: None (embedded sample), JSON/JSONL/parquet files, directories or globs, or a Hub
    dataset id such as ``MiliLab/AnesBench`` (configs ``en``/``zh``, split ``test``; append
    ``:split`` for another). Raises ``InputError`` naming invalid records unless ``skip_invalid``.
    """
    specs = [spec] if isinstance(spec, str) else list(spec or [])
    problems: list[str] = []
    items: list[Item] = []
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
    seen: dict[str, str] = {}
    to_items = mapping.to_items if mapping is not None else records_to_items
    for name, lang, records in sources:
        for item in to_items(records, name, lang, problems):
            if item.key in seen:
                problems.append(f"{name}: duplicate id {item.id!r} ({item.language}), first in {seen[item.key]}")
                continue
            seen[item.key] = name
            items.append(item)
    if problems and not skip_invalid:
        shown = "; ".join(problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise InputError(f"{len(problems)} invalid benchmark record(s): {shown}{more}; "
                         "fix them or pass --skip-invalid")
    if not items:
        raise InputError(f"{label}: no valid questions found")
    return Benchmark(source=label, items=items, invalid=problems)
