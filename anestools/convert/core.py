"""``convert``: AnesCorpus / AnesQA / AnesR1 parquet -> LLaMA-Factory dataset files + ``dataset_info.json``.

Replaces the paper's ``anescorpus2json.py`` / ``anesqa2json.py`` (pandas ``iterrows`` and one giant
``json.dump``) with a streaming pass: pyarrow record batches of the needed columns only, orjson
lines written as they come, atomic publication, and a merged ``dataset_info.json``. The
multiple-choice kinds (``reasoning``, ``rl``) share that pass; their rows are built in
:mod:`anestools.convert.mcq`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from anestools.common.atomic import atomic_paths, check_writable, remove_stale_temps
from anestools.common.dataset_info import FILENAME as DATASET_INFO
from anestools.common.dataset_info import read_dataset_info, render_dataset_info
from anestools.common.langs import canonical_split, language_from_path, normalize_language, split_to_languages
from anestools.common.lock import output_lock
from anestools.common.memory import tune_malloc_for_streaming
from anestools.common.paths import Output
from anestools.convert.mcq import DIFFICULTIES, MCQ_KINDS, Layout, RowBuilder, layout_of, twin_skip_reason
from anestools.convert.sources import Source, resolve_sources
from anestools.convert.writers import FORMATS, write_records
from anestools.errors import ConfigError, InputError

KINDS = ("auto", "corpus", "qa", "general", "reasoning", "rl")
# general: any text corpus (e.g. a FineWeb sample) kept apart as `general_<split>`, for replay
# mixing during CPT (`anestools train cpt --mix`); same records as a corpus.
# reasoning / rl: multiple-choice items (AnesR1 from `qa reason`, or a `qa generate --style mcq`
# set for rl), never chosen by auto: SFT records with the chain in a thinking block, and RL prompts.
TEXT_KINDS = ("corpus", "general")
STEMS = {"corpus": "AnesCorpus", "qa": "AnesQA", "general": "General", "reasoning": "AnesR1", "rl": "AnesRL"}
RL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
STYLES = ("alpaca", "sharegpt")
CORPUS_COLUMNS = ("text",)
QA_COLUMNS = ("question", "answer")

ProgressFn = Callable[[int], None]


@dataclass
class Counts:
    """Rows per (input, language): read, written, skipped (empty/null), other split."""

    read: int = 0
    written: int = 0
    skipped_empty: int = 0
    other_language: int = 0
    filtered: int = 0  # left out by --difficulty
    duplicate: int = 0  # rl: an item already written (same language and id)


@dataclass
class InputPlan:
    source: Source
    kind: str
    has_language: bool
    file_language: str | None  # from the file name when there is no language column
    skip_reason: str | None = None  # the whole file is outside the split
    num_rows: int | None = None
    layout: Layout | None = None  # reasoning / rl: which column holds which field


@dataclass
class OutputInfo:
    kind: str
    path: Path
    dataset: str
    rows: int
    dataset_info_action: str


@dataclass
class ConvertResult:
    outputs: list[OutputInfo] = field(default_factory=list)
    counts: dict[tuple[str, str], Counts] = field(default_factory=lambda: defaultdict(Counts))
    skipped_inputs: list[tuple[str, str]] = field(default_factory=list)

    def totals(self) -> Counts:
        t = Counts()
        for c in self.counts.values():
            t.read += c.read
            t.written += c.written
            t.skipped_empty += c.skipped_empty
            t.other_language += c.other_language
            t.filtered += c.filtered
            t.duplicate += c.duplicate
        return t


def _is_string(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t) or getattr(pa.types, "is_string_view", lambda _: False)(t)


def detect_kind(columns: Sequence[str], name: str) -> str:
    """``text`` -> corpus (CPT); ``question`` + ``answer`` -> qa (SFT); else a one-line error."""
    cols = set(columns)
    if "text" in cols:
        return "corpus"
    if {"options", "reasoning"} <= cols:  # an answer letter is no SFT answer: never guess here
        raise InputError(f"{name}: an AnesR1 parquet (`qa reason` output): pass --kind reasoning (SFT on "
                         "the chains) or --kind rl (prompts and gold letters for `train grpo`)")
    if {"question", "answer"} <= cols:
        return "qa"
    raise InputError(
        f"{name}: cannot tell corpus from QA: found columns {sorted(cols)}, "
        "expected 'text' (corpus) or 'question' + 'answer' (QA)"
    )


def _required(kind: str) -> tuple[str, ...]:
    return CORPUS_COLUMNS if kind in TEXT_KINDS else QA_COLUMNS


def plan_input(source: Source, kind: str, languages: frozenset[str], split: str,
               need_difficulty: bool = False) -> InputPlan:
    """Read the schema only; decide the kind and whether/how the file's rows are selected."""
    schema = source.schema()
    names = schema.names
    k = detect_kind(names, source.name) if kind == "auto" else kind
    layout = layout_of(schema, source.name, k, need_difficulty) if k in MCQ_KINDS else None
    for col in () if layout else _required(k):
        if col not in names:
            raise InputError(
                f"{source.name}: missing column {col!r} for --kind {k} (found {sorted(names)})"
            )
        if not _is_string(schema.field(col).type):
            raise InputError(
                f"{source.name}: column {col!r} has type {schema.field(col).type}, expected string"
            )
    has_lang = "language" in names
    plan = InputPlan(source=source, kind=k, has_language=has_lang, file_language=None,
                     num_rows=source.num_rows(), layout=layout)
    if not has_lang:
        plan.file_language = language_from_path(source.name)
        if layout and plan.file_language is None and split == "all":
            raise InputError(f"{source.name}: no 'language' column and no en/zh/cn token in the file name: "
                             f"--kind {k} writes each prompt in its row's language")
        if split != "all":
            if plan.file_language is None:
                plan.skip_reason = (
                    "no 'language' column and no en/zh/cn token in the file name"
                )
            elif plan.file_language not in languages:
                plan.skip_reason = f"file name says {plan.file_language}, not in split {split}"
    return plan


