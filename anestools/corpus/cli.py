"""``anestools corpus``: build AnesCorpus from web data (build, stats) and PubMed (pubmed).

``build``/``stats`` live in this module; ``pubmed`` is defined in ``pubmed_cli.py`` and only
registered here, so the two commands can evolve independently.
"""

from __future__ import annotations

import typer

from anestools.corpus.pubmed_cli import pubmed_command

app = typer.Typer(
    help="Build AnesCorpus shards: web data (datatrove) and PubMed/PMC; print corpus stats.",
    no_args_is_help=True,
)
app.command("pubmed")(pubmed_command)
