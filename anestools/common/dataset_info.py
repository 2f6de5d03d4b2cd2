"""Merge entries into LLaMA-Factory's ``dataset_info.json`` without clobbering anything.

Why text splicing instead of ``json.load`` + ``json.dump``: users hand-edit this file and keep
entries for other projects in it. Entries we do not touch are kept byte-for-byte (formatting,
key order, unicode escapes), an entry with the same name but a different definition is an error
unless ``overwrite``, and the file is replaced atomically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anestools.common import jsonio
from anestools.common.atomic import atomic_path
from anestools.errors import InputError, OutputExistsError

FILENAME = "dataset_info.json"
_WS = " \t\n\r"


@dataclass(frozen=True)
class _Span:
    key: str
    value_start: int
    value_end: int


def _skip_ws(s: str, i: int) -> int:
    while i < len(s) and s[i] in _WS:
        i += 1
    return i


def _top_level_spans(text: str, path: Path) -> tuple[list[_Span], int]:
    """Locate each top-level ``"key": value`` and the index of the closing ``}``."""
    decoder = json.JSONDecoder()
    i = _skip_ws(text, 0)
    if i >= len(text) or text[i] != "{":
        raise InputError(f"{path}: not a JSON object")
    i = _skip_ws(text, i + 1)
    spans: list[_Span] = []
    if i < len(text) and text[i] == "}":
        return spans, i
    while True:
        if i >= len(text) or text[i] != '"':
            raise InputError(f"{path}: invalid JSON near character {i}")
        key, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
        i = _skip_ws(text, i)
        if i >= len(text) or text[i] != ":":
            raise InputError(f"{path}: invalid JSON near character {i}")
        vstart = _skip_ws(text, i + 1)
        _, vend = decoder.raw_decode(text, vstart)
        spans.append(_Span(key, vstart, vend))
        i = _skip_ws(text, vend)
        if i < len(text) and text[i] == ",":
            i = _skip_ws(text, i + 1)
            continue
        if i < len(text) and text[i] == "}":
            return spans, i
        raise InputError(f"{path}: invalid JSON near character {i}")


def read_dataset_info(data_dir: str | Path) -> dict[str, Any]:
    """Parsed ``dataset_info.json`` of ``data_dir`` (empty dict when absent)."""
    path = Path(data_dir) / FILENAME
    return _parse(_read_text(path), path) if path.exists() else {}


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    except OSError as exc:  # a directory of that name, no permission...
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def _parse(text: str, path: Path) -> dict[str, Any]:
    """The file's object, or a one-line ``InputError`` naming it."""
    data = jsonio.parse(text, str(path))
    if not isinstance(data, dict):
        raise InputError(f"{path}: not a JSON object")
    return data


def merge_dataset_info(
    data_dir: str | Path, entries: dict[str, dict[str, Any]], overwrite: bool = False
) -> dict[str, str]:
    """Add ``entries`` to ``data_dir/dataset_info.json``; return ``{name: action}``.

    ``action`` is ``added``, ``unchanged`` or ``replaced``. All conflicts are checked before
    anything is written, so a refused merge leaves the file untouched.
    """
    new_text, actions = render_dataset_info(data_dir, entries, overwrite)
    if new_text is not None:
        with atomic_path(Path(data_dir) / FILENAME, overwrite=True) as tmp:
            tmp.write_text(new_text, encoding="utf-8")
    return actions


def render_dataset_info(
    data_dir: str | Path, entries: dict[str, dict[str, Any]], overwrite: bool = False
) -> tuple[str | None, dict[str, str]]:
    """The merged file's new text (``None`` when nothing changes) and ``{name: action}``.

    For callers that publish the file together with the data it registers
    (:func:`anestools.common.atomic.atomic_paths`).
    """
    path = Path(data_dir) / FILENAME
    text = _read_text(path) if path.exists() else "{}\n"
    existing = _parse(text, path)
    spans, close = _top_level_spans(text, path)
    by_key = {s.key: s for s in spans}

    actions: dict[str, str] = {}
    for name, definition in entries.items():
        if name not in existing:
            actions[name] = "added"
        elif existing[name] == definition:
            actions[name] = "unchanged"
        elif overwrite:
            actions[name] = "replaced"
        else:
            raise OutputExistsError(
                f"{path}: entry {name!r} exists with a different definition "
                f"({json.dumps(existing[name], ensure_ascii=False)}); pass --overwrite to replace it"
            )
    if all(a == "unchanged" for a in actions.values()):
        return None, actions

    def render(value: dict[str, Any]) -> str:
        return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")

    # Replace in reverse order of position so earlier offsets stay valid.
    new_text = text
    for span in sorted((by_key[n] for n, a in actions.items() if a == "replaced"),
                       key=lambda s: s.value_start, reverse=True):
        new_text = new_text[: span.value_start] + render(entries[span.key]) + new_text[span.value_end:]
        delta = len(render(entries[span.key])) - (span.value_end - span.value_start)
        close += delta
    added = [n for n, a in actions.items() if a == "added"]
    if added:
        body = ",\n".join(f"  {json.dumps(n, ensure_ascii=False)}: {render(entries[n])}" for n in added)
        head = new_text[:close].rstrip(_WS)
        sep = "" if head.endswith("{") else ","
        new_text = f"{head}{sep}\n{body}\n" + new_text[close:]
    json.loads(new_text)  # never publish something we cannot read back
    return new_text, actions


__all__ = ["FILENAME", "merge_dataset_info", "read_dataset_info", "render_dataset_info", "OutputExistsError"]