def _dataset_entry(kind: str, file_name: str, style: str, has_system: bool) -> dict[str, Any]:
    if kind in TEXT_KINDS:
        return {"file_name": file_name, "columns": {"prompt": "text"}}
    if kind == "rl":  # not a LLaMA-Factory dataset: `train grpo` reads it (the RL contract)
        return {"file_name": file_name, "anestools_kind": "rl"}
    # reasoning: LLaMA-Factory ignores keys it does not know; the tag tells train which data it is
    tag = {"anestools_kind": "reasoning"} if kind == "reasoning" else {}
    if style == "alpaca":
        return {
            "file_name": file_name,
            "columns": {"prompt": "instruction", "query": "input", "response": "output"},
            **tag,
        }
    columns = {"messages": "conversations"}
    if has_system:
        columns["system"] = "system"
    return {"file_name": file_name, "formatting": "sharegpt", "columns": columns, **tag}


def _label(value: str | None) -> str:
    """Language label of one raw value: ``en``/``zh``, another label as given, or ``unknown``."""
    if value is None:
        return "unknown"
    return normalize_language(value) or (value.strip() or "unknown")


def _language_column(batch: pa.RecordBatch, plan: InputPlan) -> pa.Array | None:
    """The raw ``language`` column as strings, or None when the file name decides."""
    if not plan.has_language:
        return None
    col = batch.column("language")
    return col if _is_string(col.type) else pc.cast(col, pa.string())


def _bool_array(values: list[bool]) -> pa.Array:
    """A boolean array built from its bits.

    Why not ``pa.array(values)``: its first call imports pandas when installed (~0.2 s of a
    1 GB conversion); ``from_buffers`` does not.
    """
    bits = bytearray((len(values) + 7) // 8)
    for i, v in enumerate(values):
        if v:
            bits[i >> 3] |= 1 << (i & 7)
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bytes(bits))])


