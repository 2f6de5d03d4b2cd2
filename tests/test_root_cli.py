"""Root CLI: version, help with examples on every command, light start-up."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
import typer

from anestools import __version__
from anestools.cli import app


def _context(cmd):
    try:
        from typer._click.core import Context
    except ImportError:  # older typer uses click itself
        Context = click.Context
    return Context(cmd)


def _all_commands() -> list[list[str]]:
    """Every command path of the Typer app (``[]`` is the root)."""
    root = typer.main.get_command(app)
    paths: list[list[str]] = []

    def walk(cmd, path: list[str]) -> None:
        paths.append(path)
        if hasattr(cmd, "list_commands"):  # a group (typer may vendor its own click)
            ctx = _context(cmd)
            for name in cmd.list_commands(ctx):
                walk(cmd.get_command(ctx, name), [*path, name])

    walk(root, [])
    return paths


def test_version(cli):
    code, out, _ = cli("--version")
    assert code == 0 and out.strip() == f"anestools {__version__}"


def test_stage_groups_exist():
    names = {p[0] for p in _all_commands() if p}
    assert {"corpus", "convert", "train", "eval", "demo", "qa"} <= names


def test_main_module_runs_the_cli_only_as_main():
    """A spawned worker (multiprocessing, e.g. qa's language workers) re-imports the main module
    of ``python -m anestools`` under another name: importing it must not run the CLI."""
    code = "import runpy; runpy.run_module('anestools', run_name='__mp_main__'); print('imported')"
    proc = subprocess.run([sys.executable, "-c", code, "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.strip() == "imported", proc.stdout + proc.stderr


@pytest.mark.parametrize("path", _all_commands(), ids=lambda p: " ".join(p) or "root")
def test_every_command_has_help_with_an_example(cli, path):
    code, out, err = cli(*path, "--help")
    assert code == 0, err
    assert "Usage:" in out
    assert "example" in out.lower(), f"'anestools {' '.join(path)} --help' shows no example"


def test_startup_does_not_import_engines():
    """``anestools --help`` must stay fast and small: engines load only when a command runs."""
    code = (
        "import sys, anestools.cli\n"
        "heavy = ['torch', 'transformers', 'llamafactory', 'datatrove', 'datasets', 'matplotlib', 'spacy']\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "", f"imported at start-up: {out.strip()}"


def test_usage_errors_are_one_line_not_tracebacks(cli):
    code, _, err = cli("convert", "--bogus")
    assert code == 2
    assert "No such option: --bogus" in err and "Traceback" not in err


def test_quiet_and_verbose_flags_accepted(cli):
    assert cli("-q", "--version")[0] == 0
    assert cli("-v", "--version")[0] == 0


def test_error_messages_are_printed_verbatim(cli, tmp_path):
    """Brackets in a message (extras, citations) must not be eaten as rich markup."""
    code, _, err = cli("convert", str(tmp_path / "missing[serve].parquet"), "--output", str(tmp_path / "d"))
    assert code == 2
    assert "missing[serve].parquet:" in err and "error:" in err
