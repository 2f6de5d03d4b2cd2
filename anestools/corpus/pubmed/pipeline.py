"""Assemble and run the ``corpus pubmed`` datatrove pipeline; summarise what happened.

Stages: ``1-pubmed-ids`` (``PubmedReader`` -> ``PubmedIdSignatures``) and
``2-pubmed-duplicates`` (``PubmedFindDuplicates``, one task) find, across the whole run, the
older versions of every PMID / PMCID (``dedup.py``); ``3-pubmed`` is ``PubmedReader`` ->
``PubmedDedupFilter`` -> ``PubmedFilter`` -> (``TokensCounter``) -> datatrove's writer with the
corpus-shard adapter (``steps/writer.py``, as in ``corpus build``); ``4-complete`` writes the
completion marker. Executors, resume, the output folder rules, the terminal and the one-line errors
are those of ``corpus build`` (``anestools.corpus.run``).

Resume and overwrite: the settings of a run (the MeSH / journal / lexicon lists by content
hash) are saved in ``_logs/run.json``. Running the same command again resumes (completed tasks
are skipped); different settings need ``--overwrite`` once something was written, which
removes only what this command wrote (shards, logs, marker), never other files.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa

from anestools.corpus.executors import ExecutorOptions, build_executor, check_runnable
from anestools.corpus.pubmed.dedup import (
    DEDUP_RULE,
    PubmedDedupFilter,
    PubmedFindDuplicates,
    PubmedIdSignatures,
    newest_last,
)
from anestools.corpus.pubmed.select import Selector, parse_select
from anestools.corpus.pubmed.sources import discover
from anestools.corpus.pubmed.steps import ERRORS_DIR, PubmedFilter, PubmedReader, read_errors
from anestools.corpus.run import (
    CompletionMarker,
    Stage,
    content_digest,
    locked_output,
    prepare_output,
    run_stages,
    write_marker,
)
from anestools.corpus.stats import StepCounts, read_stage_stats
from anestools.corpus.steps.writer import LANGUAGES, corpus_writer
from anestools.errors import ConfigError, InputError

#: ``<n>-<stage>`` is the layout ``corpus stats`` reads per-step counts from.
STAGE = "pubmed"
IDS_SUBDIR = "_logs/1-pubmed-ids"
DUPS_SUBDIR = "_logs/2-pubmed-duplicates"
LOG_SUBDIR = f"_logs/3-{STAGE}"
MARKER_SUBDIR = "_logs/4-complete"
DEDUP_SUBDIR = "_logs/pubmed-dedup"  # signatures (ids/) and each task's older versions (drop/)
MANAGED = ("_logs",)
SECTIONS = ("abstract", "full")
#: Metadata kept as extra shard columns (beyond the corpus-shard contract).
EXTRA_FIELDS: dict[str, pa.DataType] = {
    "doi": pa.string(),
    "journal": pa.string(),
    "year": pa.int64(),
    "mesh_terms": pa.list_(pa.string()),
    "mesh_uis": pa.list_(pa.string()),
    "publication_types": pa.list_(pa.string()),
    "selected_by": pa.list_(pa.string()),
}
DROP_REASONS = ("duplicate", "retracted", "erratum", "comment", "no_abstract", "language", "too_short", "not_selected")


@dataclass
class PubmedOptions:
    """Everything ``corpus pubmed`` needs; the CLI maps its options one to one onto this."""

    inputs: list[str]
    output: Path
    select: str = "mesh,journal,lexicon"
    sections: str = "full"
    min_words: int = 50
    languages: Sequence[str] = ("en",)
    keep_captions: bool = False
    skip_bad: bool = False
    overwrite: bool = False
    fmt: str = "parquet"
    tokenizer: str | None = None
    mesh_file: str | None = None
    journal_file: str | None = None
    lexicon: list[str] = field(default_factory=list)
    min_terms: int | None = None
    min_score: float | None = None
    keep_excluded: str | None = None
    max_member_mb: int = 256  # largest JATS article / tar member, decompressed
    huge_xml: bool = False  # lift lxml's size limits (huge_tree)
    executor: ExecutorOptions = field(default_factory=ExecutorOptions)

    def identity(self, files: Sequence[Path]) -> dict:
        """Settings that change the output (a rerun with equal identity resumes).

        The MeSH, journal and lexicon lists count by content: one edited in place is a change.
        """
        d = asdict(self)
        for k in ("inputs", "output", "skip_bad", "overwrite", "executor"):
            d.pop(k)
        d["command"] = "corpus pubmed"
        d["languages"] = list(self.languages)
        d["files"] = [str(Path(f).resolve()) for f in files]
        d["mesh_file"] = content_digest([self.mesh_file] if self.mesh_file else [])
        d["journal_file"] = content_digest([self.journal_file] if self.journal_file else [])
        d["lexicon"] = content_digest(self.lexicon)
        d["tasks"] = self.executor.tasks
        d["dedup"] = DEDUP_RULE  # a run made before (or under another rule) is not resumed
        return d


@dataclass
class PubmedResult:
    """Outcome of a run: counts from datatrove's per-task stats and the files that failed."""

    output: Path
    files: int
    tasks: int
    records: int = 0
    duplicates: int = 0  # older versions of a PMID / PMCID dropped (the newest is kept)
    written: dict[str, int] = field(default_factory=dict)  # per language
    dropped: dict[str, int] = field(default_factory=dict)  # per reason
    selected_by: dict[str, int] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    steps: list[StepCounts] = field(default_factory=list)
    resumed: bool = False
    already_complete: bool = False  # same settings, finished earlier: nothing ran
    submitted: bool = False  # slurm/ray: scheduled, not finished here
    warnings: tuple[int, list[str]] = (0, [])

    @property
    def total_written(self) -> int:
        return sum(self.written.values())

    def check(self, skip_bad: bool) -> None:
        """Raise ``InputError`` for bad files (unless ``skip_bad``) or an empty output."""
        if self.submitted:
            return
        if self.errors and not skip_bad:
            shown = "; ".join(e["error"] for e in self.errors[:5])
            more = f"; and {len(self.errors) - 5} more" if len(self.errors) > 5 else ""
            raise InputError(
                f"{len(self.errors)} input file(s) failed, other files were processed "
                f"(pass --skip-bad to accept): {shown}{more}"
            )
        if self.total_written == 0:
            why = ", ".join(f"{k}: {v:,}" for k, v in self.dropped.items() if v) or "no records found"
            raise InputError(
                f"no document was kept from {self.records:,} record(s) in {self.files} file(s) ({why}); "
                "nothing was written (try --select all, --lang en,zh or a lower --min-words)"
            )


