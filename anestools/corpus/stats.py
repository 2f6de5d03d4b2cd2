"""Read an AnesCorpus folder back: rows/tokens/bytes per language and source, drops per step.

Usage::

    from anestools.corpus.stats import corpus_stats
    st = corpus_stats("anescorpus")
    st.groups[("en", "fineweb")].rows, st.totals_by_language()["zh"].tokens, st.steps

Works on any folder of corpus shards (``corpus build`` or ``corpus pubmed`` output): shards are
``*.parquet`` / ``*.jsonl[.gz]`` files outside hidden/underscore folders; only the ``language``,
``source``, ``token_count`` and ``text`` columns are read, batch by batch (constant memory).
The per-step table comes from datatrove's per-task stats files (``_logs/<stage>/stats/*.json``),
summed here, so it is also available for Slurm/Ray runs without datatrove's merge job.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from anestools.common import jsonio
from anestools.errors import InputError

SHARD_SUFFIXES = (".parquet", ".jsonl", ".jsonl.gz", ".jsonl.zst")


@dataclass
class StepCounts:
    """One pipeline step of one stage: documents in, out, and drop reasons."""

    stage: str
    step: str
    total: int = 0
    forwarded: int = 0
    dropped: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    other: dict[str, int] = field(default_factory=dict)


@dataclass
class Group:
    rows: int = 0
    tokens: int = 0
    counted_rows: int = 0  # rows with a token_count
    text_bytes: int = 0


@dataclass
class CorpusStats:
    root: Path
    groups: dict[tuple[str, str], Group] = field(default_factory=dict)
    files: int = 0
    file_bytes: int = 0
    steps: list[StepCounts] = field(default_factory=list)

    def totals_by_language(self) -> dict[str, Group]:
        out: dict[str, Group] = defaultdict(Group)
        for (lang, _), g in self.groups.items():
            t = out[lang]
            t.rows += g.rows
            t.tokens += g.tokens
            t.counted_rows += g.counted_rows
            t.text_bytes += g.text_bytes
        return dict(out)


def _total(v) -> int:
    if isinstance(v, dict):
        return int(v.get("total", 0))
    return int(v or 0)


def step_name(raw: object) -> str:
    """datatrove's step name without its type prefix and emoji: ``"Parquet"``, ``"language (langdetect)"``."""
    name = str(raw or "?").split(": ", 1)[-1]
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s().,/:+<>=-]", "", name)).strip() or "?"


def read_stage_stats(logs_dir: str | Path) -> list[StepCounts]:
    """Sum datatrove's per-task stats of every stage folder (``1-filter``, ``2-...``) in order."""
    logs = Path(logs_dir)
    steps: list[StepCounts] = []
    if not logs.is_dir():
        return steps
    stages = sorted((d for d in logs.iterdir() if d.is_dir() and d.name[:1].isdigit()),
                    key=lambda d: int(d.name.split("-", 1)[0]))
    for stage in stages:
        merged: dict[int, StepCounts] = {}
        for f in sorted((stage / "stats").glob("*.json")):
            data = jsonio.read_json(f)
            if not isinstance(data, list) or not all(isinstance(s, dict) for s in data):
                raise InputError(f"{f}: not a datatrove stats file (expected a list of steps)")
            for i, step in enumerate(data):
                sc = merged.setdefault(i, StepCounts(stage.name.split("-", 1)[1], step_name(step.get("name"))))
                stats = step.get("stats") or {}
                if not isinstance(stats, dict):
                    raise InputError(f"{f}: step {i} has malformed 'stats' (expected an object)")
                for key, val in stats.items():
                    try:
                        n = _total(val)
                    except (TypeError, ValueError) as exc:
                        raise InputError(f"{f}: step {i}, {key!r}: not a count ({val!r})") from exc
                    if key == "total":
                        sc.total += n
                    elif key == "forwarded":
                        sc.forwarded += n
                    elif key == "dropped":
                        sc.dropped += n
                    elif key.startswith("dropped_"):
                        sc.reasons[key[8:]] = sc.reasons.get(key[8:], 0) + n
                    elif key not in ("doc_len", "doc_len_tokens"):
                        sc.other[key] = sc.other.get(key, 0) + n
        steps.extend(merged[i] for i in sorted(merged))
    return steps


def _hidden(p: Path, root: Path) -> bool:
    return any(part.startswith((".", "_")) for part in p.relative_to(root).parts)


