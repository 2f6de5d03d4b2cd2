"""scripts/slurm/train.sbatch with TOKENIZED_PATH: a tokenize step first, then every rank uses the data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "slurm" / "train.sbatch"
pytestmark = pytest.mark.slow


def _shim(path: Path, body: str) -> None:
    path.write_text("#!/bin/bash\n" + body)
    path.chmod(0o755)


def test_sbatch_tokenizes_once_then_passes_the_path_to_every_node(cli, tmp_path, tiny_model, train_data):
    tok = tmp_path / "tok"
    args = ["sft", "--recipe", "tiny-cpu", "--model", str(tiny_model), "--data-dir", str(train_data)]
    code, _, stderr = cli("train", "tokenize", *args, "--tokenized-path", str(tok))
    assert code == 0, stderr[-2000:]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "srun-calls"
    _shim(bin_dir / "scontrol", 'printf "gpu-node07\\ngpu-node08\\n"\n')
    # srun runs the command once per requested node (--nodes=1 for the tokenize step, 2 otherwise).
    _shim(bin_dir / "srun", f'echo "$*" >> {calls}\nn=2\n'
          'while [[ "$1" == --* ]]; do [[ "$1" == --nodes=1 ]] && n=1; shift; done\n'
          'for ((id=0; id<n; id++)); do SLURM_NODEID=$id "$@" || exit $?; done\n')
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", SLURM_NNODES="2",
               SLURM_JOB_NODELIST="gpu-node[07-08]", GPUS_PER_NODE="4", TOKENIZED_PATH=str(tok),
               ANESTOOLS=str(Path(sys.executable).with_name("anestools")))
    proc = subprocess.run(["bash", str(SCRIPT), *args, "--output", str(tmp_path / "out"), "--dry-run"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    steps = [ln for ln in calls.read_text().splitlines() if ln.startswith("--")]  # one line per srun call
    assert len(steps) == 2 and " train tokenize sft " in steps[0] and f"--tokenized-path {tok}" in steps[0]
    assert f"tokenized data up to date: {tok}" in proc.stdout  # a requeued job does not tokenize again
    assert proc.stdout.count(f"tokenized_path: {tok}\n") == 2 and proc.stdout.count("# command") == 2
