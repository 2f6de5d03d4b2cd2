"""Atomic file output: write to a temporary sibling, then ``os.replace`` onto the final name.

Why: a crash, Ctrl-C or error mid-write must never leave a half-written file under the final
name that a later stage would mistake for a complete one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from anestools.errors import OutputExistsError, OutputWriteError

# errno values that mean "the disk said no", not "the program is wrong".
DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO})
# ``.NAME.XXXXXXXX.tmp``: the names ``atomic_path`` gives its temporary files (mkstemp's 8 chars).
_TEMP_RE = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


def write_error(exc: OSError, path: str | os.PathLike[str]) -> OSError | OutputWriteError:
    """The one-line error for a failed write of ``path``: disk errors become ``OutputWriteError``."""
    if exc.errno in DISK_ERRNOS:
        return OutputWriteError(f"{path}: cannot write ({exc.strerror or os.strerror(exc.errno or 0)}); "
                                "nothing was published under this name")
    return exc


def _reraise(exc: OSError, path: str | os.PathLike[str]) -> None:
    err = write_error(exc, path)
    if err is exc:
        raise exc
    raise err from exc


def remove_stale_temps(directory: str | os.PathLike[str], recursive: bool = False) -> list[Path]:
    """Delete the temporary files a killed run left in ``directory`` (``atomic_path`` names only).

    ``recursive``: also in its subfolders (a corpus output, whose logs and markers are written
    at several depths). Only call it while holding the directory's output lock
    (:mod:`anestools.common.lock`): then no other anestools process is writing there, so every
    such file is stale.
    """
    removed = []
    for folder in _folders(Path(directory), recursive):
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            for entry in os.scandir(folder):
                if _TEMP_RE.match(entry.name) and entry.is_file(follow_symlinks=False):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
                        removed.append(Path(entry.path))
    return removed


def _folders(directory: Path, recursive: bool) -> Iterator[Path]:
    yield directory
    if recursive:
        for root, dirs, _ in os.walk(directory):
            yield from (Path(root) / d for d in dirs)


def _temp_sibling(final: Path) -> Path:
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp creates 0600; published files get the usual permissions (0666 minus umask).
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    return tmp


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
    try:
        tmp = _temp_sibling(final)
    except OSError as exc:
        _reraise(exc, final)
    try:
        yield tmp
        os.replace(tmp, final)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        if isinstance(exc, OSError):
            _reraise(exc, final)
        raise


@contextlib.contextmanager
def atomic_paths(paths: Sequence[str | os.PathLike[str]], overwrite: bool = False) -> Iterator[list[Path]]:
    """Like :func:`atomic_path` for files published together: all of them, or none.

    Yields one temporary path per final path. On success they are renamed in order; if a
    rename fails, the files already renamed are rolled back (previous versions restored from a
    hard-link backup, new ones removed), so a reader never sees one without the others.
    """
    finals = [Path(p) for p in paths]
    for f in finals:
        check_writable(f, overwrite)
    tmps: list[Path] = []
    backups: dict[Path, Path | None] = {}  # published final -> hard link to its previous version
    pending: Path | None = None  # backup of the file being renamed right now
    try:
        for f in finals:
            tmps.append(_temp_sibling(f))
        yield tmps
        for f, tmp in zip(finals, tmps):
            if f.exists():
                pending = _temp_sibling(f)
                pending.unlink()
                os.link(f, pending)
            os.replace(tmp, f)
            backups[f], pending = pending, None
    except BaseException as exc:
        for f, backup in backups.items():  # roll back what was published
            with contextlib.suppress(OSError):
                if backup is not None:
                    os.replace(backup, f)
                else:
                    f.unlink()
        for tmp in [*tmps, *([pending] if pending else [])]:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        if isinstance(exc, OSError):
            _reraise(exc, next((f for f in finals if f not in backups), finals[-1]))
        raise
    for backup in backups.values():
        if backup is not None:
            with contextlib.suppress(FileNotFoundError):
                backup.unlink()


@contextlib.contextmanager
def atomic_open(
    path: str | os.PathLike[str], mode: str = "wb", overwrite: bool = False, **kwargs
) -> Iterator[IO]:
    """Open a temporary sibling of ``path`` for writing; publish it atomically on close."""
    with atomic_path(path, overwrite=overwrite) as tmp, open(tmp, mode, **kwargs) as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())
