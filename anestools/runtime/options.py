"""Options declared once: a settings dataclass field carries its command-line option and its check.

Why: an engine flag used to be written in four to six places (the typer parameter, the
settings call, the field, ``validate()``, the provenance dict, the preset loader), then all
again for ``qa``. Here the field is the declaration::

    retries: int = opt(4, "Retries per request ...", check=AtLeast(0))

- :func:`cli_options` turns the fields of a dataclass into typer parameters of a command, and
  hands the command their values as one dict, ready for ``cls(**values)``;
- :func:`check_fields` runs every declared check (``EngineSettings.__post_init__`` calls it, so
  an instance is validated when it is made, wherever it was built: CLI, ``-c`` preset, library);
- provenance is the fields as they are (``dataclasses.asdict``; ``EngineSettings.engine_fields``).

A check names the flag and the value it refused (``--temperature must be a finite number >= 0,
got nan``), and is the same for every command that has the option.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from collections.abc import Callable
from typing import Annotated, Any

from anestools.common.options import AtLeast, Check, Finite, Seconds, refuse

__all__ = ["AtLeast", "Check", "Finite", "Seconds", "check_fields", "checked", "cli_options", "flag_of", "opt"]


def opt(default: Any = dataclasses.MISSING, help: str = "", *, flags: tuple[str, ...] = (), check: Check | None = None,
        default_factory: Callable[[], Any] | Any = dataclasses.MISSING, cli_type: Any = None,
        **typer_kwargs: Any) -> Any:
    """A dataclass field that is also a command-line option (``flags``: default ``--field-name``).

    ``cli_type``: the parameter's type on the command line when it differs from the field's
    (``engine_args`` is a ``list[str] | None`` option, a ``list[str]`` field).
    """
    import typer

    info = typer.Option(*flags, help=help, **typer_kwargs)
    meta = {"option": info, "check": check, "flags": flags, "cli_type": cli_type}
    if default_factory is not dataclasses.MISSING:
        return dataclasses.field(default_factory=default_factory, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def checked(default: Any, check: Check, *flags: str) -> Any:
    """A dataclass field with a declared check, whose option the command declares itself."""
    return dataclasses.field(default=default, metadata={"check": check, "flags": flags})


def flag_of(f: dataclasses.Field) -> str:
    """The option's long flag (``--engine-python`` for ``engine_python``)."""
    long = [x for x in f.metadata.get("flags") or () if x.startswith("--")]
    return long[0].split("/")[0] if long else "--" + f.name.replace("_", "-")


def check_fields(obj: Any) -> None:
    """Run every check declared on ``obj``'s fields; the first failure is a ``ConfigError``."""
    for f in dataclasses.fields(obj):
        check = f.metadata.get("check")
        if check is not None:
            refuse(flag_of(f), check, getattr(obj, f.name))


def _option_fields(cls: type) -> list[tuple[dataclasses.Field, Any]]:
    hints = typing.get_type_hints(cls, include_extras=True)
    return [(f, f.metadata.get("cli_type") or hints[f.name]) for f in dataclasses.fields(cls)
            if "option" in f.metadata]


def _cli_default(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    return None  # a list field: no value given on the command line


def cli_options(param: str, cls: type, **defaults: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Replace the command's parameter ``param`` by one typer option per option field of ``cls``.

    The command receives ``param`` as a dict of the given values, ready for ``cls(**values)``
    (or to merge into a larger settings object); ``defaults`` overrides a field's default for
    this command only.
    """
    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        sig = inspect.signature(fn, eval_str=True)
        names: list[str] = []
        expanded: list[inspect.Parameter] = []
        for f, kind in _option_fields(cls):
            names.append(f.name)
            default = defaults.get(f.name, _cli_default(f))
            expanded.append(inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                              annotation=Annotated[kind, f.metadata["option"]]))
        params: list[inspect.Parameter] = []
        for p in sig.parameters.values():
            if p.name == param:
                params.extend(expanded)
            else:
                params.append(p.replace(kind=inspect.Parameter.KEYWORD_ONLY))

        factories = {f.name: f.default_factory for f, _ in _option_fields(cls)
                     if f.default_factory is not dataclasses.MISSING}

        @functools.wraps(fn)
        def command(**kwargs: Any) -> Any:
            group = {name: kwargs.pop(name) for name in names}
            for name, factory in factories.items():  # a repeatable option not given: the field's default
                if group[name] is None:
                    group[name] = factory()
            return fn(**kwargs, **{param: group})

        command.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in params}
        del command.__wrapped__  # typer must read the new signature, not the function's own
        return command

    return decorate
