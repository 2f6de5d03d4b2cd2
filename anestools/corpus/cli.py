"""``anestools corpus``: build AnesCorpus from web data (build, stats) and PubMed (pubmed).

``build``/``stats`` live in this module; ``pubmed`` is defined in ``pubmed_cli.py`` and only
registered here, so the two commands can evolve independently.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from anestools.corpus.pubmed_cli import pubmed_command

app = typer.Typer(
    help=(
        "Build AnesCorpus shards: web data (datatrove) and PubMed/PMC; print corpus stats.\n\n"
        "Examples:\n\n"
        "  anestools corpus build --input fineweb/ --output anescorpus\n\n"
        "  anestools corpus pubmed pubmed25n0001.xml.gz --output anescorpus-pubmed\n\n"
        "  anestools corpus stats anescorpus"
    ),
    no_args_is_help=True,
)
app.command("pubmed")(pubmed_command)

_BUILD_HELP = """Filter web text (FineWeb parquet, JSONL) into AnesCorpus shards with datatrove.

Steps, cheapest first: anesthesia relevance (bilingual lexicon) -> language (langdetect) -> quality (C4/Gopher for en, character rules for zh) -> AnesBench decontamination -> dedup -> token count -> shards OUTPUT/en/*.parquet and OUTPUT/zh/*.parquet. With no --input it runs on the embedded sample and writes ./anescorpus. Rerunning the same command resumes an interrupted build.

[bold]Examples[/]

  anestools corpus build

  anestools corpus build --input fineweb/sample/10BT --output anescorpus --tasks 16 --workers 8

  anestools corpus build --input hf://datasets/HuggingFaceFW/fineweb/data --executor slurm --tasks 2000 --slurm-partition cpu --slurm-time 12:00:00 --output /shared/anescorpus

  anestools corpus build --input web/ --executor slurm --slurm-partition cpu --tasks 64 --wait

  anestools corpus build --input web/ --dedup minhash --decontaminate anesbench_en.json --decontaminate anesbench_zh.json --tokenizer models/qwen2.5-7b
"""


def _split_csv(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def _sbatch_args(values: list[str] | None) -> dict[str, str]:
    from anestools.errors import ConfigError

    out: dict[str, str] = {}
    for v in values or []:
        key, sep, val = v.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--slurm-arg expects KEY=VALUE (got {v!r})")
        out[key.strip().lstrip("-")] = val.strip()
    return out


@app.command("build", help=_BUILD_HELP, rich_help_panel=None)
def build_command(
    input: Annotated[list[str] | None, typer.Option("--input", "-i", help="Parquet/JSONL(.gz/.zst) files, folders, globs or hf:// paths (repeatable). Default: embedded sample.")] = None,
    output: Annotated[str, typer.Option("--output", "-o", help="Output folder.")] = "anescorpus",
    fmt: Annotated[str, typer.Option("--format", help="Shard format: parquet or jsonl (jsonl.gz).")] = "parquet",
    languages: Annotated[str, typer.Option("--languages", help="Languages to keep: en, zh or en,zh.")] = "en,zh",
    lexicon: Annotated[list[Path] | None, typer.Option("--lexicon", help="Lexicon file(s) replacing the shipped en/zh lists (repeatable).")] = None,
    min_terms: Annotated[int | None, typer.Option("--min-terms", help="Distinct lexicon terms a document needs [default: 3].")] = None,
    min_score: Annotated[float | None, typer.Option("--min-score", help="Minimum relevance score (weighted distinct terms x density) [default: 2.0].")] = None,
    quality: Annotated[bool, typer.Option("--quality/--no-quality", help="Apply quality heuristics.")] = True,
    dedup: Annotated[str, typer.Option("--dedup", help="none, exact (normalised text hash) or minhash.")] = "exact",
    decontaminate: Annotated[list[Path] | None, typer.Option("--decontaminate", help="AnesBench file(s): drop documents sharing 13-word / 20-character n-grams.")] = None,
    tokenizer: Annotated[str | None, typer.Option("--tokenizer", help="tokenizer.json, model directory or Hub name: adds token_count.")] = None,
    tasks: Annotated[int, typer.Option("--tasks", help="datatrove tasks (input shards are split across them); 0: one per input shard.")] = 0,
    workers: Annotated[int, typer.Option("--workers", help="Tasks run at once (-1: automatic).")] = -1,
    executor: Annotated[str, typer.Option("--executor", help="local, slurm or ray.")] = "local",
    slurm_partition: Annotated[str | None, typer.Option("--slurm-partition", help="Slurm partition (required with --executor slurm).")] = None,
    slurm_time: Annotated[str, typer.Option("--slurm-time", help="Slurm time limit per job.")] = "24:00:00",
    slurm_cpus_per_task: Annotated[int, typer.Option("--slurm-cpus-per-task")] = 1,
    slurm_mem_per_cpu_gb: Annotated[int, typer.Option("--slurm-mem-per-cpu-gb")] = 2,
    slurm_qos: Annotated[str, typer.Option("--slurm-qos")] = "normal",
    slurm_env_command: Annotated[str | None, typer.Option("--slurm-env-command", help="Shell command run before each job, e.g. 'source .venv/bin/activate' [default: put this interpreter's bin/ first on PATH].")] = None,
    slurm_arg: Annotated[list[str] | None, typer.Option("--slurm-arg", help="Extra sbatch option KEY=VALUE (repeatable), e.g. account=myproj.")] = None,
    ray_cpus_per_task: Annotated[int, typer.Option("--ray-cpus-per-task")] = 1,
    limit: Annotated[int, typer.Option("--limit", help="Read at most N documents per task (quick trials).")] = -1,
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="Skip unreadable input shards (listed in the summary) instead of failing.")] = False,
    source: Annotated[str | None, typer.Option("--source", help="Value of the 'source' column [default: fineweb for FineWeb paths, else web].")] = None,
    text_key: Annotated[str, typer.Option("--text-key", help="Input text column/field.")] = "text",
    id_key: Annotated[str, typer.Option("--id-key", help="Input id column/field.")] = "id",
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing corpus in --output.")] = False,
    wait: Annotated[bool, typer.Option("--wait", help="Slurm: watch the submitted jobs until they end; list failed tasks with their logs and exit non-zero if any failed.")] = False,
) -> None:
    from anestools.common import console as con
    from anestools.corpus.build import BuildConfig, run_build
    from anestools.corpus.executors import ExecutorOptions
    from anestools.corpus.lexicon import DEFAULT_MIN_SCORE, DEFAULT_MIN_TERMS

    cfg = BuildConfig(
        inputs=list(input or []),
        output=output,
        fmt=fmt,
        languages=tuple(_split_csv([languages])),
        lexicon=[str(p) for p in lexicon or []],
        min_terms=DEFAULT_MIN_TERMS if min_terms is None else min_terms,
        min_score=DEFAULT_MIN_SCORE if min_score is None else min_score,
        quality=quality,
        dedup=dedup,
        decontaminate=[str(p) for p in decontaminate or []],
        tokenizer=tokenizer,
        limit=limit,
        skip_bad=skip_bad,
        source=source,
        text_key=text_key,
        id_key=id_key,
        overwrite=overwrite,
        executor=ExecutorOptions(
            kind=executor,
            tasks=tasks,
            workers=workers,
            slurm_partition=slurm_partition,
            slurm_time=slurm_time,
            slurm_cpus_per_task=slurm_cpus_per_task,
            slurm_mem_per_cpu_gb=slurm_mem_per_cpu_gb,
            slurm_qos=slurm_qos,
            slurm_env_command=slurm_env_command,
            slurm_sbatch_args=_sbatch_args(slurm_arg),
            ray_cpus_per_task=ray_cpus_per_task,
        ),
    )
    what = "embedded sample" if not cfg.inputs else ", ".join(cfg.inputs)
    con.console.print(f"[bold]corpus build[/]: {what} -> {output} ({executor}, {f'{tasks} task(s)' if tasks else 'one task per input shard'}, dedup {dedup})")
    import logging

    from anestools.corpus.logs import route_datatrove_logs, silence_tqdm

    route_datatrove_logs(con.datatrove_log_level())
    silence_tqdm()
    result = _run_with_progress(cfg, run_build)
    if result.submitted:
        con.out.print(f"submitted to {executor}: logs in {result.output / '_logs'}; "
                      f"run `anestools corpus stats {output}` when the jobs have finished")
        if not wait:
            return
        from anestools.common.slurm import LEDGER
        from anestools.common.slurm_cli import wait_for_jobs
        from anestools.corpus.build import summarize

        wait_for_jobs(result.output / "_logs" / LEDGER, cfg.executor.slurm_run, "rerun the same command to resume")
        result = summarize(result.output, result)
    logging.getLogger("anestools").debug("build result: %s", result)
    _print_summary(result)


def _run_with_progress(cfg, run_build):
    """Run the build under a files-done progress bar fed by the reader tasks' marker files."""
    from anestools.corpus.progress import files_progress

    with files_progress("input shards") as start:
        return run_build(cfg, on_start=lambda n_files, out: start(n_files, out / "_logs" / "progress"))


def _print_summary(result) -> None:
    from rich.table import Table

    from anestools.common import console as con

    table = Table(title="corpus build: documents per step", title_justify="left")
    for col in ("stage", "step", "in", "kept", "dropped", "drop reasons"):
        table.add_column(col, justify="right" if col in ("in", "kept", "dropped") else "left")
    for s in result.steps:
        if s.forwarded == 0 and s.dropped == 0:
            continue  # steps that do not filter (intermediate writers, signatures)
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(s.reasons.items(), key=lambda kv: -kv[1]))
        table.add_row(s.stage, s.step, str(s.total), str(s.forwarded), str(s.dropped), reasons)
    con.out.print(table)
    kept = ", ".join(f"{lang}: {n}" for lang, n in sorted(result.kept.items())) or "none"
    con.out.print(f"kept documents: {kept}")
    if any(result.tokens.values()):
        con.out.print("tokens: " + ", ".join(f"{lang}: {n}" for lang, n in sorted(result.tokens.items())))
    if result.resumed_tasks:
        con.out.print(f"resumed: {result.resumed_tasks} filter task(s) were already complete and skipped")
    if result.bad_files:
        con.out.print(f"[yellow]skipped {len(result.bad_files)} bad input shard(s):[/]", soft_wrap=True)
        for line in result.bad_files:
            con.out.print(f"  {line}", highlight=False, soft_wrap=True)
    con.out.print(f"output: {result.output} ({len(result.outputs)} shard(s))", soft_wrap=True)
    for p in result.outputs[:20]:
        con.out.print(f"  {p}", highlight=False, soft_wrap=True)
    if len(result.outputs) > 20:
        con.out.print(f"  ... {len(result.outputs) - 20} more")


_STATS_HELP = """Print rows, tokens and bytes per language and source of an AnesCorpus folder, and the documents kept/dropped by each pipeline step (from datatrove's stats).

[bold]Examples[/]

  anestools corpus stats anescorpus

  anestools corpus stats anescorpus --json > stats.json
"""


@app.command("stats", help=_STATS_HELP)
def stats_command(
    directory: Annotated[Path, typer.Argument(help="Corpus folder written by corpus build/pubmed.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    import json
    from dataclasses import asdict

    from rich.table import Table

    from anestools.common import console as con
    from anestools.corpus.stats import corpus_stats

    st = corpus_stats(directory)
    by_lang = st.totals_by_language()
    from anestools.common.slurm import LEDGER
    from anestools.common.slurm_cli import print_run_status, run_status_of, status_payload

    slurm = run_status_of(Path(directory) / "_logs" / LEDGER)  # None unless built on Slurm
    if as_json:
        payload = {
            "root": str(st.root),
            "files": st.files,
            "file_bytes": st.file_bytes,
            "by_language": {k: asdict(v) for k, v in by_lang.items()},
            "by_language_source": [{"language": k[0], "source": k[1], **asdict(v)} for k, v in st.groups.items()],
            "steps": [asdict(s) for s in st.steps],
        }
        if slurm is not None:
            payload["slurm"] = status_payload(slurm)
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return

    def tok(g) -> str:
        if g.counted_rows == 0:
            return "-"
        return f"{g.tokens:,}" + ("" if g.counted_rows == g.rows else f" ({g.counted_rows:,} rows counted)")

    table = Table(title=f"AnesCorpus {st.root}", title_justify="left")
    for col in ("language", "source", "rows", "tokens", "text MB"):
        table.add_column(col, justify="left" if col in ("language", "source") else "right")
    for (lang, src), g in st.groups.items():
        table.add_row(lang, src, f"{g.rows:,}", tok(g), f"{g.text_bytes / 1e6:,.2f}")
    for lang, g in sorted(by_lang.items()):
        table.add_row(f"[bold]{lang}[/]", "[bold]all[/]", f"{g.rows:,}", tok(g), f"{g.text_bytes / 1e6:,.2f}")
    con.out.print(table)
    con.out.print(f"{st.files} shard file(s), {st.file_bytes / 1e6:,.2f} MB on disk")
    print_run_status(slurm)  # says when a Slurm run failed or is still pending
    if st.steps:
        steps = Table(title="documents per step", title_justify="left")
        for col in ("stage", "step", "in", "kept", "dropped", "drop reasons"):
            steps.add_column(col, justify="right" if col in ("in", "kept", "dropped") else "left")
        for s in st.steps:
            if s.forwarded == 0 and s.dropped == 0:
                continue
            reasons = ", ".join(f"{k} {v}" for k, v in sorted(s.reasons.items(), key=lambda kv: -kv[1]))
            steps.add_row(s.stage, s.step, str(s.total), str(s.forwarded), str(s.dropped), reasons)
        con.out.print(steps)
