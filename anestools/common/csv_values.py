"""Comma-separated option values (``--lang en,zh``, ``--levels 1,2``, repeated or not)."""

from __future__ import annotations

from collections.abc import Iterable


def split_csv(values: str | Iterable[str] | None) -> list[str]:
    """``"a, b"`` or ``["a,b", "c"]`` -> ``["a", "b", "c"]`` (blanks dropped, order kept)."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [x.strip() for v in values for x in v.split(",") if x.strip()]
