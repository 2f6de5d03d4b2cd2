"""``anestools train``: launch LLaMA-Factory CPT/SFT recipes (issue 5)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Train with LLaMA-Factory recipes (CPT and SFT).", no_args_is_help=True)
