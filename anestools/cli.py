"""``anestools`` root command: one Typer sub-app per stage, thin wrappers over library code.

Every ``AnestoolsError`` raised below becomes one ``error: ...`` line on stderr and its
``exit_code``; Ctrl-C exits 130 with one line saying to rerun the same command to resume.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterator
from typing import Annotated

import typer
from rich.markup import escape

from anestools import __version__
from anestools.common import console as con
from anestools.errors import AnestoolsError

app = typer.Typer(
    name="anestools",
    help=(
        "Anesthesiology LLM toolkit: build AnesCorpus (datatrove), convert it to LLaMA-Factory "
        "datasets, train (CPT/SFT) and evaluate on AnesBench (SGLang).\n\n"
        "Example: anestools corpus build && anestools convert anescorpus --output data"
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"anestools {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, metavar="", show_default=False,
                                         help="More logging (-vv: also libraries). Also accepted after the command.")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", metavar="",
                                        help="Only errors; no progress bars. Also accepted after the command.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Anesthesiology LLM toolkit."""
    con.set_verbosity(verbose, quiet)


def _register() -> None:
    # Imported here so that a broken optional stage cannot hide --version / --help of the rest.
    from anestools.convert.cli import convert_command
    from anestools.corpus.cli import app as corpus_app
    from anestools.demo import demo_command
    from anestools.eval.cli import app as eval_app
    from anestools.qa.cli import app as qa_app
    from anestools.train.cli import app as train_app

    app.add_typer(corpus_app, name="corpus")
    app.add_typer(qa_app, name="qa")
    app.command("convert")(convert_command)
    app.add_typer(train_app, name="train")
    app.add_typer(eval_app, name="eval")
    app.command("demo")(demo_command)


_register()


def _click_errors() -> tuple[type[Exception], ...]:
    """Usage-error classes: typer >= 0.25 vendors click as ``typer._click``; older ones use click."""
    classes: list[type[Exception]] = []
    try:
        from typer._click.exceptions import ClickException as VendoredClickException

        classes.append(VendoredClickException)
    except ImportError:  # pragma: no cover - older typer
        pass
    import click

    classes.append(click.exceptions.ClickException)
    return tuple(classes)


_CLICK_ERRORS = _click_errors()


_GLOBAL_FLAG = re.compile(r"^(?:-[vq]+|--verbose|--quiet)$")


def hoist_global_flags(argv: list[str]) -> list[str]:
    """Move the global ``-q``/``-v`` flags to the front, so that they work after a subcommand too.

    Why here: ``anestools corpus stats DIR -q`` should mean the same as ``anestools -q corpus stats
    DIR``; doing it once at the root keeps every subcommand free of its own copy. Nothing after
    ``--`` is touched, and no subcommand defines ``-q``/``-v`` of its own.
    """
    head: list[str] = []
    rest: list[str] = []
    for i, token in enumerate(argv):
        if token == "--":
            rest.extend(argv[i:])
            break
        (head if _GLOBAL_FLAG.match(token) else rest).append(token)
    return head + rest


#: Exit code of Ctrl-C. Typer catches a KeyboardInterrupt raised in a command and returns this code
#: (the exception never reaches ``main``), so the one line below keys on the code, for every command.
INTERRUPTED = 130

#: Help width when stdout is not a terminal (a pipe, a CI log, docs): rich would use 80 columns,
#: and the option table then cuts long option names (``--pairs-per-pas…``).
HELP_WIDTH = 120


def _untyped_flags(command, ctx) -> None:
    """No type column for flags: typer's rich help prints ``<bool>`` beside every flag (``--help``
    included) because its type display does not look at ``is_flag``; an empty metavar is the
    parameter's own public setting for "show nothing". Walks every subcommand once."""
    help_option = command.get_help_option(ctx)
    for param in [*command.params, *([help_option] if help_option is not None else [])]:
        if (getattr(param, "is_flag", False) or getattr(param, "count", False)) and param.metavar is None:
            param.metavar = ""
    for name, sub in (getattr(command, "commands", None) or {}).items():
        _untyped_flags(sub, sub.context_class(sub, info_name=name, parent=ctx, **sub.context_settings))


def build_command():
    """The click command tree of ``app``, with the help fixes above applied."""
    command = typer.main.get_command(app)
    _untyped_flags(command, command.context_class(command, info_name="anestools", **command.context_settings))
    return command


@contextlib.contextmanager
def _help_width() -> Iterator[None]:
    """A wider help table when not writing to a terminal (rich reads ``COLUMNS`` for each console
    typer makes); an explicit ``COLUMNS`` always wins, and the variable is restored afterwards."""
    if "COLUMNS" in os.environ or sys.stdout.isatty():
        yield
        return
    os.environ["COLUMNS"] = str(HELP_WIDTH)
    try:
        yield
    finally:
        os.environ.pop("COLUMNS", None)


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: run the app, turning typed errors into one-line messages."""
    args = hoist_global_flags(list(sys.argv[1:] if argv is None else argv))
    try:
        with _help_width():
            rc = build_command().main(args=args, prog_name="anestools", standalone_mode=False)
    except AnestoolsError as exc:
        con.console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt:  # outside a command (typer turns one inside a command into exit 130)
        rc = INTERRUPTED
    except typer.Exit as exc:
        rc = exc.exit_code
    except typer.Abort:
        con.console.print("[yellow]aborted[/]")
        return 1
    except _CLICK_ERRORS as exc:  # usage errors: unknown option, missing argument...
        exc.show()
        return exc.exit_code
    except OSError as exc:  # last resort for a full disk outside the atomic writers
        from anestools.common.atomic import DISK_ERRNOS

        if exc.errno not in DISK_ERRNOS:
            raise
        con.console.print(f"[bold red]error:[/] {escape(exc.filename or 'write failed')}: {escape(exc.strerror or str(exc))}",
                          highlight=False, soft_wrap=True)
        return 1
    if rc == INTERRUPTED:  # every command: finished work is kept (journals, datatrove tasks, atomic outputs)
        con.console.print("[yellow]interrupted[/]: rerun the same command to resume", highlight=False)
    return rc if isinstance(rc, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
