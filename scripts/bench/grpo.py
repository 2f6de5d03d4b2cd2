"""`anestools train grpo` against a raw TRL script doing the same steps, on the tiny CPU model.

Side by side, alternating within the same run (this machine is shared, so its speed drifts):

  raw TRL        a plain script: GRPOConfig(**the same keys), GRPOTrainer(reward_funcs=[extractor reward]),
                 train(), save_model()   — in the RL environment's Python, no torchrun
  anestools      anestools train grpo --recipe tiny-cpu (config check by TRL's parser in the RL
                 environment, torchrun, the output lock, log tee, summary)

Both train the toy task of anestools.testing.rl_toy with the same GRPOConfig keys (those rendered by
`anestools train grpo --dry-run`, checkpoints at the end only). Reported: loop steps/s (global steps /
the Trainer's train_runtime) and wall time of the whole command; the ratio anestools / raw of loop
steps/s is the overhead criterion (>= 0.90). Nothing is downloaded.

Example:
  .venv/bin/python scripts/bench/grpo.py --steps 40 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from anestools.testing.rl_toy import build_toy_model, toy_rows, write_rl_dataset  # noqa: E402
from anestools.train.grpo import default_engine_python  # noqa: E402
from anestools.train.grpo_run import OUR_KEYS  # noqa: E402

RAW = '''
import json, sys
from datasets import load_dataset
from trl import GRPOConfig, GRPOTrainer
from anestools.common.extract import extract

def accuracy(completions, answer, options, **kw):
    return [1.0 if extract(c if isinstance(c, str) else c[-1]["content"], dict(zip("ABCDEFGHI", o))).letter == a
            else 0.0 for c, a, o in zip(completions, answer, options)]

spec = json.loads(open(sys.argv[1]).read())
ds = load_dataset("json", data_files=spec["data"], split="train").select_columns(["prompt", "answer", "options"])
trainer = GRPOTrainer(model=spec["model"], reward_funcs=[accuracy], args=GRPOConfig(**spec["args"]), train_dataset=ds)
result = trainer.train()
trainer.save_model()
print(json.dumps({"steps": trainer.state.global_step, "runtime": result.metrics["train_runtime"]}))
'''


def _anestools(model: Path, data: Path, out: Path, steps: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "anestools", "-q", "train", "grpo", "--recipe", "tiny-cpu", "--model", str(model),
            "--data-dir", str(data), "--dataset", "toy", "--output", str(out), "--set", f"max_steps={steps}",
            "--set", f"save_steps={steps}", *extra]


def run_anestools(model: Path, data: Path, out: Path, steps: int) -> tuple[float, float]:
    t0 = time.perf_counter()
    proc = subprocess.run(_anestools(model, data, out, steps), capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"anestools train grpo failed ({proc.returncode}): {proc.stderr[-2000:]}")
    summary = json.loads((out / "anestools_summary.json").read_text())
    return summary["global_step"] / summary["train_runtime_s"], wall


def run_raw(python: Path, spec: Path) -> tuple[float, float]:
    t0 = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([str(python), "-c", RAW, str(spec)], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"raw TRL script failed ({proc.returncode}): {proc.stderr[-2000:]}")
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    return got["steps"] / got["runtime"], wall


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    python = default_engine_python()
    if python is None:
        raise SystemExit("no RL environment: run `make rl-env`")
    with tempfile.TemporaryDirectory(prefix="bench-grpo-") as tmp:
        root = Path(tmp)
        rows = toy_rows(64)
        model = build_toy_model(root / "model", rows)
        data = write_rl_dataset(root / "data", "toy", rows)
        # the raw script gets exactly the GRPOConfig keys anestools renders
        dry = subprocess.run(_anestools(model, data, root / "dry", args.steps, "--dry-run"), capture_output=True,
                             text=True, check=True)
        rendered = yaml.safe_load(dry.stdout.split("# " + str(root / "dry" / "anestools_train.yaml"), 1)[1])
        results: dict[str, list[tuple[float, float]]] = {"raw TRL": [], "anestools": []}
        for i in range(args.repeat):
            trl_args = {k: v for k, v in rendered.items() if k not in OUR_KEYS}
            trl_args["output_dir"] = str(root / f"raw{i}")
            spec = root / f"raw{i}.json"
            spec.write_text(json.dumps({"model": str(model), "data": str(data / "toy.jsonl"), "args": trl_args}))
            order = ("raw TRL", "anestools") if i % 2 == 0 else ("anestools", "raw TRL")
            for name in order:
                got = run_raw(python, spec) if name == "raw TRL" else run_anestools(model, data, root / f"ours{i}",
                                                                                    args.steps)
                results[name].append(got)
                print(f"round {i + 1} {name:10} loop {got[0]:.2f} steps/s, wall {got[1]:.1f} s", flush=True)
    print(f"\n{args.steps} steps, {args.repeat} rounds, median of rounds ({os.cpu_count()} CPU cores)")
    print(f"{'':12}{'loop steps/s':>14}{'wall s':>10}")
    med = {k: (statistics.median(s for s, _ in v), statistics.median(w for _, w in v)) for k, v in results.items()}
    for name, (sps, wall) in med.items():
        print(f"{name:12}{sps:14.2f}{wall:10.1f}")
    ratio = med["anestools"][0] / med["raw TRL"][0]
    print(f"anestools / raw: loop steps/s {ratio:.3f} (overhead {100 * (1 - ratio):+.1f}%), "
          f"wall {med['anestools'][1] / med['raw TRL'][1]:.2f}x")
    return 0 if ratio >= 0.90 else 1


if __name__ == "__main__":
    sys.exit(main())
