"""``anestools corpus pubmed``: PubMed/MEDLINE and PMC JATS -> AnesCorpus shards.

Thin wrapper over :func:`anestools.corpus.pubmed.pipeline.run_pubmed`: maps options (the ones
shared with ``corpus build`` are declared in ``cli_common.py``), prints the per-step summary,
lists failed/skipped files, and turns failures into one ``error:`` line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from anestools.common import console as con
from anestools.common.options import LanguagesAlias, resolve_alias
from anestools.corpus import cli_common as cc


def pubmed_command(
    inputs: Annotated[list[str] | None, typer.Argument(
        help="MEDLINE files (pubmed25nXXXX.xml.gz, .xml), PMC JATS files (.nxml, .xml), .tar.gz bundles, "
        "folders (recursive) or globs.", show_default=False)] = None,
    input: cc.InputOpt = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Corpus folder: shards go to OUTPUT/en/, OUTPUT/zh/.")] = Path("anescorpus-pubmed"),
    select: Annotated[str, typer.Option(help="Selection: any of mesh,journal,lexicon (a document qualifies if one holds), or 'all'.")] = "mesh,journal,lexicon",
    sections: Annotated[str, typer.Option(help="JATS text: 'abstract' (title + abstract) or 'full' (+ body sections).")] = "full",
    min_words: Annotated[int, typer.Option("--min-words", help="Drop documents shorter than this many words after cleaning.")] = 50,
    lang: Annotated[str | None, typer.Option("--lang", help="Record languages to keep: en, zh or en,zh (MEDLINE <Language>, JATS xml:lang) [default: en].", show_default=False)] = None,
    languages: LanguagesAlias = None,
    keep_captions: Annotated[bool, typer.Option("--keep-captions", help="Keep figure and table captions (JATS) as paragraphs.")] = False,
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="Succeed even if some files are unreadable; they are listed.")] = False,
    overwrite: cc.OverwriteOpt = False,
    fmt: cc.FormatOpt = "parquet",
    tokenizer: cc.TokenizerOpt = None,
    mesh_file: Annotated[str | None, typer.Option("--mesh-list", help="Replace the shipped anesthesia MeSH list (TSV: UI, name).")] = None,
    journal_file: Annotated[str | None, typer.Option("--journal-list", help="Replace the shipped anesthesia journal list (TSV: abbreviation, title).")] = None,
    lexicon: cc.LexiconOpt = None,
    min_terms: cc.MinTermsOpt = None,
    min_score: cc.MinScoreOpt = None,
    keep_excluded: cc.KeepExcludedOpt = None,
    max_member_mb: Annotated[int, typer.Option("--max-member-mb", help="Refuse a JATS file or tar member that decompresses to more than this (bomb guard).")] = 256,
    huge_xml: Annotated[bool, typer.Option("--huge-xml", help="Lift lxml's size limits (huge_tree) for legitimately huge XML.")] = False,
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
    """Clean PubMed/MEDLINE XML and PMC JATS full text into AnesCorpus shards.

    MEDLINE: title + abstract, structured labels kept ("BACKGROUND: ...").
    JATS: title, abstract, body sections with headings; no references,
    tables, figures, formulas, acknowledgements, funding or competing
    interests. Dropped: retractions, errata, comments, records without
    abstract, other languages. Kept if MeSH, journal or the shared lexicon
    say "anesthesia" (shard column selected_by). Streaming: flat memory on
    1 GB baseline files. Running the same command again resumes. Exit code
    2 when the run finished but kept no document (as corpus build).

    Examples:

      anestools corpus pubmed pubmed25n*.xml.gz -o pm --tasks 8 --workers 8

      anestools corpus pubmed oa/ -o pmc --select journal,lexicon --skip-bad

      anestools corpus pubmed baseline/ -o pm --executor slurm --tasks 1274
      --slurm-partition cpu --wait

      anestools corpus pubmed articles/ -o pm --select all --keep-captions
    """
    from anestools.corpus.pubmed.pipeline import PubmedOptions, collect, run_pubmed
    from anestools.errors import InputError

    paths = cc.merge_inputs(inputs, input)
    if not paths:
        raise InputError("corpus pubmed needs INPUTS (files, folders or globs)")
    opts = PubmedOptions(
        inputs=paths,
        output=output,
        select=select,
        sections=sections,
        min_words=min_words,
        languages=tuple(s.strip() for s in resolve_alias(lang, languages, default="en", name="--lang", old_name="--languages").split(",") if s.strip()),
        keep_captions=keep_captions,
        skip_bad=skip_bad,
        overwrite=overwrite,
        fmt=fmt,
        tokenizer=tokenizer,
        mesh_file=mesh_file,
        journal_file=journal_file,
        lexicon=[str(p) for p in lexicon or []],
        min_terms=min_terms,
        min_score=min_score,
        keep_excluded=str(keep_excluded) if keep_excluded else None,
        max_member_mb=max_member_mb,
        huge_xml=huge_xml,
        executor=cc.executor_options(executor, tasks, workers, slurm_partition, slurm_time, slurm_cpus_per_task,
                                     slurm_mem_per_cpu_gb, slurm_qos, slurm_env_command, slurm_arg,
                                     ray_cpus_per_task),
    )
    if not con.quiet():
        con.console.print(f"[bold]corpus pubmed[/]: {', '.join(paths)} -> {output} ({executor})",
                      highlight=False, soft_wrap=True)
    result = cc.run_with_progress(run_pubmed, opts)
    if result.submitted:
        con.out.print(f"submitted {result.tasks} task(s) to {executor}; logs in {result.output / '_logs'}; "
                      f"run `anestools corpus stats {output}` when the jobs have finished")
        if not wait:
            return
        cc.wait_for_slurm(result.output, opts.executor)
        result.submitted = False
        result = collect(result.output, result)
    cc.print_steps(result.steps, "corpus pubmed: documents per step")
    con.out.print(f"files: {result.files:,}, records read: {result.records:,}, "
                  f"older versions of a PMID/PMCID dropped: {result.duplicates:,}")
    selected = ", ".join(f"{crit} {n:,}" for crit, n in result.selected_by.items() if n)
    if selected:
        con.out.print(f"selected by: {selected}")
    written = ", ".join(f"{lang}: {n:,}" for lang, n in sorted(result.written.items())) or "none"
    con.out.print(f"kept documents: {written}")
    if result.already_complete:
        con.out.print("nothing to do: the output is a complete corpus built with the same settings")
    if result.resumed:
        con.out.print("resumed an interrupted run (completed datatrove tasks were skipped)")
    cc.print_warnings(result.warnings, result.output)
    for e in result.errors:
        label = "skipped" if skip_bad else "failed"
        con.console.print(f"[yellow]{label}[/] {e['error']} ({e.get('records', 0)} record(s) read before the error)",
                          highlight=False, soft_wrap=True)
    result.check(skip_bad)
    con.out.print(f"shards: {output}/<language>/*.{'parquet' if fmt == 'parquet' else 'jsonl.gz'}")
