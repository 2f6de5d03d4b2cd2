"""Engine settings shared by every command that talks to a model server (eval, qa, what comes next).

Each field is its command-line option (:func:`anestools.runtime.options.opt`): a command gets
all of them with ``@cli_options("engine", EngineSettings)``, and a stage's settings class
inherits them. Adding an engine flag is one field here.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from anestools.errors import ConfigError
from anestools.runtime.auto_engine import AUTO, choose_engine
from anestools.runtime.engines import (
    ENGINES,
    Endpoint,
    check_engine_options,
    default_concurrency,
    open_endpoint,
)
from anestools.runtime.options import AtLeast, Seconds, check_fields, opt

S = TypeVar("S", bound="EngineSettings")

ENGINE_HELP = (f"Inference engine: auto, {', '.join(ENGINES)}. auto: openai with --base-url, else sglang if "
               "--engine-python imports it, else transformers serve (GPU if visible, else CPU); the choice is "
               "printed and stored with the run.")


@dataclass
class EngineSettings:
    """Where the model runs and how requests are sent to it."""

    engine: str = opt(AUTO, ENGINE_HELP)
    base_url: str | None = opt(None, "OpenAI-compatible endpoint for --engine openai, e.g. http://127.0.0.1:30000/v1.")
    api_key_env: str | None = opt(None, "Name of the environment variable holding the API key (the key is never written).")
    engine_python: str | None = opt(None, "Python of the engine's own environment (e.g. /opt/sglang-env/bin/python). Default: this one.")
    dp: str = opt("auto", "SGLang data-parallel replicas: N or auto (visible GPUs // tp).")
    tp: int = opt(1, "SGLang tensor-parallel size per replica.", check=AtLeast(1))
    engine_args: list[str] = opt(help="Extra argument passed to the server verbatim (repeatable), e.g. "
                                 "--engine-arg=--mem-fraction-static=0.85.", flags=("--engine-arg",),
                                 default_factory=list, cli_type=list[str] | None, show_default=False)
    concurrency: int | None = opt(None, "Requests in flight (keep SGLang's batcher full). Default 256; 8 for --engine transformers.",
                                  check=AtLeast(1), show_default=False)
    retries: int = opt(4, "Retries per request on 429/5xx/timeouts/connection errors (exponential backoff).",
                       check=AtLeast(0))
    request_timeout: float = opt(600.0, "Seconds per request attempt.", check=Seconds())
    startup_timeout: float = opt(1800.0, "Seconds to wait for a started server's /health.", check=Seconds())
    engine_reason: str | None = None  # why --engine auto chose the engine (printed, stored with the run)

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Every declared check, then the engine options together (before anything starts)."""
        check_fields(self)
        if self.engine not in (AUTO, *ENGINES):
            raise ConfigError(f"unknown engine {self.engine!r}: expected auto, {', '.join(ENGINES)}")
        if self.engine != AUTO:
            check_engine_options(self.engine, self.base_url, self.api_key_env)
        elif self.api_key_env and not os.environ.get(self.api_key_env):
            raise ConfigError(f"--api-key-env {self.api_key_env}: environment variable is not set or empty")

    @property
    def in_flight(self) -> int:
        """Requests in flight: ``--concurrency``, else the engine's default."""
        return self.concurrency if self.concurrency is not None else default_concurrency(self.engine)

    def resolved(self: S) -> S:
        """These settings with ``--engine auto`` replaced by the engine this machine can run."""
        if self.engine != AUTO:
            return self
        choice = choose_engine(AUTO, engine_python=self.engine_python, base_url=self.base_url,
                               engine_args=self.engine_args)
        return replace(self, engine=choice.engine, engine_reason=choice.reason,
                       engine_args=[*self.engine_args, *choice.extra_args])

    @property
    def engine_choice(self) -> str:
        return self.engine_reason or "chosen with --engine"

    def engine_fields(self) -> dict[str, Any]:
        """The engine part of the run's provenance: these fields as they are (the API key's
        variable name only, never its value)."""
        return {k: v for k, v in asdict(self).items() if k in ENGINE_FIELDS}

    @contextlib.contextmanager
    def endpoint(self, model: str, log_path: Path) -> Iterator[Endpoint]:
        """Start (or reach) the server for ``model`` with these settings (resolved first)."""
        s = self.resolved()
        with open_endpoint(s.engine, model, log_path=log_path, base_url=s.base_url, api_key_env=s.api_key_env,
                           engine_python=s.engine_python, dp=s.dp, tp=s.tp, engine_args=s.engine_args,
                           startup_timeout=s.startup_timeout) as endpoint:
            yield endpoint


ENGINE_FIELDS = tuple(f for f in EngineSettings.__dataclass_fields__ if f != "engine_reason")