def reader(opts: PubmedOptions, files: Sequence[Path], ids_only: bool = False) -> PubmedReader:
    """The reader of both passes over ``files`` (in version order: :func:`dedup.newest_last`);
    the dedup pass reads the same records but skips the cleaning and logs no errors."""
    return PubmedReader(
        [str(Path(f).resolve()) for f in files],
        sections=opts.sections,
        keep_captions=opts.keep_captions,
        errors_dir=None if ids_only else str((opts.output / LOG_SUBDIR / ERRORS_DIR).resolve()),
        max_member_bytes=opts.max_member_mb * 2**20,
        huge_tree=opts.huge_xml,
        ids_only=ids_only,
    )


def dedup_pipelines(opts: PubmedOptions, files: Sequence[Path], tasks: int) -> tuple[list, list]:
    """The steps of ``1-pubmed-ids`` and ``2-pubmed-duplicates``."""
    folder = (opts.output / DEDUP_SUBDIR).resolve()
    return ([reader(opts, files, ids_only=True), PubmedIdSignatures(folder / "ids")],
            [PubmedFindDuplicates(folder / "ids", folder / "drop", tasks)])


def build_pipeline(opts: PubmedOptions, files: Sequence[Path]) -> list:
    """The datatrove steps of the main stage (exposed for tests and for custom executors)."""
    criteria = parse_select(opts.select)
    selector = Selector.build(
        criteria,
        mesh_file=opts.mesh_file,
        journal_file=opts.journal_file,
        lexicon_files=opts.lexicon or None,
        min_terms=opts.min_terms,
        min_score=opts.min_score,
    )
    excluded = None
    if opts.keep_excluded:
        from datatrove.pipeline.writers import JsonlWriter

        excluded = JsonlWriter(str(Path(opts.keep_excluded).resolve() / "pubmed-selection"),
                               output_filename="${rank}.jsonl.gz")
    steps: list = [
        reader(opts, files),
        PubmedDedupFilter((opts.output / DEDUP_SUBDIR / "drop").resolve()),
        PubmedFilter(selector, languages=opts.languages, min_words=opts.min_words, exclusion_writer=excluded),
    ]
    if opts.tokenizer:
        from anestools.corpus.steps.tokens import resolve_tokenizer, token_counter

        steps.append(token_counter(resolve_tokenizer(opts.tokenizer)))
    steps.append(corpus_writer(str(opts.output.resolve()), fmt=opts.fmt, default_source="pubmed",
                               extra_fields=EXTRA_FIELDS))
    return steps


