"""``anestools eval``: AnesBench evaluation through SGLang / transformers / OpenAI.

Thin layer over :mod:`anestools.eval.runner` and :mod:`anestools.eval.compare`: parse options,
draw the progress bar, print the summary table.
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from anestools.common import console as con
from anestools.common.anesbench import load_benchmark
from anestools.common.bench_mapping import BenchMapping
from anestools.common.csv_values import split_csv
from anestools.common.langs import parse_languages
from anestools.errors import ConfigError, IncompleteRunError
from anestools.eval.metrics import group_label
from anestools.eval.presets import preset_names, resolve_preset
from anestools.eval.report_parts import truncation_warning
from anestools.runtime.engines import ENGINES
from anestools.runtime.options import cli_options
from anestools.runtime.progress import DEFAULT_INTERVAL, check_progress_interval, eval_progress
from anestools.runtime.replies import empty_warning
from anestools.runtime.settings import EngineSettings

app = typer.Typer(
    help="Evaluate checkpoints on AnesBench.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

HELP = (
    "Evaluate checkpoints on AnesBench (English and Chinese, cognitive levels 1-3).\n\n"
    "Starts an OpenAI-compatible server for each --model (SGLang on GPUs, `transformers serve` on CPU) or "
    "talks to an existing endpoint (--engine openai), asks every question with bounded concurrency, extracts "
    "the answer letter and writes predictions.jsonl (resumable), summary.json, report.md and a PNG chart to "
    "--output (default results/<model>/).\n\n"
    "--engine auto (default): SGLang when --engine-python imports it, else `transformers serve` (GPU if "
    "visible, else CPU); the choice is printed and stored in summary.json.\n\n"
    f"Presets shipped with the package: -c {' | '.join(preset_names())}.\n\n"
    "Sub-command: `anestools eval report RUN_DIR... [--output FILE] [--html FILE] [--diff FILE]` compares runs "
    "side by side (two runs: paired comparison too; runs differing only in --max-new-tokens: accuracy vs "
    "thinking budget).\n\n"
    "Examples:\n\n"
    "  anestools eval --model outputs/qwen-sft --engine sglang --dp auto --benchmark MiliLab/AnesBench\n\n"
    "  anestools eval -c paper --model outputs/qwen-sft --engine-python /opt/sglang-env/bin/python\n\n"
    "  anestools eval --model outputs/qwen-sft --benchmark bank.jsonl --bench-field question=stem "
    "--bench-field options=choices --bench-field answer=correct --bench-field language=en --limit 0.1\n\n"
    "  anestools eval --model 'outputs/run/checkpoint-*' --output results/sweep\n\n"
    "  anestools eval --model gpt-4o-mini --engine openai --base-url https://api.openai.com/v1 "
    "--api-key-env OPENAI_API_KEY\n\n"
    "  anestools eval --model ./tiny --engine transformers --limit 10 --max-new-tokens 64\n\n"
    "  anestools eval report results/sweep/* --output results/sweep/report.md\n\n"
    "  anestools eval report results/qwen-base results/qwen-sft   (two runs: paired comparison)\n\n"
    "Exit codes: 0 complete; 2 bad input or options; 3 output exists; 4 engine failed or endpoint "
    "unreachable (preflight); 5 missing dependency; 6 run incomplete (some questions still failed after "
    "--retries; outputs written, re-run the same command to resume); 7 output directory locked by another "
    "run; 130 interrupted."
)


def _levels(value: str) -> tuple[int, ...]:
    try:
        levels = tuple(sorted({int(v) for v in split_csv(value)}))
    except ValueError as exc:
        raise ConfigError(f"--levels: expected numbers such as 1,2,3, got {value!r}") from exc
    return levels


def _limit(value: str | None) -> int | float | None:
    """``--limit 50`` (first 50 per language) or ``--limit 0.1`` (first 10% of each language)."""
    if value is None:
        return None
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError as exc:
        raise ConfigError(f"--limit: expected a count (50) or a fraction (0.1), got {value!r}") from exc


def _print_summary(summary: dict, run_dir: Path) -> None:
    table = Table(title=f"{summary['model']} -> {run_dir}")
    majority = summary["samples"] > 1
    for col in ("group", "n", "accuracy %", "95% CI", *(["majority %"] if majority else []), "no-answer %",
                "tokens (median)"):
        table.add_column(col, justify="left" if col == "group" else "right")
    for name, s in summary["scores"].items():
        a = s["accuracy"]
        if a["accuracy"] is None:
            continue
        row = [group_label(name), str(a["n"]), f"{100 * a['accuracy']:.1f}",
               f"[{100 * a['ci_low']:.1f}, {100 * a['ci_high']:.1f}]"]
        if majority:
            m = s.get("majority") or {}
            row.append("–" if m.get("accuracy") is None else f"{100 * m['accuracy']:.1f}")
        row.append(f"{100 * s['no_answer_rate']:.1f}")
        med = s["response_tokens_median"]
        row.append("–" if med is None else f"{med:.0f}")
        table.add_row(*row)
    con.summary(table)
    for warning in (truncation_warning(summary), empty_warning(summary.get("empty_responses", 0),
                                                               summary.get("responses", 0))):
        if warning:
            con.console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    status = "complete" if summary["complete"] else (
        f"[yellow]incomplete[/]: {summary['errors']} errors, {summary['not_run']} not run — re-run to resume")
    rates = (summary.get("extraction") or {}).get("rates") or {}
    if any(v is not None for v in rates.values()):
        con.out.print("answers decided by: " + ", ".join(f"{k} {100 * v:.1f}%" for k, v in rates.items()
                                                          if v is not None))
    con.out.print(f"{summary['answered_questions']}/{summary['questions']} questions answered ({status}); "
                  f"report: {run_dir / 'report.md'}")


def _load_config(ctx: typer.Context, param, value: str | None) -> str | None:
    """Eager option: read a YAML preset into click's default_map, so command-line options still win.

    The preset's values then go the way of command-line values, into ``EvalSettings`` (validated
    once, when it is made): a preset cannot set what the command line could not."""
    if value is None:
        return None
    import yaml

    value = resolve_preset(value)
    try:
        data = yaml.safe_load(value.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{value}: cannot read YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{value}: expected a mapping of option names to values")
    params = {spelling: p for p in ctx.command.params if p.name not in ("config", "help")
              for spelling in (p.name, *(o.lstrip("-").replace("-", "_") for o in p.opts))}
    defaults = {}
    for key, val in data.items():
        param = params.get(str(key).lstrip("-").replace("-", "_"))
        if param is None:
            raise ConfigError(f"{value}: unknown option {key!r}")
        name = param.name
        repeatable = getattr(param, "multiple", False)
        if repeatable and not isinstance(val, list):
            val = [val]
        elif not repeatable and isinstance(val, list):  # lang: [en, zh] -> "en,zh"
            val = ",".join(map(str, val))
        defaults[name] = val
    ctx.default_map = {**(ctx.default_map or {}), **defaults}
    return str(value)


def _raise_interrupt(signum, frame):  # SIGTERM -> same clean shutdown as Ctrl-C (engine group killed)
    raise KeyboardInterrupt


@app.callback(invoke_without_command=True, help=HELP)
@cli_options("engine", EngineSettings)
def eval_command(
    ctx: typer.Context,
    engine: dict,
    model: Annotated[list[str] | None, typer.Option("--model", "-m", help="Checkpoint dir or Hub id (served model name for --engine openai). Repeat, or quote a glob ('outputs/run/checkpoint-*'), for a sweep.", show_default=False)] = None,
    benchmark: Annotated[list[str] | None, typer.Option("--benchmark", "-b", help="JSON/JSONL/parquet files, dirs, globs, or a Hub id (MiliLab/AnesBench). Default: the small embedded sample.", show_default=False)] = None,
    lang: Annotated[str, typer.Option("--lang", help="Languages: en,zh (cn accepted) or all.")] = "en,zh",
    levels: Annotated[str, typer.Option(help="Cognitive levels to evaluate: 1 (System 1), 2 (System 1.x), 3 (System 2).")] = "1,2,3",
    shots: Annotated[int, typer.Option(help="Prepend K solved examples from --dev-file (never the item itself).")] = 0,
    dev_file: Annotated[str | None, typer.Option(help="Solved examples for --shots (either benchmark schema; 'en_explanation' used for cot). Default: embedded dev set.")] = None,
    prompt: Annotated[str, typer.Option(help="cot (zero-shot chain of thought, the paper's protocol) or direct (letter only).")] = "cot",
    samples: Annotated[int, typer.Option(help="Samples per question; >1 adds majority-vote (self-consistency) accuracy.")] = 1,
    temperature: Annotated[float, typer.Option(help="Sampling temperature.")] = 0.0,
    max_new_tokens: Annotated[int, typer.Option("--max-new-tokens", "--max-tokens", help="Maximum tokens per response, the reasoning chain included: the thinking budget (one run per budget, then `eval report` tabulates accuracy vs budget).")] = 2048,
    limit: Annotated[str | None, typer.Option(help="Only the first N questions per language (50), or a fraction of each language (0.1).", show_default=False)] = None,
    bench_map: Annotated[Path | None, typer.Option("--bench-map", help="YAML mapping of your own multiple-choice bank's fields (question, options, answer, answer_format, index_base, level, language, language_field, id); see docs/eval.md.", show_default=False)] = None,
    bench_field: Annotated[list[str] | None, typer.Option("--bench-field", help="One mapping entry KEY=VALUE (repeatable; overrides --bench-map), e.g. question=stem, options=opa,opb,opc,opd, answer=cop, answer_format=index.", show_default=False)] = None,
    progress_interval: Annotated[float, typer.Option(help="Seconds between progress lines when stderr is not a terminal (Slurm logs).")] = DEFAULT_INTERVAL,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Run directory (parent directory with several --model). Default results/<model>/.")] = None,
    resume: Annotated[bool, typer.Option("--resume/--no-resume", help="Skip questions already answered in --output.")] = True,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace a run already in --output made with other settings; with --no-resume: delete existing predictions and start over.")] = False,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Skip invalid benchmark records instead of stopping.")] = False,
    seed: Annotated[int, typer.Option(help="Seed sent with every request (seed + sample index); recorded in summary.json.")] = 0,
    log_samples: Annotated[bool, typer.Option("--log-samples", help="Also write the full prompt and options on every predictions.jsonl line.")] = False,
    judge_model: Annotated[str | None, typer.Option(help="Judge model asked which option a response chose, only where no extraction rule commits.", show_default=False)] = None,
    judge_engine: Annotated[str, typer.Option(help=f"Engine of the judge: {', '.join(ENGINES)}.")] = "openai",
    judge_base_url: Annotated[str | None, typer.Option(help="Endpoint of the judge for --judge-engine openai.", show_default=False)] = None,
    judge_api_key_env: Annotated[str | None, typer.Option(help="Environment variable holding the judge's API key.", show_default=False)] = None,
    judge_audit: Annotated[int, typer.Option(help="Also judge K rule-extracted responses and report the judge's agreement with the rules.")] = 0,
    answer_pass: Annotated[str, typer.Option("--answer-pass", help="Constrained answer pass: where the rules leave a response undecided, ask the same model to finish it after 'Therefore, the answer is (' with one valid letter (SGLang regex, vLLM guided_choice, or logit_bias). off | fallback (default: where the endpoint supports it) | always (every response; an endpoint without support is an error).")] = "fallback",
    config: Annotated[str | None, typer.Option("--config", "-c", is_eager=True, callback=_load_config, help=f"Preset: a shipped name ({', '.join(preset_names())}) or a YAML file of these options; command-line options override it.", show_default=False)] = None,
) -> None:
    from anestools.eval.runner import (  # aiohttp: load only when used
        EvalSettings,
        evaluate_model,
        expand_models,
        run_dirs,
    )

    if ctx.invoked_subcommand is not None:
        if model:
            raise ConfigError(f"--model is not an option of 'eval {ctx.invoked_subcommand}'")
        return
    if not model:
        raise ConfigError("--model is required (or use 'anestools eval report RUN_DIR...')")
    settings = EvalSettings(  # validated here, once
        **engine, benchmark=benchmark or None, languages=parse_languages(lang), levels=_levels(levels), shots=shots,
        dev_file=dev_file, prompt=prompt, samples=samples, temperature=temperature, max_new_tokens=max_new_tokens,
        limit=_limit(limit), mapping=BenchMapping.load(bench_map, bench_field or ()), resume=resume,
        overwrite=overwrite, skip_invalid=skip_invalid, seed=seed, log_samples=log_samples,
        judge_model=judge_model, judge_engine=judge_engine, judge_base_url=judge_base_url,
        judge_api_key_env=judge_api_key_env, judge_audit=judge_audit, answer_pass=answer_pass,
    )
    check_progress_interval(progress_interval)
    settings = settings.resolved()
    if not con.quiet():
        con.console.print(f"engine: {settings.engine} ({settings.engine_choice})",
                          markup=False, highlight=False, soft_wrap=True)
    if samples > 1 and temperature == 0:
        con.console.print("[yellow]warning:[/] --samples > 1 with --temperature 0 gives identical samples")
    bench = load_benchmark(settings.benchmark, settings.languages, settings.skip_invalid, settings.mapping)
    if bench.invalid:
        con.console.print(f"[yellow]skipped {len(bench.invalid)} invalid record(s)[/]; first: {bench.invalid[0]}")
    if bench.assumed_language and not con.quiet():
        lang = bench.assumed_language
        con.console.print(f"language: {lang} for the questions that state none (no language field or file-name "
                          f"token; from --lang {lang})", markup=False, highlight=False, soft_wrap=True)
    model = expand_models(model)
    dirs = run_dirs(model, output)
    old = signal.signal(signal.SIGTERM, _raise_interrupt)
    incomplete: list[tuple[Path, int]] = []
    try:
        for m, run_dir in zip(model, dirs):
            with eval_progress(f"eval {Path(m).name or m}", progress_interval) as hook:
                outcome = evaluate_model(m, run_dir, settings, benchmark=bench, hook=hook)
            if outcome.skipped_done:
                con.console.print(f"resumed: {outcome.skipped_done} answers already in {run_dir}")
            _print_summary(outcome.summary, run_dir)
            if outcome.summary["errors"]:
                incomplete.append((run_dir, outcome.summary["errors"]))
    finally:
        signal.signal(signal.SIGTERM, old)
    if incomplete:
        where = ", ".join(f"{d} ({n})" for d, n in incomplete)
        raise IncompleteRunError(f"requests still failing after --retries in {where}; what was answered is "
                                 "written — re-run the same command to resume")


@app.command("report")
def report_command(
    runs: Annotated[list[Path], typer.Argument(help="Run directories (or their summary.json).", metavar="RUN_DIR", show_default=False)],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the markdown here (and <name>.png for checkpoint sweeps). Default: print.")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Also write one self-contained HTML page (tables, paired comparison and charts embedded).", show_default=False)] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing --output / --html / --diff file.")] = False,
    allow_mismatch: Annotated[bool, typer.Option("--allow-mismatch", help="Set runs on different question sets side by side (marked) instead of refusing.")] = False,
    diff: Annotated[Path | None, typer.Option(help="With two runs: write the per-question differences here (JSONL). Default with --output: <output>.diff.jsonl.", show_default=False)] = None,
    by: Annotated[str, typer.Option("--by", help="auto: an accuracy-vs-budget table and chart when the runs differ only in --max-new-tokens; max-tokens: require that (exit 2 naming what else differs).")] = "auto",
) -> None:
    """Compare evaluation runs side by side (accuracy per language/level, plot vs checkpoint step or thinking budget).

    With exactly two runs (A then B) a paired comparison follows: delta accuracy per level x
    language, McNemar's exact p-value and the 95% interval [low, high] that inverts it; one
    rule decides the verdict (p < 0.05: "B better" / "A better", else "within noise"), so the
    two never disagree. Runs on different question sets are refused unless --allow-mismatch.

    Examples:

      anestools eval report results/qwen-base results/qwen-sft

      anestools eval report results/qwen-base results/qwen-sft --diff base-vs-sft.jsonl

      anestools eval report results/sweep/* --output results/sweep/report.md

      anestools eval report results/qwen-sft --html qwen-sft.html

      anestools eval report results/budget/* --output results/budget/report.md   (a --max-new-tokens sweep)

    Runs of one model that differ only in --max-new-tokens (the thinking budget) also get an
    accuracy-vs-budget table (overall, per language, per level, truncated share, mean completion
    tokens) and chart (<output>.png, and in --html); runs that differ in other settings too are
    named in one line instead.
    """
    from anestools.eval.report_files import write_comparison

    text, written, notes = write_comparison(runs, output, overwrite=overwrite, allow_mismatch=allow_mismatch,
                                            diff=diff, html=html, by=by)
    for note in notes:
        con.console.print(f"note: {note}", markup=False, highlight=False, soft_wrap=True)
    if output is None and html is None:  # soft_wrap: markdown tables never wrapped (piped stdout: 80 cols)
        con.out.print(text, markup=False, highlight=False, soft_wrap=True)
    for p in written:
        con.out.print(f"wrote {p}")
