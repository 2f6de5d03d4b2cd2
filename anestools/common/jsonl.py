"""JSON-lines files as a stream of Arrow record batches, plain or compressed.

Usage::

    from anestools.common.jsonl import JSONL_SUFFIXES, is_jsonl, jsonl_batches, jsonl_schema

    schema = jsonl_schema(path)                            # from the first block only
    for batch in jsonl_batches(path, ["text", "id"]):      # constant memory, only these columns
        ...

Why pyarrow's streaming reader (``pyarrow.json.open_json``) over ``pyarrow.dataset``: the
dataset reader infers compression from a short list of extensions that lacks ``.zst``, while
``corpus build --format jsonl`` (datatrove's ``JsonlWriter``) writes ``.jsonl.gz`` and other tools
write ``.jsonl.zst``. The stream is decompressed by Arrow's own codecs (gzip, bz2, zstd, lz4), one
block at a time. The wanted columns are given as an explicit schema (types from the first
block) with unknown fields ignored, so a field that appears only later in the file, or a nested
``metadata`` object, neither fails the read nor is decoded.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.json as pj

from anestools.errors import InputError

BLOCK_BYTES = 1 << 20
_PLAIN = (".jsonl", ".ndjson")
COMPRESSION = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd", ".zstd": "zstd", ".lz4": "lz4"}
JSONL_SUFFIXES = _PLAIN + tuple(p + c for p in _PLAIN for c in COMPRESSION)


def is_jsonl(name: str | Path) -> bool:
    return str(name).lower().endswith(JSONL_SUFFIXES)


def _codec(path: Path) -> str | None:
    name = path.name.lower()
    return next((c for ext, c in COMPRESSION.items() if name.endswith(ext)), None)


def _open(path: Path, schema: pa.Schema | None = None) -> pa.RecordBatchReader:
    stream = pa.input_stream(str(path), compression=_codec(path))
    parse = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore") if schema is not None \
        else pj.ParseOptions()
    try:
        return pj.open_json(stream, read_options=pj.ReadOptions(block_size=BLOCK_BYTES), parse_options=parse)
    except BaseException:
        stream.close()
        raise


def _error(path: Path, exc: Exception) -> InputError:
    return InputError(f"{path}: not a readable JSON lines file ({type(exc).__name__}: {str(exc).strip()[:200]})")


def jsonl_schema(path: str | Path) -> pa.Schema:
    """Field names and types, inferred from the file's first block (an empty file has none)."""
    p = Path(path)
    if _empty(p):
        return pa.schema([])
    try:
        reader = _open(p)
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
        raise _error(p, exc) from exc
    with reader:
        return reader.schema


def _empty(path: Path) -> bool:
    """No record at all (Arrow's reader refuses an empty stream instead of yielding nothing)."""
    try:
        with pa.input_stream(str(path), compression=_codec(path)) as s:
            return not s.read(1 << 16).strip()
    except (pa.ArrowException, OSError) as exc:
        raise _error(path, exc) from exc


def jsonl_batches(path: str | Path, columns: Sequence[str]) -> Iterator[pa.RecordBatch]:
    """Record batches holding ``columns`` (those present in the first block), streamed block by block."""
    p = Path(path)
    schema = jsonl_schema(p)
    if not schema.names:
        return
    # a column null throughout the first block is read as text (the only type our readers want)
    wanted = pa.schema([pa.field(c, pa.string()) if pa.types.is_null(schema.field(c).type) else schema.field(c)
                        for c in columns if c in schema.names])
    try:
        reader = _open(p, wanted)
        with reader:
            yield from reader
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
        raise _error(p, exc) from exc
