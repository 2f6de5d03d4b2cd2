"""Option spellings every command shares: ``--lang`` for languages, old names kept as hidden aliases.

Why: commands grew ``--languages``, ``--split`` and ``--lang`` for the same idea. The visible name
is now ``--lang`` everywhere; an old name still works (scripts keep running) but is hidden from
``--help``, and giving both with different values is an error rather than a silent choice.
"""

from __future__ import annotations

from typing import Annotated

import typer

from anestools.errors import ConfigError


def hidden_alias(old: str) -> object:
    """A hidden option ``old`` (value ``None`` when not given), for :func:`resolve_alias`."""
    return typer.Option(old, hidden=True, show_default=False)


LanguagesAlias = Annotated[str | None, hidden_alias("--languages")]
SplitAlias = Annotated[str | None, hidden_alias("--split")]


def resolve_alias(value: str | None, old_value: str | None, *, default: str, name: str, old_name: str) -> str:
    """The value given as ``name`` or under its old name ``old_name``; ``default`` when neither."""
    if old_value is None:
        return default if value is None else value
    if value is not None and value != old_value:
        raise ConfigError(f"{name} {value!r} and {old_name} {old_value!r} disagree: "
                          f"{old_name} is the old name of {name}; give {name} only")
    return old_value
