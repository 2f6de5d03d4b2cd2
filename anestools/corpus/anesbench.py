"""Read AnesBench question and option texts, for decontamination (both published schemas).

Usage::

    from anestools.corpus.anesbench import AnesBenchIndex, load_benchmark_texts
    texts = load_benchmark_texts("anesbench_en.json")   # -> list[str]: questions and options
    index = AnesBenchIndex.from_files(["anesbench_en.json"])   # decontamination index

Accepted files: ``.json`` (a list of records, or ``{"data": [...]}``), ``.jsonl`` and
``.parquet``, in either schema of ARCHITECTURE.md:

1. seed README, bilingual: ``en_question``, ``en_A``... and ``zh_question``/``cn_question``,
   ``zh_A``/``cn_A``... (options A to I);
2. Hugging Face release ``MiliLab/AnesBench``: ``question``, ``A``...``I``.

Each record contributes its question, each option, and question + all options joined, so a
page copying the whole item (with its options) is caught as well as one quoting a stem.
This is a small independent reader (the eval stage has its own): stages meet only at files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from anestools.common.jsonio import iter_jsonl, read_json
from anestools.corpus.steps.decontam import NGramIndex
from anestools.errors import InputError

OPTION_LETTERS = "ABCDEFGHI"
_PREFIXES = ("", "en_", "zh_", "cn_")


def _record_texts(rec: dict) -> list[str]:
    out: list[str] = []
    for prefix in _PREFIXES:
        q = rec.get(f"{prefix}question")
        opts = [rec.get(f"{prefix}{L}") for L in OPTION_LETTERS]
        opts = [str(o) for o in opts if isinstance(o, str | int | float) and str(o).strip()]
        if isinstance(q, str) and q.strip():
            out.append(q)
            if opts:
                out.append(q + "\n" + "\n".join(opts))
        out.extend(opts)
    return out


def _records(path: Path) -> list[dict]:
    name = path.name.lower()
    try:
        if name.endswith(".parquet"):
            import pyarrow.parquet as pq

            return pq.read_table(path).to_pylist()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read benchmark file ({exc})") from exc
    except Exception as exc:  # pyarrow errors
        raise InputError(f"{path}: not a readable parquet file ({exc})") from exc
    if name.endswith((".jsonl", ".ndjson")):
        return [rec for _, rec in iter_jsonl(path)]
    data = read_json(path)
    if isinstance(data, dict):
        data = data.get("data", data.get("test", [data]))
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a list of benchmark records")
    return data


def load_benchmark_texts(path: str | Path) -> list[str]:
    """All question/option texts of an AnesBench file (error if none is recognised)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: benchmark file not found")
    texts: list[str] = []
    for i, rec in enumerate(_records(p)):
        if not isinstance(rec, dict):
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

    Public so that other stages (e.g. QA generation) can decontaminate against the same index.
    """

    @classmethod
    def from_files(cls, paths: Sequence[str | Path]) -> AnesBenchIndex:
        texts: list[str] = []
        for p in paths:
            texts.extend(load_benchmark_texts(p))
        return cls.from_texts(texts)
