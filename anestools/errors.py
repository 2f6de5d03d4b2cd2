"""Typed errors raised by library code.

Library code never prints or exits: it raises one of these with a message that already names
the file, row or field at fault. The CLI layer turns any ``AnestoolsError`` into a single
``error: ...`` line and a non-zero exit code (``exit_code`` below).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The one exit-code table of every command (README, docs/reliability.md)."""

    OK = 0
    FAILED = 1  # a write failed (disk full), or another failure (e.g. qa kept no pair)
    BAD_INPUT = 2  # bad input or configuration
    OUTPUT_EXISTS = 3  # pass --overwrite / --resume
    ENGINE_FAILED = 4  # engine failed, endpoint unreachable, model not served
    MISSING_DEPENDENCY = 5
    INCOMPLETE = 6  # a run finished with requests still failing after --retries (outputs written; resumable)
    LOCKED = 7  # another run holds the output directory
    INTERRUPTED = 130


class AnestoolsError(Exception):
    """Base class: an expected failure with a one-line, user-facing message.

    A subclass names its code from the table: ``class InputError(AnestoolsError, code=...)``.
    """

    exit_code: int = ExitCode.FAILED

    def __init_subclass__(cls, code: ExitCode | None = None, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if code is not None:
            cls.exit_code = code


class InputError(AnestoolsError, code=ExitCode.BAD_INPUT):
    """Bad or missing input: unreadable file, wrong schema, invalid record."""


class OutputExistsError(AnestoolsError, code=ExitCode.OUTPUT_EXISTS):
    """The output already exists and the user did not pass ``--overwrite`` (or ``--resume``)."""


class ConfigError(AnestoolsError, code=ExitCode.BAD_INPUT):
    """Invalid configuration: unknown recipe/key, bad option combination."""


class EngineError(AnestoolsError, code=ExitCode.ENGINE_FAILED):
    """An external engine (LLaMA-Factory, SGLang, transformers serve, datatrove) failed."""


class IncompleteRunError(AnestoolsError, code=ExitCode.INCOMPLETE):
    """A run (eval, qa) finished but some requests still failed after their retries (outputs written; resumable)."""


class MissingDependencyError(AnestoolsError, code=ExitCode.MISSING_DEPENDENCY):
    """An optional dependency (extra) is not installed in this environment."""


class OutputLockedError(AnestoolsError, code=ExitCode.LOCKED):
    """Another process is writing the same output directory (it holds its lock file)."""


class OutputWriteError(AnestoolsError, code=ExitCode.FAILED):
    """Writing an output failed (disk full, file too large, quota): nothing was published."""


class NothingKeptError(AnestoolsError, code=ExitCode.FAILED):
    """A run completed, but every record was dropped by its filters (the drops say why)."""
