"""Evaluate one model: select items, start the engine, ask every (question, sample), score.

This is the library entry point behind ``anestools eval``; the CLI only parses options, draws
the progress bar and prints the summary table.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from anestools import __version__
from anestools.common import jsonio
from anestools.common.anesbench import LANGUAGES, LEVELS, Benchmark, Item, load_benchmark, sample_dev_file
from anestools.common.bench_mapping import BenchMapping
from anestools.common.digest import json_digest
from anestools.common.extract import EXTRACTOR_VERSION, extract
from anestools.common.paths import Output, check_io
from anestools.errors import ConfigError, EngineError, InputError
from anestools.eval import answer_pass
from anestools.eval import predictions as preds
from anestools.eval.aggregate import build_summary
from anestools.eval.judge import agreement, ask_judge, audit_sample
from anestools.eval.predictions import JUDGE_AUDIT, PREDICTIONS, latest_by_key, read_predictions, write_jsonl
from anestools.eval.prompts import PromptBuilder
from anestools.eval.provenance import package_version, provenance
from anestools.eval.render import write_outputs
from anestools.eval.selection import check_run_dir, previous_config
from anestools.eval.summary import SUMMARY
from anestools.runtime.client import RequestFailed
from anestools.runtime.engines import ENGINES, Endpoint, check_engine_options
from anestools.runtime.journal import JournalWriter
from anestools.runtime.options import AtLeast, checked
from anestools.runtime.pool import run_pool
from anestools.runtime.preflight import EndpointInfo, preflight
from anestools.runtime.rundir import RunDir
from anestools.runtime.settings import EngineSettings

ENGINE_LOG = "engine.log"
JUDGE_ENGINE_LOG = "judge_engine.log"


@dataclass
class EvalSettings(EngineSettings):
    """Everything but the model: one settings object drives a whole checkpoint sweep.

    The engine options are :class:`anestools.runtime.settings.EngineSettings`'s; each field
    here that has a check declares it (:func:`anestools.runtime.options.checked`), and the
    instance is validated once, when it is made.
    """

    benchmark: str | list[str] | None = None
    languages: tuple[str, ...] = LANGUAGES
    levels: tuple[int, ...] = LEVELS
    shots: int = checked(0, AtLeast(0))
    dev_file: str | None = None
    prompt: str = "cot"
    samples: int = checked(1, AtLeast(1))
    temperature: float = checked(0.0, AtLeast(0))
    max_new_tokens: int = checked(2048, AtLeast(1))
    limit: int | float | None = None  # N per language, or a fraction (0, 1] of each language
    mapping: BenchMapping | None = None  # a custom bank's fields (None: the AnesBench schemas)
    resume: bool = True
    overwrite: bool = False
    skip_invalid: bool = False
    seed: int = 0  # request seed = seed + sample index, sent with every request
    log_samples: bool = False  # add the full prompt and options to every prediction line
    judge_model: str | None = None
    judge_engine: str = "openai"
    judge_base_url: str | None = None
    judge_api_key_env: str | None = None
    judge_audit: int = checked(0, AtLeast(0))
    answer_pass: str = "fallback"  # off | fallback | always (anestools.eval.answer_pass)

    def judge_settings(self) -> EngineSettings:
        """The judge's server: its own engine, endpoint and key; this run's interpreter and timeouts."""
        return EngineSettings(engine=self.judge_engine, base_url=self.judge_base_url,
                              api_key_env=self.judge_api_key_env, engine_python=self.engine_python,
                              retries=self.retries, request_timeout=self.request_timeout,
                              startup_timeout=self.startup_timeout)

    def validate(self) -> None:
        super().validate()  # every declared check, these fields' too
        if isinstance(self.limit, float):
            if not 0 < self.limit <= 1:  # nan too
                raise ConfigError(f"--limit {self.limit}: a fraction must be in (0, 1]")
        elif isinstance(self.limit, int) and self.limit < 1:
            raise ConfigError("--limit must be >= 1 (or a fraction such as 0.1)")
        if self.answer_pass not in answer_pass.MODES:
            raise ConfigError(f"--answer-pass {self.answer_pass!r}: expected one of {', '.join(answer_pass.MODES)}")
        if self.judge_model:
            if self.judge_engine not in ENGINES:
                raise ConfigError(f"--judge-engine: unknown engine {self.judge_engine!r}; expected one of "
                                  f"{', '.join(ENGINES)}")
            check_engine_options(self.judge_engine, self.judge_base_url, self.judge_api_key_env)
        elif self.judge_base_url or self.judge_audit:
            raise ConfigError("--judge-base-url / --judge-audit need --judge-model")
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


def trained_step(model: str) -> int | None:
    """Steps a final model was trained for (``trainer_state.json`` that LLaMA-Factory/HF write), if known.

    Lets a sweep's chart place the final model after its checkpoints.
    """
    try:
        state = jsonio.read_json(Path(model) / "trainer_state.json")
        return int(state["global_step"])
    except (InputError, ValueError, KeyError, TypeError):
        return None


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
    fields: dict[str, Any] = {"model": model, "prompt": prompt_hash, "temperature": settings.temperature,
                              "max_new_tokens": settings.max_new_tokens}
    if settings.judge_model:  # a judge decides some answers: runs with another judge do not mix
        fields["judge"] = settings.judge_model
    return json_digest(fields)


def load_dev(settings: EvalSettings) -> tuple[Item, ...]:
    if not settings.shots:
        return ()
    spec = settings.dev_file or str(sample_dev_file())
    return tuple(load_benchmark(spec, settings.languages, skip_invalid=settings.skip_invalid).items)


def _prompt_hash(messages: list[dict[str, str]]) -> str:
    return json_digest(messages, length=16, ensure_ascii=False)


async def _ask_all(todo: list[tuple[Item, int]], endpoint: Endpoint, builder: PromptBuilder,
                   settings: EvalSettings, base: dict[str, Any], log: JournalWriter,
                   hook: ProgressHook | None, judge: Endpoint | None = None,
                   plan: answer_pass.PassPlan | None = None) -> int:
    async with contextlib.AsyncExitStack() as stack:
        client = await stack.enter_async_context(endpoint.client(settings.request_timeout, settings.retries))
        judge_client = None if judge is None else await stack.enter_async_context(
            judge.client(settings.request_timeout, settings.retries))

        async def ask(task: tuple[Item, int]) -> preds.Prediction:
            item, sample = task
            messages = builder.messages(item)
            seed = settings.seed + sample
            rec: preds.Prediction = {"key": item.key, "id": item.id, "language": item.language, "level": item.level,
                                     "sample": sample, **base, "request_prompt_hash": _prompt_hash(messages),
                                     "seed": seed}
            if settings.log_samples:
                rec.update(prompt=messages, options=item.options)
            try:
                c = await client.complete(messages, temperature=settings.temperature,
                                          max_tokens=settings.max_new_tokens, extra={"seed": seed})
            except RequestFailed as exc:
                return preds.failed(rec, gold=item.answer, attempts=exc.attempts, error=exc.reason)
            got = extract(c.text, item.options)
            pred, by = got.letter, ("rule" if got.letter else "none")
            rec.update(extract_rule=got.rule, extract_status=got.status, rule_extracted=got.letter)
            if plan is not None and plan.wanted(got.undecided, c.finish_reason):
                ap = await answer_pass.ask(client, plan.support, messages, c.text, list(item.options),
                                           item.language, token_ids=plan.token_ids, seed=seed)
                rec["answer_pass"] = ap.as_record()
                if pred is None and ap.letter and plan.usable(got.undecided, c.finish_reason):
                    pred, by = ap.letter, "answer_pass"
                    rec["answer_prob"] = rec["answer_pass"]["prob"]
            if pred is None and judge_client is not None and c.text.strip():
                verdict = await ask_judge(judge_client, item, c.text, seed=settings.seed)
                rec["judge"] = verdict.as_record()
                if verdict.letter is not None:
                    pred, by = verdict.letter, "judge"
            return preds.answered(rec, response=c.text, extracted=pred, extracted_by=by, gold=item.answer,
                                  completion_tokens=c.completion_tokens, prompt_tokens=c.prompt_tokens,
                                  finish_reason=c.finish_reason, latency=c.latency, attempts=c.attempts)

        def done(rec: preds.Prediction) -> None:
            log.append(rec)
            if hook:
                hook("error" if rec["error"] else "done", 1)

        return await run_pool(todo, ask, min(settings.in_flight, len(todo)), done)


def evaluate_model(model: str, run_dir: Path, settings: EvalSettings, *, benchmark: Benchmark | None = None,
                   hook: ProgressHook | None = None) -> EvalOutcome:
    """Evaluate ``model`` into ``run_dir`` (resuming what is there) and write the reports.

    The run directory is locked for the whole run: a second ``eval`` into it is refused
    (it would ask the same questions again and append duplicates).
    """
    settings = settings.resolved()  # validated when it was made
    bench_specs = [settings.benchmark] if isinstance(settings.benchmark, str) else list(settings.benchmark or [])
    local_model = [model] if Path(model).expanduser().exists() else []
    # before --overwrite can clear anything: the run directory is no input (benchmark, dev set, model)
    check_io([*bench_specs, *([settings.dev_file] if settings.dev_file else []), *local_model],
             [Output.run_dir(run_dir)], "eval")
    with preds.run_dir(run_dir, f"anestools eval --model {model}").locked() as rd:
        return _evaluate_locked(model, rd, settings, benchmark=benchmark, hook=hook)


def _evaluate_locked(model: str, rd: RunDir, settings: EvalSettings, *, benchmark: Benchmark | None,
                     hook: ProgressHook | None) -> EvalOutcome:
    run_dir = rd.path
    bench = benchmark or load_benchmark(settings.benchmark, settings.languages, settings.skip_invalid,
                                        settings.mapping)
    items = bench.select(settings.languages, settings.levels, settings.limit)
    if not items:
        raise ConfigError(f"no questions in {bench.source} for --lang {','.join(settings.languages)} "
                          f"--levels {','.join(map(str, settings.levels))}")
    builder = PromptBuilder(style=settings.prompt, shots=settings.shots, dev=load_dev(settings),
                            languages=tuple(sorted({it.language for it in items})))
    fingerprint = _fingerprint(model, builder.hash, settings)
    config = {  # summary.json's "config": the settings as they are, plus what was derived from them
        "model": model,
        "checkpoint_step": checkpoint_step(model),
        "trained_step": checkpoint_step(model) or trained_step(model),
        "benchmark": bench.source,
        "invalid_records_skipped": len(bench.invalid),
        **settings.engine_fields(),  # the API key's variable name only, never its value
        "engine_choice": settings.engine_choice,
        "concurrency": settings.in_flight,
        "benchmark_mapping": settings.mapping.describe() if settings.mapping else None,
        "languages": list(settings.languages), "levels": list(settings.levels), "limit": settings.limit,
        "samples": settings.samples, "temperature": settings.temperature,
        "max_new_tokens": settings.max_new_tokens,
        "prompt_hash": builder.hash, "fingerprint": fingerprint, "prompt": builder.describe(),
        "anestools_version": __version__,
        "seed": settings.seed, "log_samples": settings.log_samples,
        "judge_model": settings.judge_model, "judge_engine": settings.judge_engine if settings.judge_model else None,
        "judge_base_url": settings.judge_base_url, "judge_api_key_env": settings.judge_api_key_env,
        "judge_audit": settings.judge_audit,
        "answer_pass_mode": settings.answer_pass,
    }
    rd.start(settings.resume, settings.overwrite)
    latest = latest_by_key(read_predictions(rd.journal_path), fingerprint)
    check_run_dir(run_dir, config, settings.overwrite)
    # what the answer pass's probe found; a resume with nothing left to ask keeps the previous finding
    # (not with --overwrite: the previous summary is being replaced, and may be what is broken)
    previous_pass = None if settings.overwrite else (previous_config(run_dir) or {}).get("answer_pass")
    config["answer_pass"] = previous_pass if isinstance(previous_pass, dict) else None
    todo = [(it, s) for it in items for s in range(settings.samples)
            if (rec := latest.get((it.key, s))) is None or rec.get("error") is not None]
    skipped = len(items) * settings.samples - len(todo)
    if hook:
        hook("total", len(todo))
    base = {"prompt_hash": builder.hash, "fingerprint": fingerprint}
    started = time.perf_counter()
    written = 0
    audit_due = bool(settings.judge_model and settings.judge_audit) and _audit_due(run_dir, settings, fingerprint)
    engine_info = _previous_engine_info(run_dir)
    if todo or audit_due:
        run_dir.mkdir(parents=True, exist_ok=True)
        with contextlib.ExitStack() as stack:
            endpoint = judge = plan = None
            if todo:
                endpoint = stack.enter_context(settings.endpoint(model, run_dir / ENGINE_LOG))
                info = preflight(endpoint.base_url, endpoint.api_key, list_models=settings.engine != "transformers")
                endpoint = replace(endpoint, served_models=info.models)
                engine_info = _engine_info(settings, info)
                plan, support = _answer_pass_plan(settings, endpoint)
                config["answer_pass"] = answer_pass.describe(settings.answer_pass, support)
                if endpoint.command:
                    config["engine_command"] = list(endpoint.command)
            if settings.judge_model:
                judge = stack.enter_context(settings.judge_settings().endpoint(settings.judge_model,
                                                                              run_dir / JUDGE_ENGINE_LOG))
                judge = replace(judge, served_models=preflight(
                    judge.base_url, judge.api_key, list_models=settings.judge_engine == "openai").models)
            log = stack.enter_context(rd.writer())
            try:
                if endpoint is not None:
                    written = asyncio.run(_ask_all(todo, endpoint, builder, settings, base, log, hook, judge, plan))
                if audit_due and judge is not None:
                    asyncio.run(_run_audit(run_dir, items, settings, fingerprint, judge))
            except KeyboardInterrupt:
                _finish(run_dir, items, settings, config, started, bench, engine_info)  # partial report
                raise
    summary, outputs = _finish(run_dir, items, settings, config, started, bench, engine_info)
    return EvalOutcome(model, run_dir, summary, outputs, written, skipped)


def _answer_pass_plan(settings: EvalSettings, endpoint: Endpoint
                      ) -> tuple[answer_pass.PassPlan | None, answer_pass.PassSupport | None]:
    """Probe the endpoint for the constrained answer pass: (plan or ``None`` when off or not
    supported, what the probe found).

    ``--answer-pass always`` on an endpoint that cannot constrain is an engine error (exit 4):
    the user asked for it explicitly. ``fallback`` (the default) then runs without it and the
    summary says why.
    """
    if settings.answer_pass == "off":
        return None, None
    token_ids = answer_pass.letter_token_ids(endpoint.model, [*"ABCDEFGHI", answer_pass.PROBE_LETTER])

    async def probe() -> answer_pass.PassSupport:
        async with endpoint.client(min(settings.request_timeout, 120.0), min(settings.retries, 1)) as client:
            return await answer_pass.detect(client, settings.engine, token_ids)

    support = asyncio.run(probe())
    if not support.supported and settings.answer_pass == "always":
        raise EngineError(f"--answer-pass always: this endpoint cannot run the constrained answer pass "
                          f"({support.reason}); use --answer-pass fallback or off")
    plan = answer_pass.PassPlan(settings.answer_pass, support, token_ids) if support.supported else None
    return plan, support


def _engine_info(settings: EvalSettings, info: EndpointInfo) -> dict[str, Any]:
    """Engine name and version: as the server reports it, else the engine package's version."""
    version, source = info.engine_version, "server" if info.engine_version else None
    if version is None and settings.engine in ("sglang", "transformers"):
        version = package_version(settings.engine_python, settings.engine)
        source = "package" if version else None
    return {"name": settings.engine, "version": version, "version_source": source,
            "served_models": list(info.models)}


