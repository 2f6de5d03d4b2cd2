"""Wall time of the tiny CPU training runs, and what `anestools train` adds over raw LLaMA-Factory.

Side by side, on the same tiny local model and the same datasets made by `anestools convert`:

  validate only     anestools train sft --dry-run (render + LLaMA-Factory's parser, no training)
  raw sft x1        llamafactory-cli train <the same rendered YAML>  (1 process, FORCE_TORCHRUN)
  anestools sft x1  anestools train sft --recipe tiny-cpu            (validation + launch + tee)
  anestools sft x2  anestools train sft --recipe tiny-cpu --gpus 2   (torchrun, 2 CPU processes, gloo)
  anestools cpt x1  anestools train cpt --recipe tiny-cpu            (pt stage with packing)

Ratios are against "raw sft x1". Nothing is downloaded. Not a speed race: the GPU figures for the
real recipes are in docs/train.md.

Example:
  .venv/bin/python scripts/bench/train.py --steps 4 --repeat 2
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

TEXTS = [
    "General anesthesia with propofol and sevoflurane requires airway management and monitoring.",
    "Rocuronium is a neuromuscular blocking agent reversed by sugammadex.",
    "Malignant hyperthermia is treated with dantrolene.",
    "全身麻醉诱导常用丙泊酚，术后镇痛可采用硬膜外阻滞。",
] * 8
QA = [("Which drug reverses rocuronium?", "Sugammadex."), ("What treats malignant hyperthermia?", "Dantrolene.")] * 8


def _prepare(work: Path) -> tuple[Path, Path]:
    from anestools.convert.core import convert
    from anestools.tiny import build_tiny_model

    model = build_tiny_model(work / "model", TEXTS, vocab_size=600)
    pq.write_table(pa.table({"text": TEXTS}), work / "corpus.parquet")
    pq.write_table(pa.table({"question": [q for q, _ in QA], "answer": [a for _, a in QA]}), work / "qa.parquet")
    data = work / "data"
    convert([str(work / "corpus.parquet")], data)
    convert([str(work / "qa.parquet")], data)
    return model, data


def _timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=4, help="max_steps of every run (default 4)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per row; the median is shown (default 1)")
    args = parser.parse_args()

    bin_dir = Path(sys.executable).parent
    anestools = str(bin_dir / "anestools")
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        work = Path(tmp)
        model, data = _prepare(work)
        overrides = [f"max_steps={args.steps}", f"save_steps={args.steps}"]
        common = ["--recipe", "tiny-cpu", "--model", str(model), "--data-dir", str(data)]
        for item in overrides:
            common += ["--set", item]
        counter = iter(range(10_000))

        def out() -> str:
            return str(work / f"run{next(counter)}")

        from anestools.train.core import plan_training
        from anestools.train.launch import child_env
        from anestools.train.render import TrainOptions

        def raw() -> float:
            plan = plan_training(TrainOptions(stage="sft", recipe="tiny-cpu", model=str(model), data_dir=data,
                                              output=Path(out()), overrides=overrides))
            plan.output_dir.mkdir(parents=True)
            plan.config_path.write_text(plan.yaml_text)
            return _timed(plan.command, child_env(plan.env, plan.launcher))

        rows = {
            "validate only (--dry-run)": lambda: _timed([anestools, "train", "sft", *common, "--output", out(), "--dry-run"]),
            "raw llamafactory-cli sft x1": raw,
            "anestools train sft x1": lambda: _timed([anestools, "train", "sft", *common, "--output", out()]),
            "anestools train sft --gpus 2": lambda: _timed([anestools, "train", "sft", *common, "--output", out(), "--gpus", "2"]),
            "anestools train cpt x1": lambda: _timed([anestools, "train", "cpt", *common, "--output", out()]),
        }
        results = {name: statistics.median(fn() for _ in range(args.repeat)) for name, fn in rows.items()}

    base = results["raw llamafactory-cli sft x1"]
    print(f"tiny CPU runs, max_steps={args.steps}, median of {args.repeat}, {os.cpu_count()} CPU cores")
    print(f"{'run':32} {'wall s':>8} {'vs raw':>8}")
    for name, secs in results.items():
        print(f"{name:32} {secs:8.1f} {secs / base:7.2f}x")


if __name__ == "__main__":
    main()
