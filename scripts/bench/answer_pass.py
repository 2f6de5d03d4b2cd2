"""Benchmark: what the constrained answer pass adds to a run, side by side with ``--answer-pass off``.

The real ``anestools eval --engine openai`` command (subprocess) against the loopback test server
in its SGLang mode (``regex`` + ``continue_final_message``). ``--vague N`` makes every N-th
response one the rules cannot read (the undecided share the pass is for). ``--pass-delay``
models the pass's cost on a prefix-caching server: the prompt and the response are already in
the cache, so a pass is one decoding step, not a whole answer (``--delay``). With
``--pass-delay`` equal to ``--delay`` it is the cost without a cache (an upper bound).

Prints, per mode: wall clock of the run, answer-pass requests (probe included) as a share of the
question requests, and the extra time as a share of the ``off`` run.

Example: .venv/bin/python scripts/bench/answer_pass.py --questions 400 --delay 0.5 --pass-delay 0.05 --vague 10
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from anestools.runtime.engines import free_port, kill_group

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_client import write_questions  # noqa: E402  (the same synthetic questions)


def start_server(delay: float, pass_delay: float, vague: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "anestools.testing.fake_server", "--port", str(port),
                             "--delay", str(delay), "--pass-delay", str(pass_delay), "--vague", str(vague),
                             "--constrained", "sglang"], start_new_session=True, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(url + "/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.1)
    kill_group(proc)
    raise RuntimeError("test server did not start")


def run(mode: str, questions: Path, args: argparse.Namespace, tmp: Path) -> dict:
    proc, url = start_server(args.delay, args.pass_delay, args.vague)
    try:
        out = tmp / mode
        argv = [sys.executable, "-m", "anestools", "-q", "eval", "--model", "m", "--engine", "openai",
                "--base-url", url + "/v1", "--benchmark", str(questions), "--lang", "en", "--answer-pass", mode,
                "--concurrency", str(args.concurrency), "-o", str(out)]
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, timeout=1800, env=os.environ.copy())
        if done.returncode != 0:
            raise RuntimeError(f"anestools eval --answer-pass {mode} failed ({done.returncode}): {done.stderr[-500:]}")
        wall = time.perf_counter() - start
        with urllib.request.urlopen(url + "/stats", timeout=5) as resp:
            stats = json.loads(resp.read())
        summary = json.loads((out / "summary.json").read_text())
    finally:
        kill_group(proc)
    return {"wall": wall, "questions": stats.get("requests", 0), "pass": stats.get("pass_requests", 0),
            "decided": (summary.get("answer_pass") or {}).get("decided", 0),
            "no_answer": summary["scores"]["overall"]["no_answer_rate"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", type=int, default=400)
    ap.add_argument("--delay", type=float, default=0.5, help="seconds per answer")
    ap.add_argument("--pass-delay", type=float, default=0.05, help="seconds per answer-pass reply")
    ap.add_argument("--vague", type=int, default=10, help="every N-th response is undecided")
    ap.add_argument("--concurrency", type=int, default=64)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        questions = tmp / "synthetic_en.json"
        write_questions(questions, args.questions)
        results = {mode: run(mode, questions, args, tmp) for mode in ("off", "fallback", "always")}
    base = results["off"]["wall"]
    print(f"{args.questions} questions, answer {args.delay}s, pass {args.pass_delay}s, every {args.vague}-th "
          f"undecided, concurrency {args.concurrency}\n")
    print("| --answer-pass | wall s | extra time vs off | question requests | pass requests (probe incl.) "
          "| pass decided | no-answer |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for mode, r in results.items():
        print(f"| {mode} | {r['wall']:.1f} | {100 * (r['wall'] - base) / base:+.1f}% | {r['questions']} | "
              f"{r['pass']} ({100 * r['pass'] / max(1, r['questions']):.1f}%) | {r['decided']} | "
              f"{100 * r['no_answer']:.1f}% |")


if __name__ == "__main__":
    main()