def _label_counts(raw: pa.Array | None, plan: InputPlan, mask: pa.Array | None, n: int) -> dict[str, int]:
    """Rows per language label among ``mask`` (all rows when None).

    Vectorised: ``value_counts`` on the raw column, then only its few distinct values are
    normalised in Python.
    """
    if raw is None:
        count = n if mask is None else mask.true_count
        return {plan.file_language or "unknown": count} if count else {}
    values = raw if mask is None else raw.filter(mask)
    out: dict[str, int] = defaultdict(int)
    if len(values):
        for item in pc.value_counts(values).to_pylist():
            out[_label(item["values"])] += item["counts"]
    return out


def _empty_mask(batch: pa.RecordBatch, columns: Sequence[str]) -> pa.Array:
    """True where any required column is null, empty or whitespace only."""
    mask = None
    for name in columns:
        col = batch.column(name)
        # No Python scalars here: pyarrow imports pandas (~0.2 s) the first time one is converted.
        nonempty = pc.and_not(pc.cast(pc.binary_length(col), pa.bool_()), pc.utf8_is_space(col))
        m = pc.or_kleene(pc.invert(nonempty), pc.is_null(col))  # null text counts as empty
        mask = m if mask is None else pc.or_(mask, m)
    return mask


def _add(result: ConvertResult, source: str, counts: dict[str, int], field_name: str) -> None:
    for label, n in counts.items():
        c = result.counts[(source, label)]
        setattr(c, field_name, getattr(c, field_name) + n)


def _convert_kind(
    plans: list[InputPlan],
    kind: str,
    out_path: Path,
    fmt: str,
    style: str,
    instruction: str,
    languages: frozenset[str],
    overwrite: bool,
    result: ConvertResult,
    on_rows: ProgressFn | None,
    dest: Path | None = None,
    difficulties: frozenset[str] | None = None,
) -> int:
    """Stream every selected row of ``plans`` into ``dest`` (the temporary file of ``out_path``).

    Selection and counting are vectorised with pyarrow compute; Python only touches the rows
    that are written (one dict + ``orjson.dumps`` each).
    """
    wanted = languages | ({"unknown"} if len(languages) == 2 else set())
    builder = RowBuilder(kind, style, instruction) if kind in MCQ_KINDS else None
    with write_records(dest or out_path, fmt) as writer:
        for plan in plans:
            layout = plan.layout
            if layout is not None:
                required = layout.text_columns(kind)
                cols = layout.columns(kind) + ([layout.difficulty] if difficulties and layout.difficulty else [])
            else:
                required = _required(kind)
                cols = list(required)
            cols += ["language"] if plan.has_language else []
            name = plan.source.name
            offset = 0  # rows of this file before the batch (error messages name the row)
            for batch in plan.source.batches(cols):
                n = batch.num_rows
                raw = _language_column(batch, plan)
                selected = None  # no column: the whole file was selected by its name
                if raw is not None:
                    uniq = pc.unique(raw)
                    wanted_values = uniq.filter(_bool_array([_label(v) in wanted for v in uniq.to_pylist()]))
                    lookup = pc.SetLookupOptions(wanted_values, skip_nulls=False)
                    selected = pc.is_in(raw, options=lookup)
                empty = _empty_mask(batch, required)
                keep = pc.invert(empty) if selected is None else pc.and_(selected, pc.invert(empty))
                passed = None  # --difficulty: True where the row's difficulty is chosen
                if difficulties and layout is not None and layout.difficulty:
                    chosen = pa.array(sorted(difficulties), pa.string())
                    passed = pc.fill_null(pc.is_in(batch.column(layout.difficulty), value_set=chosen), False)
                    keep = pc.and_(keep, passed)
                read = _label_counts(raw, plan, None, n)
                _add(result, name, read, "read")
                if keep.true_count == n:  # the common case: no filtering, no copies
                    _add(result, name, read, "written")
                    kept = batch
                else:
                    if selected is not None:
                        _add(result, name, _label_counts(raw, plan, pc.invert(selected), n), "other_language")
                    dropped = empty if selected is None else pc.and_(selected, empty)
                    _add(result, name, _label_counts(raw, plan, dropped, n), "skipped_empty")
                    if passed is not None:
                        left_out = pc.and_(pc.invert(empty) if selected is None else pc.and_(selected, pc.invert(empty)),
                                           pc.invert(passed))
                        _add(result, name, _label_counts(raw, plan, left_out, n), "filtered")
                    _add(result, name, _label_counts(raw, plan, keep, n), "written")
                    kept = batch.filter(keep)
                if builder is not None and layout is not None:
                    rows = [offset + 1 + i for i in pc.indices_nonzero(keep).to_pylist()]
                    raw_kept = raw.filter(keep).to_pylist() if raw is not None else [plan.file_language] * len(rows)
                    labels = [_label(v) if raw is not None else v for v in raw_kept]
                    records, duplicates = builder.build(
                        name, layout, {c: kept.column(c).to_pylist() for c in layout.columns(kind)},
                        rows, labels, raw_kept)
                    writer.write_many(records)
                    for label, d in duplicates.items():
                        result.counts[(name, label)].written -= d
                        result.counts[(name, label)].duplicate += d
                elif kind in TEXT_KINDS:
                    writer.write_texts(kept.column("text").to_pylist())
                else:
                    qs = kept.column("question").to_pylist()
                    ans = kept.column("answer").to_pylist()
                    writer.write_many([_qa_record(q, a, instruction, style) for q, a in zip(qs, ans)])
                offset += n
                if on_rows:
                    on_rows(batch.num_rows)
        if writer.count == 0:
            raise InputError(
                f"no rows selected for {out_path.name}: every row was empty or outside the split"
                + (" or left out by --difficulty" if difficulties else "")
            )
        return writer.count


