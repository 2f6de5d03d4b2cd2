"""``corpus build`` as a library: configuration, the datatrove stages, run, summary.

Usage::

    from anestools.corpus.build import BuildConfig, run_build

    result = run_build(BuildConfig(inputs=["fineweb/"], output="anescorpus"))
    result.kept, result.outputs, result.steps     # summary for the CLI

A plain chain of datatrove executors (``depends=``), each with its logs and per-step stats in
``OUTPUT/_logs/<n>-<stage>/``:

1. ``filter`` (N tasks, over every input page): datatrove's Parquet/JSONL reader -> the
   anesthesia pre-screen (one hyperscan scan per batch) -> relevance (lexicon score) ->
   language (langdetect) -> the relevant pages, per language, in ``_work/relevant/<lang>/``.
2. ``quality-<lang>`` (one stage per language, on the few relevant pages): datatrove's
   ``C4QualityFilter``, ``GopherRepetitionFilter``, ``GopherQualityFilter`` (en) or our Chinese
   rules (zh) -> AnesBench decontamination -> ``TokensCounter`` -> ``_work/clean/<lang>/``.
3. dedup, datatrove's own stages over ``_work/clean``: ``exact`` = signature -> find ->
   filter; ``minhash`` = signature -> buckets -> cluster -> filter; ``none`` = nothing. The
   last one writes the AnesCorpus shards ``OUTPUT/<lang>/<rank>.parquet`` (datatrove's writer).
4. ``complete`` (one task): ``OUTPUT/_SUCCESS``, the sign readers check for.

The stages after ``filter`` read only the survivors, so they get ``min(N, 64)`` tasks.
``--keep-excluded DIR`` gives every filter step datatrove's exclusion writer
(``DIR/<step>/<rank>.jsonl.gz``, with ``metadata.filter_reason``).

Rerun after a crash or Ctrl-C: the same command resumes (``anestools.corpus.run``): datatrove
skips every task with a completion marker and reruns the others, which rewrite their files.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from anestools.corpus.executors import (
    ExecutorOptions,
    build_executor,
    check_runnable,
    local_start_method,
    local_workers,
    warm_up_local,
)
from anestools.corpus.lexicon import DEFAULT_MIN_SCORE, DEFAULT_MIN_TERMS, Lexicon, load_lexicon
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
from anestools.errors import ConfigError, InputError

DEDUP_MODES = ("none", "exact", "minhash")
MANAGED = ("_logs", "_work")
SURVIVOR_TASKS = 64  # most tasks for the stages that only read the survivors
EMPTY = "empty.jsonl.gz"


def sample_path() -> Path:
    """The embedded web sample shipped with the package (English and Chinese, written by us)."""
    from importlib import resources

    return Path(str(resources.files("anestools") / "resources" / "samples" / "web_sample.parquet"))


@dataclass
class BuildConfig:
    """Everything ``corpus build`` needs; mirrors the CLI options."""

    inputs: list[str] = field(default_factory=list)  # empty: the embedded sample
    output: str = "anescorpus"
    fmt: str = "parquet"
    languages: tuple[str, ...] = ("en", "zh")
    lexicon: list[str] = field(default_factory=list)
    min_terms: int = DEFAULT_MIN_TERMS
    min_score: float = DEFAULT_MIN_SCORE
    quality: bool = True
    dedup: str = "exact"
    decontaminate: list[str] = field(default_factory=list)
    tokenizer: str | None = None
    limit: int = -1  # documents read per task
    source: str | None = None  # default: "fineweb" for FineWeb paths, else "web"
    text_key: str = "text"
    id_key: str = "id"
    keep_excluded: str | None = None  # folder for the documents each filter drops
    overwrite: bool = False
    executor: ExecutorOptions = field(default_factory=ExecutorOptions)


@dataclass
class BuildResult:
    output: Path
    submitted: bool = False  # slurm/ray: jobs were handed to the scheduler
    files: list[str] = field(default_factory=list)  # input shards
    steps: list[StepCounts] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    kept: dict[str, int] = field(default_factory=dict)  # rows per language
    tokens: dict[str, int] = field(default_factory=dict)
    resumed: bool = False
    already_complete: bool = False  # same settings, finished earlier: nothing ran
    warnings: tuple[int, list[str]] = (0, [])  # datatrove warnings in the task logs, first few

    @property
    def total_kept(self) -> int:
        return sum(self.kept.values())


def _validate(cfg: BuildConfig) -> None:
    from anestools.corpus.steps.writer import FORMATS

    if cfg.fmt not in FORMATS:
        raise ConfigError(f"unknown --format {cfg.fmt!r}: expected parquet or jsonl")
    if cfg.dedup not in DEDUP_MODES:
        raise ConfigError(f"unknown --dedup {cfg.dedup!r}: expected one of {', '.join(DEDUP_MODES)}")
    bad = [lang for lang in cfg.languages if lang not in ("en", "zh")]
    if bad or not cfg.languages:
        raise ConfigError(f"unknown language {', '.join(bad) or '(none)'}: --lang takes en, zh or en,zh")
    if cfg.min_terms < 1:
        raise ConfigError(f"--min-terms must be >= 1 (got {cfg.min_terms})")
    if cfg.min_score < 0:
        raise ConfigError(f"--min-score must be >= 0 (got {cfg.min_score})")
    if cfg.limit == 0 or cfg.limit < -1:
        raise ConfigError(f"--limit must be a positive number of documents (got {cfg.limit})")
    cfg.executor.validate()


def _source_name(cfg: BuildConfig, files: list[str]) -> str:
    if cfg.source:
        return cfg.source
    if not cfg.inputs:
        return "sample"
    return "fineweb" if any("fineweb" in f.lower() for f in files) else "web"


def _identity(cfg: BuildConfig, files: list[str]) -> dict:
    """What must not change between a run and its resumption (list files by content hash)."""
    d = asdict(cfg)
    for k in ("overwrite", "executor", "inputs", "output"):
        d.pop(k)
    d["command"] = "corpus build"
    d["languages"] = list(cfg.languages)
    d["files"] = files
    d["lexicon"] = content_digest(cfg.lexicon) or "shipped"
    d["decontaminate"] = content_digest(cfg.decontaminate)
    d["tasks"] = cfg.executor.tasks
    d["executor"] = cfg.executor.kind
    d["layout"] = 4  # stock datatrove stages (earlier layouts staged shards differently)
    return d


def survivor_tasks(n_tasks: int) -> int:
    return max(1, min(n_tasks, SURVIVOR_TASKS))


def build_stages(cfg: BuildConfig, files: list[str], out: Path, source: str, lexicon: Lexicon | None = None,
                 write_paths: bool = True) -> list[Stage]:
    """The chained datatrove executors of a build, in order (the last one's ``run()`` runs all)."""
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from anestools.corpus.steps.inputs import web_readers
    from anestools.corpus.steps.language import LanguageRouter
    from anestools.corpus.steps.prescreen import AnesPrescreen
    from anestools.corpus.steps.quality import quality_steps
    from anestools.corpus.steps.relevance import AnesRelevanceFilter
    from anestools.corpus.steps.writer import corpus_writer

    lexicon = lexicon if lexicon is not None else load_lexicon(cfg.lexicon or None)
    if not any(t.strong for t in lexicon.terms):
        raise InputError(f"{', '.join(lexicon.sources)}: lexicon has no [strong] terms, so no document can qualify")
    logs, work = out / "_logs", out / "_work"
    opts = cfg.executor
    n, t = opts.tasks, survivor_tasks(opts.tasks)
    stages: list[Stage] = []

    def excluded(name: str):
        if not cfg.keep_excluded:
            return None
        return JsonlWriter(str(Path(cfg.keep_excluded).resolve() / name), output_filename="${rank}.jsonl.gz")

    def add(name: str, pipeline: list, tasks: int) -> None:
        folder = logs / f"{len(stages) + 1}-{name}"
        ex = build_executor(pipeline, opts, str(folder), f"anescorpus-{name}", tasks=tasks,
                            depends=stages[-1].executor if stages else None)
        stages.append(Stage(ex, folder, tasks))

    add("filter", [
        *web_readers(files, work / "inputs", cfg.text_key, cfg.id_key, source, cfg.limit, write_paths,
                     add_file_path=bool(cfg.keep_excluded)),
        AnesPrescreen(lexicon),
        AnesRelevanceFilter(lexicon, cfg.min_terms, cfg.min_score, exclusion_writer=excluded("relevance")),
        LanguageRouter(cfg.languages, exclusion_writer=excluded("language")),
        JsonlWriter(str(work / "relevant"), output_filename="${language}/${rank}.jsonl.gz"),
    ], n)
    later: list = []
    if cfg.decontaminate:
        from anestools.common.anesbench import AnesBenchIndex
        from anestools.corpus.steps.decontam import DecontaminationFilter

        later.append(DecontaminationFilter(AnesBenchIndex.from_files(cfg.decontaminate),
                                           exclusion_writer=excluded("decontamination")))
    if cfg.tokenizer:
        from anestools.corpus.steps.tokens import resolve_tokenizer, token_counter

        later.append(token_counter(resolve_tokenizer(cfg.tokenizer)))
    for lang in cfg.languages:
        add(f"quality-{lang}", [
            JsonlReader(str(work / "relevant" / lang)),
            *(quality_steps(lang, excluded) if cfg.quality else []),
            *later,
            JsonlWriter(str(work / "clean"), output_filename="${language}/${rank}.jsonl.gz"),
        ], t)
    clean = str(work / "clean")
    writer = corpus_writer(str(out), fmt=cfg.fmt, default_source=source)
    if cfg.dedup == "exact":
        from datatrove.pipeline.dedup.exact_dedup import (
            ExactDedupFilter,
            ExactDedupSignature,
            ExactFindDedups,
        )

        from anestools.corpus.steps.dedup import exact_config

        conf = exact_config()
        add("dedup-signature", [JsonlReader(clean), ExactDedupSignature(str(work / "exact" / "sigs"), conf)], t)
        add("dedup-find", [ExactFindDedups(str(work / "exact" / "sigs"), str(work / "exact" / "dups"), conf)], 1)
        add("write", [JsonlReader(clean), ExactDedupFilter(str(work / "exact" / "dups"), conf,
                                                           exclusion_writer=excluded("duplicates")), writer], t)
    elif cfg.dedup == "minhash":
        from datatrove.pipeline.dedup.minhash import (
            MinhashDedupBuckets,
            MinhashDedupCluster,
            MinhashDedupFilter,
            MinhashDedupSignature,
        )

        from anestools.corpus.steps.dedup import MixedScriptTokenizer, minhash_config

        conf, mh = minhash_config(), work / "minhash"
        add("minhash-signature", [JsonlReader(clean), MinhashDedupSignature(str(mh / "sigs"), conf,
                                                                            language=MixedScriptTokenizer())], t)
        add("minhash-buckets", [MinhashDedupBuckets(str(mh / "sigs"), str(mh / "buckets"), config=conf)],
            conf.num_buckets)
        add("minhash-cluster", [MinhashDedupCluster(str(mh / "buckets"), str(mh / "remove_ids"), config=conf)], 1)
        add("write", [JsonlReader(clean), MinhashDedupFilter(str(mh / "remove_ids"),
                                                             exclusion_writer=excluded("duplicates")), writer], t)
    else:
        add("write", [JsonlReader(clean), writer], t)
    add("complete", [CompletionMarker(str(out), "corpus build")], 1)
    return stages


def prepare_build(cfg: BuildConfig) -> tuple[BuildConfig, list[str], Path, str]:
    """Validate the settings and resolve the inputs (nothing is written)."""
    _validate(cfg)
    check_runnable(cfg.executor)
    from anestools.common.paths import Output, check_io
    from anestools.corpus.steps.inputs import check_text_key, resolve_input_files

    out = Path(cfg.output).expanduser().resolve()
    inputs = cfg.inputs or [str(sample_path())]
    outputs = [Output.run_dir(out)] + ([Output.run_dir(cfg.keep_excluded)] if cfg.keep_excluded else [])
    check_io([*cfg.decontaminate, *cfg.lexicon], outputs, "corpus build")
    files = resolve_input_files(inputs, outputs, "corpus build")
    if not files:
        raise InputError(f"no input shards found in {', '.join(inputs)} (outside the output folder {out})")
    check_text_key(files[0], cfg.text_key)
    if cfg.executor.tasks == 0:  # default: one task per input shard
        cfg = replace(cfg, executor=replace(cfg.executor, tasks=len(files)))
    return cfg, files, out, _source_name(cfg, files)


def run_build(cfg: BuildConfig, show_logs: bool = False,
              progress: Callable[[int, int], None] | None = None) -> BuildResult:
    """Validate, (re)start the datatrove stages and summarise (see the module docstring).

    ``progress(done, total)``: called from a thread with the tasks completed over all stages.
    """
    cfg, files, out, source = prepare_build(cfg)
    lexicon = load_lexicon(cfg.lexicon or None)
    build_stages(cfg, files, out, source, lexicon, write_paths=False)  # validate before touching OUTPUT
    with locked_output(out, "corpus build"):
        state = prepare_output(out, _identity(cfg, files), cfg.overwrite, MANAGED)
        result = BuildResult(output=out, files=files, resumed=state == "resume",
                             already_complete=state == "complete")
        if state != "complete":
            # datatrove's readers refuse a folder without any file: an empty one per survivor folder
            # lets a language (or a whole run) with no survivors finish normally
            for folder in [out / "_work" / "relevant" / lang for lang in cfg.languages] + [out / "_work" / "clean"]:
                folder.mkdir(parents=True, exist_ok=True)
                empty = folder / EMPTY
                if not empty.exists():
                    empty.write_bytes(gzip.compress(b""))
            stages = build_stages(cfg, files, out, source, lexicon)
            if cfg.executor.kind == "local" and local_start_method(cfg.executor) == "fork" \
                    and local_workers(cfg.executor, cfg.executor.tasks) > 1:
                warm_up_local(cfg.quality)
            run_stages(stages, out, show_logs=show_logs, progress=progress)
        if state != "complete" and cfg.executor.kind == "slurm":  # ray's run() returns once its tasks are done
            result.submitted = True
            return result
        write_marker(out, "corpus build")  # already there, unless removed while every stage was done
        return summarize(out, result)


def summarize(out: Path, result: BuildResult | None = None) -> BuildResult:
    """Per-step counts (from datatrove's per-task stats) and the output shards."""
    from anestools.corpus.run import logged_warnings
    from anestools.corpus.stats import shard_files, shard_summary

    result = result or BuildResult(output=out)
    result.steps = read_stage_stats(out / "_logs")
    result.outputs = shard_files(out)
    per_lang = shard_summary(out)
    result.kept = {lang: s.rows for lang, s in per_lang.items()}
    result.tokens = {lang: s.tokens for lang, s in per_lang.items()}
    result.warnings = logged_warnings(out)
    return result
