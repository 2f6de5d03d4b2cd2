"""Inference engines: start an OpenAI-compatible server, wait until healthy, always tear it down.

Why subprocesses with a configurable interpreter: SGLang pins its own torch/transformers and
lives in its own environment (``--engine-python /opt/sglang-env/bin/python``), exactly as the
AnesBench README recommends. The server runs in its own session (process group), so on exit,
error or Ctrl-C the whole group — the router and every data-parallel worker — is killed, and
no orphan keeps holding GPU memory.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from anestools.common.proc import guarded_group, kill_group
from anestools.errors import ConfigError, EngineError

__all__ = ["ENGINES", "Endpoint", "free_port", "kill_group", "open_endpoint", "run_server"]

ENGINES = ("sglang", "transformers", "openai")
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Endpoint:
    """Where to send requests, and what to put in the request's ``model`` field."""

    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    engine: str = "openai"
    command: tuple[str, ...] = ()
    log_path: Path | None = None
    served_models: tuple[str, ...] = ()  # what preflight's /v1/models listed (empty: not asked)

    def client(self, request_timeout: float, retries: int):
        """The async chat client for this endpoint (enter it with ``async with`` in the event loop)."""
        from anestools.runtime.client import ChatClient, RetryPolicy  # aiohttp: only when a run asks

        return ChatClient(self.base_url, self.model, self.api_key, request_timeout=request_timeout,
                          policy=RetryPolicy(retries=retries), served_models=self.served_models)


def default_concurrency(engine: str) -> int:
    """Requests in flight by default: SGLang and remote endpoints batch hundreds; `transformers serve` does not."""
    return 8 if engine == "transformers" else 256


def free_port(host: str = HOST) -> int:
    """A TCP port free right now on ``host`` (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def visible_gpus() -> int:
    """GPUs this process may use: ``CUDA_VISIBLE_DEVICES`` when set, else ``nvidia-smi -L``."""
    env = os.environ.get("CUDA_VISIBLE_DEVICES")
    if env is not None:
        return len([d for d in env.split(",") if d.strip() and d.strip() != "-1"])
    smi = shutil.which("nvidia-smi")
    if not smi:
        return 0
    try:
        out = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return 0
    return sum(1 for line in out.splitlines() if line.startswith("GPU "))


def resolve_dp(dp: str | int, tp: int, gpus: int | None = None) -> int:
    """``--dp auto`` = visible GPUs // tp (at least 1); an explicit N is checked."""
    if tp < 1:
        raise ConfigError("--tp must be >= 1")
    if str(dp).lower() == "auto":
        n = visible_gpus() if gpus is None else gpus
        return max(1, n // tp)
    try:
        value = int(dp)
    except ValueError as exc:
        raise ConfigError(f"--dp must be a positive integer or 'auto', got {dp!r}") from exc
    if value < 1:
        raise ConfigError(f"--dp must be >= 1, got {value}")
    return value


def python_has_module(python: str, module: str) -> bool:
    """Whether ``module`` is importable by the interpreter ``python`` (without importing it)."""
    code = f"import importlib.util,sys; sys.exit(0 if importlib.util.find_spec({module!r}) else 1)"
    try:
        return subprocess.run([python, "-c", code], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def sglang_command(model: str, *, python: str, port: int, host: str = HOST, dp: int = 1, tp: int = 1,
                   extra: Sequence[str] = (), router: bool = True) -> list[str]:
    """argv for SGLang: the router front-end for data parallelism, else the plain server.

    ``router`` says whether ``sglang_router`` is importable in ``python``. With ``dp > 1`` and
    the router present we use ``sglang_router.launch_server`` (cache-aware load balancing over
    ``dp`` workers); otherwise ``sglang.launch_server`` (which still accepts ``--dp-size``).
    """
    module = "sglang_router.launch_server" if (router and dp > 1) else "sglang.launch_server"
    argv = [python, "-m", module, "--model-path", model, "--host", host, "--port", str(port),
            "--tp-size", str(tp)]
    if dp > 1:
        argv += ["--dp-size", str(dp)]
    return argv + list(extra)


def transformers_command(model: str, *, python: str, port: int, host: str = HOST,
                         extra: Sequence[str] = ()) -> list[str]:
    """argv for ``transformers serve`` pinned to ``model`` (requests must name the same model)."""
    launcher = "import sys; from transformers.cli.transformers import main; sys.argv[0] = 'transformers'; sys.exit(main())"
    return [python, "-c", launcher, "serve", "--host", host, "--port", str(port), *extra, model]


def _tail(path: Path, lines: int = 25) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 16384))
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return "(no server log)"
    tail = [ln for ln in text.splitlines() if ln.strip()][-lines:]
    return "\n".join(tail) or "(server log is empty)"


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - loopback URL we built
            return resp.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


