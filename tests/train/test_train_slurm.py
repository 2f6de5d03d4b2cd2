"""scripts/slurm/train.sbatch: every node gets its own rank and the first node as rendezvous.

``srun`` and ``scontrol`` are replaced by small shims that run the per-node command locally
(one call per node, as srun would on each node); anestools itself runs for real in --dry-run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "slurm" / "train.sbatch"


def _shim(path: Path, body: str) -> None:
    path.write_text("#!/bin/bash\n" + body)
    path.chmod(0o755)


def test_sbatch_script_passes_ranks_to_every_node(tmp_path, tiny_model, train_data):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _shim(bin_dir / "scontrol", 'printf "gpu-node07\\ngpu-node08\\n"\n')
    _shim(bin_dir / "srun", 'while [[ "$1" == --* ]]; do shift; done\n'
          'for id in 0 1; do SLURM_NODEID=$id "$@" || exit $?; done\n')
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", SLURM_NNODES="2",
               SLURM_JOB_NODELIST="gpu-node[07-08]", GPUS_PER_NODE="4",
               ANESTOOLS=str(Path(sys.executable).with_name("anestools")))
    proc = subprocess.run(
        ["bash", str(SCRIPT), "sft", "--recipe", "tiny-cpu", "--model", str(tiny_model), "--data-dir",
         str(train_data), "--output", str(tmp_path / "out"), "--dry-run"],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.count("# command") == 2
    for rank in ("0", "1"):
        assert f"NODE_RANK={rank}\n" in proc.stdout
    assert proc.stdout.count("NNODES=2\n") == 2 and proc.stdout.count("NPROC_PER_NODE=4\n") == 2
    assert proc.stdout.count("MASTER_ADDR=gpu-node07\n") == 2 and proc.stdout.count("MASTER_PORT=29500\n") == 2
    assert not (tmp_path / "out").exists()


def test_sbatch_script_requires_a_stage():
    proc = subprocess.run(["bash", str(SCRIPT), "--recipe", "x"], capture_output=True, text=True)
    assert proc.returncode == 2 and "usage:" in proc.stderr
