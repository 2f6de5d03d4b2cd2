"""#19 item 6: children die with the parent, and the output lock outlives the parent until they do."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability_helpers import alive

from anestools.common.lock import output_lock
from anestools.common.proc import guarded_group
from anestools.errors import OutputLockedError

# The child ignores SIGTERM for a while (a trainer saving a checkpoint) and has a grandchild.
CHILD = ("import signal, subprocess, sys, time\n"
         "signal.signal(signal.SIGTERM, lambda *a: (time.sleep(1.5), sys.exit(0)))\n"
         "g = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
         "print(g.pid, flush=True); time.sleep(120)\n")
PARENT = ("import subprocess, sys, time\n"
          "from anestools.common.lock import output_lock\n"
          "from anestools.common.proc import guarded_group\n"
          "with output_lock(sys.argv[1], 'parent'):\n"
          "    with guarded_group([sys.executable, '-c', sys.argv[2]], stdout=subprocess.PIPE, text=True, grace=5) as p:\n"
          "        print(p.pid, p.stdout.readline().strip(), flush=True)\n"
          "        time.sleep(120)\n")


def _wait_gone(pids, timeout=20.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    return [p for p in pids if alive(p)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl / /proc")
def test_kill_9_of_the_parent_kills_the_group_and_the_lock_holds_until_then(tmp_path):
    out = tmp_path / "out"
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(out), CHILD], stdout=subprocess.PIPE, text=True)
    child, grandchild = map(int, parent.stdout.readline().split())
    assert alive(child) and alive(grandchild)

    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    time.sleep(0.3)
    assert alive(child)  # still saving (ignores SIGTERM for 1.5 s)...
    with pytest.raises(OutputLockedError, match="pid"), output_lock(out):
        pass  # ...so a second run is refused meanwhile
    assert _wait_gone([child, grandchild]) == []
    deadline = time.monotonic() + 10
    while True:  # the guardian lets go of the lock right after the group is gone
        try:
            with output_lock(out):
                break
        except OutputLockedError:
            assert time.monotonic() < deadline
            time.sleep(0.1)


def test_leaving_the_block_stops_the_group_and_its_guardian(tmp_path):
    before = {p for p in os.listdir("/proc") if p.isdigit()}
    with guarded_group([sys.executable, "-c", "import time; time.sleep(60)"]) as proc:
        assert alive(proc.pid)
    assert not alive(proc.pid)
    def guardian(pid: str) -> bool:
        try:
            return alive(int(pid)) and b"_guard.py" in Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:  # exited meanwhile
            return False

    assert [p for p in os.listdir("/proc") if p.isdigit() and p not in before and guardian(p)] == []


def test_the_direct_child_gets_sigterm_when_its_parent_dies(tmp_path):
    """PR_SET_PDEATHSIG: even without the guardian the direct child goes with its parent."""
    code = ("import os, sys, time\nfrom anestools.common.proc import _die_with_parent\n"
            "import subprocess, signal\n"
            "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'],\n"
            "                     preexec_fn=_die_with_parent(os.getpid(), signal.SIGTERM))\n"
            "print(p.pid, flush=True); time.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    assert _wait_gone([child], timeout=10) == []