@contextlib.contextmanager
def run_server(argv: Sequence[str], *, health_url: str, log_path: Path, timeout: float,
               env: dict[str, str] | None = None, name: str = "server") -> Iterator[subprocess.Popen]:
    """Start ``argv`` in its own process group, wait for ``health_url``, kill the group on exit.

    Raises ``EngineError`` with the tail of the server log when the server exits or is not
    healthy within ``timeout`` seconds.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log, contextlib.ExitStack() as stack:
        log.write(f"$ {' '.join(argv)}\n".encode())
        log.flush()
        try:  # the group dies with us even on kill -9 (anestools.common.proc)
            proc = stack.enter_context(guarded_group(argv, stdout=log, stderr=subprocess.STDOUT,
                                                     stdin=subprocess.DEVNULL, env=env))
        except OSError as exc:
            raise EngineError(f"cannot start {name} ({argv[0]}): {exc.strerror or exc}") from exc
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise EngineError(f"{name} exited with code {proc.returncode} before becoming healthy; "
                                  f"last lines of {log_path}:\n{_tail(log_path)}")
            if _healthy(health_url):
                break
            if time.monotonic() > deadline:
                raise EngineError(f"{name} not healthy after {timeout:.0f}s ({health_url}); "
                                  f"last lines of {log_path}:\n{_tail(log_path)}")
            time.sleep(0.5)
        yield proc


def check_engine_options(engine: str, base_url: str | None, api_key_env: str | None) -> str | None:
    """Validate the engine options before anything starts; return the API key (never stored)."""
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}: expected one of {', '.join(ENGINES)}")
    if engine == "openai" and not base_url:
        raise ConfigError("--engine openai needs --base-url (e.g. http://127.0.0.1:30000/v1)")
    if engine != "openai" and base_url:
        raise ConfigError(f"--base-url is only for --engine openai (engine {engine} starts its own server)")
    if api_key_env:
        api_key = os.environ.get(api_key_env)
        if not api_key:
            raise ConfigError(f"--api-key-env {api_key_env}: environment variable is not set or empty")
        return api_key
    return None


@contextlib.contextmanager
def open_endpoint(engine: str, model: str, *, log_path: Path, base_url: str | None = None,
                  api_key_env: str | None = None, engine_python: str | None = None, dp: str | int = "auto",
                  tp: int = 1, engine_args: Sequence[str] = (), startup_timeout: float = 1800.0
                  ) -> Iterator[Endpoint]:
    """Yield an :class:`Endpoint` for ``model`` on ``engine``, starting/stopping its server."""
    api_key = check_engine_options(engine, base_url, api_key_env)
    if engine == "openai":
        yield Endpoint(base_url=base_url, model=model, api_key=api_key, engine=engine)  # type: ignore[arg-type]
        return
    python = engine_python or sys.executable
    if engine_python and not (shutil.which(engine_python) or Path(engine_python).is_file()):
        raise ConfigError(f"--engine-python {engine_python}: no such interpreter")
    port = free_port()
    if engine == "sglang":
        if not python_has_module(python, "sglang"):
            raise EngineError(f"sglang is not importable by {python}; install it in its own environment "
                              "(pip install 'anestools[serve]') and pass --engine-python /path/to/env/bin/python")
        n_dp = resolve_dp(dp, tp)
        argv = sglang_command(model, python=python, port=port, dp=n_dp, tp=tp, extra=engine_args,
                              router=python_has_module(python, "sglang_router"))
    else:
        if not python_has_module(python, "transformers"):
            raise EngineError(f"transformers is not importable by {python}")
        argv = transformers_command(model, python=python, port=port, extra=engine_args)
    root = f"http://{HOST}:{port}"
    with run_server(argv, health_url=root + "/health", log_path=log_path, timeout=startup_timeout,
                    name=f"{engine} server"):
        yield Endpoint(base_url=root + "/v1", model=model, api_key=api_key, engine=engine,
                       command=tuple(argv), log_path=log_path)
