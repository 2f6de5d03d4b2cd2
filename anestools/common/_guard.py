"""Guardian of one child process group: kill the group when its parent dies.

Started by :func:`anestools.common.proc.guarded_group` as ``python -S -I _guard.py PGID GRACE``
with the read end of a pipe as stdin; the parent keeps the only write end. The parent writes
``q`` when it has stopped the group itself. End of file without ``q`` means the parent died
(``kill -9`` included): SIGTERM the group, SIGKILL it after ``GRACE`` seconds, and only exit
once it is gone. Output locks passed in by the parent stay held until then. Standard library
only and no imports of anestools: it must start fast and work in any interpreter.
"""

import contextlib
import os
import signal
import sys
import time


def _alive(pgid: int) -> bool:
    """A live (not zombie) process is in group ``pgid``: zombies wait for a reaper we do not control."""
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return True
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != b"Z":
            return True
    return False


def _signal(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def main() -> None:
    pgid, grace = int(sys.argv[1]), float(sys.argv[2])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    while True:
        try:
            data = os.read(0, 1)
        except InterruptedError:
            continue
        break
    if data == b"q":
        return
    _signal(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while _alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.1)
    _signal(pgid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while _alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.1)


if __name__ == "__main__":
    main()