def validate(opts: PubmedOptions) -> None:
    """Reject impossible option values before touching any file."""
    if opts.sections not in SECTIONS:
        raise ConfigError(f"--sections {opts.sections!r}: expected abstract or full")
    bad = [lang for lang in opts.languages if lang not in LANGUAGES]
    if bad or not opts.languages:
        raise ConfigError(f"--lang: {', '.join(bad) or '(empty)'} not supported (corpus shards are en or zh)")
    if opts.max_member_mb < 1:
        raise ConfigError(f"--max-member-mb must be >= 1 (got {opts.max_member_mb})")
    if opts.min_words < 0:
        raise ConfigError(f"--min-words must be >= 0 (got {opts.min_words})")
    if opts.fmt not in ("parquet", "jsonl"):
        raise ConfigError(f"--format {opts.fmt!r}: expected parquet or jsonl")
    parse_select(opts.select)
    opts.executor.validate()


def collect(output: Path, result: PubmedResult) -> PubmedResult:
    """Fill ``result`` from the per-task stats (resumed tasks count too), the shards and the
    reader's per-file error logs."""
    from anestools.corpus.run import logged_warnings
    from anestools.corpus.stats import shard_summary

    result.steps = read_stage_stats(output / "_logs")
    for step in result.steps:
        if step.stage != STAGE:
            continue
        if "PubMed/PMC XML" in step.step:
            result.records += step.other.get("records", 0)
        elif "PubMed duplicates" in step.step:
            result.duplicates += step.reasons.get("duplicate", 0)
            result.dropped["duplicate"] = result.duplicates
        elif "PubMed selection" in step.step:
            for reason in DROP_REASONS:
                result.dropped[reason] = result.dropped.get(reason, 0) + step.reasons.get(reason, 0)
            for crit in ("mesh", "journal", "lexicon"):
                result.selected_by[crit] = result.selected_by.get(crit, 0) + step.other.get(f"selected_by_{crit}", 0)
    result.written = {lang: g.rows for lang, g in shard_summary(output).items() if lang in LANGUAGES}
    result.errors = read_errors(output / LOG_SUBDIR / ERRORS_DIR)
    result.warnings = logged_warnings(output)
    return result


def run_pubmed(opts: PubmedOptions, show_logs: bool = False,
               progress: Callable[[int, int], None] | None = None) -> PubmedResult:
    """Run the pipeline (or submit it on Slurm/Ray) and return its summary.

    Per-file failures do not raise here: they are in ``result.errors``; call
    ``result.check(skip_bad)`` to turn them (or an empty output) into an ``InputError``.
    """
    validate(opts)
    check_runnable(opts.executor)
    from anestools.common.paths import Output, check_io

    outputs = [Output.run_dir(opts.output)] + ([Output.run_dir(opts.keep_excluded)] if opts.keep_excluded else [])
    lists = [f for f in (opts.mesh_file, opts.journal_file) if f]
    check_io([*lists, *opts.lexicon], outputs, "corpus pubmed")
    files = newest_last(discover(opts.inputs, outputs))  # the file order decides which version is newest
    tasks = len(files) if opts.executor.tasks == 0 else max(1, min(opts.executor.tasks, len(files)))
    opts.executor.tasks = tasks
    out = opts.output.expanduser().resolve()
    opts.output = out
    pipeline = build_pipeline(opts, files)  # loads and checks the lists before touching OUTPUT
    with locked_output(out, "corpus pubmed"):
        state = prepare_output(out, opts.identity(files), opts.overwrite, MANAGED)
        result = PubmedResult(output=out, files=len(files), tasks=tasks, resumed=state == "resume",
                              already_complete=state == "complete")
        if state != "complete":
            ids_steps, dups_steps = dedup_pipelines(opts, files, tasks)
            ids_dir, dups_dir, logs, marker_dir = (out / d for d in (IDS_SUBDIR, DUPS_SUBDIR, LOG_SUBDIR,
                                                                    MARKER_SUBDIR))
            ids = build_executor(ids_steps, opts.executor, logging_dir=str(ids_dir), job_name="anescorpus-pubmed-ids")
            dups = build_executor(dups_steps, opts.executor, logging_dir=str(dups_dir),
                                  job_name="anescorpus-pubmed-duplicates", tasks=1, depends=ids)
            main = build_executor(pipeline, opts.executor, logging_dir=str(logs), job_name="anescorpus-pubmed",
                                  depends=dups)
            marker = build_executor([CompletionMarker(str(out), "corpus pubmed")], opts.executor,
                                    logging_dir=str(marker_dir), job_name="anescorpus-pubmed-complete",
                                    tasks=1, depends=main)
            run_stages([Stage(ids, ids_dir, tasks), Stage(dups, dups_dir, 1), Stage(main, logs, tasks),
                        Stage(marker, marker_dir, 1)], out, show_logs=show_logs, progress=progress)
        if state != "complete" and opts.executor.kind == "slurm":  # ray's run() returns once its tasks are done
            result.submitted = True
            return result
        write_marker(out, "corpus pubmed")  # already there, unless removed while every stage was done
        return collect(out, result)
