"""Is this output finished? One rule for every reader of corpus shards and QA sets.

Usage::

    from anestools.common.corpus_marker import check_complete
    check_complete(Path("anescorpus"))      # InputError if a corpus run there has not finished
    check_complete(Path("anesqa/anesqa.parquet"))   # ... or a qa run that did not complete

``corpus build`` and ``corpus pubmed`` record their settings in ``OUTPUT/_logs/run.json`` when
they start and write ``OUTPUT/_SUCCESS`` as the very last thing of a run (after every shard).
A folder with the first and without the second is a run that was killed or is still going:
its shards are a partial corpus. Folders without ``_logs/run.json`` are not ours and pass.

``qa generate`` / ``qa translate`` publish their dataset under its final name only when the run
is complete (a partial set is ``_anesqa.partial.parquet``), and their ``summary.json`` lists the
files it describes under ``outputs`` with a ``complete`` flag; a file a summary lists as part
of an incomplete run (an older version's partial set, or one copied in by hand) is refused too.
"""

from __future__ import annotations

import json
from pathlib import Path

from anestools.errors import InputError

MARKER = "_SUCCESS"
RUN_RECORD = "_logs/run.json"


def corpus_root(path: Path) -> Path | None:
    """The corpus folder ``path`` is or lies in (a shard is ``ROOT/<lang>/<file>``), if any."""
    p = Path(path).expanduser()
    for d in (p, p.parent, p.parent.parent):
        if (d / RUN_RECORD).is_file():
            return d
    return None


def is_incomplete(path: Path) -> bool:
    root = corpus_root(path)
    return root is not None and not (root / MARKER).is_file()


SUMMARY = "summary.json"


def unfinished_summary(path: Path) -> Path | None:
    """The ``summary.json`` next to the file ``path`` that lists it as an output of an incomplete run."""
    p = Path(path).expanduser()
    summary = p.parent / SUMMARY
    if p.name == SUMMARY or not summary.is_file():
        return None
    try:
        data = json.loads(summary.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    outputs = data.get("outputs") if isinstance(data, dict) else None
    if not isinstance(outputs, dict) or data.get("complete") is not False:
        return None
    listed = {Path(v).name for v in outputs.values() if isinstance(v, str)}
    return summary if p.name in listed else None


def check_complete(path: Path) -> None:
    """Raise ``InputError`` when ``path`` is (in) a corpus, or is a QA set, whose run has not finished."""
    summary = unfinished_summary(path)
    if summary is not None:
        raise InputError(f"{path} is an unfinished QA set ({summary} says complete: false: its run was "
                         "interrupted or some items failed); rerun the same qa command to finish it")
    if is_incomplete(path):
        root = corpus_root(path)
        raise InputError(f"{root} is an unfinished corpus (no {MARKER}: its run was interrupted or is still "
                         "running); rerun the same corpus command to finish it")