def _previous_engine_info(run_dir: Path) -> dict[str, Any] | None:
    """A resumed run with nothing left to ask keeps the engine the answers came from."""
    try:
        prev = json.loads((run_dir / SUMMARY).read_text(encoding="utf-8"))
        return (prev.get("provenance") or {}).get("engine")
    except (OSError, ValueError, AttributeError):
        return None


def _audit_due(run_dir: Path, settings: EvalSettings, fingerprint: str) -> bool:
    rows = list(read_predictions(run_dir / JUDGE_AUDIT))
    return not rows or any(r.get("fingerprint") != fingerprint for r in rows) or len(rows) < settings.judge_audit


async def _run_audit(run_dir: Path, items: list[Item], settings: EvalSettings, fingerprint: str,
                     judge: Endpoint) -> None:
    """Judge K rule-extracted responses; write judge_audit.jsonl (replaced atomically)."""
    by_key = {it.key: it for it in items}
    latest = latest_by_key(read_predictions(run_dir / PREDICTIONS), fingerprint)
    chosen = audit_sample((r for r in latest.values() if r["key"] in by_key), settings.judge_audit)
    async with judge.client(settings.request_timeout, settings.retries) as client:
        verdicts = await asyncio.gather(*(ask_judge(client, by_key[r["key"]], r["response"], seed=settings.seed)
                                          for r in chosen))
    rows = [{"key": r["key"], "sample": r["sample"], "fingerprint": fingerprint, "rule": r["extracted"],
             "rule_name": r.get("extract_rule"), "judge": v.letter, "judge_reply": v.reply, "judge_error": v.error}
            for r, v in zip(chosen, verdicts)]
    write_jsonl(run_dir / JUDGE_AUDIT, rows)


