"""Benchmark: evaluation client throughput against a loopback OpenAI-compatible server.

Side by side, on the same synthetic questions and the same server (answers after a fixed delay,
like a short chain of thought):

1. ``paper``: the AnesBench paper's approach — the synchronous ``openai`` client in a pool of
   16 threads;
2. ``openai-async``: ``openai.AsyncOpenAI`` (httpx underneath) with the same concurrency as ours,
   to check the choice of HTTP stack;
3. ``anestools``: the real ``anestools eval --engine openai`` command (subprocess, aiohttp),
   wall clock including its start-up, and its evaluation phase alone.

Prints questions/s and the ratio to the paper's approach, and verifies that ``anestools``
wrote every prediction exactly once. Only loopback addresses are used; every run is bounded.

Example: .venv/bin/python scripts/bench/eval_client.py --questions 1000 --delay 0.5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from anestools.common.anesbench import load_benchmark
from anestools.eval.prompts import PromptBuilder
from anestools.runtime.engines import free_port, kill_group


def write_questions(path: Path, n: int) -> None:
    recs = []
    for i in range(n):
        rec = {"id": f"q{i:05d}", "question": f"Synthetic anesthesia question number {i}: which option is right?",
               "choice_num": 4, "target": "ABCD"[i % 4], "category": 1 + i % 3}
        rec.update({letter: f"option {letter} of question {i}" for letter in "ABCD"})
        recs.append(rec)
    path.write_text(json.dumps(recs), encoding="utf-8")


def start_server(delay: float) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "anestools.testing.fake_server", "--port", str(port),
                             "--delay", str(delay)], start_new_session=True, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(url + "/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.1)
    kill_group(proc)
    raise SystemExit("fake server did not start")


def paper_approach(url: str, messages: list[list[dict]], threads: int, timeout: float) -> tuple[float, int]:
    from openai import OpenAI

    client = OpenAI(base_url=url + "/v1", api_key="not-needed", timeout=timeout, max_retries=2)
    lock = threading.Lock()
    done = [0]

    def one(msgs: list[dict]) -> None:
        r = client.chat.completions.create(model="bench", messages=msgs, temperature=0.0, max_tokens=16)
        assert r.choices[0].message.content
        with lock:
            done[0] += 1

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, messages))
    return time.perf_counter() - start, done[0]


def openai_async(url: str, messages: list[list[dict]], concurrency: int, timeout: float) -> tuple[float, int]:
    from openai import AsyncOpenAI

    async def main() -> int:
        client = AsyncOpenAI(base_url=url + "/v1", api_key="not-needed", timeout=timeout, max_retries=2)
        sem = asyncio.Semaphore(concurrency)

        async def one(msgs: list[dict]) -> int:
            async with sem:
                r = await client.chat.completions.create(model="bench", messages=msgs, temperature=0.0,
                                                         max_tokens=16)
                return int(bool(r.choices[0].message.content))

        try:
            return sum(await asyncio.gather(*(one(m) for m in messages)))
        finally:
            await client.close()

    start = time.perf_counter()
    n = asyncio.run(main())
    return time.perf_counter() - start, n


def anestools_cli(url: str, bench_file: Path, out: Path, concurrency: int, timeout: float
                  ) -> tuple[float, float, int, int, int]:
    exe = Path(sys.executable).with_name("anestools")
    argv = [str(exe), "-q", "eval", "--model", "bench", "--engine", "openai", "--base-url", url + "/v1",
            "--benchmark", str(bench_file), "--lang", "en", "--concurrency", str(concurrency), "-o", str(out)]
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"anestools eval failed ({proc.returncode}): {proc.stderr[-2000:]}")
    recs = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines() if line.strip()]
    keys = [(r["key"], r["sample"]) for r in recs if r["error"] is None]
    summary = json.loads((out / "summary.json").read_text())
    return wall, summary["elapsed_s"], len(set(keys)), len(keys) - len(set(keys)), len(recs) - len(keys)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--questions", type=int, default=1000, help="synthetic questions (1000-2000 is typical)")
    ap.add_argument("--delay", type=float, default=0.5, help="server delay per answer in seconds")
    ap.add_argument("--threads", type=int, default=16, help="threads of the paper's approach")
    ap.add_argument("--concurrency", type=int, default=256, help="anestools --concurrency (and openai-async)")
    ap.add_argument("--skip", nargs="*", default=[], choices=["paper", "openai-async", "anestools"])
    ap.add_argument("--timeout", type=float, default=600, help="bound on each run (s)")
    args = ap.parse_args()
    if not 1 <= args.questions <= 20000:
        raise SystemExit("--questions must be in 1..20000")

    with tempfile.TemporaryDirectory(prefix="anes-bench-") as tmp:
        bench_file = Path(tmp) / "synthetic_en.json"
        write_questions(bench_file, args.questions)
        builder = PromptBuilder("cot")
        messages = [builder.messages(it) for it in load_benchmark(str(bench_file)).items]
        proc, url = start_server(args.delay)
        rows = []
        try:
            if "paper" not in args.skip:
                secs, n = paper_approach(url, messages, args.threads, args.timeout)
                rows.append((f"paper: sync openai, {args.threads} threads", n, secs, "–", "–"))
            if "openai-async" not in args.skip:
                secs, n = openai_async(url, messages, args.concurrency, args.timeout)
                rows.append((f"openai.AsyncOpenAI (httpx), {args.concurrency} in flight", n, secs, "–", "–"))
            if "anestools" not in args.skip:
                wall, phase, unique, dup, errors = anestools_cli(url, bench_file, Path(tmp) / "run",
                                                                 args.concurrency, args.timeout)
                lost = args.questions - unique
                rows.append((f"anestools eval (aiohttp), {args.concurrency} in flight, wall", unique, wall,
                             lost, dup))
                rows.append(("anestools eval, evaluation phase only", unique, phase, lost, dup))
                if errors:
                    print(f"warning: {errors} error records", file=sys.stderr)
        finally:
            kill_group(proc, grace=5)

    base = rows[0][2] / rows[0][1] if rows and rows[0][0].startswith("paper") else None
    print(f"\n{args.questions} questions, server delay {args.delay * 1000:.0f} ms, loopback, "
          f"{os.cpu_count()} CPUs\n")
    print(f"| {'approach':<62} | {'answered':>8} | {'seconds':>8} | {'q/s':>8} | {'vs paper':>8} | lost | dup |")
    print(f"|{'-' * 64}|{'-' * 10}|{'-' * 10}|{'-' * 10}|{'-' * 10}|------|-----|")
    for name, n, secs, lost, dup in rows:
        qps = n / secs if secs else float("nan")
        ratio = f"{qps * base:.1f}x" if base else "–"
        print(f"| {name:<62} | {n:>8} | {secs:>8.2f} | {qps:>8.1f} | {ratio:>8} | {lost!s:>4} | {dup!s:>3} |")


if __name__ == "__main__":
    main()
