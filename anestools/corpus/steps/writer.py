"""AnesCorpus shards: the corpus-shard contract of docs/architecture.md, written by datatrove's writers.

Usage::

    from anestools.corpus.steps.writer import corpus_writer

    pipeline = [reader, ..., corpus_writer("anescorpus", fmt="parquet", default_source="pubmed")]

Output: ``OUTPUT/<language>/<rank>.parquet`` (or ``.jsonl.gz``), one file per task and language,
so ``anestools convert --lang en|cn`` can select shards by folder and by the ``language``
column. Columns (``CONTRACT_FIELDS``): ``text``, ``id``, ``language``, ``source``, ``url``,
``pmid``, ``pmcid``, ``matched_terms`` (list<str>), ``anes_score`` (float), ``token_count`` (int
or null), plus any ``extra_fields`` (taken from the metadata).

The writer is datatrove's ``ParquetWriter``/``JsonlWriter``; only its ``adapter`` (a public
constructor argument) is ours. A task killed mid-write leaves a partial shard that its rerun
rewrites; readers tell a finished corpus by its completion marker
(``anestools.common.corpus_marker``), written after the last stage.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
from datatrove.data import Document
from datatrove.io import DataFolderLike
from datatrove.pipeline.writers.disk_base import DiskWriter

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


def contract_schema(extra_fields: Mapping[str, pa.DataType] | None = None) -> pa.Schema:
    """Arrow schema of an AnesCorpus parquet shard (contract columns + ``extra_fields``)."""
    fields = dict(CONTRACT_FIELDS)
    fields.update(extra_fields or {})
    return pa.schema([pa.field(k, v) for k, v in fields.items()])


def _str_or_none(v) -> str | None:
    return None if v is None or v == "" else str(v)


class ContractAdapter:
    """datatrove writer ``adapter``: a ``Document`` -> one contract row (picklable, for workers)."""

    def __init__(self, default_source: str, extra: tuple[str, ...] = ()):
        self.default_source = default_source
        self.extra = tuple(extra)

    def __call__(self, writer: DiskWriter, doc: Document) -> dict:
        md = doc.metadata
        lang = md.get("language")
        if lang not in LANGUAGES:
            raise ValueError(f"document {doc.id!r}: metadata 'language' is {lang!r}, expected en or zh")
        tc = md.get("token_count")
        rec = {
            "text": doc.text,
            "id": str(doc.id),
            "language": lang,
            "source": md.get("source") or self.default_source,
            "url": _str_or_none(md.get("url")),
            "pmid": _str_or_none(md.get("pmid")),
            "pmcid": _str_or_none(md.get("pmcid")),
            "matched_terms": [str(t) for t in md.get("matched_terms") or []],
            "anes_score": float(md.get("anes_score") or 0.0),
            "token_count": int(tc) if tc is not None else None,
        }
        for key in self.extra:
            rec[key] = md.get(key)
        return rec


def shard_extension(fmt: str) -> str:
    return "parquet" if fmt == "parquet" else "jsonl.gz"


def corpus_writer(
    output_folder: DataFolderLike,
    fmt: str = "parquet",
    default_source: str = "web",
    extra_fields: Mapping[str, pa.DataType] | None = None,
) -> DiskWriter:
    """datatrove's writer for AnesCorpus shards ``<language>/<rank>.<ext>``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    adapter = ContractAdapter(default_source, tuple(extra_fields or {}))
    if fmt == "parquet":
        from datatrove.pipeline.writers.parquet import ParquetWriter

        return ParquetWriter(output_folder, output_filename="${language}/${rank}.parquet", compression="zstd",
                             adapter=adapter, max_file_size=-1, schema=contract_schema(extra_fields))
    from datatrove.pipeline.writers.jsonl import JsonlWriter

    return JsonlWriter(output_folder, output_filename="${language}/${rank}.jsonl", compression="gzip",
                       adapter=adapter)
