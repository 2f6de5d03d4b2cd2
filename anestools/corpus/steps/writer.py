"""AnesCorpus shard writer: the corpus-shard contract of ARCHITECTURE.md, as a datatrove step.

Usage::

    from anestools.corpus.steps.writer import AnesCorpusWriter

    pipeline = [reader, ..., AnesCorpusWriter("anescorpus", fmt="parquet", default_source="pubmed")]

Output: ``OUTPUT/<language>/<rank>.parquet`` (or ``.jsonl.gz`` with ``fmt="jsonl"``), one file
per task and language, so ``anestools convert --split en|cn`` can select shards by folder and
by the ``language`` column. Columns (``CONTRACT_FIELDS``): ``text``, ``id``, ``language``,
``source``, ``url``, ``pmid``, ``pmcid``, ``matched_terms`` (list<str>), ``anes_score`` (float),
``token_count`` (int or null), plus any ``extra_fields`` you declare (taken from the metadata).
Values come from ``doc.metadata``; ``source`` falls back to ``default_source``.

Why a wrapper around datatrove's ``ParquetWriter``/``JsonlWriter``: each shard is written under
a hidden temporary name (``<lang>/.tmp.<rank>.parquet``) and renamed when the task finishes,
so a crash never leaves a half-written shard under its final name, and a rerun of the task
(datatrove skips completed ones) simply rewrites it.

With ``record_order=True`` the writer also leaves ``<rank>.order``: one byte per document in
the order it wrote them (``e`` for English, ``z`` for Chinese). datatrove's dedup signatures
number a task's documents in that order, across languages; the order file maps such a number
back to a row of one language's shard (``steps/publish.py`` drops duplicates with it).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Mapping

import pyarrow as pa
from datatrove.data import Document, DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.writers.jsonl import JsonlWriter
from datatrove.pipeline.writers.parquet import ParquetWriter

from anestools.corpus.steps.batch_stats import add_counts, add_lengths

FORMATS = ("parquet", "jsonl")
LANGUAGES = ("en", "zh")

CONTRACT_FIELDS: dict[str, pa.DataType] = {
    "text": pa.string(),
    "id": pa.string(),
    "language": pa.string(),
    "source": pa.string(),
    "url": pa.string(),
    "pmid": pa.string(),
    "pmcid": pa.string(),
    "matched_terms": pa.list_(pa.string()),
    "anes_score": pa.float64(),
    "token_count": pa.int64(),
}
_TMP_PREFIX = ".tmp."
ORDER_CODES: dict[str, bytes] = {"en": b"e", "zh": b"z"}
ORDER_SUFFIX = ".order"


def contract_schema(extra_fields: Mapping[str, pa.DataType] | None = None) -> pa.Schema:
    """Arrow schema of an AnesCorpus parquet shard (contract columns + ``extra_fields``)."""
    fields = dict(CONTRACT_FIELDS)
    fields.update(extra_fields or {})
    return pa.schema([pa.field(k, v) for k, v in fields.items()])


def contract_record(doc: Document, default_source: str, extra: tuple[str, ...] = ()) -> dict:
    """One output row for ``doc`` (raises ``ValueError`` naming the document if no language)."""
    md = doc.metadata
    lang = md.get("language")
    if lang not in LANGUAGES:
        raise ValueError(f"document {doc.id!r}: metadata 'language' is {lang!r}, expected en or zh")
    tc = md.get("token_count")
    rec = {
        "text": doc.text,
        "id": str(doc.id),
        "language": lang,
        "source": md.get("source") or default_source,
        "url": _str_or_none(md.get("url")),
        "pmid": _str_or_none(md.get("pmid")),
        "pmcid": _str_or_none(md.get("pmcid")),
        "matched_terms": [str(t) for t in md.get("matched_terms") or []],
        "anes_score": float(md.get("anes_score") or 0.0),
        "token_count": int(tc) if tc is not None else None,
    }
    for key in extra:
        rec[key] = md.get(key)
    return rec


def _str_or_none(v) -> str | None:
    return None if v is None or v == "" else str(v)


class _ContractAdapterMixin:
    """Turns a ``Document`` into a contract row instead of datatrove's nested dict."""

    _default_source: str = "web"
    _extra: tuple[str, ...] = ()

    def _default_adapter(self, document: Document) -> dict:
        return contract_record(document, self._default_source, self._extra)


