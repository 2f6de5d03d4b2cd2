"""Atomic file output: write to a temporary sibling, then ``os.replace`` onto the final name.

Why: a crash, Ctrl-C or error mid-write must never leave a half-written file under the final
name that a later stage would mistake for a complete one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from anestools.errors import OutputExistsError


def check_writable(path: Path, overwrite: bool) -> None:
    """Raise ``OutputExistsError`` if ``path`` exists and ``overwrite`` is false."""
    if path.exists() and not overwrite:
        raise OutputExistsError(f"{path} already exists (pass --overwrite to replace it)")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` only on success.

    The temporary name starts with ``.`` and ends with ``.tmp`` so that directory scans and
    globs such as ``*.jsonl`` never pick it up. On any exception (KeyboardInterrupt included)
    the temporary file is removed and the exception propagates.
    """
    final = Path(path)
    check_writable(final, overwrite)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp creates 0600; published files get the usual permissions (0666 minus umask).
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield tmp
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def atomic_open(
    path: str | os.PathLike[str], mode: str = "wb", overwrite: bool = False, **kwargs
) -> Iterator[IO]:
    """Open a temporary sibling of ``path`` for writing; publish it atomically on close."""
    with atomic_path(path, overwrite=overwrite) as tmp, open(tmp, mode, **kwargs) as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())
