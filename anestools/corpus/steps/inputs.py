"""Web inputs of ``corpus build``: find the shards, check them, and read them with datatrove.

Usage::

    from anestools.corpus.steps.inputs import resolve_input_files, web_readers, check_text_key

    files = resolve_input_files(["data/", "hf://datasets/HuggingFaceFW/fineweb/sample/10BT"], [Output.run_dir(out)])
    check_text_key(files[0], "text")              # one-line error with a --text-key hint
    pipeline = [*web_readers(files, paths_dir, text_key="text", id_key="id", source="fineweb"), ...]

The readers are datatrove's ``ParquetReader`` and ``JsonlReader`` (one per format present), each
given the run's file list through its ``paths_file`` (relative to the files' common folder), so
every task reads ``files[rank::tasks]`` of that format. ``WebAdapter`` keeps ``text``, ``id``
and ``url`` only: FineWeb's own ``language``/``token_count`` columns must not leak into the corpus.

``file_path``: datatrove's ``add_file_path`` option (``BaseDiskReader``) stamps every page with
its source file, a path resolution per page that costs about a fifth of reading it. The corpus
never writes it; only ``--keep-excluded`` files show it, so ``corpus build`` asks for it only then.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from anestools.common import jsonio
from anestools.common.inputs import is_remote, resolve_inputs
from anestools.common.paths import Output
from anestools.errors import InputError

PARQUET_SUFFIXES = (".parquet", ".pq")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".json.gz", ".json.zst", ".ndjson", ".jsonl.zstd")
ALL_SUFFIXES = PARQUET_SUFFIXES + JSONL_SUFFIXES
TEXT_LIKE = ("content", "raw_content", "body", "article", "document", "passage", "page", "markdown")


def file_format(path: str) -> str:
    """``parquet`` or ``jsonl`` from the file name (error naming the file otherwise)."""
    name = path.lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    raise InputError(f"{path}: unsupported input format (expected {', '.join(ALL_SUFFIXES)})")


def resolve_input_files(specs: Sequence[str], outputs: Sequence[Output] = (),
                        command: str = "corpus build") -> list[str]:
    """Expand files, directories, globs and fsspec URLs (``hf://``) to a sorted list of shards.

    ``outputs``: where the run writes (its output folder, ``--keep-excluded``). The shared check
    (:func:`anestools.common.inputs.resolve_inputs`) refuses an output that is or contains an
    input, and leaves an output inside an input folder out of that folder's files.
    """
    out: list[str] = []
    local: list[str] = []
    for spec in specs:
        if is_remote(spec):
            import fsspec

            try:
                fs, _, paths = fsspec.get_fs_token_paths(spec)
                files: list[str] = []
                for p in paths:
                    if fs.isdir(p):
                        files.extend(sorted(f for f in fs.find(p) if f.lower().endswith(ALL_SUFFIXES)))
                    else:
                        files.append(p)
            except Exception as exc:  # network, auth, missing repo...
                raise InputError(f"{spec}: cannot list remote input ({type(exc).__name__}: {exc})") from exc
            if not files:
                raise InputError(f"{spec}: no parquet or jsonl files found")
            protocol = spec.split("://", 1)[0]
            out.extend(f if "://" in f else f"{protocol}://{f}" for f in files)
        else:
            local.append(spec)
    if local:
        for f in resolve_inputs(local, ALL_SUFFIXES, outputs, command):
            file_format(str(f))
            out.append(str(f.resolve()))
    return out


def _first_record_fields(path: str) -> dict[str, str] | None:
    """Column / field names of a local input shard and their types ("string" for text), or None
    if it cannot be told cheaply (remote). Parquet: the schema; JSONL: the first record."""
    if is_remote(path):
        return None
    try:
        if file_format(path) == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            def kind(t: pa.DataType) -> str:
                if pa.types.is_dictionary(t):
                    t = t.value_type
                text = pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)
                return "string" if text else str(t)

            return {f.name: kind(f.type) for f in pq.ParquetFile(path).schema_arrow}
        from datatrove.io import open_file

        with open_file(path, "rb", compression="infer") as fh:
            for lineno, line in enumerate(fh, 1):
                if line.strip():
                    rec = jsonio.parse(line, path, line=lineno)
                    if not isinstance(rec, dict):
                        return {}
                    return {k: "string" if isinstance(v, str) or v is None else type(v).__name__  # null: one empty row
                            for k, v in rec.items()}
    except InputError:
        raise
    except Exception as exc:  # unreadable: say so now, in one line, rather than in a worker
        raise InputError(f"{path}: unreadable input shard ({type(exc).__name__}: {str(exc)[:200]})") from exc
    return None


def check_text_key(path: str, text_key: str) -> None:
    """Fail before any task starts when the text column is missing or not text, with a ``--text-key`` hint.

    Why the type too: an integer column would reach every filter as non-text and the run would end
    with "no document was kept", which names the symptom, not the column.
    """
    fields = _first_record_fields(path)
    if fields is None:
        return
    keys = list(fields)
    if text_key in fields:
        if fields[text_key] != "string":
            others = [k for k, t in fields.items() if t == "string" and k != text_key]
            hint = f"; pass --text-key {others[0]}" if others else ""
            raise InputError(f"{path}: column {text_key!r} is {fields[text_key]}, expected text (a string "
                             f"column){hint}")
        return
    guess = next((k for k in TEXT_LIKE if k in keys), None)
    hint = f"; pass --text-key {guess}" if guess else "; pass --text-key NAME"
    raise InputError(f"{path}: no {text_key!r} column/field (found: {', '.join(keys[:12]) or 'none'}){hint}")


class WebAdapter:
    """datatrove reader ``adapter``: text, id (``<file>/<row>`` when absent) and url."""

    def __init__(self, source: str):
        self.source = source

    def __call__(self, reader, data: dict, path: str, id_in_file: int | str) -> dict:
        doc_id = data.get(reader.id_key)
        metadata = {"source": self.source}
        nested = data.get("metadata")
        url = data.get("url") or (nested.get("url") if isinstance(nested, dict) else None)
        if url:
            metadata["url"] = url
        text = data.get(reader.text_key)
        return {
            "text": text if isinstance(text, str) or text is None else str(text),
            "id": str(doc_id) if doc_id is not None else f"{os.path.basename(path)}/{id_in_file}",
            "metadata": metadata,
        }


def _common_root(files: Sequence[str]) -> tuple[str, list[str]]:
    """Common folder of ``files`` (same protocol) and the paths relative to it."""
    protocol = ""
    if "://" in files[0]:
        protocol = files[0].split("://", 1)[0] + "://"
    bare = [f[len(protocol):] if protocol else f for f in files]
    root = os.path.commonpath([os.path.dirname(b) or "/" for b in bare]) if len(bare) > 1 else os.path.dirname(bare[0])
    return protocol + root, [os.path.relpath(b, root) for b in bare]


def web_readers(files: Sequence[str], paths_dir: Path, text_key: str = "text", id_key: str = "id",
                source: str = "web", limit: int = -1, write_paths: bool = True, add_file_path: bool = False) -> list:
    """datatrove readers for ``files`` (one per format), their file lists written to ``paths_dir``.

    ``add_file_path``: datatrove's option of that name (``metadata["file_path"]`` on every page).
    """
    from datatrove.pipeline.readers import JsonlReader, ParquetReader

    readers = []
    for fmt, cls in (("parquet", ParquetReader), ("jsonl", JsonlReader)):
        mine = [f for f in files if file_format(f) == fmt]
        if not mine:
            continue
        root, rel = _common_root(mine)
        paths_file = paths_dir / f"{fmt}-inputs.txt"
        if write_paths:
            paths_dir.mkdir(parents=True, exist_ok=True)
            paths_file.write_text("\n".join(rel) + "\n", encoding="utf-8")
        kwargs = {} if cls is ParquetReader else {"add_file_path": add_file_path}
        reader = cls(root, paths_file=str(paths_file), limit=limit, text_key=text_key, id_key=id_key,
                     adapter=WebAdapter(source), **kwargs)
        if cls is ParquetReader:
            # BaseDiskReader's documented option, which ParquetReader (datatrove 0.10.1) does not
            # forward from its constructor: the public attribute BaseDiskReader stores it in
            reader.add_file_path = add_file_path
        readers.append(reader)
    return readers
