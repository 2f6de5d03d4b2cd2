"""Driver of scripts/gpu/check.sh: the shipped recipes for a few steps, then eval, with tokens/s and peak memory.

Builds random-init models with the shapes of Qwen2.5-0.5B and Qwen2.5-7B (tokenizer from
``anestools.tiny``; nothing is downloaded), makes a data dir with the real ``anestools convert``,
runs each recipe family through ``anestools train`` (sft lora, sft full, cpt full on 0.5B; sft
lora on 7B) with ``--deepspeed none --set flash_attn=sdpa``, then ``anestools eval --engine
transformers`` on one trained model. Tokens/s per GPU and MFU come from each run's
``anestools_summary.json``; peak memory is sampled from outside (``nvidia-smi`` on a GPU, the
process tree's RSS on CPU). Writes ``results.json`` and ``results.md`` to ``--out``.

``--mode cpu`` runs the same recipes with tiny Qwen2 shapes, CPU precision and 2 steps: the test
suite runs it so that this script cannot rot while no GPU is at hand.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_QA = ROOT / "anestools" / "resources" / "samples" / "anesqa_sample.parquet"

# Published config.json shapes (Qwen/Qwen2.5-0.5B-Instruct, Qwen/Qwen2.5-7B-Instruct).
SHAPES = {
    "qwen2.5-0.5b": dict(hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
                         num_key_value_heads=2, vocab_size=151936, tie_word_embeddings=True),
    "qwen2.5-7b": dict(hidden_size=3584, intermediate_size=18944, num_hidden_layers=28, num_attention_heads=28,
                       num_key_value_heads=4, vocab_size=152064, tie_word_embeddings=False),
}
TINY = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
            tie_word_embeddings=True)
# (run name, stage, shipped recipe, model)
RUNS = (
    ("0.5b-sft-lora", "sft", "qwen2.5-7b-sft-lora", "qwen2.5-0.5b"),
    ("0.5b-sft-full", "sft", "qwen2.5-7b-sft-full", "qwen2.5-0.5b"),
    ("0.5b-cpt-full", "cpt", "qwen2.5-7b-cpt-full", "qwen2.5-0.5b"),
    ("7b-sft-lora", "sft", "qwen2.5-7b-sft-lora", "qwen2.5-7b"),
)
EVAL_MODEL_RUN = "0.5b-sft-full"
COMMON = ["--deepspeed", "none", "--gpus", "1", "--set", "flash_attn=sdpa", "--set", 'save_strategy="no"',
          "--set", "logging_steps=1", "--set", "report_to=none"]
CPU_SETS = ["bf16=false", "use_cpu=true", "enable_liger_kernel=false", "gradient_checkpointing=false",
            "cutoff_len=64", "per_device_train_batch_size=2", "gradient_accumulation_steps=1",
            "preprocessing_num_workers=1", "dataloader_num_workers=0"]


@dataclass
class Row:
    name: str
    ok: bool
    wall_s: float
    peak_mem_gb: float | None
    tokens_per_s_per_gpu: float | None = None
    mfu: float | None = None
    tokens_seen: int | None = None
    params: int | None = None
    detail: str = ""
    notes: list[str] = field(default_factory=list)


class PeakMemory:
    """Peak GPU memory used (``nvidia-smi``, all processes) or peak RSS of a process tree, sampled."""

    def __init__(self, gpu: bool, pid: int, period: float = 0.5) -> None:
        self.gpu, self.pid, self.period = gpu, pid, period
        self.peak = 0.0
        self.baseline: float | None = None  # GPU: memory other processes already used
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> float:
        if self.gpu:
            out = subprocess.run(["nvidia-smi", "--query-gpu=memory.used", "--format=csv,noheader,nounits"],
                                 capture_output=True, text=True).stdout.split()
            return max((float(x) for x in out), default=0.0) / 1024  # MiB -> GiB
        import psutil

        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0.0
        total = 0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total / 2**30

    def _run(self) -> None:
        while not self._stop.is_set():
            used = self._sample()
            if self.baseline is None:
                self.baseline = used if self.gpu else 0.0
            self.peak = max(self.peak, used - self.baseline)
            self._stop.wait(self.period)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def anestools(args: list[str], log: Path, gpu: bool) -> tuple[int, float, float]:
    """Run ``python -m anestools ARGS``; return (exit code, wall seconds, peak memory GiB)."""
    start = time.monotonic()
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "anestools", *args], stdout=fh, stderr=subprocess.STDOUT)
        with PeakMemory(gpu, proc.pid) as mem:
            rc = proc.wait()
    return rc, time.monotonic() - start, mem.peak


def build_model(out: Path, shape: dict, gpu: bool) -> Path:
    """Build in a child process, so this one never holds GPU memory while runs are measured."""
    if not ((out / "config.json").is_file() and (out / ".complete").is_file()):
        subprocess.run([sys.executable, __file__, "--build-model", str(out), json.dumps(shape), "gpu" if gpu else "cpu"],
                       check=True)
    return out


def _build_model(out: Path, shape: dict, gpu: bool) -> None:
    """Random-init Qwen2 with ``shape``; tokenizer files from ``anestools.tiny`` (trained here)."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    from anestools.tiny import build_tiny_model

    texts = pq.read_table(SAMPLE_QA, columns=["question", "answer"]).to_pylist()
    build_tiny_model(out, [f"{r['question']} {r['answer']}" for r in texts] * 4, vocab_size=1024)
    for f in out.glob("model*.safetensors*"):
        f.unlink()
    from transformers import AutoTokenizer

    # Headroom: chat templates such as `qwen` add their special tokens to the tokenizer.
    vocab = shape.get("vocab_size") or len(AutoTokenizer.from_pretrained(out)) + 64
    config = Qwen2Config(**{**shape, "vocab_size": vocab}, max_position_embeddings=32768, rope_theta=1e6,
                         rms_norm_eps=1e-6)
    torch.manual_seed(0)
    dtype = torch.bfloat16 if gpu else torch.float32
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device("cuda" if gpu else "cpu"):
            model = Qwen2ForCausalLM(config)
    finally:
        torch.set_default_dtype(previous)
    model.save_pretrained(out)
    (out / ".complete").touch()