def _qa_record(question: str, answer: str, instruction: str, style: str) -> dict[str, Any]:
    if style == "alpaca":
        return {"instruction": instruction, "input": question, "output": answer}
    rec: dict[str, Any] = {
        "conversations": [{"from": "human", "value": question}, {"from": "gpt", "value": answer}]
    }
    if instruction:
        rec["system"] = instruction
    return rec


def convert(inputs: Sequence[str], output: str | Path, **options: Any) -> ConvertResult:
    """Convert parquet inputs to LLaMA-Factory datasets in ``output`` (options: see ``_convert``).

    The output directory is locked from the first check to the last rename, so a second
    ``convert`` into it refuses at once instead of silently replacing this one's files; stale
    temporary files of a killed run are removed first.
    """
    out_dir = Path(output)
    with output_lock(out_dir, f"anestools convert --output {out_dir}"):
        remove_stale_temps(out_dir)
        return _convert(inputs, output, **options)


def _convert(
    inputs: Sequence[str],
    output: str | Path,
    split: str = "all",
    kind: str = "auto",
    instruction: str = "",
    fmt: str = "jsonl",
    style: str = "alpaca",
    name: str | None = None,
    overwrite: bool = False,
    difficulty: Sequence[str] | None = None,
    on_total: Callable[[int | None], None] | None = None,
    on_rows: ProgressFn | None = None,
) -> ConvertResult:
    """Convert parquet inputs to LLaMA-Factory datasets in ``output``; see the CLI for options.

    All validation (schemas, split, existing outputs, ``dataset_info.json`` conflicts) happens
    before the first row is written, so a refused run changes nothing.
    """
    if kind not in KINDS:
        raise ConfigError(f"unknown --kind {kind!r}: expected one of {', '.join(KINDS)}")
    if fmt not in FORMATS:
        raise ConfigError(f"unknown --format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if style not in STYLES:
        raise ConfigError(f"unknown --style {style!r}: expected one of {', '.join(STYLES)}")
    difficulties = _check_mcq_options(kind, fmt, style, instruction, name, difficulty)
    languages = split_to_languages(split)
    split_name = canonical_split(split)
    out_dir = Path(output)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: --output must be a directory")

    result = ConvertResult()
    # the files this run may write: never inputs (refused when named, left out of folder scans)
    names = [f"{stem}_{split_name}.{fmt}" for k, stem in STEMS.items() if k != "rl"]
    mine = Output.files(out_dir, [*names, _rl_file(name, split_name), DATASET_INFO])
    sources = resolve_sources(inputs, [mine])
    plans = [plan_input(s, kind, languages, split_name, need_difficulty=bool(difficulties)) for s in sources]
    by_kind: dict[str, list[InputPlan]] = defaultdict(list)
    given = {p.source.name for p in plans}
    for p in plans:
        if p.layout is not None and not p.skip_reason:
            p.skip_reason = twin_skip_reason(p.source.name, p.kind, given)
        if p.skip_reason:
            result.skipped_inputs.append((p.source.name, p.skip_reason))
        else:
            by_kind[p.kind].append(p)
    if not by_kind:
        reasons = "; ".join(f"{n}: {r}" for n, r in result.skipped_inputs)
        raise InputError(f"no input left to convert for split {split_name} ({reasons})")
    if name and len(by_kind) > 1:
        raise ConfigError("--name needs inputs of one kind, but both corpus and QA files were given")

    # Decide every output and check every conflict before writing anything.
    existing = read_dataset_info(out_dir)
    jobs = []
    for k, kplans in sorted(by_kind.items()):
        stem = STEMS[k]
        dataset = name or f"{stem.lower()}_{split_name}"
        out_path = out_dir / (_rl_file(name, split_name) if k == "rl" else f"{stem}_{split_name}.{fmt}")
        entry = _dataset_entry(k, out_path.name, style, bool(instruction))
        check_writable(out_path, overwrite)
        if dataset in existing and existing[dataset] != entry and not overwrite:
            raise InputError(
                f"{out_dir / DATASET_INFO}: entry {dataset!r} exists with a different definition; "
                "pass --overwrite to replace it"
            )
        jobs.append((k, kplans, out_path, dataset, entry))

    if on_total:
        sizes = [p.num_rows for _, kp, *_ in jobs for p in kp]
        on_total(None if any(s is None for s in sizes) else sum(s for s in sizes if s is not None))

    out_dir.mkdir(parents=True, exist_ok=True)
    tune_malloc_for_streaming()
    for k, kplans, out_path, dataset, entry in jobs:
        # The data file and its registration are published together: both or neither.
        info_text, actions = render_dataset_info(out_dir, {dataset: entry}, overwrite=overwrite)
        targets = [out_path] + ([out_dir / DATASET_INFO] if info_text is not None else [])
        with atomic_paths(targets, overwrite=True) as tmps:  # out_path was checked above
            rows = _convert_kind(kplans, k, out_path, fmt, style, instruction, languages, overwrite,
                                 result, on_rows, dest=tmps[0], difficulties=difficulties)
            if info_text is not None:
                tmps[1].write_text(info_text, encoding="utf-8")
        result.outputs.append(OutputInfo(k, out_path, dataset, rows, actions[dataset]))
    return result


def _rl_file(name: str | None, split_name: str) -> str:
    """The RL contract names the file after its dataset: ``NAME.jsonl``."""
    return f"{name or f'anesrl_{split_name}'}.jsonl"


def _check_mcq_options(kind: str, fmt: str, style: str, instruction: str, name: str | None,
                       difficulty: Sequence[str] | None) -> frozenset[str] | None:
    """Options that only some kinds take; the set of ``--difficulty`` values (None: keep all)."""
    chosen = None
    if difficulty:
        if kind not in MCQ_KINDS:
            raise ConfigError("--difficulty applies to --kind reasoning and --kind rl only")
        unknown = sorted(set(difficulty) - set(DIFFICULTIES))
        if unknown:
            raise ConfigError(f"unknown --difficulty {', '.join(unknown)}: expected some of {', '.join(DIFFICULTIES)}")
        chosen = frozenset(difficulty)
    if kind == "rl":
        if fmt != "jsonl":
            raise ConfigError("--kind rl writes JSONL (the file `train grpo` reads); --format json does not apply")
        if style != "alpaca" or instruction:
            raise ConfigError("--style and --instruction do not apply to --kind rl: its prompt is eval's "
                              "multiple-choice user message")
        if name is not None and not RL_NAME.fullmatch(name):
            raise ConfigError(f"--name {name!r}: an RL dataset name is also its file name (NAME.jsonl): "
                              "use letters, digits, '.', '_' or '-'")
    return chosen
