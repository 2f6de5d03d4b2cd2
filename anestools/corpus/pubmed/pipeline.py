"""Assemble and run the ``corpus pubmed`` datatrove pipeline; summarise what happened.

Pipeline: ``PubmedReader`` -> ``PubmedFilter`` -> (``TokensCounter``) -> ``AnesCorpusWriter``
(the shared shard writer of ``corpus build``), run by the shared executor builder, so local,
Slurm and Ray runs and datatrove's resume (completion markers under ``OUTPUT/_logs/pubmed``)
behave exactly as for ``corpus build``.

Resume and overwrite: the settings of a run are saved in ``_logs/pubmed/config.json``. Running
the same command again resumes (completed tasks are skipped); different settings on a
non-empty output need ``--overwrite``, which removes only what this command wrote (shards and
its log folder), never other files.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa

from anestools.corpus.executors import ExecutorOptions, build_executor, check_runnable
from anestools.corpus.pubmed.select import Selector, parse_select
from anestools.corpus.pubmed.sources import discover
from anestools.corpus.pubmed.steps import ERRORS_DIR, PubmedFilter, PubmedReader, read_errors
from anestools.corpus.stats import read_stage_stats
from anestools.corpus.steps.writer import LANGUAGES, AnesCorpusWriter
from anestools.errors import ConfigError, EngineError, InputError, OutputExistsError

#: ``<n>-<stage>`` is the layout ``corpus stats`` reads per-step counts from.
LOG_SUBDIR = "_logs/1-pubmed"
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
DROP_REASONS = ("retracted", "erratum", "comment", "no_abstract", "language", "too_short", "not_selected")


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
    executor: ExecutorOptions = field(default_factory=ExecutorOptions)

    def identity(self, files: Sequence[Path]) -> dict:
        """Settings that change the output (a rerun with equal identity resumes)."""
        d = asdict(self)
        for k in ("inputs", "output", "skip_bad", "overwrite", "executor"):
            d.pop(k)
        d["languages"] = list(self.languages)
        d["files"] = [str(Path(f).resolve()) for f in files]
        d["tasks"] = self.executor.tasks
        return d


@dataclass
class PubmedResult:
    """Outcome of a run: counts from datatrove's per-task stats and the files that failed."""

    output: Path
    files: int
    tasks: int
    records: int = 0
    written: dict[str, int] = field(default_factory=dict)  # per language
    dropped: dict[str, int] = field(default_factory=dict)  # per reason
    selected_by: dict[str, int] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    resumed_tasks: int = 0
    submitted: bool = False  # slurm/ray: scheduled, not finished here

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
                "nothing was written (try --select all, --languages en,zh or a lower --min-words)"
            )


def _our_files(output: Path) -> list[Path]:
    """Shards and logs this command may have written under ``output``."""
    found = [output / LOG_SUBDIR] if (output / LOG_SUBDIR).exists() else []
    for lang in LANGUAGES:
        d = output / lang
        if d.is_dir():
            found += [f for f in d.iterdir() if f.name.endswith((".parquet", ".jsonl.gz"))]
    return found


def prepare_output(opts: PubmedOptions, files: Sequence[Path]) -> bool:
    """Check/clean the output folder; return True when this run resumes an earlier one."""
    out = opts.output
    cfg_path = out / LOG_SUBDIR / "config.json"
    identity = opts.identity(files)
    if out.exists() and not out.is_dir():
        raise OutputExistsError(f"{out} exists and is not a directory")
    resumed = False
    if opts.overwrite:
        for f in _our_files(out):
            shutil.rmtree(f) if f.is_dir() else f.unlink()

    elif cfg_path.is_file():
        previous = json.loads(cfg_path.read_text(encoding="utf-8"))
        if previous != identity:
            changed = sorted(k for k in set(previous) | set(identity) if previous.get(k) != identity.get(k))
            raise OutputExistsError(
                f"{out} holds a corpus pubmed run with different settings ({', '.join(changed)}); "
                "pass --overwrite to replace it"
            )
        resumed = True
    elif _our_files(out):
        raise OutputExistsError(f"{out} already contains corpus shards (pass --overwrite to replace them)")
    cfg_path.parent.mkdir(parents=True, exist_ok=True)
    cfg_path.write_text(json.dumps(identity, indent=2), encoding="utf-8")
    return resumed