def build_data(out: Path, rows: int) -> Path:
    """``anescorpus_all`` (texts long enough to pack) and ``anesqa_all`` via the real ``anestools convert``."""
    from anestools.convert.core import convert

    if (out / "dataset_info.json").is_file():
        return out
    qa = pq.read_table(SAMPLE_QA, columns=["question", "answer"]).to_pylist()
    texts = [" ".join(f"{r['question']} {r['answer']}" for r in qa[i % len(qa):] + qa[: i % len(qa)]) for i in range(rows)]
    src = out.parent / "corpus.parquet"
    pq.write_table(pa.table({"text": texts, "language": ["en"] * rows}), src)
    convert([str(src)], out, split="all")
    convert([str(SAMPLE_QA)], out, split="all", instruction="Answer the anesthesiology question.")
    return out


def train_row(name: str, stage: str, recipe: str, model: Path, data: Path, work: Path, steps: int, gpu: bool) -> Row:
    out = work / "runs" / name
    args = ["train", stage, "--recipe", recipe, "--model", str(model), "--data-dir", str(data), "--output", str(out),
            "--overwrite", *COMMON, "--set", f"max_steps={steps}"]
    if not gpu:
        for item in CPU_SETS:
            args += ["--set", item]
    log = work / "logs" / f"{name}.log"
    rc, wall, peak = anestools(args, log, gpu)
    row = Row(name, rc == 0, wall, peak if peak else None, detail=f"exit {rc}, log {log}" if rc else "")
    summary = out / "anestools_summary.json"
    if rc == 0 and summary.is_file():
        s = json.loads(summary.read_text())
        row.tokens_per_s_per_gpu, row.mfu = s.get("tokens_per_s_per_gpu"), s.get("mfu")
        row.tokens_seen, row.params, row.notes = s.get("tokens_seen"), s.get("params"), s.get("notes", [])
    elif rc == 0:
        row.ok, row.detail = False, f"no {summary}"
    return row


