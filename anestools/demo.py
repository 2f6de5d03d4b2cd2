"""``anestools demo``: the whole pipeline on embedded samples, on CPU (issue 7)."""

from __future__ import annotations

import typer

from anestools.errors import ConfigError


def demo_command(
    workdir: str = typer.Option("demo_work", "--workdir", help="Where every stage writes; kept for inspection."),
) -> None:
    """Run corpus -> convert -> train -> eval on the embedded samples (CPU, a few minutes).

    Example: anestools demo --workdir demo_work
    """
    raise ConfigError("the demo is not implemented yet")