def build_pipeline(opts: PubmedOptions, files: Sequence[Path]) -> list:
    """The datatrove steps of a run (exposed for tests and for custom executors)."""
    criteria = parse_select(opts.select)
    selector = Selector.build(
        criteria,
        mesh_file=opts.mesh_file,
        journal_file=opts.journal_file,
        lexicon_files=opts.lexicon or None,
        min_terms=opts.min_terms,
        min_score=opts.min_score,
    )
    steps: list = [
        PubmedReader(
            [str(Path(f).resolve()) for f in files],
            sections=opts.sections,
            keep_captions=opts.keep_captions,
            errors_dir=str((opts.output / LOG_SUBDIR / ERRORS_DIR).resolve()),
        ),
        PubmedFilter(selector, languages=opts.languages, min_words=opts.min_words),
    ]
    if opts.tokenizer:
        from anestools.corpus.steps.tokens import resolve_tokenizer, token_counter

        steps.append(token_counter(resolve_tokenizer(opts.tokenizer)))
    steps.append(
        AnesCorpusWriter(str(opts.output.resolve()), fmt=opts.fmt, default_source="pubmed", extra_fields=EXTRA_FIELDS)
    )
    return steps


def validate(opts: PubmedOptions) -> None:
    """Reject impossible option values before touching any file."""
    if opts.sections not in SECTIONS:
        raise ConfigError(f"--sections {opts.sections!r}: expected abstract or full")
    bad = [lang for lang in opts.languages if lang not in LANGUAGES]
    if bad or not opts.languages:
        raise ConfigError(f"--languages: {', '.join(bad) or '(empty)'} not supported (corpus shards are en or zh)")
    if opts.min_words < 0:
        raise ConfigError(f"--min-words must be >= 0 (got {opts.min_words})")
    if opts.fmt not in ("parquet", "jsonl"):
        raise ConfigError(f"--format {opts.fmt!r}: expected parquet or jsonl")
    parse_select(opts.select)
    opts.executor.validate()


def collect(output: Path, result: PubmedResult) -> PubmedResult:
    """Fill ``result`` from the per-task stats (read by the shared ``corpus stats`` reader, so
    resumed tasks count too) and from the reader's per-file error logs."""
    for step in read_stage_stats(output / "_logs"):
        if step.stage != LOG_SUBDIR.rsplit("-", 1)[-1]:
            continue
        if "PubMed/PMC XML" in step.step:
            result.records += step.other.get("records", 0)
        elif "PubMed selection" in step.step:
            for reason in DROP_REASONS:
                result.dropped[reason] = result.dropped.get(reason, 0) + step.reasons.get(reason, 0)
            for crit in ("mesh", "journal", "lexicon"):
                result.selected_by[crit] = result.selected_by.get(crit, 0) + step.other.get(f"selected_by_{crit}", 0)
        elif "AnesCorpus shards" in step.step:
            for lang in LANGUAGES:
                if n := step.other.get(f"written_{lang}", 0):
                    result.written[lang] = result.written.get(lang, 0) + n
    result.errors = read_errors(output / LOG_SUBDIR / ERRORS_DIR)
    return result


def run_pubmed(opts: PubmedOptions, on_start: Callable[[int, int], None] | None = None) -> PubmedResult:
    """Run the pipeline (or submit it on Slurm/Ray) and return its summary.

    Per-file failures do not raise here: they are in ``result.errors``; call
    ``result.check(skip_bad)`` to turn them (or an empty output) into an ``InputError``.
    """
    validate(opts)
    check_runnable(opts.executor)
    files = discover(opts.inputs)
    tasks = len(files) if opts.executor.tasks == 0 else max(1, min(opts.executor.tasks, len(files)))
    opts.executor.tasks = tasks
    resumed = prepare_output(opts, files)
    pipeline = build_pipeline(opts, files)
    logging_dir = str((opts.output / LOG_SUBDIR).resolve())
    executor = build_executor(pipeline, opts.executor, logging_dir=logging_dir, job_name="anescorpus-pubmed")
    result = PubmedResult(output=opts.output, files=len(files), tasks=tasks)
    if resumed:
        done = opts.output / LOG_SUBDIR / "completions"
        result.resumed_tasks = len(list(done.iterdir())) if done.is_dir() else 0
    if on_start:
        on_start(len(files), tasks)
    try:
        executor.run()
    except Exception as exc:  # a datatrove task crashed (not a bad input file: those are recorded)
        raise EngineError(f"corpus pubmed pipeline failed: {exc} (task logs in {logging_dir}/logs)") from exc
    if opts.executor.kind == "slurm":  # ray's run() returns when its tasks are done
        result.submitted = True
        return result
    return collect(opts.output, result)
