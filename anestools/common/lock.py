"""One writer per output directory: an ``fcntl`` lock file taken for the whole run.

Why: checks such as "does the output exist?" run long before the final ``os.replace``; two
runs writing into the same directory both pass them and silently replace (or duplicate) each
other's work. A lock held from before the checks until after the last write makes the second
run refuse at once with one line naming the first one's pid and command.

Why ``flock`` on a file inside the directory: the kernel releases it when the holder dies
(``kill -9`` included), so a crash never leaves a stale lock to clean by hand. Children started
through :func:`anestools.common.proc.guarded_group` keep the lock until their whole process
group is gone, so a second run cannot start while the first one's trainer or server still
writes. The file is removed on release; a run that created the directory and wrote nothing
removes the directory too (a refused run changes nothing).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from anestools.errors import InputError, OutputLockedError

LOCK_NAME = ".anestools.lock"

_held: dict[int, Path] = {}  # fd -> directory, for the children that must keep the lock


def held_lock_fds() -> tuple[int, ...]:
    """File descriptors of the output locks this process holds (passed on to guarded children)."""
    return tuple(_held)


def _describe(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return "another process"
    return text.splitlines()[0] if text else "another process"


def _acquire(path: Path) -> int:
    """Open and ``flock`` ``path``; retry when the file was replaced while we waited for it."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise OutputLockedError(
                    f"{path.parent} is being written by {_describe(path)}; wait for it to finish "
                    "or choose another output") from None
            raise
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the previous holder removed the file after we opened it: try the new one


@contextlib.contextmanager
def output_lock(directory: str | os.PathLike[str], command: str | None = None) -> Iterator[Path]:
    """Hold the write lock of ``directory`` (created if missing) for the ``with`` block.

    Raises ``OutputLockedError`` (one line) when another process holds it, ``InputError``
    when ``directory`` exists and is not a directory. Yields the directory.
    """
    d = Path(directory)
    if d.exists() and not d.is_dir():
        raise InputError(f"{d}: the output must be a directory, but a file with that name exists")
    created = not d.exists()
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{d}: cannot create the output directory ({exc.strerror or exc})") from exc
    path = d / LOCK_NAME
    try:
        fd = _acquire(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot create the lock file ({exc.strerror or exc})") from exc
    except OutputLockedError:
        if created:
            with contextlib.suppress(OSError):
                d.rmdir()
        raise
    what = command or "anestools " + " ".join(sys.argv[1:3])
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} ({what})\n".encode())
    _held[fd] = d
    try:
        yield d
    finally:
        _held.pop(fd, None)
        with contextlib.suppress(OSError):
            path.unlink()  # while still locked: a waiter re-checks the inode and retries
        os.close(fd)
        if created:
            with contextlib.suppress(OSError):
                d.rmdir()  # only succeeds when the run wrote nothing


def is_lock_file(name: str) -> bool:
    """True for the lock file's name (ignored when deciding whether a directory is empty)."""
    return name == LOCK_NAME
