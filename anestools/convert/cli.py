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
    lang: Annotated[str | None, typer.Option("--lang", help="Language split: en, cn or zh (the same: Chinese; names say cn) or all (one merged dataset) [default: all]. Old name: --split.", show_default=False)] = None,
    split: SplitAlias = None,
    kind: Annotated[str, typer.Option(help="auto (text -> corpus, question+answer -> QA), corpus, qa, or general (any text, e.g. a FineWeb sample -> general_<split>, for `train cpt --mix`).")] = "auto",
    instruction: Annotated[str, typer.Option(help="QA instruction text (alpaca 'instruction' / sharegpt system).")] = "",
    fmt: Annotated[str, typer.Option("--format", help="jsonl, or json (one streamed JSON array).")] = "jsonl",
    style: Annotated[str, typer.Option(help="QA style: alpaca or sharegpt.")] = "alpaca",
    name: Annotated[str | None, typer.Option(help="Dataset name in dataset_info.json (default anescorpus_<split> / anesqa_<split>).")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace existing output files and dataset_info.json entries.")] = False,
) -> None:
    """Convert AnesCorpus / AnesQA parquet into LLaMA-Factory datasets.

    Examples:

      anestools convert anescorpus/ --output data --lang en

      anestools convert AnesQA_*.parquet --output data --style sharegpt

      anestools convert MiliLab/AnesCorpus --output data --lang zh

      anestools convert fineweb_sample/ --kind general --output data --lang en

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
            on_total=lambda total: bar.update(task, total=total),
            on_rows=lambda n: bar.advance(task, n),
        )

    table = Table(title="anestools convert", show_lines=False)
    for col in ("input", "language", "read", "written", "skipped (empty)", "other split"):
        table.add_column(col, justify="right" if col not in ("input", "language") else "left",
                         overflow="fold")
    for (src, lang), c in sorted(result.counts.items()):
        table.add_row(src, lang, f"{c.read:,}", f"{c.written:,}", f"{c.skipped_empty:,}", f"{c.other_language:,}")
    t = result.totals()
    table.add_row("[bold]total", "", f"{t.read:,}", f"{t.written:,}", f"{t.skipped_empty:,}", f"{t.other_language:,}")
    con.summary(table)
    for src, reason in result.skipped_inputs:
        con.console.print(f"[yellow]skipped input[/] {src}: {reason}", soft_wrap=True)
    for o in result.outputs:
        con.out.print(f"{o.kind}: {o.rows:,} rows -> {o.path} (dataset [bold]{o.dataset}[/], {o.dataset_info_action} in dataset_info.json)",
                      soft_wrap=True)