def eval_row(model: Path, work: Path, gpu: bool) -> Row:
    out = work / "eval"
    args = ["eval", "--model", str(model), "--engine", "transformers", "--lang", "en", "--limit", "8",
            "--max-new-tokens", "16", "--output", str(out), "--no-resume"]
    log = work / "logs" / "eval.log"
    rc, wall, peak = anestools(args, log, gpu)
    return Row("eval (transformers serve)", rc == 0, wall, peak if peak else None,
               detail=f"exit {rc}, log {log}" if rc else f"{out / 'summary.json'}")


def table(rows: list[Row], mode: str, device: str) -> str:
    def num(v, fmt):
        return "-" if v is None else format(v, fmt)

    lines = [f"anestools GPU check ({mode} mode, {device})", "",
             "| run | ok | wall (s) | peak memory (GiB) | tokens/s per GPU | MFU | tokens seen | params |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        mfu = "-" if r.mfu is None else f"{100 * r.mfu:.1f}%"
        lines.append(f"| {r.name} | {'yes' if r.ok else 'NO: ' + r.detail} | {r.wall_s:.0f} | {num(r.peak_mem_gb, '.1f')} "
                     f"| {num(r.tokens_per_s_per_gpu, ',.0f')} | {mfu} | {num(r.tokens_seen, ',')} | {num(r.params, ',')} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", choices=("gpu", "cpu"), default="gpu")
    ap.add_argument("--out", type=Path, required=True, help="results.json / results.md go here")
    ap.add_argument("--work", type=Path, help="models, data and runs (default: OUT/work)")
    ap.add_argument("--steps", type=int, help="optimizer steps per run (default 10 on GPU, 2 on CPU)")
    ap.add_argument("--runs", help="comma-separated subset of: " + ", ".join(r[0] for r in RUNS))
    ap.add_argument("--no-eval", action="store_true")
    a = ap.parse_args()
    gpu = a.mode == "gpu"
    work = (a.work or a.out / "work").resolve()
    (work / "logs").mkdir(parents=True, exist_ok=True)
    steps = a.steps or (10 if gpu else 2)
    wanted = set(a.runs.split(",")) if a.runs else {r[0] for r in RUNS}
    device = "cpu"
    if gpu:
        device = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True,
                                text=True).stdout.strip().splitlines()[0]
    print(f"== {a.mode} mode on {device}; {steps} steps per run; work dir {work}", flush=True)
    data = build_data(work / "data", rows=4000 if gpu else 64)
    rows: list[Row] = []
    models: dict[str, Path] = {}
    for name, stage, recipe, shape_name in RUNS:
        if name not in wanted:
            continue
        if shape_name not in models:
            t = time.monotonic()
            shape = SHAPES[shape_name] if gpu else dict(TINY, vocab_size=None)
            models[shape_name] = build_model(work / "models" / f"{shape_name}-random", shape, gpu)
            print(f"== built {shape_name}{'' if gpu else ' (tiny shape)'} in {time.monotonic() - t:.0f}s", flush=True)
        row = train_row(name, stage, recipe, models[shape_name], data, work, steps, gpu)
        rows.append(row)
        print(f"== {name}: {'ok' if row.ok else 'FAILED ' + row.detail}, {row.wall_s:.0f}s, "
              f"{row.tokens_per_s_per_gpu or 0:,.0f} tokens/s per GPU, peak {row.peak_mem_gb or 0:.1f} GiB", flush=True)
    trained = work / "runs" / EVAL_MODEL_RUN
    if not a.no_eval and (trained / "config.json").is_file():
        rows.append(eval_row(trained, work, gpu))
        print(f"== eval: {'ok' if rows[-1].ok else 'FAILED ' + rows[-1].detail}, {rows[-1].wall_s:.0f}s", flush=True)
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "results.json").write_text(json.dumps({"mode": a.mode, "device": device, "steps": steps,
                                                    "rows": [asdict(r) for r in rows]}, indent=2) + "\n")
    text = table(rows, a.mode, device)
    (a.out / "results.md").write_text(text)
    for log in (work / "logs").glob("*.log"):  # small; they come back with the results
        shutil.copy(log, a.out / log.name)
    print(text, flush=True)
    return 0 if rows and all(r.ok for r in rows) else 1


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if len(sys.argv) == 5 and sys.argv[1] == "--build-model":
        _build_model(Path(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4] == "gpu")
        sys.exit(0)
    sys.exit(main())
