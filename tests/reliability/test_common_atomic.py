"""#19: temp files of a killed run are removed by the next one; files published together roll back."""

from __future__ import annotations

import errno
import os

import pytest

from anestools.common import atomic
from anestools.common.atomic import atomic_path, atomic_paths, remove_stale_temps, write_error
from anestools.errors import OutputWriteError


def test_stale_temps_of_atomic_writes_are_removed_and_nothing_else(tmp_path):
    with pytest.raises(KeyboardInterrupt), atomic_path(tmp_path / "a.jsonl") as tmp:
        stale = tmp.with_name(tmp.name)  # what kill -9 leaves: simulate by copying the name
        raise KeyboardInterrupt
    stale.write_text("half")  # a temp left by kill -9 looks exactly like this
    keep = [tmp_path / ".hidden", tmp_path / "x.tmp", tmp_path / ".dataset_info.json.tmp", tmp_path / "a.jsonl"]
    for k in keep:
        k.write_text("user")
    assert remove_stale_temps(tmp_path) == [stale]
    assert all(k.exists() for k in keep) and not stale.exists()


def test_files_published_together_roll_back_when_one_rename_fails(tmp_path, monkeypatch):
    data, info = tmp_path / "d.jsonl", tmp_path / "dataset_info.json"
    info.write_text("old info")
    real_replace = os.replace

    def failing(src, dst):
        if str(dst).endswith("dataset_info.json"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", failing)
    with pytest.raises(OutputWriteError, match="No space left"), atomic_paths([data, info], overwrite=True) as (d, i):
        d.write_text("new data")
        i.write_text("new info")
    assert not data.exists() and info.read_text() == "old info"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset_info.json"]  # no temp left either


def test_a_full_disk_is_one_line_naming_the_file(tmp_path):
    err = write_error(OSError(errno.ENOSPC, "No space left on device"), tmp_path / "x")
    assert isinstance(err, OutputWriteError) and str(tmp_path / "x") in str(err)
    other = OSError(errno.EINVAL, "bad")
    assert write_error(other, tmp_path / "x") is other  # a program error stays one
