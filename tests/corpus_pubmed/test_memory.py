"""Memory stays flat while streaming a generated 200 MB MEDLINE file (RSS of a subprocess)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import psutil

from anestools.corpus.pubmed.synth import write_medline

CHILD = textwrap.dedent(
    """
    import sys
    from anestools.corpus.pubmed.steps import PubmedReader
    n = 0
    for doc in PubmedReader([sys.argv[1]]).run():
        n += len(doc.text) > 0
    print(n)
    """
)


def test_200mb_medline_parses_with_flat_rss(tmp_path):
    path = tmp_path / "big.xml"
    n = write_medline(path, 200_000_000)
    assert path.stat().st_size >= 200_000_000
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, text=True)
    ps = psutil.Process(proc.pid)
    samples: list[tuple[float, int]] = []
    t0 = time.perf_counter()
    while proc.poll() is None:
        try:
            samples.append((time.perf_counter() - t0, ps.memory_info().rss))
        except psutil.Error:
            break
        time.sleep(0.02)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0
    assert int(out.strip()) == n  # every record came through
    rss = [r for _, r in samples]
    assert len(rss) > 20, "child finished too fast to sample"
    peak = max(rss)
    # After warm-up (imports, first buffers), RSS must not grow with the amount read.
    settled = rss[len(rss) // 5 : len(rss) // 5 + max(1, len(rss) // 10)]
    late = rss[len(rss) // 2 :]
    growth = max(late) - max(settled)
    assert peak < 300 * 2**20, f"peak RSS {peak / 2**20:.0f} MiB"
    assert growth < 20 * 2**20, f"RSS grew by {growth / 2**20:.1f} MiB between 20% and the end"
