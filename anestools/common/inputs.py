"""Input discovery: files, directories (recursive) and globs, plus remote ``hf://`` paths.

Shared by every stage that takes ``INPUT...`` arguments so that they all accept the same forms.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from anestools.errors import InputError

REMOTE_PREFIXES = ("hf://", "s3://", "gs://", "gcs://", "az://", "abfs://", "http://", "https://")


def is_remote(spec: str) -> bool:
    """True for fsspec URLs such as ``hf://datasets/...`` (read through fsspec, not the disk)."""
    return spec.startswith(REMOTE_PREFIXES)


# Suffixes of data files: ``in/nope.parquet`` is a missing file, not the Hub dataset "in/nope.parquet".
DATA_SUFFIXES = (".parquet", ".pq", ".json", ".jsonl", ".csv", ".tsv", ".txt", ".arrow", ".xml", ".nxml",
                 ".gz", ".bz2", ".xz", ".zst", ".tar", ".zip", ".yaml", ".yml", ".safetensors", ".bin")


def looks_local(spec: str) -> bool:
    """A path the user meant on this disk, even if it does not exist (so never a Hub id).

    It exists, starts with ``.``, ``/`` or ``~``, ends with a data-file suffix, or its first
    component is an existing directory (``data/missing`` when ``data/`` exists).
    """
    if os.path.exists(spec) or spec.startswith((".", "/", "~")) or "\\" in spec:
        return True
    if spec.lower().endswith(DATA_SUFFIXES):
        return True
    head = spec.split("/", 1)[0]
    return "/" in spec and os.path.isdir(head)


def looks_like_hub_id(spec: str) -> bool:
    """``owner/name`` that is not a local path: a Hugging Face dataset id."""
    if is_remote(spec) or any(c in spec for c in "*?[") or looks_local(spec):
        return False
    parts = spec.split("/")
    return len(parts) == 2 and all(parts)


def _hidden(path: Path, root: Path) -> bool:
    rel = path.relative_to(root).parts if path != root else ()
    return any(p.startswith((".", "_")) for p in rel)


def _check_name(path: str) -> None:
    """File names must be UTF-8: they are shown, logged and passed to readers that need text."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(path).decode("utf-8", "backslashreplace")
        raise InputError(f"{shown}: the file name is not valid UTF-8; rename it") from None


def expand_local(specs: Iterable[str], suffixes: Sequence[str]) -> list[Path]:
    """Resolve files, directories (searched recursively) and globs to a sorted file list.

    Directories yield files whose name ends with one of ``suffixes`` and skip hidden/underscore
    entries (temporary files, ``_logs``). Explicit files are taken as given. A spec that matches
    nothing is an error naming it.
    """
    out: list[Path] = []
    for spec in specs:
        _check_name(spec)
        p = Path(spec).expanduser()
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file() and f.name.endswith(tuple(suffixes)) and not _hidden(f, p)
            )
            if not found:
                raise InputError(f"{spec}: directory contains no {'/'.join(suffixes)} files")
            for f in found:
                _check_name(str(f))
            out.extend(found)
        elif p.is_file():
            out.append(p)
        elif any(c in spec for c in "*?["):
            found = sorted(Path(f) for f in glob.glob(os.path.expanduser(spec), recursive=True))
            found = [f for f in found if f.is_file()]
            if not found:
                raise InputError(f"{spec}: glob matches no files")
            for f in found:
                _check_name(str(f))
            out.extend(found)
        else:
            raise InputError(f"{spec}: no such file or directory")
    # De-duplicate while keeping order (a file named twice is read once).
    seen: set[Path] = set()
    unique = []
    for f in out:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique
