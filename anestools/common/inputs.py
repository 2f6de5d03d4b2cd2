"""Input discovery: files, directories (recursive) and globs, plus remote ``hf://`` paths.

Shared by every stage that takes ``INPUT...`` arguments so that they all accept the same forms,
and the one place that knows which files found in a folder are *not* inputs:

* the current command's own outputs (:class:`anestools.common.paths.Output`): a run directory
  inside the input folder, or the named files it is about to replace (``convert in -o in``);
* bookkeeping of any anestools run: names starting with ``.`` or ``_`` (temporary files
  ``.NAME.XXXXXXXX.tmp``, the lock ``.anestools.lock``, ``_logs``, ``_work``, ``_journal.jsonl``,
  ``_dropped.jsonl``, ``_SUCCESS``, a partial QA set ``_anesqa.partial.parquet``);
* a LLaMA-Factory data folder's ``dataset_info.json`` and the files it registers (what
  ``convert`` wrote: its records are training data, not AnesCorpus/AnesQA rows).

A file named explicitly is taken as given (the user meant it), and every file found, named or
not, must belong to a finished run (:func:`anestools.common.corpus_marker.check_complete`).
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from anestools.common.corpus_marker import check_complete
from anestools.common.paths import Output, check_io, excluded, real
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


DATASET_INFO = "dataset_info.json"


class _Registered:
    """Files a LLaMA-Factory ``dataset_info.json`` registers, per folder (read once per folder)."""

    def __init__(self) -> None:
        self._by_folder: dict[Path, frozenset[str]] = {}

    def __call__(self, f: Path) -> bool:
        folder = f.parent
        if folder not in self._by_folder:
            self._by_folder[folder] = _registered_names(folder / DATASET_INFO)
        names = self._by_folder[folder]
        return f.name in names


def _registered_names(info: Path) -> frozenset[str]:
    """``file_name`` values of ``info`` (a non-empty set marks the folder as a LLaMA-Factory one)."""
    import json

    try:
        data = json.loads(info.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset()
    if not isinstance(data, dict):
        return frozenset()
    names = {v.get("file_name") for v in data.values() if isinstance(v, dict)}
    return frozenset(n for n in names if isinstance(n, str)) | {DATASET_INFO}


def _scan_ok(f: Path, root: Path | None, outputs: Sequence[Output], registered: _Registered) -> bool:
    """A file found in a folder scan or a glob is an input (see the module docstring)."""
    if root is not None and _hidden(f, root):
        return False
    if f.name.startswith((".", "_")):
        return False
    return not excluded(real(f), outputs) and not registered(f)


def expand_local(specs: Iterable[str], suffixes: Sequence[str], outputs: Sequence[Output] = ()) -> list[Path]:
    """Resolve files, directories (searched recursively) and globs to a sorted file list.

    Directories yield files whose name ends with one of ``suffixes``; directories and globs skip
    what is not an input (``outputs`` of the current run, bookkeeping, LLaMA-Factory files: the
    module docstring). Explicit files are taken as given. A spec that matches nothing is an
    error naming it; so is a file of an unfinished corpus or QA run.
    """
    out: list[Path] = []
    registered = _Registered()
    for spec in specs:
        _check_name(spec)
        p = Path(spec).expanduser()
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file() and f.name.endswith(tuple(suffixes)) and _scan_ok(f, p, outputs, registered)
            )
            if not found:
                mine = outputs and any(excluded(real(f), outputs) for f in p.rglob("*") if f.is_file())
                raise InputError(f"{spec}: directory contains no {'/'.join(suffixes)} files"
                                 + (" besides this command's own outputs" if mine else ""))
            for f in found:
                _check_name(str(f))
            out.extend(found)
        elif p.is_file():
            out.append(p)
        elif any(c in spec for c in "*?["):
            found = sorted(Path(f) for f in glob.glob(os.path.expanduser(spec), recursive=True))
            found = [f for f in found if f.is_file() and _scan_ok(f, None, outputs, registered)]
            if not found:
                raise InputError(f"{spec}: glob matches no files")
            for f in found:
                _check_name(str(f))
            out.extend(found)
        else:
            raise InputError(f"{spec}: no such file or directory")
    for f in out:
        check_complete(f)
    # De-duplicate while keeping order (a file named twice is read once).
    seen: set[Path] = set()
    unique = []
    for f in out:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def resolve_inputs(specs: Sequence[str], suffixes: Sequence[str], outputs: Sequence[Output],
                   command: str) -> list[Path]:
    """:func:`check_io` on ``specs``, then :func:`expand_local` leaving ``outputs`` out.

    The entry point of every command that reads local ``INPUT...`` and writes ``outputs``.
    """
    check_io(specs, outputs, command)
    return expand_local(specs, suffixes, outputs)
