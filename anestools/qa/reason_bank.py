"""The verifiable questions ``qa reason`` asks: ``qa generate --style mcq`` output or an in-house bank.

Two readers, one item shape (:class:`BankItem`): a parquet with the mcq columns (``stem``,
``options``, ``target``, ``level``; a ``qa generate`` folder's ``anesqa.parquet``) is read
as is; anything else goes through the benchmark reader eval uses (``common.anesbench``, with
eval's custom field mapping for an in-house schema), so a bank that eval can score is a bank
``qa reason`` can build chains for, validated the same way.

Why AnesBench is refused: chains written for the benchmark's own questions would train on
the test set. The embedded sample, a Hub id naming AnesBench, a file identical to a
``--decontaminate`` file, and a bank most of whose items overlap the benchmark are refused
(exit 2); the rest is decontaminated item by item by the caller.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from anestools.common.anesbench import LETTERS, SAMPLE, load_benchmark
from anestools.common.corpus_marker import check_complete
from anestools.common.digest import files_digest
from anestools.common.inputs import looks_like_hub_id
from anestools.errors import InputError

MCQ_COLUMNS = ("stem", "options", "target")


@dataclass(frozen=True)
class BankItem:
    """One multiple-choice question: options in letter order, the gold letter."""

    id: str
    question: str
    options: tuple[str, ...]
    answer: str
    level: int | None
    language: str
    source: str

    @property
    def option_map(self) -> dict[str, str]:
        return dict(zip(LETTERS, self.options))


def _mcq_file(spec: str) -> Path | None:
    """The mcq parquet ``spec`` names (a file, or a ``qa generate`` folder), else None."""
    p = Path(spec)
    if p.is_dir() and (p / "_anesqa.partial.parquet").is_file() and not (p / "anesqa.parquet").is_file():
        check_complete(p / "_anesqa.partial.parquet")  # an interrupted qa generate: one line, exit 2
    if p.is_dir() and (p / "anesqa.parquet").is_file():
        p = p / "anesqa.parquet"
    if p.is_file() and p.suffix == ".parquet":
        check_complete(p)
        try:
            names = pq.read_schema(p).names
        except Exception as exc:  # pyarrow raises several types for a bad file
            raise InputError(f"{p}: not a readable parquet file ({exc})") from exc
        if all(c in names for c in MCQ_COLUMNS):
            return p
    return None


def _mcq_items(path: Path) -> Iterator[BankItem]:
    cols = [c for c in ("pair_id", "stem", "options", "target", "level", "language") if c in pq.read_schema(path).names]
    row_no = 0
    for batch in pq.ParquetFile(path).iter_batches(columns=cols, batch_size=2048):
        for rec in batch.to_pylist():
            row_no += 1
            if rec.get("stem") is None and rec.get("target") is None:
                continue  # an open-style pair in a mixed file: not verifiable
            where = f"{path} row {row_no}"
            stem, options, target = rec.get("stem"), rec.get("options"), rec.get("target")
            if not isinstance(stem, str) or not stem.strip():
                raise InputError(f"{where}: 'stem' is empty")
            if not isinstance(options, list) or not 2 <= len(options) <= len(LETTERS) or \
                    not all(isinstance(o, str) and o.strip() for o in options):
                raise InputError(f"{where}: 'options' must be 2-{len(LETTERS)} non-empty strings")
            if not isinstance(target, str) or target.strip().upper() not in LETTERS[:len(options)]:
                raise InputError(f"{where}: 'target' {target!r} is not one of the {len(options)} option letters")
            lang = rec.get("language") or "en"
            if lang not in ("en", "zh"):
                raise InputError(f"{where}: 'language' {lang!r}: expected en or zh")
            yield BankItem(str(rec.get("pair_id") or f"row{row_no}"), stem, tuple(options), target.strip().upper(),
                           rec.get("level"), lang, str(path))


def refuse_anesbench(specs: Sequence[str], decontaminate: Sequence[str]) -> None:
    """``InputError`` (exit 2) for an input that is AnesBench itself (see the module doc)."""
    bench_digests = {files_digest([f], length=16, separator=b"", what="benchmark file") for f in decontaminate}
    for spec in specs:
        if spec == SAMPLE or (looks_like_hub_id(spec.partition(":")[0]) and not Path(spec).exists()
                              and "anesbench" in spec.lower()):
            raise InputError(f"{spec}: this is AnesBench, the benchmark: chains built on it would train on the "
                             "test set; give your own bank (qa generate --style mcq output or an in-house file)")
        p = Path(spec)
        if p.is_file() and files_digest([p], length=16, separator=b"", what="bank file") in bench_digests:
            raise InputError(f"{spec}: this file is one of the --decontaminate AnesBench files; qa reason refuses "
                             "to build training chains on the benchmark")


def read_bank(specs: Sequence[str], mapping: Any = None, skip_invalid: bool = False) -> list[BankItem]:
    """Every item of the banks ``specs``, in order; ids are unique per source (duplicates refused)."""
    items: list[BankItem] = []
    others: list[str] = []
    for spec in specs:
        mcq = _mcq_file(spec) if mapping is None else None
        if mcq is not None:
            items.extend(_mcq_items(mcq))
        else:
            others.append(spec)
    if others:
        bench = load_benchmark(others, skip_invalid=skip_invalid, mapping=mapping)
        for it in bench.items:
            items.append(BankItem(it.key, it.question, tuple(it.options.values()), it.answer, it.level, it.language,
                                  bench.source))
    seen: set[str] = set()
    for it in items:
        if it.id in seen:
            raise InputError(f"{it.source}: duplicate item id {it.id!r}")
        seen.add(it.id)
    if not items:
        raise InputError(f"{', '.join(specs)}: no multiple-choice items found (expected stem/options/target "
                         "columns, or a bank eval can read: see --bench-map)")
    return items
