"""``anestools corpus``: build AnesCorpus from web data and PubMed (issue 3 and 4)."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Build AnesCorpus shards: web data (datatrove) and PubMed/PMC; print corpus stats.",
    no_args_is_help=True,
)
