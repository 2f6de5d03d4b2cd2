"""``anestools eval``: AnesBench evaluation through SGLang / transformers / OpenAI (issue 6)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Evaluate checkpoints on AnesBench.", no_args_is_help=True)
