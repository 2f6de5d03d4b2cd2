"""``anestools qa generate | translate | reason``: build AnesQA from AnesCorpus with a teacher model,
and verified reasoning chains (AnesR1) from multiple-choice banks.

Thin layer over :mod:`anestools.qa.generate`, :mod:`anestools.qa.translate` and :mod:`anestools.qa.reason`: parse options,
show progress (eval's progress lines: a bar on a terminal, one line every ``--progress-interval``
seconds in a log file, e.g. a Slurm job's), print the engine choice and the summary, exit non-zero when the run is incomplete or kept nothing.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from anestools.common import console as con
from anestools.common.langs import normalize_language, parse_languages
from anestools.errors import ConfigError, IncompleteRunError, NothingKeptError
from anestools.qa.settings import TeacherSettings
from anestools.runtime.options import cli_options
from anestools.runtime.progress import DEFAULT_INTERVAL, check_progress_interval, eval_progress
from anestools.runtime.replies import empty_warning

T = TypeVar("T")

app = typer.Typer(
    help=(
        "Generate AnesQA question-answer pairs from AnesCorpus with a teacher model, translate them, and write "
        "verified reasoning chains for multiple-choice banks (qa reason).\n\n"
        "Example: anestools qa generate anescorpus/ -o anesqa-gen --model teacher --base-url http://node12:30000/v1 "
        "&& anestools qa translate anesqa-gen --to zh -o anesqa-zh --model teacher --base-url http://node12:30000/v1"
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


Decontam = Annotated[list[str] | None, typer.Option("--decontaminate", help="AnesBench file (JSON/JSONL/parquet, either schema; repeatable): pairs sharing a 13-word / 20-character span with it are dropped.", show_default=False)]
Resume = Annotated[bool, typer.Option("--resume/--no-resume", help="Continue the journal in --output (default).")]
Overwrite = Annotated[bool, typer.Option("--overwrite", help="With --no-resume: delete the previous results and start over.")]
ProgressInterval = Annotated[float, typer.Option(help="Seconds between progress lines when stderr is not a terminal (Slurm logs).")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Select and show the work and the first prompt; start no server.")]


def _teacher(t: TeacherSettings, progress_interval: float) -> TeacherSettings:
    """The validated settings with ``--engine auto`` resolved (the runtime's chooser), printed with why."""
    check_progress_interval(progress_interval)
    t = t.resolved()
    con.console.print(f"engine: {t.engine} ({t.engine_choice})", highlight=False, soft_wrap=True)
    return t


def _raise_interrupt(signum, frame):  # SIGTERM (scancel) -> the same clean stop as Ctrl-C
    raise KeyboardInterrupt


def _run(stage: Callable[[Callable[[str, int], None]], T], label: str, unit: str, interval: float) -> T:
    """Run a stage with progress lines; SIGTERM (scancel) stops it like Ctrl-C (outputs rebuilt)."""
    old = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        with eval_progress(label, interval, unit=unit) as hook:
            return stage(hook)
    finally:
        signal.signal(signal.SIGTERM, old)


def _first_prompt(dry_run: dict) -> None:
    if dry_run["first_prompt"]:
        con.out.print("first prompt:\n" + dry_run["first_prompt"][-1]["content"], markup=False, highlight=False)


def _report(summary: dict, out: Path, unit: str) -> None:
    from anestools.qa.store import reasons_line

    items = summary[unit]
    con.out.print(f"{summary['kept']} pairs kept of {summary['pairs']['generated']} "
                  f"({unit}: {items['done']} done, {items['errors']} errors, {items['not_run']} not run) -> "
                  f"{summary['outputs']['dataset']}" + ("" if summary["complete"] else
                                                         " (incomplete: not published as anesqa.parquet)"),
                  highlight=False, soft_wrap=True)
    con.out.print(f"dropped: {reasons_line(summary['dropped'])}; details: {out / '_dropped.jsonl'}",
                  highlight=False, soft_wrap=True)
    warning = empty_warning(summary.get("empty_replies", 0), items["done"], "teacher replies")
    if warning:
        con.console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    if items["errors"]:
        raise IncompleteRunError(f"{items['errors']} {unit} failed ({summary['first_error']}); rerun the same "
                                 "command to retry them")
    if summary["kept"] == 0:
        raise NothingKeptError(f"no pair passed the filters (dropped: {reasons_line(summary['dropped'])}); "
                              f"see {out / '_dropped.jsonl'}")


GENERATE_HELP = """Generate question-answer pairs from AnesCorpus shards with a teacher model.

Passages (chunks of at most --chunk-tokens) are sampled from the shards (--limit, --seed), the
teacher writes --pairs-per-passage pairs per passage as JSON, and each pair is checked: valid
JSON and fields, length bounds, no overlap with AnesBench (--decontaminate), language, grounding
(the same teacher judges whether the passage supports the answer), then exact/near duplicates.
Kept pairs go to OUTPUT/anesqa.parquet (ready for `anestools convert`), drops with their reason
to OUTPUT/_dropped.jsonl, counts to OUTPUT/summary.json. Rerun the same command to resume.

Examples:

  anestools qa generate anescorpus/ -o anesqa-gen --model Qwen/Qwen2.5-72B-Instruct --engine sglang --tp 4 --decontaminate anesbench_en.json --decontaminate anesbench_zh.json

  anestools qa generate anescorpus/en -o anesqa-mcq --style mcq --limit 2000 --model teacher --base-url http://node12:30000/v1

  anestools qa generate anescorpus/ -o anesqa-gen --model m --limit 5 --dry-run
"""


@app.command("generate", help=GENERATE_HELP)
@cli_options("teacher", TeacherSettings)
def generate_command(
    corpus: Annotated[list[str], typer.Argument(help="AnesCorpus parquet shards, folders or globs.", metavar="CORPUS...", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output folder (journal, anesqa.parquet, summary).", show_default=False)],
    *,
    teacher: dict,
    style: Annotated[str, typer.Option(help="open (question + explained answer) or mcq (4-5 options, answer letter, level System 1/1.x/2).")] = "open",
    lang: Annotated[str, typer.Option("--lang", help="Passage languages: en,zh (cn accepted) or all.")] = "en,zh",
    pairs_per_passage: Annotated[int, typer.Option(help="Pairs asked per passage.")] = 3,
    chunk_tokens: Annotated[int, typer.Option(help="Passage budget in estimated tokens (Latin words + CJK characters).")] = 512,
    min_tokens: Annotated[int, typer.Option(help="Skip chunks shorter than this.")] = 48,
    limit: Annotated[int | None, typer.Option(help="Sample this many passages (seeded reservoir); default all.", show_default=False)] = None,
    seed: Annotated[int, typer.Option(help="Sampling seed.")] = 0,
    decontaminate: Decontam = None,
    grounding: Annotated[bool, typer.Option("--grounding/--no-grounding", help="Judge every pair against its passage.")] = True,
    language_check: Annotated[bool, typer.Option("--language-check/--no-language-check", help="Drop pairs not in the passage's language (langdetect).")] = True,
    min_question: Annotated[int, typer.Option(help="Minimum question length (characters; a Chinese character counts 3).")] = 15,
    max_question: Annotated[int, typer.Option(help="Maximum question length.")] = 1500,
    min_answer: Annotated[int, typer.Option(help="Minimum answer length.")] = 2,
    max_answer: Annotated[int, typer.Option(help="Maximum answer length.")] = 4000,
    near_dup: Annotated[float, typer.Option(help="Jaccard similarity of question 3-grams at which a question is a near-duplicate.")] = 0.8,
    resume: Resume = True,
    overwrite: Overwrite = False,
    progress_interval: ProgressInterval = DEFAULT_INTERVAL,
    dry_run: DryRun = False,
) -> None:
    from anestools.qa.checks import LengthBounds
    from anestools.qa.generate import GenerateSettings, generate

    t = _teacher(TeacherSettings(**teacher), progress_interval)
    settings = GenerateSettings(
        inputs=list(corpus), output=output, teacher=t, style=style, languages=parse_languages(lang),
        pairs_per_passage=pairs_per_passage, chunk_tokens=chunk_tokens, min_tokens=min_tokens, limit=limit,
        seed=seed, decontaminate=list(decontaminate or []), grounding=grounding, language_check=language_check,
        lengths=LengthBounds(min_question, max_question, min_answer, max_answer), near_dup=near_dup,
        resume=resume, overwrite=overwrite)
    if not decontaminate and not dry_run:
        con.console.print("[yellow]warning:[/] no --decontaminate file: generated pairs are not checked "
                          "against AnesBench", soft_wrap=True)
    if dry_run:
        outcome = generate(settings, dry_run=True)
        s = outcome.summary
        con.out.print(f"dry run: {s['passages']} passages {s['by_language']}, engine {s['engine']}, "
                      f"concurrency {s['concurrency']}, at most {s['max_requests']} requests; skipped rows "
                      f"{s['skipped_rows']}", highlight=False, soft_wrap=True)
        _first_prompt(s)
        return
    outcome = _run(lambda hook: generate(settings, hook=hook), "qa generate: passages", "passages",
                   progress_interval)
    if outcome.skipped_done:
        con.console.print(f"resumed: {outcome.skipped_done} passages already done in {output}")
    _report(outcome.summary, output, "passages")


TRANSLATE_HELP = """Translate AnesQA pairs into Chinese or English with a teacher model.

Reads AnesQA parquet (a `qa generate` output folder, or any parquet with question + answer),
translates every pair not already in the target language, and checks each translation: valid
JSON, answer letter unchanged (mcq), length ratio within --ratio-min/--ratio-max, share of
untranslated Latin letters (to zh) at most --max-latin, language. Output: OUTPUT/anesqa.parquet
in the same schema, `language` set, `source_pair_id` linking each pair to its source.
Rerun the same command to resume.

Examples:

  anestools qa translate anesqa-gen --to zh -o anesqa-gen-zh --model Qwen/Qwen2.5-72B-Instruct --engine sglang --tp 4

  anestools qa translate anesqa-gen/anesqa.parquet --to zh -o anesqa-zh --model teacher --base-url http://node12:30000/v1

  anestools convert anesqa-gen anesqa-gen-zh --output data --lang all
"""


@app.command("translate", help=TRANSLATE_HELP)
@cli_options("teacher", TeacherSettings, temperature=0.0)
def translate_command(
    inputs: Annotated[list[str], typer.Argument(help="AnesQA folder(s) or parquet files.", metavar="DIR...", show_default=False)],
    to: Annotated[str, typer.Option("--to", help="Target language: zh (cn) or en.", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output folder.", show_default=False)],
    *,
    teacher: dict,
    limit: Annotated[int | None, typer.Option(help="Only the first N pairs (smoke tests).", show_default=False)] = None,
    ratio_min: Annotated[float, typer.Option(help="Minimum translated/source size (a Chinese character counts 3).")] = 0.33,
    ratio_max: Annotated[float, typer.Option(help="Maximum translated/source size.")] = 3.0,
    max_latin: Annotated[float, typer.Option(help="To zh: maximum share of Latin letters (untranslated text).")] = 0.35,
    language_check: Annotated[bool, typer.Option("--language-check/--no-language-check", help="Drop translations not in the target language (langdetect).")] = True,
    decontaminate: Decontam = None,
    resume: Resume = True,
    overwrite: Overwrite = False,
    progress_interval: ProgressInterval = DEFAULT_INTERVAL,
    dry_run: DryRun = False,
) -> None:
    from anestools.qa.translate import TranslateSettings, translate

    target = normalize_language(to)
    if target not in ("en", "zh"):
        raise ConfigError(f"--to {to!r}: expected zh (cn) or en")
    t = _teacher(TeacherSettings(**teacher), progress_interval)
    settings = TranslateSettings(inputs=list(inputs), output=output, to=target, teacher=t, limit=limit,
                                 ratio_min=ratio_min, ratio_max=ratio_max, max_latin=max_latin,
                                 language_check=language_check, decontaminate=list(decontaminate or []),
                                 resume=resume, overwrite=overwrite)
    if dry_run:
        s = translate(settings, dry_run=True).summary
        con.out.print(f"dry run: {s['pairs']} pairs to translate, engine {s['engine']}, concurrency "
                      f"{s['concurrency']}, at most {s['max_requests']} requests; skipped {s['skipped_rows']}",
                      highlight=False, soft_wrap=True)
        _first_prompt(s)
        return
    outcome = _run(lambda hook: translate(settings, hook=hook), f"qa translate -> {target}: pairs", "pairs",
                   progress_interval)
    if outcome.skipped_done:
        con.console.print(f"resumed: {outcome.skipped_done} pairs already translated in {output}")
    _report(outcome.summary, output, "sources")


REASON_HELP = """Write verified reasoning chains for multiple-choice questions with a reasoning teacher.

Input: `qa generate --style mcq` output (stem/options/target/level), or an in-house bank eval
can read (AnesBench's schemas, or your own fields with --bench-map / --bench-field). AnesBench
itself is refused, and every item sharing a 13-word / 20-character span with AnesBench
(--decontaminate files; the embedded sample without them) is dropped. Each item is asked up to
--tries times, each try with its own seed; the chain is the reply's reasoning_content or its
<think> block, and the final letter is read by eval's answer extractor: a chain is kept only
when it is right and passes the length bounds and the language check (at most --keep per item).
Every item's pass rate (passes / tries made) and difficulty (easy: every try right, mixed,
unsolved: none right, a possibly wrong key) go to OUTPUT/anesr1_items.parquet; kept chains to
OUTPUT/anesr1.parquet (ready for `anestools convert --kind reasoning|rl`). Rerun to resume.

Examples:

  anestools qa reason anesqa-mcq -o anesr1 --model deepseek-ai/DeepSeek-R1-Distill-Qwen-32B --engine sglang --tp 4 --engine-arg=--reasoning-parser=deepseek-r1 --decontaminate anesbench_en.json --decontaminate anesbench_zh.json

  anestools qa reason bank.jsonl -o anesr1 --bench-field question=stem --bench-field options=choices --bench-field answer=key --model teacher --base-url http://node12:30000/v1 --tries 8 --keep 2

  anestools qa reason anesqa-mcq -o anesr1 --model m --dry-run
"""


@app.command("reason", help=REASON_HELP)
@cli_options("teacher", TeacherSettings, max_new_tokens=8192, temperature=0.6)
def reason_command(
    banks: Annotated[list[str], typer.Argument(help="qa generate --style mcq folders/parquet, or bank files eval can read.", metavar="BANK...", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output folder (journal, anesr1.parquet, anesr1_items.parquet, summary).", show_default=False)],
    *,
    teacher: dict,
    tries: Annotated[int, typer.Option(help="Attempts per item, each with its own seed.")] = 4,
    keep: Annotated[int, typer.Option(help="Verified chains kept per item (the first ones, in try order).")] = 1,
    early_stop: Annotated[bool, typer.Option("--early-stop/--full-tries", help="Stop an item's tries once --keep chains are verified (fewer requests; the pass rate is then over the tries made, so 'easy' means every try made was right). Default: all --tries, an exact pass rate.")] = False,
    seed: Annotated[int, typer.Option(help="Seed base: try T of item I is sent seed = hash(base, I, T).")] = 0,
    limit: Annotated[int | None, typer.Option(help="Only the first N items.", show_default=False)] = None,
    decontaminate: Annotated[list[str] | None, typer.Option("--decontaminate", help="AnesBench file (repeatable): items sharing a 13-word / 20-character span with it are dropped. Default: the embedded sample only (warned).", show_default=False)] = None,
    bench_map: Annotated[Path | None, typer.Option("--bench-map", help="YAML mapping of an in-house bank's fields, as in eval (docs/eval.md).", show_default=False)] = None,
    bench_field: Annotated[list[str] | None, typer.Option("--bench-field", help="One mapping entry KEY=VALUE (repeatable), as in eval.", show_default=False)] = None,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Skip invalid bank records instead of stopping.")] = False,
    language_check: Annotated[bool, typer.Option("--language-check/--no-language-check", help="Drop chains not in the item's language (langdetect).")] = True,
    min_reasoning: Annotated[int, typer.Option(help="Minimum chain length (characters; a Chinese character counts 3).")] = 50,
    max_reasoning: Annotated[int, typer.Option(help="Maximum chain length.")] = 32000,
    max_response: Annotated[int, typer.Option(help="Maximum final-response length (after the chain).")] = 4000,
    resume: Resume = True,
    overwrite: Overwrite = False,
    progress_interval: ProgressInterval = DEFAULT_INTERVAL,
    dry_run: DryRun = False,
) -> None:
    from anestools.qa.reason import ReasonSettings, reason, reasons_line

    mapping = None
    if bench_map or bench_field:
        from anestools.common.bench_mapping import BenchMapping

        mapping = BenchMapping.load(bench_map, bench_field or ())
    t = _teacher(TeacherSettings(**teacher), progress_interval)
    settings = ReasonSettings(inputs=list(banks), output=output, teacher=t, tries=tries, keep=keep,
                              early_stop=early_stop, seed=seed, limit=limit, decontaminate=list(decontaminate or []),
                              mapping=mapping, skip_invalid=skip_invalid, language_check=language_check,
                              min_reasoning=min_reasoning, max_reasoning=max_reasoning, max_response=max_response,
                              resume=resume, overwrite=overwrite)
    if not decontaminate:
        con.console.print("[yellow]warning:[/] no --decontaminate file: items are checked against the embedded "
                          "AnesBench sample only", soft_wrap=True)
    if dry_run:
        s = reason(settings, dry_run=True).summary
        con.out.print(f"dry run: {s['items']} items {s['by_language']} ({s['dropped_items']} dropped: AnesBench "
                      f"overlap), engine {s['engine']}, concurrency {s['concurrency']}, at most {s['max_tries']} "
                      "tries", highlight=False, soft_wrap=True)
        _first_prompt(s)
        return
    outcome = _run(lambda hook: reason(settings, hook=hook), "qa reason: items", "items", progress_interval)
    if outcome.resumed_tries:
        con.console.print(f"resumed: {outcome.resumed_tries} tries already made in {output}")
    s = outcome.summary
    items = s["items"]
    con.out.print(f"{s['kept']} chains kept from {s['tries']['made']} tries ({items['done']} items done, "
                  f"{items['errors']} errors, {items['not_run']} not run; difficulty {s['difficulty']}) -> "
                  f"{s['outputs']['dataset']}" + ("" if s["complete"] else
                                                    " (incomplete: not published as anesr1.parquet)"),
                  highlight=False, soft_wrap=True)
    con.out.print(f"dropped: {reasons_line(s['dropped'])}; details: {output / '_dropped.jsonl'}",
                  highlight=False, soft_wrap=True)
    if s["unsolved"]:
        shown = ", ".join(u["id"] for u in s["unsolved"][:5]) + (" ..." if len(s["unsolved"]) > 5 else "")
        con.console.print(f"[yellow]warning:[/] {len(s['unsolved'])} items never solved (possibly a wrong key): "
                          f"{shown}; see {output / 'anesr1_items.parquet'}", highlight=False, soft_wrap=True)
    if items["errors"]:
        raise IncompleteRunError(f"{items['errors']} items failed ({s['first_error']}); rerun the same command to "
                                 "retry them")
    if s["kept"] == 0:
        raise NothingKeptError(f"no chain kept: {s['why_nothing_kept']}; see {output / '_dropped.jsonl'}")
