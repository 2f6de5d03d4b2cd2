"""Fixtures for the eval tests: a real loopback OpenAI-compatible server in its own process."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request

import pytest

from anestools.runtime.engines import free_port, kill_group


def _wait(url: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"fake server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("fake server did not start")


@pytest.fixture()
def fake_server():
    """``start(delay=..., fail_status=..., fail_first=..., vague=..., truncate=..., think=...)`` -> base URL (``http://127.0.0.1:P/v1``)."""
    procs: list[subprocess.Popen] = []

    def start(delay: float = 0.0, fail_status: int | None = None, fail_first: int = 0, vague: int = 0,
              truncate: bool = False, constrained: str | None = None, tokenizer: str | None = None,
              think: bool = False) -> str:
        port = free_port()
        argv = [sys.executable, "-m", "anestools.testing.fake_server", "--port", str(port), "--delay", str(delay),
                "--fail-first", str(fail_first), "--vague", str(vague)]
        if fail_status:
            argv += ["--fail-status", str(fail_status)]
        if truncate:
            argv.append("--truncate")
        if think:
            argv.append("--think")
        if constrained:
            argv += ["--constrained", constrained]
        if tokenizer:
            argv += ["--tokenizer", tokenizer]
        proc = subprocess.Popen(argv, start_new_session=True, stdout=subprocess.DEVNULL)
        procs.append(proc)
        _wait(f"http://127.0.0.1:{port}/health", proc)
        return f"http://127.0.0.1:{port}/v1"

    yield start
    for p in procs:
        kill_group(p, grace=5)
