"""Child processes that die with us: trainers, inference servers, workers.

Why: an engine runs as a process group (``llamafactory-cli`` -> ``torchrun`` -> one worker per
GPU; SGLang's router and its workers). If ``anestools`` is killed with ``kill -9`` (OOM killer,
``scancel`` escalation, a lost node), nothing of ours runs to stop them: the trainer goes on
writing checkpoints and a ``--resume auto`` starts a second one on the same directory.

Two mechanisms, both in the kernel's hands once started:

- the direct child asks for ``SIGTERM`` when its parent dies (``PR_SET_PDEATHSIG`` on Linux);
- a tiny guardian process (:mod:`anestools.common._guard`) reads a pipe whose only writer is
  us; end of file means we died, and it kills the child's whole process group (SIGTERM, then
  SIGKILL after a grace period). It also holds our output locks
  (:func:`anestools.common.lock.held_lock_fds`) until the group is gone, so a second run into
  the same directory is refused while any of the first one's processes lives.

Processes a library forks for us (datatrove's local worker pool and its ``Manager``) are not
started through :func:`guarded_group`; inside :func:`forks_die_with_us` every ``fork()`` of
this process gets ``PR_SET_PDEATHSIG`` in the child, so they die with us as well (they share
our output lock's open file, so a second run is refused until the last of them is gone).
Exec'ed pool workers (``spawn``, ``forkserver``) run no at-fork hook: every pool worker calls
:func:`die_with_driver` first (a pool ``initializer``, or :class:`WorkerDiesWithDriver` at the
head of a datatrove pipeline), whatever its start method.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from anestools.common.lock import held_lock_fds

PR_SET_PDEATHSIG = 1
GUARD = Path(__file__).with_name("_guard.py")


def _prctl():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()  # loaded before any fork: nothing but a syscall runs in the child


def _die_with_parent(parent: int, sig: int):
    """``preexec_fn``: deliver ``sig`` to this child when its parent exits."""

    def apply() -> None:
        if _PRCTL is not None:
            _PRCTL(PR_SET_PDEATHSIG, sig, 0, 0, 0)
        if os.getppid() != parent:  # the parent died between fork and prctl
            os.kill(os.getpid(), sig)

    return apply


_watching = False  # die_with_driver() ran in this process


def die_with_driver(sig: int = signal.SIGKILL) -> None:
    """First call in a worker process a pool started, whatever its start method: die with the driver.

    For ``ProcessPoolExecutor`` / ``multiprocessing.Pool`` ``initializer``s (qa's language pool)
    and, through :class:`WorkerDiesWithDriver`, for datatrove's local pool, whose ``spawn`` /
    ``forkserver`` workers are exec'ed: no at-fork hook runs in them. Two mechanisms:

    - ``PR_SET_PDEATHSIG``: the kernel sends ``sig`` when the worker's parent dies, at once
      even if the worker is busy in C code. The parent is the driver with ``fork`` / ``spawn``;
      with ``forkserver`` it is the fork server, which waits for its clients (the workers
      included) to end, so this alone would never fire there;
    - a daemon thread waits on ``parent_process()`` (the pipe only the driver holds: its end is
      seen even while the dead driver is not yet reaped) and then sends ``sig`` to the worker.
      It covers ``forkserver`` and closes the race of a driver that died before the ``prctl``.

    ``SIGKILL`` by default: a worker blocked on a queue whose other end died would wait forever,
    and qa's workers ignore SIGTERM. Once the workers are gone, multiprocessing's resource
    tracker (and the fork server) see the end of their pipes and exit by themselves. A no-op
    outside a multiprocessing child (a one-worker run in the driver itself, a Slurm or Ray
    task). ``PR_SET_PDEATHSIG`` is Linux-only, and its "parent" is the thread that created the
    worker: our pools are created by the main thread.
    """
    global _watching
    parents = [p for name in ("multiprocessing", "multiprocess")
               if (mod := sys.modules.get(name)) is not None and (p := mod.parent_process()) is not None]
    if not parents or _watching:
        return
    _watching = True
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, sig, 0, 0, 0)
    for parent in parents:
        threading.Thread(target=_signal_self_after, args=(parent, sig), daemon=True,
                         name="anestools-die-with-driver").start()


def _signal_self_after(parent: Any, sig: int) -> None:
    parent.join()  # returns once the driver is gone (at once if it already is)
    os.kill(os.getpid(), sig)


class WorkerDiesWithDriver:
    """A datatrove pipeline entry (a plain callable, so no stats): :func:`die_with_driver` in a pool worker.

    datatrove's ``LocalPipelineExecutor`` takes no pool ``initializer``. A task reaches a worker
    pickled, pipeline included, so unpickling this object is the first code of ours a worker
    runs (before the task takes its rank from datatrove's ``Manager``); calling it, first in
    the pipeline, does it again for a task run in the driver (a no-op there). Outside a
    multiprocessing child (Slurm, Ray) both are no-ops.
    """

    def __repr__(self) -> str:  # datatrove logs each pipeline entry
        return "worker dies with the driver"

    def __reduce__(self) -> tuple[Any, tuple]:
        return _revived_in_worker, ()

    def __call__(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Any:
        die_with_driver()
        return data


def _revived_in_worker() -> WorkerDiesWithDriver:
    die_with_driver()
    return WorkerDiesWithDriver()


_fork_guard: int | None = None  # signal for children forked inside forks_die_with_us()
_forking_parent = 0


def _before_fork() -> None:
    global _forking_parent
    _forking_parent = os.getpid()


def _after_fork_in_child() -> None:
    if _fork_guard is None or _PRCTL is None:
        return
    _PRCTL(PR_SET_PDEATHSIG, _fork_guard, 0, 0, 0)
    if os.getppid() != _forking_parent:  # the parent died between fork and prctl
        os.kill(os.getpid(), _fork_guard)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)


@contextlib.contextmanager
def forks_die_with_us(sig: int = signal.SIGKILL) -> Iterator[None]:
    """Children ``fork()``-ed in this block (and their own forks) get ``sig`` when their parent dies.

    For worker pools started by a library (datatrove's ``LocalPipelineExecutor``): nothing in
    its API lets us start them through :func:`guarded_group`, but every fork runs the
    interpreter's at-fork hooks. ``SIGKILL`` by default: a pool worker blocked on a queue whose
    other end died would otherwise wait forever. Processes started with ``exec`` (``spawn``,
    ``forkserver``, ``subprocess``) are not covered: pool workers call :func:`die_with_driver`. No-op off Linux.
    """
    global _fork_guard
    previous, _fork_guard = _fork_guard, sig
    try:
        yield
    finally:
        _fork_guard = previous


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def kill_group(proc: subprocess.Popen, grace: float = 15.0) -> None:
    """SIGTERM the process group led by ``proc``, SIGKILL it after ``grace`` seconds."""
    if proc.poll() is not None and not _group_alive(proc.pid):
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if proc.poll() is not None and not _group_alive(proc.pid):
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


class _Guard:
    """The guardian of one group; ``stop()`` tells it we cleaned up ourselves."""

    def __init__(self, pgid: int, grace: float) -> None:
        read_fd, self._write_fd = os.pipe()  # both non-inheritable: only the guardian gets read_fd
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-S", "-I", str(GUARD), str(pgid), str(grace)],
                stdin=read_fd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                pass_fds=held_lock_fds(), start_new_session=True,
            )
        except BaseException:
            os.close(self._write_fd)
            raise
        finally:
            os.close(read_fd)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._write_fd, b"q")
        with contextlib.suppress(OSError):
            os.close(self._write_fd)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - the guardian exits at once on "q"
            self.proc.kill()
            self.proc.wait()


@contextlib.contextmanager
def guarded_group(argv: Sequence[str], *, grace: float = 15.0, **popen_kwargs: Any
                  ) -> Iterator[subprocess.Popen]:
    """Start ``argv`` as the leader of a new process group that cannot outlive us.

    ``popen_kwargs`` go to ``subprocess.Popen`` (``stdout``, ``env``...). On leaving the block
    (normally, on error or Ctrl-C) the group gets SIGTERM, then SIGKILL after ``grace``
    seconds; if we are killed instead, the guardian does the same. ``OSError`` from starting
    ``argv`` propagates (the caller names the engine).
    """
    for key in ("start_new_session", "preexec_fn", "process_group"):
        if key in popen_kwargs:
            raise TypeError(f"guarded_group sets {key} itself")
    proc = subprocess.Popen(list(argv), start_new_session=True,
                            preexec_fn=_die_with_parent(os.getpid(), signal.SIGTERM), **popen_kwargs)
    try:
        guard = _Guard(proc.pid, grace)
    except BaseException:
        kill_group(proc, grace)
        raise
    try:
        yield proc
    finally:
        try:
            kill_group(proc, grace)
        finally:
            guard.stop()
