"""datatrove's task logs: always in their files, on the terminal only with -v; no stray tqdm bars."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _build(cwd: Path, *flags: str, overwrite: bool = False) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("anestools")
    args = [str(exe), *flags, "corpus", "build"] + (["--overwrite"] if overwrite else [])
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_task_logs_go_to_files_and_to_the_terminal_only_with_verbose(tmp_path):
    default = _build(tmp_path)
    assert default.returncode == 0, default.stderr[-2000:]
    assert "Launching pipeline" not in default.stderr and "Stats: Task" not in default.stderr
    assert "Initializing pq" not in default.stderr  # datatrove's exact-dedup tqdm bar
    assert "kept documents: en: 70, zh: 35" in default.stdout
    task_log = (tmp_path / "anescorpus" / "_logs" / "1-filter" / "logs" / "task_00000.log").read_text()
    assert "Launching pipeline for rank=0" in task_log and "Processing done for rank=0" in task_log

    verbose = _build(tmp_path, "-v", overwrite=True)
    assert verbose.returncode == 0, verbose.stderr[-2000:]
    assert "Launching pipeline for rank=0" in verbose.stderr
