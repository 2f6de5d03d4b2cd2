"""``anestools corpus pubmed``: PubMed/MEDLINE and PMC JATS -> AnesCorpus shards (issue 4).

Thin wrapper over :func:`anestools.corpus.pubmed.pipeline.run_pubmed`: maps options, shows a
summary table, lists failed/skipped files, and turns failures into one ``error:`` line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from anestools.common import console as con


def pubmed_command(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="MEDLINE files (pubmed25nXXXX.xml.gz, .xml), PMC JATS files (.nxml, .xml), .tar.gz bundles, "
            "folders (recursive) or globs.",
            show_default=False,
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Corpus folder: shards go to OUTPUT/en/, OUTPUT/zh/.")] = Path("anescorpus-pubmed"),
    select: Annotated[str, typer.Option(help="Selection: any of mesh,journal,lexicon (a document qualifies if one holds), or 'all'.")] = "mesh,journal,lexicon",
    sections: Annotated[str, typer.Option(help="JATS text: 'abstract' (title + abstract) or 'full' (+ body sections).")] = "full",
    min_words: Annotated[int, typer.Option("--min-words", help="Drop documents shorter than this many words after cleaning.")] = 50,
    languages: Annotated[str, typer.Option(help="Record languages to keep: en, zh or en,zh (MEDLINE <Language>, JATS xml:lang).")] = "en",
    keep_captions: Annotated[bool, typer.Option("--keep-captions", help="Keep figure and table captions (JATS) as paragraphs.")] = False,
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="Succeed even if some files are unreadable; they are listed.")] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace the shards (OUTPUT/en, OUTPUT/zh) and logs of an earlier run; other files are kept.")] = False,
    fmt: Annotated[str, typer.Option("--format", help="Shard format: parquet or jsonl (.jsonl.gz).")] = "parquet",
    tokenizer: Annotated[str | None, typer.Option(help="Count tokens into token_count with this tokenizer.json / model dir.")] = None,
    mesh_file: Annotated[str | None, typer.Option("--mesh-list", help="Replace the shipped anesthesia MeSH list (TSV: UI, name).")] = None,
    journal_file: Annotated[str | None, typer.Option("--journal-list", help="Replace the shipped anesthesia journal list (TSV: abbreviation, title).")] = None,
    lexicon: Annotated[list[str] | None, typer.Option("--lexicon", help="Lexicon file(s) replacing the shipped ones (repeatable).")] = None,
    min_terms: Annotated[int | None, typer.Option("--min-terms", help="Lexicon: distinct terms needed (default: shared lexicon default).")] = None,
    min_score: Annotated[float | None, typer.Option("--min-score", help="Lexicon: score needed (default: shared lexicon default).")] = None,
    executor: Annotated[str, typer.Option(help="datatrove executor: local, slurm or ray.")] = "local",
    tasks: Annotated[int, typer.Option(help="Tasks (files are split round-robin; capped at the number of files); 0: one per file.")] = 0,
    workers: Annotated[int, typer.Option(help="Parallel workers (-1: one per task up to the CPU count).")] = -1,
    slurm_partition: Annotated[str | None, typer.Option(help="Slurm partition (with --executor slurm).")] = None,
    slurm_time: Annotated[str, typer.Option(help="Slurm time limit per task.")] = "24:00:00",
    slurm_env_command: Annotated[str | None, typer.Option(help="Command run before each Slurm task, e.g. 'source venv/bin/activate' [default: this interpreter's environment].")] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Slurm: watch the submitted jobs until they end; list failed tasks with their logs and exit non-zero if any failed.")] = False,
) -> None:
    """Clean PubMed/MEDLINE XML and PMC JATS full text into AnesCorpus shards.

    MEDLINE: title + abstract, structured labels kept ("BACKGROUND: ...").
    JATS: title, abstract, body sections with headings; no references,
    tables, figures, formulas, acknowledgements, funding or competing
    interests. Dropped: retractions, errata, comments, records without
    abstract, other languages. Kept if MeSH, journal or the shared lexicon
    say "anesthesia" (shard column selected_by). Streaming: flat memory on
    1 GB baseline files. Running the same command again resumes.

    Examples:

      anestools corpus pubmed pubmed25n*.xml.gz -o pm --tasks 8 --workers 8

      anestools corpus pubmed oa/ -o pmc --select journal,lexicon --skip-bad

      anestools corpus pubmed baseline/ -o pm --executor slurm --tasks 1274
      --slurm-partition cpu --wait

      anestools corpus pubmed articles/ -o pm --select all --keep-captions
    """
    from anestools.corpus.executors import ExecutorOptions
    from anestools.corpus.pubmed.pipeline import PubmedOptions, run_pubmed

    opts = PubmedOptions(
        inputs=list(inputs),
        output=output,
        select=select,
        sections=sections,
        min_words=min_words,
        languages=tuple(s.strip() for s in languages.split(",") if s.strip()),
        keep_captions=keep_captions,
        skip_bad=skip_bad,
        overwrite=overwrite,
        fmt=fmt,
        tokenizer=tokenizer,
        mesh_file=mesh_file,
        journal_file=journal_file,
        lexicon=list(lexicon or []),
        min_terms=min_terms,
        min_score=min_score,
        executor=ExecutorOptions(
            kind=executor,
            tasks=tasks,
            workers=workers,
            slurm_partition=slurm_partition,
            slurm_time=slurm_time,
            slurm_env_command=slurm_env_command,
        ),
    )

    from anestools.corpus.logs import route_datatrove_logs
    from anestools.corpus.progress import files_progress
    from anestools.corpus.pubmed.pipeline import LOG_SUBDIR
    from anestools.corpus.pubmed.steps import PROGRESS_DIR

    route_datatrove_logs(con.datatrove_log_level())  # task logs still go to their files
    with files_progress("files") as start:

        def started(n_files: int, n_tasks: int) -> None:
            con.console.print(f"corpus pubmed: {n_files} file(s) in {n_tasks} task(s) -> {output}", highlight=False)
            start(n_files, output / LOG_SUBDIR / PROGRESS_DIR)

        result = run_pubmed(opts, on_start=started)

    if result.submitted:
        con.out.print(f"submitted {result.tasks} task(s) to {executor}; shards will appear under {output}/<language>/")
        if not wait:
            return
        from anestools.common.slurm import LEDGER
        from anestools.common.slurm_cli import wait_for_jobs
        from anestools.corpus.pubmed.pipeline import collect

        wait_for_jobs(output.resolve() / "_logs" / LEDGER, opts.executor.slurm_run, "rerun the same command to resume")
        result.submitted = False
        result = collect(output, result)
    table = Table(title="anestools corpus pubmed")
    table.add_column("")
    table.add_column("count", justify="right")
    table.add_row("files", f"{result.files:,}")
    table.add_row("records read", f"{result.records:,}")
    for reason, n in result.dropped.items():
        if n:
            table.add_row(f"dropped: {reason}", f"{n:,}")
    for crit, n in result.selected_by.items():
        if n:
            table.add_row(f"selected by {crit}", f"{n:,}")
    for lang, n in sorted(result.written.items()):
        table.add_row(f"[bold]written ({lang})", f"{n:,}")
    if result.resumed_tasks:
        table.add_row("tasks already done (resumed)", f"{result.resumed_tasks:,}")
    con.out.print(table)
    for e in result.errors:
        label = "skipped" if skip_bad else "failed"
        con.console.print(f"[yellow]{label}[/] {e['error']} ({e.get('records', 0)} record(s) read before the error)",
                          highlight=False, soft_wrap=True)
    result.check(skip_bad)
    con.out.print(f"shards: {output}/<language>/*.{'parquet' if fmt == 'parquet' else 'jsonl.gz'}")
