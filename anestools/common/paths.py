"""Outputs never are, hold or overwrite inputs: the one check every command with both makes.

Usage::

    from anestools.common.paths import Output, check_io

    outs = [Output.run_dir(out)]                              # qa, corpus, eval, train: owns the tree
    outs = [Output.files(out, ["AnesCorpus_en.jsonl", "dataset_info.json"])]  # convert: named files
    outs = [Output.file(report_md)]                           # eval report: one file
    check_io(inputs, outs, "qa translate")                    # InputError (exit 2) naming both

Two kinds of output, because they differ in what a rerun, ``--overwrite`` or ``--no-resume`` may
touch:

* a **run directory** belongs to the command as a whole (journals, logs, shards, summary,
  temporary files it cleans up), so no input may be that directory or lie anywhere under it;
* **named files** in a folder the user shares (convert's dataset files and ``dataset_info.json``,
  eval report's files): only those names are written, so an input may sit next to them, but no
  input may be one of them.

An output *inside* an input folder is allowed: the input expander
(:func:`anestools.common.inputs.expand_local`) leaves the output's paths out of that folder's
files, so a rerun never reads its own output back. Paths are compared after resolving symlinks.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from anestools.errors import InputError


def real(path: str | os.PathLike[str]) -> Path:
    """``path`` absolute, ``~`` expanded and symlinks resolved (it need not exist)."""
    return Path(os.path.realpath(os.path.expanduser(os.fspath(path))))


def inside(path: Path, folder: Path) -> bool:
    """``path`` is ``folder`` or lies under it (both already :func:`real`)."""
    return path == folder or folder in path.parents


@dataclass(frozen=True)
class Output:
    """Where a command writes: a run directory it owns, or named files (``names``) in ``path``."""

    path: Path
    owns_tree: bool
    names: tuple[str, ...] = field(default=())

    @classmethod
    def run_dir(cls, path: str | os.PathLike[str]) -> Output:
        return cls(real(path), True)

    @classmethod
    def files(cls, folder: str | os.PathLike[str], names: Iterable[str]) -> Output:
        return cls(real(folder), False, tuple(names))

    @classmethod
    def file(cls, path: str | os.PathLike[str]) -> Output:
        p = real(path)
        return cls(p.parent, False, (p.name,))

    def covers(self, path: Path) -> bool:
        """``path`` (real) is written by this output: under its run directory, or a named file."""
        if self.owns_tree:
            return inside(path, self.path)
        return path.parent == self.path and path.name in self.names

    def describe(self, path: Path) -> str:
        """How ``path`` (covered by this output) clashes with it, for the one-line refusal."""
        if self.owns_tree:
            where = "is the output folder" if path == self.path else f"lies inside the output folder {self.path}"
            return f"{where} (a run directory: reruns, --overwrite and --no-resume replace what is in it)"
        return f"is also its output file {path} (which it would replace)"


def _local(spec: str | os.PathLike[str]) -> bool:
    from anestools.common.inputs import is_remote, looks_like_hub_id

    s = os.fspath(spec)
    return not is_remote(s) and not (looks_like_hub_id(s.split(":", 1)[0]) and not os.path.exists(s))


def _glob_root(spec: str) -> str:
    """The fixed folder in front of a glob (``data/*/x.parquet`` -> ``data``)."""
    head = []
    for part in Path(spec).parts:
        if any(c in part for c in "*?["):
            break
        head.append(part)
    return os.path.join(*head) if head else "."


def check_io(inputs: Iterable[str | os.PathLike[str]], outputs: Sequence[Output], command: str) -> None:
    """Refuse (``InputError``, exit 2) when an output is an input, holds one or would overwrite one.

    ``inputs``: the command's local input specs or resolved files (files, folders, globs;
    remote URLs and Hub ids are skipped). Call it before anything is written or deleted: the
    refusal then changes nothing, whatever ``--overwrite`` / ``--no-resume`` say. An input
    *folder* that contains a run directory is fine (the expander leaves it out); one that is, or
    lies in, a run directory is refused, as is any input that is one of the named output files.
    """
    for spec in inputs:
        if not _local(spec):
            continue
        s = os.fspath(spec)
        glob = any(c in s for c in "*?[")
        p = real(_glob_root(s) if glob else s)
        for out in outputs:
            if out.covers(p) if not glob else (out.owns_tree and inside(p, out.path)):
                where = p / "*" if glob else p  # what a glob matches lies inside its fixed folder
                raise InputError(f"{s}: this input of {command} {out.describe(where)}; choose an --output "
                                 "that neither is nor contains an input")


def excluded(path: Path, outputs: Sequence[Output]) -> bool:
    """``path`` (real) is written by one of ``outputs``: never read as an input of that run."""
    return any(o.covers(path) for o in outputs)
