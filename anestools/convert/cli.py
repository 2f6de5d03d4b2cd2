"""``anestools convert``: thin CLI over :func:`anestools.convert.core.convert`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from anestools.common import console as con
from anestools.common.options import SplitAlias, resolve_alias
from anestools.convert.core import convert


def convert_command(
    inputs: Annotated[list[str], typer.Argument(help="Parquet or JSONL files, directories (recursive), globs, hf:// paths or a Hub dataset id[:split].", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="LLaMA-Factory data directory (dataset_info.json is merged).")],
    lang: Annotated[str | None, typer.Option("--lang", help="Language split: en, cn or zh (the same: Chinese; names say cn) or all (one merged dataset), default all. Old name: --split.", show_default=False)] = None,
    split: SplitAlias = None,
    kind: Annotated[str, typer.Option(help="auto (text -> corpus, question+answer -> QA), corpus, qa, general (any text, e.g. a FineWeb sample -> general_<split>, for `train cpt --mix`), reasoning (AnesR1 chains -> SFT data with the chain in a <think> block, for reasoning templates such as qwen3) or rl (AnesR1 / qa mcq items -> prompt + gold letter + options, for `train grpo`).")] = "auto",
    instruction: Annotated[str, typer.Option(help="QA instruction text (alpaca 'instruction' / sharegpt system).")] = "",
    fmt: Annotated[str, typer.Option("--format", help="jsonl, or json (one streamed JSON array).")] = "jsonl",
    style: Annotated[str, typer.Option(help="QA style: alpaca or sharegpt.")] = "alpaca",
    name: Annotated[str | None, typer.Option(help="Dataset name in dataset_info.json (default anescorpus_<split> / anesqa_<split>).")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace existing output files and dataset_info.json entries.")] = False,
    difficulty: Annotated[str | None, typer.Option(help="reasoning/rl: keep only items of these qa reason difficulties, comma-separated: easy (every try right), mixed, unsolved (no try right: suspected wrong key); default: every item.", show_default=False)] = None,
) -> None:
    """Convert AnesCorpus / AnesQA / AnesR1 parquet into LLaMA-Factory datasets (and RL prompts for train grpo).

    Examples:

      anestools convert anescorpus/ --output data --lang en

      anestools convert AnesQA_*.parquet --output data --style sharegpt

      anestools convert MiliLab/AnesCorpus --output data --lang zh

      anestools convert fineweb_sample/ --kind general --output data --lang en

      anestools convert anesr1/anesr1.parquet --kind reasoning --output data

      anestools convert anesr1/ --kind rl --difficulty mixed --output data

    --lang zh and --lang cn are the same (outputs are named *_cn, as in AnesCorpus); --split is
    the old name of --lang and still works.
    """
    with con.progress() as bar:
        task = bar.add_task("converting rows", total=None)
        result = convert(
            inputs,
            output,
            split=resolve_alias(lang, split, default="all", name="--lang", old_name="--split"),
            kind=kind,
            instruction=instruction,
            fmt=fmt,
            style=style,
            name=name,
            overwrite=overwrite,
            difficulty=[d.strip() for d in difficulty.split(",") if d.strip()] if difficulty else None,
            on_total=lambda total: bar.update(task, total=total),
            on_rows=lambda n: bar.advance(task, n),
        )

    t = result.totals()
    fields = ["read", "written", "skipped_empty", "other_language"]
    heads = ["input", "language", "read", "written", "skipped (empty)", "other split"]
    for extra, head in (("filtered", "left out (--difficulty)"), ("duplicate", "duplicate item")):
        if getattr(t, extra):  # only the kinds that can drop rows this way show the column
            fields.append(extra)
            heads.append(head)
    table = Table(title="anestools convert", show_lines=False)
    for col in heads:
        table.add_column(col, justify="right" if col not in ("input", "language") else "left",
                         overflow="fold")
    for (src, lang), c in sorted(result.counts.items()):
        table.add_row(src, lang, *(f"{getattr(c, f):,}" for f in fields))
    table.add_row("[bold]total", "", *(f"{getattr(t, f):,}" for f in fields))
    con.summary(table)
    for src, reason in result.skipped_inputs:
        con.console.print(f"[yellow]skipped input[/] {src}: {reason}", soft_wrap=True)
    for o in result.outputs:
        con.out.print(f"{o.kind}: {o.rows:,} rows -> {o.path} (dataset [bold]{o.dataset}[/], {o.dataset_info_action} in dataset_info.json)",
                      soft_wrap=True)