def _finish(run_dir: Path, items: list[Item], settings: EvalSettings, config: dict[str, Any],
            started: float, bench: Benchmark, engine_info: dict[str, Any] | None
            ) -> tuple[dict[str, Any], list[Path]]:
    latest = latest_by_key(read_predictions(run_dir / PREDICTIONS), config["fingerprint"])
    summary = build_summary(items, latest, settings.samples, config, time.perf_counter() - started)
    summary["provenance"] = provenance(
        benchmark_items=bench.items, selected=items, model=config["model"], engine=settings.engine,
        engine_version=(engine_info or {}).get("version"), served_models=(engine_info or {}).get("served_models", ()),
        sampling={"temperature": settings.temperature, "max_new_tokens": settings.max_new_tokens,
                  "samples": settings.samples, "prompt": settings.prompt, "shots": settings.shots},
        seed=settings.seed, extractor_version=EXTRACTOR_VERSION)
    summary["provenance"]["engine"]["version_source"] = (engine_info or {}).get("version_source")
    answered = [r for it in items for s in range(settings.samples)
                if (r := latest.get((it.key, s))) is not None and r.get("error") is None]
    summary["answer_pass"] = answer_pass.summarize(answered, config.get("answer_pass"))
    if settings.judge_model:
        audit = [r for r in read_predictions(run_dir / JUDGE_AUDIT) if r.get("fingerprint") == config["fingerprint"]]
        summary["judge"] = {"model": settings.judge_model, "engine": settings.judge_engine,
                            "audit": agreement(audit) if settings.judge_audit else None}
    return summary, write_outputs(run_dir, summary)
