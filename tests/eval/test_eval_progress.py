"""Progress in a Slurm log: with stderr in a file, lines appear while the run is still going."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from anestools.runtime.progress import LogProgress

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"^eval m: (\d+)/(\d+) \(.*%\) \| [\d.]+ q/s \| (\d+) errors \| elapsed [\d:]+ \| ETA ([\d:]+|–)$")


def test_log_line_has_done_total_rate_errors_and_eta():
    p = LogProgress("eval m")
    assert p.line().startswith("eval m: 0/? | 0.0 q/s | 0 errors")
    p.hook("total", 10)
    p.hook("done", 3)
    p.hook("error", 1)
    line = p.line()
    assert line.startswith("eval m: 4/10 (40.0%) | ") and "| 1 errors |" in line and "ETA" in line


def test_progress_lines_reach_a_log_file_before_the_run_ends(fake_server, tmp_path):
    url = fake_server(delay=0.3)  # a slow server: 24 questions one at a time take ~7 s
    log = tmp_path / "slurm.err"
    out = tmp_path / "run"
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with open(log, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "anestools", "eval", "--model", "m", "--base-url", url,
                                 "--limit", "12", "--concurrency", "1", "--progress-interval", "0.5", "-o", str(out)],
                                stdout=subprocess.DEVNULL, stderr=err, cwd=tmp_path, env=env)
        seen_while_running: list[str] = []
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            lines = [ln for ln in log.read_text(encoding="utf-8").splitlines() if LINE.match(ln)]
            if len(lines) >= 2 and proc.poll() is None:
                seen_while_running = lines
                break
            time.sleep(0.2)
        assert proc.wait(timeout=120) == 0, log.read_text()
    assert len(seen_while_running) >= 2, log.read_text()  # at least two lines written mid-run
    done = [int(LINE.match(ln).group(1)) for ln in seen_while_running]
    assert all(int(LINE.match(ln).group(2)) == 24 for ln in seen_while_running)
    assert done[-1] < 24  # written while questions were still being answered
    text = log.read_text(encoding="utf-8")
    assert "engine: openai" in text
    final = [ln for ln in text.splitlines() if LINE.match(ln)][-1]
    assert final.startswith("eval m: 24/24 (100.0%)")
    assert "\x1b[" not in text  # plain text, no terminal control codes in a log
