"""Benchmark: ``anestools qa generate`` throughput against a teacher that answers after 500 ms.

The teacher is the deterministic test server (``tests/qa/teacher_server.py``, loopback): it
stands in for SGLang's latency and concurrency, never for a model. Every passage costs two
requests (generation, then the grounding judge) and yields ``--pairs`` pairs, so at
``concurrency`` requests in flight the ideal is::

    ideal pairs/s = concurrency / latency / 2 * pairs

Side by side, on the same corpus and server, the real command (subprocess):

1. default settings (all filters on, the default concurrency);
2. ``--no-language-check``: how much the per-pair langdetect call costs;
3. ``--no-grounding``: one request per passage (ideal doubles);
4. ``--concurrency 64``: a quarter of the request rate, to separate CPU limits from pipeline design.

Reports pairs/s, the share of ideal (target >= 90% for 1), and checks every passage was
journaled exactly once. Time is the run's own ``summary.json`` ``seconds`` (selection,
requests, filters and the final rebuild) plus, separately, the process wall clock.

Example: .venv/bin/python scripts/bench/qa.py --passages 2048 --delay 0.5
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

import pyarrow as pa
import pyarrow.parquet as pq

from anestools.eval.engines import free_port, kill_group

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "tests" / "qa" / "teacher_server.py"


_TERMS = ("propofol sevoflurane desflurane isoflurane ketamine etomidate dexmedetomidine midazolam remifentanil "
         "fentanyl sufentanil morphine rocuronium vecuronium succinylcholine sugammadex neostigmine atropine "
         "glycopyrrolate ephedrine phenylephrine norepinephrine vasopressin bupivacaine ropivacaine lidocaine "
         "dantrolene ondansetron dexamethasone tranexamic heparin protamine magnesium labetalol esmolol "
         "nitroglycerin hypotension bradycardia hypoxaemia laryngospasm bronchospasm aspiration awareness "
         "delirium shivering nausea hyperkalaemia acidosis hypothermia airway intubation extubation spinal "
         "epidural caudal block infusion bolus titration induction maintenance emergence recovery monitoring "
         "capnography oximetry pressure saturation ventilation oxygenation perfusion clearance metabolism "
         "elderly children obstetric cardiac neurosurgical trauma obese septic renal hepatic")
TERMS = _TERMS.split()


def write_corpus(path: Path, n: int, seed: int = 0) -> None:
    """Diverse synthetic passages (seeded): the questions built from them are not near-duplicates."""
    import random

    rng = random.Random(seed)

    def sentence() -> str:
        words = rng.sample(TERMS, 12)
        return f"{words[0].capitalize()} {' '.join(words[1:])} {rng.randint(1, 999)}."

    texts = [" ".join(sentence() for _ in range(3)) for _ in range(n)]
    pq.write_table(pa.table({"text": texts, "id": [f"doc{i:06d}" for i in range(n)], "language": ["en"] * n}), path)


def start_server(delay: float) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(SERVER), "--port", str(port), "--delay", str(delay)],
                            start_new_session=True, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(url + "/health", timeout=2):
                return proc, url + "/v1"
        except OSError:
            time.sleep(0.1)
    kill_group(proc)
    raise SystemExit("teacher server did not start")


def run(url: str, corpus: Path, out: Path, pairs: int, extra: list[str], timeout: float) -> dict:
    argv = [sys.executable, "-m", "anestools", "-q", "qa", "generate", str(corpus), "-o", str(out), "--model",
            "teacher", "--base-url", url, "--min-tokens", "5", "--pairs-per-passage", str(pairs), *extra]
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"qa generate failed ({proc.returncode}): {proc.stderr[-2000:]}")
    summary = json.loads((out / "summary.json").read_text())
    keys = [json.loads(x)["key"] for x in (out / "_journal.jsonl").read_text().splitlines()]
    return {"summary": summary, "wall": wall, "journaled": len(keys), "dup": len(keys) - len(set(keys))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--passages", type=int, default=2048)
    ap.add_argument("--pairs", type=int, default=3, help="pairs per passage")
    ap.add_argument("--delay", type=float, default=0.5, help="server latency per request (s)")
    ap.add_argument("--concurrency", type=int, default=256, help="the qa default for SGLang/OpenAI endpoints")
    ap.add_argument("--only", nargs="*", default=["default", "no-language-check", "no-grounding", "concurrency-64"])
    ap.add_argument("--timeout", type=float, default=600)
    args = ap.parse_args()
    if not 1 <= args.passages <= 50000:
        raise SystemExit("--passages must be in 1..50000")
    variants = {"default": [], "no-language-check": ["--no-language-check"], "no-grounding": ["--no-grounding"],
                "concurrency-64": ["--concurrency", "64"]}
    rows = []
    with tempfile.TemporaryDirectory(prefix="anes-bench-qa-") as tmp:
        corpus = Path(tmp) / "corpus_en.parquet"
        write_corpus(corpus, args.passages)
        proc, url = start_server(args.delay)
        try:
            for name in args.only:
                extra = variants[name] if name == "concurrency-64" else [*variants[name], "--concurrency",
                                                                          str(args.concurrency)]
                concurrency = 64 if name == "concurrency-64" else args.concurrency
                r = run(url, corpus, Path(tmp) / name, args.pairs, extra, args.timeout)
                requests_per_passage = 1 if name == "no-grounding" else 2
                ideal = concurrency / args.delay / requests_per_passage * args.pairs
                s = r["summary"]
                rate = s["pairs"]["generated"] / s["seconds"]
                rows.append((name, s["pairs"]["generated"], s["kept"], s["seconds"], r["wall"], rate, ideal,
                             args.passages - r["journaled"] + r["dup"], r["dup"]))
        finally:
            kill_group(proc, grace=5)
    print(f"\n{args.passages} passages x {args.pairs} pairs, teacher latency {args.delay * 1000:.0f} ms, "
          f"{args.concurrency} in flight, loopback, {os.cpu_count()} CPUs\n")
    print("| run | pairs | kept | run s | wall s | pairs/s | ideal pairs/s | share of ideal | lost | dup |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, n, kept, secs, wall, rate, ideal, lost, dup in rows:
        print(f"| {name} | {n} | {kept} | {secs:.2f} | {wall:.2f} | {rate:.1f} | {ideal:.0f} | "
              f"{100 * rate / ideal:.0f}% | {lost} | {dup} |")


if __name__ == "__main__":
    main()
