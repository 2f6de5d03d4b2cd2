"""What every command's options share: value checks declared with the option, and ``--lang``.

A :class:`Check` is declared once per option: on a settings field (``runtime.options``) or on
the typer option itself (:func:`checked_option`); either way the message names the flag and
the refused value, the same in every command that has the option.

Why: commands grew ``--languages``, ``--split`` and ``--lang`` for the same idea. The visible name
is now ``--lang`` everywhere; an old name still works (scripts keep running) but is hidden from
``--help``, and giving both with different values is an error rather than a silent choice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from anestools.errors import ConfigError


class Check:
    """A rule for one option's value: ``problem(value)`` says what is wrong, or None."""

    def problem(self, value: Any) -> str | None:  # pragma: no cover - interface
        raise NotImplementedError


@dataclass(frozen=True)
class AtLeast(Check):
    """A number >= ``low`` (a float must also be finite: nan and inf are refused)."""

    low: float

    def problem(self, value: Any) -> str | None:
        if isinstance(value, float) and not math.isfinite(value) or value < self.low:
            return f"must be {'a finite number ' if isinstance(value, float) else ''}>= {self.low:g}"
        return None


@dataclass(frozen=True)
class Finite(Check):
    """A finite number (no nan/inf) within optional bounds."""

    low: float | None = None
    high: float | None = None

    def problem(self, value: Any) -> str | None:
        ok = math.isfinite(value) and (self.low is None or value >= self.low) and (
            self.high is None or value <= self.high)
        if ok:
            return None
        bounds = " and ".join(b for b in (f">= {self.low:g}" if self.low is not None else "",
                                          f"<= {self.high:g}" if self.high is not None else "") if b)
        return "must be a finite number" + (f" {bounds}" if bounds else "")


@dataclass(frozen=True)
class Seconds(Check):
    """A duration in seconds: finite and > 0."""

    def problem(self, value: Any) -> str | None:
        return None if math.isfinite(value) and value > 0 else "must be a number of seconds > 0"


def refuse(flag: str, check: Check, value: Any) -> None:
    """Raise the one ``ConfigError`` for ``value`` of ``flag`` when ``check`` refuses it."""
    problem = None if value is None else check.problem(value)
    if problem:
        raise ConfigError(f"{flag} {problem}, got {value!r}")


def checked_option(flag: str, check: Check, **kwargs: Any) -> Any:
    """A typer option whose value ``check`` validates as it is parsed (exit 2, one line)."""
    return typer.Option(flag, callback=lambda value: refuse(flag, check, value) or value, **kwargs)


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
