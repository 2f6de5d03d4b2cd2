"""scripts/cluster/with-clusters.sh tears the two "nodes" down on SIGTERM and SIGINT: no network
namespace, veth or bridge is left, and what ran inside a namespace is stopped.

Only the network part is started here (ANESTOOLS_CLUSTERS=net): the daemons' own teardown runs
at the end of every `make test-cluster` and is the same `down` path, called first.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.cluster

SCRIPT = ROOT / "scripts" / "cluster" / "with-clusters.sh"


def _netns() -> str:
    return subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout


def _links() -> str:
    return subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout


def _running(pid: str) -> bool:
    """Alive and not a zombie (a killed orphan may wait a moment for its reaper)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_with_clusters_leaves_no_namespace_veth_or_process_behind(nodes, tmp_path, sig):
    info = tmp_path / "info"
    inner = ('echo "$ANESTOOLS_NETNS_1 $ANESTOOLS_NETNS_2 $ANESTOOLS_NET_BRIDGE" > "$INFO.tmp"; '
             'nsenter --net=/run/netns/$ANESTOOLS_NETNS_1 sleep 600 & echo $! >> "$INFO.tmp"; mv "$INFO.tmp" "$INFO"; '
             'wait')
    # Under with-clusters this pytest runs as a background job, so it inherits SIGINT ignored, and
    # a shell cannot trap a signal ignored on entry: give the script the default, as a terminal would.
    proc = subprocess.Popen(["bash", str(SCRIPT), "bash", "-c", inner], env=dict(os.environ, ANESTOOLS_CLUSTERS="net",
                            INFO=str(info)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while not info.exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()[1][-2000:]
        time.sleep(0.2)
    ns1, ns2, bridge, sleeper = info.read_text().split()
    assert ns1 in _netns() and ns2 in _netns() and bridge in _links()
    tag = bridge.removeprefix("anesbr")
    assert f"an{tag}-h1" in _links()  # the host end of node 1's veth pair
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig, err[-2000:]
    assert "down: no namespace, veth or bridge" in err
    assert ns1 not in _netns() and ns2 not in _netns()
    assert bridge not in _links() and f"an{tag}-" not in _links()
    assert not _running(sleeper)  # the process inside the namespace was stopped
