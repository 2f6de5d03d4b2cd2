"""Language names: the data says ``en``/``zh``, users say ``en``/``cn``/``all``.

File-name detection uses *tokens* delimited by ``_ - . /`` (never substrings), so that
``train``, ``general`` or ``often`` never count as English.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from anestools.errors import ConfigError, InputError

SPLITS = ("en", "cn", "all")
#: Every accepted split value and its languages: the one table that both parsing and the error use.
_SPLIT_LANGUAGES = {"en": frozenset({"en"}), "cn": frozenset({"zh"}), "zh": frozenset({"zh"}),
                    "all": frozenset({"en", "zh"})}

# Every spelling that may appear in data or file names, mapped to the canonical data code.
_ALIASES = {
    "en": "en",
    "eng": "en",
    "english": "en",
    "zh": "zh",
    "cn": "zh",
    "zho": "zh",
    "chi": "zh",
    "chinese": "zh",
    "zh-cn": "zh",
    "zh_cn": "zh",
    "zh-tw": "zh",
    "zh_tw": "zh",
    "zh-hans": "zh",
    "zh-hant": "zh",
}

_TOKEN_RE = re.compile(r"[_\-./\\]+")


def normalize_language(value: str | None) -> str | None:
    """Map a language label to ``en``/``zh``; ``None`` for anything else (or empty)."""
    if value is None:
        return None
    return _ALIASES.get(str(value).strip().lower())


def parse_languages(value: str) -> tuple[str, ...]:
    """A ``--lang`` value: ``en,zh`` (any spelling above, e.g. ``cn``) or ``all``, in the order given."""
    out: list[str] = []
    for v in (x.strip() for x in value.split(",") if x.strip()):
        if v.lower() == "all":
            return ("en", "zh")
        lang = normalize_language(v)
        if lang is None:
            raise ConfigError(f"--lang: unknown language {v!r}; expected en, zh (or cn)")
        if lang not in out:
            out.append(lang)
    if not out:
        raise ConfigError("--lang: give at least one language")
    return tuple(out)


def split_to_languages(split: str) -> frozenset[str]:
    """``en`` -> {en}, ``cn`` -> {zh}, ``all`` -> {en, zh}; anything else is an error."""
    s = split.strip().lower()
    if s in _SPLIT_LANGUAGES:
        return _SPLIT_LANGUAGES[s]
    raise InputError(f"unknown split {split!r}: expected one of {', '.join(_SPLIT_LANGUAGES)} "
                     "(cn and zh are the same)")


def canonical_split(split: str) -> str:
    """The split name used in output file and dataset names (``zh`` is spelled ``cn``)."""
    s = split.strip().lower()
    split_to_languages(s)
    return "cn" if s == "zh" else s


def language_from_path(path: str | PurePath) -> str | None:
    """Language given by a delimited token in the path (``corpus_en.parquet``, ``zh/0.parquet``).

    Returns ``None`` when no token names a language, or when tokens name both.
    """
    tokens = {t.lower() for t in _TOKEN_RE.split(str(path)) if t}
    found = {_ALIASES[t] for t in tokens if t in _ALIASES}
    return found.pop() if len(found) == 1 else None