def shard_files(root: str | Path) -> list[Path]:
    """Corpus shards under ``root`` (sorted; temporary and ``_logs``/``_work`` files excluded)."""
    r = Path(root)
    return sorted(f for f in r.rglob("*") if f.is_file() and f.name.endswith(SHARD_SUFFIXES) and not _hidden(f, r))


def _scan_parquet(path: Path, groups: dict) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path}: not a readable parquet file ({exc})") from exc
    names = pf.schema_arrow.names
    if "text" not in names:
        raise InputError(f"{path}: missing column 'text' (not a corpus shard)")
    text_type = pf.schema_arrow.field("text").type
    if not (pa.types.is_string(text_type) or pa.types.is_large_string(text_type)):
        raise InputError(f"{path}: column 'text' is {text_type}, expected string (not a corpus shard)")
    for col, ok in (("token_count", pa.types.is_integer), ("language", pa.types.is_string), ("source", pa.types.is_string)):
        if col in names and not ok(pf.schema_arrow.field(col).type) and not pa.types.is_null(pf.schema_arrow.field(col).type):
            raise InputError(f"{path}: column {col!r} is {pf.schema_arrow.field(col).type} (not a corpus shard)")
    cols = [c for c in ("text", "language", "source", "token_count") if c in names]
    fallback_lang = path.parent.name if path.parent.name in ("en", "zh") else "?"
    for batch in _batches(pf, cols, path):
        n = batch.num_rows
        langs = batch.column("language").to_pylist() if "language" in cols else [fallback_lang] * n
        srcs = batch.column("source").to_pylist() if "source" in cols else ["?"] * n
        nbytes = pc.binary_length(pc.cast(batch.column("text"), pa.binary())).to_pylist()
        toks = batch.column("token_count").to_pylist() if "token_count" in cols else [None] * n
        for lang, src, b, t in zip(langs, srcs, nbytes, toks):
            g = groups[(lang or "?", src or "?")]
            g.rows += 1
            g.text_bytes += b or 0
            if t is not None:
                g.tokens += t
                g.counted_rows += 1


def _batches(pf, cols: list[str], path: Path):
    import pyarrow as pa

    try:
        yield from pf.iter_batches(columns=cols, batch_size=4096)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path}: unreadable parquet data ({exc})") from exc


def _scan_jsonl(path: Path, groups: dict) -> None:
    from datatrove.io import open_file

    fallback_lang = path.parent.name if path.parent.name in ("en", "zh") else "?"
    try:
        with open_file(str(path), "rb", compression="infer") as fh:
            for i, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                rec = jsonio.parse(line, str(path), line=i)
                if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                    raise InputError(f"{path}:{i}: not a corpus record (needs a string 'text')")
                tc = rec.get("token_count")
                if tc is not None and (not isinstance(tc, int) or isinstance(tc, bool)):
                    raise InputError(f"{path}:{i}: 'token_count' is {tc!r}, expected an integer")
                g = groups[(str(rec.get("language") or fallback_lang), str(rec.get("source") or "?"))]
                g.rows += 1
                g.text_bytes += len(rec["text"].encode("utf-8"))
                if tc is not None:
                    g.tokens += tc
                    g.counted_rows += 1
    except (OSError, EOFError) as exc:
        raise InputError(f"{path}: unreadable shard ({exc})") from exc


def corpus_stats(root: str | Path, allow_incomplete: bool = False) -> CorpusStats:
    """Scan the shards and the datatrove logs of a corpus folder.

    A corpus whose run has not finished (no ``_SUCCESS``) is refused unless ``allow_incomplete``.
    """
    from anestools.common.corpus_marker import check_complete

    r = Path(root).expanduser()
    if not r.is_dir():
        raise InputError(f"{root}: no such directory")
    if not allow_incomplete:
        check_complete(r)
    files = shard_files(r)
    if not files and not (r / "_logs").is_dir():
        raise InputError(f"{root}: no corpus shards (*.parquet, *.jsonl.gz) and no _logs folder")
    groups: dict[tuple[str, str], Group] = defaultdict(Group)
    st = CorpusStats(root=r)
    for f in files:
        (_scan_parquet if f.name.endswith(".parquet") else _scan_jsonl)(f, groups)
        st.files += 1
        st.file_bytes += f.stat().st_size
    st.groups = dict(sorted(groups.items()))
    st.steps = read_stage_stats(r / "_logs")
    return st


def shard_summary(root: str | Path) -> dict[str, Group]:
    """Rows/tokens/bytes per language of the shards under ``root``."""
    return corpus_stats(root, allow_incomplete=True).totals_by_language()
