"""#19 item 3: one writer per output directory (fcntl lock), refused with one line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from anestools.common.lock import LOCK_NAME, output_lock
from anestools.errors import InputError, OutputLockedError

HOLD = ("import sys, time; from anestools.common.lock import output_lock\n"
        "with output_lock(sys.argv[1], 'holder'):\n print('held', flush=True); time.sleep(60)\n")


def _holder(path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_writer_is_refused_with_the_holders_pid(tmp_path):
    holder = _holder(tmp_path / "out")
    try:
        with pytest.raises(OutputLockedError) as exc, output_lock(tmp_path / "out"):
            pass
        assert f"pid {holder.pid} (holder)" in str(exc.value) and "\n" not in str(exc.value)
    finally:
        holder.kill()
        holder.wait()


def test_kill_9_of_the_holder_releases_the_lock(tmp_path):
    holder = _holder(tmp_path / "out")
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with output_lock(tmp_path / "out"):  # no stale lock to clean by hand
        assert (tmp_path / "out" / LOCK_NAME).exists()
    assert not (tmp_path / "out" / LOCK_NAME).exists()


def test_same_process_twice_is_refused_and_a_refused_run_leaves_nothing(tmp_path):
    target = tmp_path / "new"
    with output_lock(target), pytest.raises(OutputLockedError), output_lock(target):
        pass
    assert not target.exists()  # created for the lock, nothing written: removed again


def test_a_file_as_output_is_an_input_error(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(InputError, match="must be a directory"), output_lock(f):
        pass

