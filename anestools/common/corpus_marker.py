"""Is this AnesCorpus folder finished? One rule for every reader of corpus shards.

Usage::

    from anestools.common.corpus_marker import check_complete
    check_complete(Path("anescorpus"))      # InputError if a corpus run there has not finished

``corpus build`` and ``corpus pubmed`` record their settings in ``OUTPUT/_logs/run.json`` when
they start and write ``OUTPUT/_SUCCESS`` as the very last thing of a run (after every shard).
A folder with the first and without the second is a run that was killed or is still going:
its shards are a partial corpus. Folders without ``_logs/run.json`` are not ours and pass.
"""

from __future__ import annotations

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


def check_complete(path: Path) -> None:
    """Raise ``InputError`` when ``path`` is (in) a corpus whose run has not finished."""
    if is_incomplete(path):
        root = corpus_root(path)
        raise InputError(f"{root} is an unfinished corpus (no {MARKER}: its run was interrupted or is still "
                         "running); rerun the same corpus command to finish it")
