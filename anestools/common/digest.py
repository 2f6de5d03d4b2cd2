"""Short content hashes that decide whether a run can resume (fingerprints, prompt hashes).

One place for them: each is a sha256 cut to a few hex digits; the lengths and separators are
kept as each stage first wrote them, so an existing run directory still resumes.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from anestools.errors import InputError


def json_digest(obj: Any, length: int = 12, ensure_ascii: bool = True) -> str:
    """sha256 of ``obj`` as canonical JSON (sorted keys), ``length`` hex digits."""
    blob = json.dumps(obj, sort_keys=True, ensure_ascii=ensure_ascii).encode()
    return hashlib.sha256(blob).hexdigest()[:length]


def files_digest(paths: Sequence[str | os.PathLike[str]], length: int = 16, separator: bytes = b"\0",
                 what: str = "") -> str | None:
    """sha256 of the files' contents (None for no files): a list edited in place changes it."""
    if not paths:
        return None
    h = hashlib.sha256()
    for p in paths:
        try:
            h.update(Path(p).read_bytes())
        except OSError as exc:
            raise InputError(f"{p}: cannot read{' ' + what if what else ''} ({exc.strerror or exc})") from exc
        h.update(separator)
    return h.hexdigest()[:length]
