"""``anestools corpus``: build AnesCorpus from web data (build, stats) and PubMed (pubmed).

``build``/``stats`` live in this module; ``pubmed`` is defined in ``pubmed_cli.py`` and only
registered here. Options both commands take are declared once, in ``cli_common.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from anestools.common.csv_values import split_csv
from anestools.common.options import LanguagesAlias, resolve_alias
from anestools.corpus import cli_common as cc
from anestools.corpus.pubmed_cli import pubmed_command

app = typer.Typer(
    help=(
        "Build AnesCorpus shards: web data (datatrove) and PubMed/PMC; print corpus stats.\n\n"
        "Examples:\n\n"
        "  anestools corpus build fineweb/ --output anescorpus\n\n"
        "  anestools corpus pubmed pubmed25n0001.xml.gz --output anescorpus-pubmed\n\n"
        "  anestools corpus stats anescorpus"
    ),
    no_args_is_help=True,
)
app.command("pubmed")(pubmed_command)

_BUILD_HELP = """Filter web text (FineWeb parquet, JSONL) into AnesCorpus shards with datatrove.

Stages (datatrove's executors, each step with its own stats): read -> anesthesia pre-screen (hyperscan) -> relevance (bilingual lexicon) -> language (langdetect) -> quality per language (datatrove's C4/Gopher filters for en, character rules for zh) -> AnesBench decontamination -> token count -> dedup (datatrove's exact or MinHash) -> shards OUTPUT/en/*.parquet and OUTPUT/zh/*.parquet, then OUTPUT/_SUCCESS. With no INPUTS it runs on the embedded sample and writes ./anescorpus. Rerunning the same command resumes an interrupted build. Exit code 2 when the run finished but kept no document.

[bold]Examples[/]

  anestools corpus build

  anestools corpus build fineweb/sample/10BT --output anescorpus --tasks 16 --workers 8

  anestools corpus build hf://datasets/HuggingFaceFW/fineweb/data --executor slurm --tasks 2000 --slurm-partition cpu --slurm-time 12:00:00 --output /shared/anescorpus

  anestools corpus build web/ --executor slurm --slurm-partition cpu --tasks 64 --wait

  anestools corpus build web/ --dedup minhash --decontaminate anesbench_en.json --decontaminate anesbench_zh.json --tokenizer models/qwen2.5-7b --keep-excluded dropped/
"""


@app.command("build", help=_BUILD_HELP, rich_help_panel=None)
def build_command(
    inputs: cc.InputsArg = None,
    input: cc.InputOpt = None,
    output: Annotated[str, typer.Option("--output", "-o", help="Output folder.")] = "anescorpus",
    fmt: cc.FormatOpt = "parquet",
    lang: Annotated[str | None, typer.Option("--lang", help="Languages to keep: en, zh or en,zh [default: en,zh].", show_default=False)] = None,
    languages: LanguagesAlias = None,
    lexicon: cc.LexiconOpt = None,
    min_terms: cc.MinTermsOpt = None,
    min_score: cc.MinScoreOpt = None,
    quality: Annotated[bool, typer.Option("--quality/--no-quality", help="Apply quality heuristics.")] = True,
    dedup: Annotated[str, typer.Option("--dedup", help="none, exact (normalised text hash) or minhash.")] = "exact",
    decontaminate: Annotated[list[Path] | None, typer.Option("--decontaminate", help="AnesBench file(s): drop documents sharing 13-word / 20-character n-grams.")] = None,
    tokenizer: cc.TokenizerOpt = None,
    keep_excluded: cc.KeepExcludedOpt = None,
    limit: Annotated[int, typer.Option("--limit", help="Read at most N documents per task (quick trials).")] = -1,
    source: Annotated[str | None, typer.Option("--source", help="Value of the 'source' column [default: fineweb for FineWeb paths, else web].")] = None,
    text_key: Annotated[str, typer.Option("--text-key", help="Input text column/field.")] = "text",
    id_key: Annotated[str, typer.Option("--id-key", help="Input id column/field.")] = "id",
    overwrite: cc.OverwriteOpt = False,
    executor: cc.ExecutorOpt = "local",
    tasks: cc.TasksOpt = 0,
    workers: cc.WorkersOpt = -1,
    slurm_partition: cc.SlurmPartitionOpt = None,
    slurm_time: cc.SlurmTimeOpt = "24:00:00",
    slurm_cpus_per_task: cc.SlurmCpusOpt = 1,
    slurm_mem_per_cpu_gb: cc.SlurmMemOpt = 2,
    slurm_qos: cc.SlurmQosOpt = "normal",
    slurm_env_command: cc.SlurmEnvOpt = None,
    slurm_arg: cc.SlurmArgOpt = None,
    ray_cpus_per_task: cc.RayCpusOpt = 1,
    wait: cc.WaitOpt = False,
) -> None:
    from anestools.common import console as con
    from anestools.corpus.build import BuildConfig, run_build, summarize
    from anestools.corpus.lexicon import DEFAULT_MIN_SCORE, DEFAULT_MIN_TERMS
    from anestools.errors import InputError

    cfg = BuildConfig(
        inputs=cc.merge_inputs(inputs, input),
        output=output,
        fmt=fmt,
        languages=tuple(split_csv([resolve_alias(lang, languages, default="en,zh", name="--lang", old_name="--languages")])),
        lexicon=[str(p) for p in lexicon or []],
        min_terms=DEFAULT_MIN_TERMS if min_terms is None else min_terms,
        min_score=DEFAULT_MIN_SCORE if min_score is None else min_score,
        quality=quality,
        dedup=dedup,
        decontaminate=[str(p) for p in decontaminate or []],
        tokenizer=tokenizer,
        limit=limit,
        source=source,
        text_key=text_key,
        id_key=id_key,
        keep_excluded=str(keep_excluded) if keep_excluded else None,
        overwrite=overwrite,
        executor=cc.executor_options(executor, tasks, workers, slurm_partition, slurm_time, slurm_cpus_per_task,
                                     slurm_mem_per_cpu_gb, slurm_qos, slurm_env_command, slurm_arg,
                                     ray_cpus_per_task),
    )
    what = "embedded sample" if not cfg.inputs else ", ".join(cfg.inputs)
    if not con.quiet():
        con.console.print(f"[bold]corpus build[/]: {what} -> {output} ({executor}, "
                      f"{f'{tasks} task(s)' if tasks else 'one task per input shard'}, dedup {dedup})",
                      highlight=False, soft_wrap=True)
    result = cc.run_with_progress(run_build, cfg)
    if result.submitted:
        con.out.print(f"submitted to {executor}: logs in {result.output / '_logs'}; "
                      f"run `anestools corpus stats {output}` when the jobs have finished")
        if not wait:
            return
        cc.wait_for_slurm(result.output, cfg.executor)
        result.submitted = False
        result = summarize(result.output, result)
    cc.print_steps(result.steps, "corpus build: documents per step")
    kept = ", ".join(f"{lang}: {n:,}" for lang, n in sorted(result.kept.items())) or "none"
    con.out.print(f"kept documents: {kept}")
    if any(result.tokens.values()):
        con.out.print("tokens: " + ", ".join(f"{lang}: {n:,}" for lang, n in sorted(result.tokens.items())))
    if result.already_complete:
        con.out.print("nothing to do: the output is a complete corpus built with the same settings")
    if result.resumed:
        con.out.print("resumed an interrupted build (completed datatrove tasks were skipped)")
    cc.print_warnings(result.warnings, result.output)
    con.out.print(f"output: {result.output} ({len(result.outputs)} shard(s))", soft_wrap=True)
    for p in result.outputs[:20]:
        con.out.print(f"  {p}", highlight=False, soft_wrap=True)
    if len(result.outputs) > 20:
        con.out.print(f"  ... {len(result.outputs) - 20} more")
    if result.total_kept == 0:
        raise InputError(f"no document was kept from {len(result.files)} input file(s) (see the drop reasons above; "
                         "try --lang, a lower --min-terms/--min-score or --text-key)")


_STATS_HELP = """Print rows, tokens and bytes per language and source of an AnesCorpus folder, and the documents kept/dropped by each pipeline step (from datatrove's stats).

A corpus whose run has not finished (no OUTPUT/_SUCCESS) is refused unless --incomplete; for a run on Slurm the refusal says whether its jobs are still pending/running or FAILED (which tasks, which logs).

[bold]Examples[/]

  anestools corpus stats anescorpus

  anestools corpus stats anescorpus --json > stats.json
"""

_NO_TOKENS = "tokens: '-' = not counted (build with --tokenizer to fill token_count)"


@app.command("stats", help=_STATS_HELP)
def stats_command(
    directory: Annotated[Path, typer.Argument(help="Corpus folder written by corpus build/pubmed.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    incomplete: Annotated[bool, typer.Option("--incomplete", help="Inspect a corpus whose run has not finished (partial counts).")] = False,
) -> None:
    import json
    from dataclasses import asdict

    from rich.table import Table

    from anestools.common import console as con
    from anestools.common import slurm_cli as sc
    from anestools.common.corpus_marker import MARKER, corpus_root, is_incomplete
    from anestools.common.slurm import LEDGER
    from anestools.corpus.stats import corpus_stats
    from anestools.errors import InputError

    partial = is_incomplete(directory)
    ledger = (corpus_root(directory) or directory) / "_logs" / LEDGER
    # a run without _SUCCESS that went to Slurm: ask the controller whether it failed or is pending
    slurm = sc.run_status_of(ledger) if partial else None
    if partial and not incomplete:
        sc.print_failed(slurm)
        raise InputError(f"{corpus_root(directory)} is an unfinished corpus (no {MARKER}): "
                         f"{sc.unfinished_reason(slurm)}")
    st = corpus_stats(directory, allow_incomplete=incomplete)
    if partial:
        con.console.print(f"[bold yellow]warning:[/] {directory} is an unfinished corpus (no {MARKER}): counts are "
                          f"partial; {sc.unfinished_reason(slurm)}", highlight=False, soft_wrap=True)
    state = sc.run_state(not partial, slurm)
    by_lang = st.totals_by_language()
    counted = any(g.counted_rows for g in by_lang.values())
    if as_json:
        payload = {
            "root": str(st.root),
            "complete": not partial,
            "status": state,  # complete, pending, failed or interrupted
            "files": st.files,
            "file_bytes": st.file_bytes,
            "tokens_counted": counted,
            "by_language": {k: asdict(v) for k, v in by_lang.items()},
            "by_language_source": [{"language": k[0], "source": k[1], **asdict(v)} for k, v in st.groups.items()],
            "steps": [asdict(s) for s in st.steps],
        }
        if slurm is not None:
            payload["slurm"] = sc.status_payload(slurm)
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return

    def tok(g) -> str:
        if g.counted_rows == 0:
            return "-"
        return f"{g.tokens:,}" + ("" if g.counted_rows == g.rows else f" ({g.counted_rows:,} rows counted)")

    table = Table(title=f"AnesCorpus {st.root}", title_justify="left")
    for col in ("language", "source", "rows", "tokens", "text MB"):
        table.add_column(col, justify="left" if col in ("language", "source") else "right")
    for (lang, src), g in sorted(st.groups.items()):
        table.add_row(lang, src, f"{g.rows:,}", tok(g), f"{g.text_bytes / 1e6:,.2f}")
    table.add_section()  # per-language totals below a rule, never interleaved with the per-source rows
    for lang, g in sorted(by_lang.items()):
        table.add_row(f"[bold]{lang}[/]", "[bold]all[/]", f"{g.rows:,}", tok(g), f"{g.text_bytes / 1e6:,.2f}")
    con.out.print(table)
    con.out.print(f"{st.files} shard file(s), {st.file_bytes / 1e6:,.2f} MB on disk")
    if not counted and st.files:
        con.out.print(_NO_TOKENS)
    if slurm is not None:
        sc.print_run_status(slurm)
    elif not partial and (run := sc.newest_run(ledger)):
        con.out.print(f"Slurm run {run}: completed ({MARKER} written)", highlight=False)
    if st.steps:
        cc.print_steps(st.steps)
