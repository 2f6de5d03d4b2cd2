#!/usr/bin/env python
"""Print the Markdown table of every ``anestools`` command and option (pasted into README.md).

``tests/test_readme.py`` checks that the README lists every option, so the table cannot drift.
"""

from __future__ import annotations

import typer

from anestools.cli import app


def iter_commands():
    """Yield ``(path, click_command)`` for every leaf command and group callback with options."""
    root = typer.main.get_command(app)

    def context(cmd):
        try:
            from typer._click.core import Context
        except ImportError:  # older typer uses click itself
            from click import Context
        return Context(cmd)

    def walk(cmd, path):
        yield path, cmd
        if hasattr(cmd, "list_commands"):
            ctx = context(cmd)
            for name in cmd.list_commands(ctx):
                yield from walk(cmd.get_command(ctx, name), [*path, name])

    yield from walk(root, ["anestools"])


def option_names(cmd) -> list[str]:
    names = []
    for p in cmd.params:
        if getattr(p, "hidden", False) or p.name in ("help", "install_completion", "show_completion"):
            continue
        if p.param_type_name == "argument":
            names.append(p.name.upper())
        else:
            names.append(" / ".join(o for o in [*p.opts, *p.secondary_opts] if o.startswith("--")) or p.opts[0])
    return names


def table() -> str:
    rows = ["| command | arguments and options |", "| --- | --- |"]
    for path, cmd in iter_commands():
        names = option_names(cmd)
        if hasattr(cmd, "list_commands") and not names:
            continue  # a plain group: its commands have their own rows
        summary = (cmd.help or "").strip().splitlines()[0] if cmd.help else ""
        rows.append(f"| `{' '.join(path)}` — {summary} | {', '.join(f'`{n}`' for n in names) or '—'} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(table())
