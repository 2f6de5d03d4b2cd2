"""Evaluate one model: select items, start the engine, ask every (question, sample), score.

This is the library entry point behind ``anestools eval``; the CLI only parses options, draws
the progress bar and prints the summary table.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anestools import __version__
from anestools.common.atomic import remove_stale_temps
from anestools.common.lock import output_lock
from anestools.errors import ConfigError
from anestools.eval.bench import LANGUAGES, LEVELS, Benchmark, Item, load_benchmark, sample_dev_file
from anestools.eval.client import ChatClient, RequestFailed, RetryPolicy
from anestools.eval.engines import Endpoint, check_engine_options, open_endpoint
from anestools.eval.extract import extract_answer
from anestools.eval.prompts import PromptBuilder
from anestools.eval.results import (
    PREDICTIONS,
    PredictionLog,
    build_summary,
    latest_by_key,
    prepare_output,
    read_predictions,
    write_outputs,
)

ENGINE_LOG = "engine.log"


@dataclass
class EvalSettings:
    """Everything but the model: one settings object drives a whole checkpoint sweep."""

    benchmark: str | list[str] | None = None
    engine: str = "sglang"
    base_url: str | None = None
    api_key_env: str | None = None
    engine_python: str | None = None
    dp: str = "auto"
    tp: int = 1
    engine_args: list[str] = field(default_factory=list)
    languages: tuple[str, ...] = LANGUAGES
    levels: tuple[int, ...] = LEVELS
    shots: int = 0
    dev_file: str | None = None
    prompt: str = "cot"
    samples: int = 1
    temperature: float = 0.0
    max_new_tokens: int = 2048
    concurrency: int | None = None  # None: 256, or 8 for transformers serve (no batching scheduler)
    limit: int | None = None
    resume: bool = True
    overwrite: bool = False
    skip_invalid: bool = False
    retries: int = 4
    request_timeout: float = 600.0
    startup_timeout: float = 1800.0

    @property
    def in_flight(self) -> int:
        """Requests in flight: SGLang and remote endpoints batch hundreds; `transformers serve` does not."""
        if self.concurrency is not None:
            return self.concurrency
        return 8 if self.engine == "transformers" else 256

    def validate(self) -> None:
        if self.samples < 1:
            raise ConfigError("--samples must be >= 1")
        if self.concurrency is not None and self.concurrency < 1:
            raise ConfigError("--concurrency must be >= 1")
        if self.max_new_tokens < 1:
            raise ConfigError("--max-new-tokens must be >= 1")
        if not math.isfinite(self.temperature) or self.temperature < 0:
            raise ConfigError(f"--temperature must be a number >= 0, got {self.temperature}")
        for flag, value in (("--request-timeout", self.request_timeout),
                            ("--startup-timeout", self.startup_timeout)):
            if not (math.isfinite(value) and value > 0):
                raise ConfigError(f"{flag} must be a number of seconds > 0, got {value}")
        if self.limit is not None and self.limit < 1:
            raise ConfigError("--limit must be >= 1")
        if self.retries < 0:
            raise ConfigError("--retries must be >= 0")
        check_engine_options(self.engine, self.base_url, self.api_key_env)
        bad = [lang for lang in self.languages if lang not in LANGUAGES]
        if bad or not self.languages:
            raise ConfigError(f"--lang: unknown language(s) {bad}; expected en, zh (cn)")
        bad_lv = [lv for lv in self.levels if lv not in LEVELS]
        if bad_lv or not self.levels:
            raise ConfigError(f"--levels: unknown level(s) {bad_lv}; expected 1, 2, 3")


@dataclass
class EvalOutcome:
    model: str
    run_dir: Path
    summary: dict[str, Any]
    outputs: list[Path]
    new_records: int
    skipped_done: int


ProgressHook = Callable[[str, int], None]  # (event, n): ("total", N) once, then ("done"|"error", 1)


def model_slug(model: str) -> str:
    """``outputs/run/checkpoint-500`` -> ``run-checkpoint-500``; ``Qwen/Qwen2.5-7B`` -> ``Qwen2.5-7B``."""
    parts = [p for p in re.split(r"[\\/]+", model.strip()) if p not in ("", ".", "..")]
    if not parts:
        raise ConfigError(f"--model {model!r}: empty model name")
    name = parts[-1]
    if re.fullmatch(r"checkpoint-\d+", name) and len(parts) > 1:
        name = f"{parts[-2]}-{name}"
    return re.sub(r"[^\w.\-]+", "_", name)


def checkpoint_step(model: str) -> int | None:
    m = re.search(r"checkpoint-(\d+)/?$", model.strip())
    return int(m.group(1)) if m else None


def expand_models(models: Sequence[str]) -> list[str]:
    """Expand quoted globs (``'outputs/run/checkpoint-*'``) into directories, in step order."""
    import glob
    import os

    out: list[str] = []
    for m in models:
        if any(c in m for c in "*?[") and not os.path.exists(m):
            found = [p for p in glob.glob(os.path.expanduser(m)) if os.path.isdir(p)]
            if not found:
                raise ConfigError(f"--model {m}: glob matches no directory")
            found.sort(key=lambda p: (checkpoint_step(p) is None, checkpoint_step(p) or 0, p))
            out.extend(found)
        else:
            out.append(m)
    return list(dict.fromkeys(out))


def run_dirs(models: Sequence[str], output: Path | None) -> list[Path]:
    """Default ``results/<model>/``; with several models, ``--output`` is their parent."""
    if output is not None and len(models) == 1:
        return [output]
    parent = output if output is not None else Path("results")
    dirs = [parent / model_slug(m) for m in models]
    if len(set(dirs)) != len(dirs):
        raise ConfigError("two --model values map to the same output directory; give distinct names")
    return dirs


def _fingerprint(model: str, prompt_hash: str, settings: EvalSettings) -> str:
    blob = json.dumps({"model": model, "prompt": prompt_hash, "temperature": settings.temperature,
                       "max_new_tokens": settings.max_new_tokens}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def load_dev(settings: EvalSettings) -> tuple[Item, ...]:
    if not settings.shots:
        return ()
    spec = settings.dev_file or str(sample_dev_file())
    return tuple(load_benchmark(spec, settings.languages, skip_invalid=settings.skip_invalid).items)


async def _ask_all(todo: list[tuple[Item, int]], endpoint: Endpoint, builder: PromptBuilder,
                   settings: EvalSettings, base: dict[str, Any], log: PredictionLog,
                   hook: ProgressHook | None) -> int:
    queue: asyncio.Queue[tuple[Item, int]] = asyncio.Queue()
    for t in todo:
        queue.put_nowait(t)
    written = 0
    policy = RetryPolicy(retries=settings.retries)
    async with ChatClient(endpoint.base_url, endpoint.model, endpoint.api_key,
                          request_timeout=settings.request_timeout, policy=policy) as client:

        async def worker() -> None:
            nonlocal written
            while True:
                try:
                    item, sample = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                rec = {"key": item.key, "id": item.id, "language": item.language, "level": item.level,
                       "sample": sample, **base}
                try:
                    c = await client.complete(builder.messages(item), temperature=settings.temperature,
                                              max_tokens=settings.max_new_tokens)
                except RequestFailed as exc:
                    rec.update(response=None, extracted=None, gold=item.answer, correct=None,
                               completion_tokens=None, prompt_tokens=None, finish_reason=None,
                               latency=None, attempts=exc.attempts, error=exc.reason)
                else:
                    pred = extract_answer(c.text, item.options)
                    rec.update(response=c.text, extracted=pred, gold=item.answer, correct=pred == item.answer,
                               completion_tokens=c.completion_tokens, prompt_tokens=c.prompt_tokens,
                               finish_reason=c.finish_reason, latency=round(c.latency, 4),
                               attempts=c.attempts, error=None)
                log.append(rec)
                written += 1
                if hook:
                    hook("error" if rec["error"] else "done", 1)

        await asyncio.gather(*(worker() for _ in range(min(settings.in_flight, len(todo)))))
    return written


def evaluate_model(model: str, run_dir: Path, settings: EvalSettings, *, benchmark: Benchmark | None = None,
                   hook: ProgressHook | None = None) -> EvalOutcome:
    """Evaluate ``model`` into ``run_dir`` (resuming what is there) and write the reports.

    The run directory is locked for the whole run: a second ``eval`` into it is refused
    (it would ask the same questions again and append duplicates).
    """
    settings.validate()
    with output_lock(run_dir, f"anestools eval --model {model}"):
        remove_stale_temps(run_dir)
        return _evaluate_locked(model, run_dir, settings, benchmark=benchmark, hook=hook)


def _evaluate_locked(model: str, run_dir: Path, settings: EvalSettings, *, benchmark: Benchmark | None,
                     hook: ProgressHook | None) -> EvalOutcome:
    bench = benchmark or load_benchmark(settings.benchmark, settings.languages, settings.skip_invalid)
    items = bench.select(settings.languages, settings.levels, settings.limit)
    if not items:
        raise ConfigError(f"no questions in {bench.source} for --lang {','.join(settings.languages)} "
                          f"--levels {','.join(map(str, settings.levels))}")
    builder = PromptBuilder(style=settings.prompt, shots=settings.shots, dev=load_dev(settings))
    fingerprint = _fingerprint(model, builder.hash, settings)
    prepare_output(run_dir, settings.resume, settings.overwrite)
    pred_path = run_dir / PREDICTIONS
    latest = latest_by_key(read_predictions(pred_path), fingerprint)
    todo = [(it, s) for it in items for s in range(settings.samples)
            if (rec := latest.get((it.key, s))) is None or rec.get("error") is not None]
    skipped = len(items) * settings.samples - len(todo)
    config = {
        "model": model,
        "checkpoint_step": checkpoint_step(model),
        "benchmark": bench.source,
        "invalid_records_skipped": len(bench.invalid),
        "engine": settings.engine,
        "base_url": settings.base_url,
        "api_key_env": settings.api_key_env,  # the variable's name only, never its value
        "engine_python": settings.engine_python,
        "dp": settings.dp, "tp": settings.tp, "engine_args": list(settings.engine_args),
        "languages": list(settings.languages), "levels": list(settings.levels), "limit": settings.limit,
        "samples": settings.samples, "temperature": settings.temperature,
        "max_new_tokens": settings.max_new_tokens, "concurrency": settings.in_flight,
        "retries": settings.retries, "request_timeout": settings.request_timeout,
        "prompt_hash": builder.hash, "fingerprint": fingerprint, "prompt": builder.describe(),
        "anestools_version": __version__,
    }
    if hook:
        hook("total", len(todo))
    base = {"prompt_hash": builder.hash, "fingerprint": fingerprint}
    started = time.perf_counter()
    written = 0
    if todo:
        run_dir.mkdir(parents=True, exist_ok=True)
        with open_endpoint(settings.engine, model, log_path=run_dir / ENGINE_LOG, base_url=settings.base_url,
                           api_key_env=settings.api_key_env, engine_python=settings.engine_python,
                           dp=settings.dp, tp=settings.tp, engine_args=settings.engine_args,
                           startup_timeout=settings.startup_timeout) as endpoint:
            if endpoint.command:
                config["engine_command"] = list(endpoint.command)
            with PredictionLog(pred_path) as log:
                try:
                    written = asyncio.run(_ask_all(todo, endpoint, builder, settings, base, log, hook))
                except KeyboardInterrupt:
                    _finish(run_dir, items, settings, config, started)  # partial report, then stop
                    raise
    summary, outputs = _finish(run_dir, items, settings, config, started)
    return EvalOutcome(model, run_dir, summary, outputs, written, skipped)


def _finish(run_dir: Path, items: list[Item], settings: EvalSettings, config: dict[str, Any],
            started: float) -> tuple[dict[str, Any], list[Path]]:
    latest = latest_by_key(read_predictions(run_dir / PREDICTIONS), config["fingerprint"])
    summary = build_summary(items, latest, settings.samples, config, time.perf_counter() - started)
    return summary, write_outputs(run_dir, summary)
