"""``corpus build`` as a library: configuration, datatrove stages, run, summary.

Usage::

    from anestools.corpus.build import BuildConfig, run_build

    result = run_build(BuildConfig(inputs=["fineweb/"], output="anescorpus", tasks=...))
    result.kept, result.outputs, result.steps     # summary for the CLI

Stages (each one a datatrove executor, chained with ``depends=``, logs in ``OUTPUT/_logs/``):

1. ``filter`` (N tasks): read -> relevance -> language -> quality -> decontamination -> token
   count -> survivors written as AnesCorpus shards, staged in ``OUTPUT/_work/staged/<lang>/``
   (about 1% of the input: cheap steps first) -> the dedup signatures of those survivors
   (datatrove's ``ExactDedupSignature`` or ``MinhashDedupSignature``, in the same task: no
   second pass over the survivors).
2. dedup: ``exact`` = find (1 task); ``minhash`` = buckets -> cluster (1); ``none`` = nothing.
3. ``publish`` (one task per 64 filter tasks): each staged shard is renamed to
   ``OUTPUT/<lang>/<rank>``; only a shard holding a duplicate is rewritten without it
   (``steps/publish.py``).

Rerun after a crash or Ctrl-C: the same command resumes; datatrove skips every task with a
completion marker, the unfinished ones rewrite their (atomically written) staged shards, and
publishing is idempotent per shard, so the output equals that of an uninterrupted run. No
shard appears under ``OUTPUT/<lang>/`` before every filter task has finished. The settings are stored in
``OUTPUT/_logs/build.json``; rerunning with different ones needs ``--overwrite``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from anestools.corpus.executors import ExecutorOptions, build_executor, check_runnable
from anestools.corpus.lexicon import DEFAULT_MIN_SCORE, DEFAULT_MIN_TERMS, Lexicon, load_lexicon
from anestools.corpus.stats import StepCounts, read_stage_stats
from anestools.errors import ConfigError, EngineError, InputError, OutputExistsError

DEDUP_MODES = ("none", "exact", "minhash")
MANAGED = ("en", "zh", "_logs", "_work")
STAGED = "staged"  # OUTPUT/_work/staged/: shards of finished filter tasks, until dedup has decided


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
    skip_bad: bool = False
    source: str | None = None  # default: "fineweb" for FineWeb paths, else "web"
    text_key: str = "text"
    id_key: str = "id"
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
    bad_files: list[str] = field(default_factory=list)
    resumed_tasks: int = 0


def _validate(cfg: BuildConfig) -> None:
    from anestools.corpus.steps.writer import FORMATS

    if cfg.fmt not in FORMATS:
        raise ConfigError(f"unknown --format {cfg.fmt!r}: expected parquet or jsonl")
    if cfg.dedup not in DEDUP_MODES:
        raise ConfigError(f"unknown --dedup {cfg.dedup!r}: expected one of {', '.join(DEDUP_MODES)}")
    bad = [lang for lang in cfg.languages if lang not in ("en", "zh")]
    if bad or not cfg.languages:
        raise ConfigError(f"unknown language {', '.join(bad) or '(none)'}: --languages takes en, zh or en,zh")
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


def _identity(cfg: BuildConfig, files: list[str], lexicon_fp: str) -> dict:
    """What must not change between a run and its resumption."""
    d = asdict(cfg)
    for k in ("overwrite", "executor", "inputs", "output"):
        d.pop(k)
    d["languages"] = list(cfg.languages)
    d["files"] = files
    d["lexicon"] = lexicon_fp
    d["tasks"] = cfg.executor.tasks
    d["executor"] = cfg.executor.kind
    # Stage layout: 3 = staged shards + publish stage (2: survivors re-read by a write stage). A
    # half-done output of an older layout must not be resumed by this one: its completed
    # filter tasks never staged shards, which would silently be missing from the corpus.
    d["layout"] = 3
    return d


def _prepare_output(out: Path, identity: dict, overwrite: bool) -> int:
    """Create/validate the output folder; returns how many filter tasks already completed."""
    record = out / "_logs" / "build.json"
    if out.exists() and not out.is_dir():
        raise OutputExistsError(f"{out} exists and is not a directory")
    if overwrite:
        for name in MANAGED:
            p = out / name
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()
    elif record.is_file():
        try:
            previous = json.loads(record.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            previous = None
        if previous != identity:
            diff = sorted(k for k in set(identity) | set(previous or {})
                          if (previous or {}).get(k) != identity.get(k))
            raise OutputExistsError(
                f"{out} holds a corpus built with other settings (differs: {', '.join(diff)}); "
                "pass --overwrite to rebuild it, or choose another --output"
            )
    elif out.is_dir() and any(out.iterdir()):
        raise OutputExistsError(f"{out} is not empty and is not an anestools corpus; pass --overwrite or choose another --output")
    (out / "_logs").mkdir(parents=True, exist_ok=True)
    (out / "_work" / STAGED).mkdir(parents=True, exist_ok=True)  # may stay empty: nothing kept
    if not record.is_file():
        record.write_text(json.dumps(identity, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    done = out / "_logs" / "1-filter" / "completions"
    return len(list(done.iterdir())) if done.is_dir() else 0


def build_stages(cfg: BuildConfig, files: list[str], out: Path, source: str, lexicon: Lexicon | None = None):
    """The chained datatrove executors of a build (the last one's ``run()`` runs them all).

    ``lexicon``: ``cfg.lexicon`` already loaded (``run_build`` needs it first for its fingerprint).
    """
    from anestools.corpus.steps.decontam import DecontaminationFilter, NGramIndex
    from anestools.corpus.steps.language import LanguageRouter
    from anestools.corpus.steps.publish import PublishShards, publish_tasks
    from anestools.corpus.steps.quality import QualityFilter
    from anestools.corpus.steps.reader import AnesReader
    from anestools.corpus.steps.relevance import AnesRelevanceFilter
    from anestools.corpus.steps.tokens import resolve_tokenizer, token_counter
    from anestools.corpus.steps.writer import AnesCorpusWriter

    lexicon = lexicon if lexicon is not None else load_lexicon(cfg.lexicon or None)
    if not any(t.strong for t in lexicon.terms):
        raise InputError(f"{', '.join(lexicon.sources)}: lexicon has no [strong] terms, so no document can qualify")
    logs, work = out / "_logs", out / "_work"
    opts = cfg.executor
    n_ranks = opts.tasks

    first = [
        AnesReader(files, prescreen=lexicon, skip_bad=cfg.skip_bad, report_folder=str(logs / "bad_inputs"),
                   progress_folder=str(logs / "progress"), limit=cfg.limit, text_key=cfg.text_key, id_key=cfg.id_key, source=source),
        AnesRelevanceFilter(lexicon, cfg.min_terms, cfg.min_score, prescreened=True),
        LanguageRouter(cfg.languages),
    ]
    if cfg.quality:
        first.append(QualityFilter())
    if cfg.decontaminate:
        from anestools.corpus.anesbench import load_benchmark_texts

        texts: list[str] = []
        for f in cfg.decontaminate:
            texts.extend(load_benchmark_texts(f))
        first.append(DecontaminationFilter(NGramIndex.from_texts(texts)))
    if cfg.tokenizer:
        first.append(token_counter(resolve_tokenizer(cfg.tokenizer)))
    # Survivors are written as final shards, staged under _work/ until dedup has decided. The
    # writer passes each document on in the order it wrote it (recorded in <rank>.order), so the
    # signature numbers below map back to shard rows (steps/publish.py).
    first.append(AnesCorpusWriter(str(work / STAGED), fmt=cfg.fmt, default_source=source, record_order=True))
    removals_folder: Path | None = None
    if cfg.dedup == "exact":
        from datatrove.pipeline.dedup.exact_dedup import ExactDedupSignature

        from anestools.corpus.steps.dedup import exact_config

        first.append(ExactDedupSignature(str(work / "exact" / "sigs"), exact_config()))
    elif cfg.dedup == "minhash":
        from datatrove.pipeline.dedup.minhash import MinhashDedupSignature

        from anestools.corpus.steps.dedup import MixedScriptTokenizer, minhash_config

        first.append(MinhashDedupSignature(str(work / "minhash" / "sigs"), minhash_config(),
                                           language=MixedScriptTokenizer()))
    stage = build_executor(first, opts, str(logs / "1-filter"), "anescorpus-filter")

    if cfg.dedup == "exact":
        from datatrove.pipeline.dedup.exact_dedup import ExactFindDedups

        from anestools.corpus.steps.dedup import exact_config

        removals_folder = work / "exact" / "dups"
        stage = build_executor([ExactFindDedups(str(work / "exact" / "sigs"), str(removals_folder), config=exact_config())],
                               opts, str(logs / "2-dedup-find"), "anescorpus-dedup-find", tasks=1, depends=stage)
    elif cfg.dedup == "minhash":
        from datatrove.pipeline.dedup.minhash import MinhashDedupBuckets, MinhashDedupCluster

        from anestools.corpus.steps.dedup import minhash_config

        conf = minhash_config()
        mh = work / "minhash"
        removals_folder = mh / "remove_ids"
        stage = build_executor([MinhashDedupBuckets(str(mh / "sigs"), str(mh / "buckets"), config=conf)],
                               opts, str(logs / "2-minhash-buckets"), "anescorpus-minhash-buckets",
                               tasks=conf.num_buckets, depends=stage)
        stage = build_executor([MinhashDedupCluster(str(mh / "buckets"), str(removals_folder), config=conf)],
                               opts, str(logs / "3-minhash-cluster"), "anescorpus-minhash-cluster",
                               tasks=1, depends=stage)
    publish = PublishShards(str(out), n_ranks=n_ranks, fmt=cfg.fmt, staging=f"_work/{STAGED}", removals=cfg.dedup,
                            removals_folder=str(removals_folder) if removals_folder else None)
    stage_no = {"none": 2, "exact": 3, "minhash": 4}[cfg.dedup]
    return build_executor([publish], opts, str(logs / f"{stage_no}-publish"), "anescorpus-publish",
                          tasks=publish_tasks(n_ranks), depends=stage)


def run_build(cfg: BuildConfig, on_start: Callable[[int, Path], None] | None = None) -> BuildResult:
    """Validate, (re)start the datatrove stages and summarise (see the module docstring).

    ``on_start(n_files, output)`` is called once the inputs are resolved and the output is
    ready, just before datatrove starts (the CLI uses it to start its progress bar).
    """
    _validate(cfg)
    check_runnable(cfg.executor)
    from anestools.corpus.steps.reader import resolve_input_files

    inputs = cfg.inputs or [str(sample_path())]
    files = resolve_input_files(inputs)
    if not files:
        raise InputError(f"no input shards found in {', '.join(inputs)}")
    if cfg.executor.tasks == 0:  # default: one task per input shard
        from dataclasses import replace

        cfg = replace(cfg, executor=replace(cfg.executor, tasks=len(files)))
    out = Path(cfg.output).expanduser().resolve()
    source = _source_name(cfg, files)
    lexicon = load_lexicon(cfg.lexicon or None)
    identity = _identity(cfg, files, lexicon.fingerprint())
    last = build_stages(cfg, files, out, source, lexicon)  # builds (and validates) before touching OUTPUT
    resumed = _prepare_output(out, identity, cfg.overwrite)
    if on_start is not None:
        on_start(len(files), out)
    if cfg.executor.kind == "local":
        _warm_up()
    try:
        last.run()
    except KeyboardInterrupt:
        raise
    except (InputError, ConfigError, EngineError):
        raise
    except Exception as exc:
        cause = _find_input_error(exc)
        if cause is not None:
            raise cause from exc
        raise EngineError(f"datatrove pipeline failed: {type(exc).__name__}: {exc} (logs in {out / '_logs'})") from exc
    result = BuildResult(output=out, files=files, resumed_tasks=resumed)
    if cfg.executor.kind == "slurm":  # ray's run() returns when its tasks are done
        result.submitted = True
        return result
    return summarize(out, result)


def _warm_up() -> None:
    """Load langdetect's 55 profiles (0.2 s) here, once: local workers are forked from this
    process and share them (the generic warm-up is in ``executors.warm_up_local_workers``)."""
    from anestools.corpus.steps.langdetect_batch import shared_detector

    shared_detector()


def _find_input_error(exc: BaseException) -> InputError | None:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, InputError):
            return exc
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def summarize(out: Path, result: BuildResult | None = None) -> BuildResult:
    """Per-step counts (from datatrove's per-task stats), output shards and bad inputs."""
    from anestools.corpus.stats import shard_files, shard_summary

    result = result or BuildResult(output=out)
    result.steps = read_stage_stats(out / "_logs")
    result.outputs = shard_files(out)
    per_lang = shard_summary(out)
    result.kept = {lang: s.rows for lang, s in per_lang.items()}
    result.tokens = {lang: s.tokens for lang, s in per_lang.items()}
    bad_dir = out / "_logs" / "bad_inputs"
    if bad_dir.is_dir():
        for f in sorted(bad_dir.glob("*.txt")):
            result.bad_files.extend(line for line in f.read_text(encoding="utf-8").splitlines() if line)
    return result
