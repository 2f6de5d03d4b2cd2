"""Passages for the teacher: AnesCorpus shards, chunked by a token budget, sampled with a seed.

Why an estimated token count (Latin words + CJK characters) rather than a tokenizer: the
budget only has to keep a passage well inside the teacher's context, and the estimate is the
same for every teacher, so a passage (and its ``passage_hash``) does not change with the
model. Chunks end at paragraph or sentence boundaries when possible.

Why reservoir sampling for ``--limit``: the corpus is streamed in pyarrow batches (constant
memory); a seeded reservoir keeps exactly ``limit`` chunks, the same ones for the same seed
and inputs, so a resumed run asks for the same passages. Without ``--limit`` every chunk is
used, in corpus order.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from anestools.common.inputs import resolve_inputs
from anestools.common.jsonl import JSONL_SUFFIXES, is_jsonl, jsonl_batches
from anestools.common.langs import language_from_path, normalize_language
from anestools.common.paths import Output
from anestools.errors import InputError

BATCH_ROWS = 1024
_UNIT = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\s\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_PARAGRAPH = re.compile(r"\n\s*\n")
_SENTENCE = re.compile(r"(?<=[.!?。！？；;])\s*")


@dataclass(frozen=True)
class Passage:
    """One chunk of one corpus document; ``order`` is its place in the selection."""

    key: str  # source_id#chunk: stable across runs
    source_id: str
    language: str
    text: str
    order: int = 0

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]


def estimate_tokens(text: str) -> int:
    """Latin words + CJK characters: close to subword tokens for en/zh, model-independent."""
    return len(_UNIT.findall(text))


def _pieces(text: str) -> list[str]:
    """Paragraphs, and the sentences of paragraphs that are themselves over any budget."""
    out: list[str] = []
    for para in _PARAGRAPH.split(text):
        para = para.strip()
        if para:
            out.extend(s.strip() for s in _SENTENCE.split(para) if s.strip())
    return out


def chunk_text(text: str, budget: int) -> list[str]:
    """Greedy chunks of whole sentences up to ``budget`` estimated tokens (a longer sentence is cut)."""
    chunks: list[str] = []
    cur: list[str] = []
    cur_n = 0
    for piece in _pieces(text):
        n = estimate_tokens(piece)
        if n > budget:  # one enormous "sentence" (tables, lists): cut by units
            units = _UNIT.findall(piece)
            for i in range(0, len(units), budget):
                chunks.append(" ".join(units[i:i + budget]))
            continue
        if cur and cur_n + n > budget:
            chunks.append(_join(cur))
            cur, cur_n = [], 0
        cur.append(piece)
        cur_n += n
    if cur:
        chunks.append(_join(cur))
    return chunks


def _join(parts: Sequence[str]) -> str:
    joined = ""
    for p in parts:
        cjk_edge = joined and (_UNIT.fullmatch(joined[-1]) and not joined[-1].isascii())
        joined += p if (not joined or cjk_edge) else " " + p
    return joined


CORPUS_SUFFIXES = (".parquet", ".pq", *JSONL_SUFFIXES)
COLUMNS = ("text", "id", "language")


def corpus_files(specs: Sequence[str], outputs: Sequence[Output] = ()) -> list[Path]:
    """AnesCorpus shards: parquet, or JSON lines as ``corpus build --format jsonl`` writes them
    (``.jsonl.gz``; also ``.bz2``/``.zst``). ``outputs``: the run's folder, never an input."""
    return resolve_inputs(specs, CORPUS_SUFFIXES, outputs, "qa generate")


def _batches(path: Path) -> Iterator[pa.RecordBatch]:
    if is_jsonl(path.name):
        yield from _jsonl_batches(path)
        return
    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path}: not a readable parquet file ({exc})") from exc
    names = set(pf.schema_arrow.names)
    if "text" not in names:
        raise InputError(f"{path}: no 'text' column (expected an AnesCorpus shard)")
    columns = [c for c in COLUMNS if c in names]
    try:
        yield from pf.iter_batches(batch_size=BATCH_ROWS, columns=columns)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path}: corrupt parquet data ({exc})") from exc


def _jsonl_batches(path: Path) -> Iterator[pa.RecordBatch]:
    """A JSON-lines shard, streamed; an ``id`` that is a number becomes its text."""
    first = True
    for batch in jsonl_batches(path, COLUMNS):
        if first and "text" not in batch.schema.names:
            raise InputError(f"{path}: no 'text' field (expected an AnesCorpus shard)")
        first = False
        for name in ("id", "language"):
            i = batch.schema.get_field_index(name)
            if i >= 0 and not pa.types.is_string(batch.schema.field(i).type):
                batch = batch.set_column(i, name, batch.column(i).cast(pa.string()))
        yield batch


def iter_chunks(files: Iterable[Path], languages: frozenset[str], budget: int, min_tokens: int,
                skipped: dict[str, int] | None = None) -> Iterator[Passage]:
    """Every chunk of every selected document, in corpus order (``order`` not yet set)."""
    skipped = skipped if skipped is not None else {}
    for path in files:
        path_lang = language_from_path(path)
        row = 0
        for batch in _batches(path):
            cols = batch.to_pydict()
            texts = cols["text"]
            ids = cols.get("id") or [None] * len(texts)
            langs = cols.get("language") or [None] * len(texts)
            for text, doc_id, raw_lang in zip(texts, ids, langs):
                row += 1
                lang = normalize_language(raw_lang) or path_lang
                if not isinstance(text, str) or not text.strip():
                    skipped["empty_text"] = skipped.get("empty_text", 0) + 1
                    continue
                if lang not in languages:
                    skipped["other_language"] = skipped.get("other_language", 0) + 1
                    continue
                source_id = str(doc_id) if doc_id not in (None, "") else f"{path.name}:{row}"
                for i, chunk in enumerate(chunk_text(text, budget)):
                    if estimate_tokens(chunk) < min_tokens:
                        skipped["short_chunk"] = skipped.get("short_chunk", 0) + 1
                        continue
                    yield Passage(key=f"{source_id}#{i}", source_id=source_id, language=lang, text=chunk)


def select_passages(chunks: Iterable[Passage], limit: int | None, seed: int) -> Iterator[Passage]:
    """All chunks (streamed), or a seeded reservoir of ``limit`` of them kept in corpus order."""
    if limit is None:
        for i, p in enumerate(chunks):
            yield Passage(p.key, p.source_id, p.language, p.text, i)
        return
    rng = random.Random(seed)
    reservoir: list[tuple[int, Passage]] = []
    for n, p in enumerate(chunks):
        if n < limit:
            reservoir.append((n, p))
        else:
            j = rng.randint(0, n)
            if j < limit:
                reservoir[j] = (n, p)
    reservoir.sort(key=lambda t: t[0])
    for i, (_, p) in enumerate(reservoir):
        yield Passage(p.key, p.source_id, p.language, p.text, i)
