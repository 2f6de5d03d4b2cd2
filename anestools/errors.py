"""Typed errors raised by library code.

Library code never prints or exits: it raises one of these with a message that already names
the file, row or field at fault. The CLI layer turns any ``AnestoolsError`` into a single
``error: ...`` line and a non-zero exit code (``exit_code`` below).
"""

from __future__ import annotations


class AnestoolsError(Exception):
    """Base class: an expected failure with a one-line, user-facing message."""

    exit_code: int = 1


class InputError(AnestoolsError):
    """Bad or missing input: unreadable file, wrong schema, invalid record."""

    exit_code = 2


class OutputExistsError(AnestoolsError):
    """The output already exists and the user did not pass ``--overwrite`` (or ``--resume``)."""

    exit_code = 3


class ConfigError(AnestoolsError):
    """Invalid configuration: unknown recipe/key, bad option combination."""

    exit_code = 2


class EngineError(AnestoolsError):
    """An external engine (LLaMA-Factory, SGLang, transformers serve, datatrove) failed."""

    exit_code = 4


class IncompleteRunError(AnestoolsError):
    """A run finished but some requests still failed after their retries (outputs written; resumable)."""

    exit_code = 6


class MissingDependencyError(AnestoolsError):
    """An optional dependency (extra) is not installed in this environment."""

    exit_code = 5


class OutputLockedError(AnestoolsError):
    """Another process is writing the same output directory (it holds its lock file)."""

    exit_code = 7


class OutputWriteError(AnestoolsError):
    """Writing an output failed (disk full, file too large, quota): nothing was published."""

    exit_code = 1
