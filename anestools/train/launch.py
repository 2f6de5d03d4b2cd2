"""Start ``llamafactory-cli train CONFIG`` as a child process and supervise it.

Why a process group: ``llamafactory-cli`` starts ``torchrun``, which starts one worker per
GPU. Ctrl-C or a Slurm ``SIGTERM`` sent to us alone would orphan those workers (still holding
GPU memory), so the child gets its own group and we forward the signal to the whole group,
then wait for it to exit and return its code. If we are killed outright, the group is killed
by :func:`anestools.common.proc.guarded_group`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from anestools.common.proc import guarded_group

FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def free_port() -> int:
    """A TCP port free right now on this host (single-node rendezvous)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def launch_env(
    nproc: int, nnodes: int, node_rank: int, master_addr: str, master_port: int
) -> dict[str, str]:
    """The variables LLaMA-Factory's launcher reads to build its ``torchrun`` command."""
    return {
        "FORCE_TORCHRUN": "1",
        "NPROC_PER_NODE": str(nproc),
        "NNODES": str(nnodes),
        "NODE_RANK": str(node_rank),
        "MASTER_ADDR": master_addr,
        "MASTER_PORT": str(master_port),
    }


def child_env(added: Mapping[str, str], launcher: Path) -> dict[str, str]:
    """Our environment + ``added``, with the launcher's bin dir first on PATH (for ``torchrun``)."""
    env = dict(os.environ)
    env.update(added)
    env["PATH"] = str(launcher.parent) + os.pathsep + env.get("PATH", "")
    # A stray rank from an enclosing launcher would make the child join the wrong group.
    for var in ("WORLD_SIZE", "RANK", "LOCAL_RANK", "LOCAL_WORLD_SIZE"):
        env.pop(var, None)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def run_streaming(
    command: list[str],
    env: Mapping[str, str],
    log_path: Path,
    echo: Callable[[bytes], None] | None = None,
) -> int:
    """Run ``command``; stream its output to ``echo`` and append it to ``log_path``.

    Returns the child's exit code (``128 + N`` when it died from signal N, as a shell does).
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log, contextlib.ExitStack() as stack:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        log.write(f"=== anestools train {stamp}: {' '.join(command)}\n".encode())
        log.flush()
        # The trainer's group dies with us, even on kill -9 (anestools.common.proc).
        proc = stack.enter_context(
            guarded_group(command, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        )

        def forward(signum: int, _frame: object) -> None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signum)

        previous: dict[int, object] = {}
        if threading.current_thread() is threading.main_thread():
            for sig in FORWARDED_SIGNALS:
                previous[sig] = signal.signal(sig, forward)
        try:
            assert proc.stdout is not None
            fd = proc.stdout.fileno()
            # Raw chunks, not lines: tqdm progress bars redraw with '\r' and must show live.
            while chunk := os.read(fd, 65536):
                log.write(chunk)
                log.flush()
                if echo is not None:
                    echo(chunk)
            rc = proc.wait()
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()
            raise
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)  # type: ignore[arg-type]
    return 128 - rc if rc < 0 else rc