class _ParquetShardWriter(_ContractAdapterMixin, ParquetWriter):
    pass


class _JsonlShardWriter(_ContractAdapterMixin, JsonlWriter):
    pass


def shard_extension(fmt: str) -> str:
    return "parquet" if fmt == "parquet" else "jsonl.gz"


def shard_name(language: str, rank: int, fmt: str) -> str:
    """Final relative path of the shard of ``rank`` for ``language``."""
    return f"{language}/{rank:05d}.{shard_extension(fmt)}"


def tmp_shard_name(language: str, rank: int, fmt: str) -> str:
    """Hidden name a shard is written under before it is published."""
    return f"{language}/{_TMP_PREFIX}{rank:05d}.{shard_extension(fmt)}"


def order_name(rank: int) -> str:
    return f"{rank:05d}{ORDER_SUFFIX}"


class AnesCorpusWriter(PipelineStep):
    """Write documents as AnesCorpus shards, per language, published atomically per task."""

    name = "💽 AnesCorpus shards"
    type = "💽 - WRITER"

    def __init__(
        self,
        output_folder: DataFolderLike,
        fmt: str = "parquet",
        default_source: str = "web",
        extra_fields: Mapping[str, pa.DataType] | None = None,
        batch_size: int = 1000,
        record_order: bool = False,
    ):
        super().__init__()
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
        self.output_folder = get_datafolder(output_folder)
        self.fmt = fmt
        self.default_source = default_source
        self.extra_fields = dict(extra_fields or {})
        self.batch_size = batch_size
        self.record_order = record_order

    def _make_writer(self):
        template = f"${{language}}/{_TMP_PREFIX}${{rank}}.{shard_extension(self.fmt)}"
        if self.fmt == "parquet":
            w = _ParquetShardWriter(
                self.output_folder,
                output_filename=template,
                compression="zstd",
                batch_size=self.batch_size,
                max_file_size=-1,
                schema=contract_schema(self.extra_fields),
                use_content_defined_chunking=False,
            )
        else:
            w = _JsonlShardWriter(self.output_folder, output_filename=template, compression="gzip")
        w._default_source = self.default_source
        w._extra = tuple(self.extra_fields)
        w.adapter = w._default_adapter
        return w

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        writer = self._make_writer()
        written: Counter[str] = Counter()
        order = bytearray()
        lengths: list[int] = []
        tokens: list[int] = []
        ok = False
        try:
            for doc in data:
                with self.track_time():
                    lang = doc.metadata.get("language")
                    if lang not in LANGUAGES:
                        raise ValueError(
                            f"document {doc.id!r}: metadata 'language' is {lang!r}, expected en or zh"
                        )
                    writer.write(doc, rank)
                    written[lang] += 1
                    order += ORDER_CODES[lang]
                    lengths.append(len(doc.text))
                    if doc.metadata.get("token_count"):
                        tokens.append(doc.metadata["token_count"])
                yield doc
            ok = True
        finally:
            for lang, n in sorted(written.items()):  # statistics once per task, not per document
                add_counts(self, f"written_{lang}", n)
            add_counts(self, "total", len(order))
            add_counts(self, "forwarded", len(order))
            add_lengths(self, "doc_len", lengths)
            add_lengths(self, "doc_len_tokens", tokens)
            with contextlib.suppress(Exception) if not ok else contextlib.nullcontext():
                writer.close()
            if ok and self.record_order:
                tmp = _TMP_PREFIX + order_name(rank)
                with self.output_folder.open(tmp, "wb") as f:
                    f.write(bytes(order))
                self.output_folder.mv(tmp, order_name(rank))
            for lang in sorted(written):
                tmp = tmp_shard_name(lang, rank, self.fmt)
                if ok:
                    self.output_folder.mv(tmp, shard_name(lang, rank, self.fmt))
                else:
                    with contextlib.suppress(Exception):
                        self.output_folder.rm(tmp)
