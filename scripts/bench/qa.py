"""Benchmark: ``anestools qa generate`` throughput against a teacher that answers after 500 ms.

The teacher is the deterministic test server (``tests/qa/teacher_server.py``, loopback): it
stands in for SGLang's latency and concurrency, never for a model. Every passage costs two
requests (generation, then the grounding judge) and yields ``--pairs`` pairs, so at
``concurrency`` requests in flight the ideal is::

    ideal pairs/s = concurrency / latency / 2 * pairs

Side by side, on the same server, the real command (subprocess):

1. default settings (all filters on, the default concurrency);
2. ``--no-language-check``: how much the language check (langdetect in worker processes) costs;
3. ``--no-grounding``: one request per passage (ideal doubles);
4. ``--concurrency 64``: a quarter of the request rate, to separate CPU limits from pipeline design;
5. and 6. = 1. and 2. on a corpus ``--long`` times larger.

A run of N passages costs a fixed part (opening ``concurrency`` connections at once, starting
the language workers, the last round's labels, publishing) plus a per-passage part. The
*steady* rate is the marginal one between the short and the long run,
``(pairs_long - pairs_short) / (seconds_long - seconds_short)``: the fixed part cancels, and
what is left is the pipeline's throughput over an hours-long generation.

Reports pairs/s and the share of ideal (target >= 90%) over each whole run (``summary.json``
``seconds``: selection, requests, checks, outputs) and the steady share, plus the process wall
clock; checks every passage was journaled exactly once.

``qa reason`` (variants ``reason`` and ``reason-long``): a bank of ``--passages`` synthetic
mcq items (``--long`` times more for the long run), ``--tries`` tries each, against the
deterministic reasoning teacher (``anestools.testing.fake_server --reasoner``, same latency).
Every try is one request, so ``ideal tries/s = concurrency / latency``; the share of ideal is
tries made / run seconds over that, and the steady share is the marginal one, as above.

Example: .venv/bin/python scripts/bench/qa.py --passages 2048 --delay 0.5
         .venv/bin/python scripts/bench/qa.py --only reason reason-long --passages 1024
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

from anestools.runtime.engines import free_port, kill_group

ROOT = Path(__file__).resolve().parents[2]
# name -> (extra options, concurrency (None: --concurrency), long corpus?)
VARIANTS: dict[str, tuple[list[str], int | None, bool]] = {
    "default": ([], None, False),
    "no-language-check": (["--no-language-check"], None, False),
    "no-grounding": (["--no-grounding"], None, False),
    "concurrency-64": ([], 64, False),
    "default-long": ([], None, True),
    "no-language-check-long": (["--no-language-check"], None, True),
}
SERVER = ROOT / "tests" / "qa" / "teacher_server.py"
REASON_VARIANTS = {"reason": False, "reason-long": True}


DRUGS = ("propofol", "sevoflurane", "desflurane", "ketamine", "etomidate", "dexmedetomidine", "midazolam",
         "remifentanil", "fentanyl", "morphine", "rocuronium", "succinylcholine", "sugammadex", "neostigmine",
         "atropine", "ephedrine", "phenylephrine", "norepinephrine", "bupivacaine", "ropivacaine", "lidocaine",
         "dantrolene", "ondansetron", "dexamethasone", "tranexamic acid", "labetalol", "esmolol", "magnesium")
PATIENTS = ("elderly patients", "children", "pregnant women", "obese adults", "patients with sepsis",
            "patients with renal failure", "patients with liver disease", "trauma patients", "cardiac patients",
            "outpatients", "patients with asthma", "neonates")
SETTINGS = ("during induction", "for maintenance", "after spinal anesthesia", "in the recovery room",
            "before extubation", "during cardiac surgery", "for postoperative pain", "in the intensive care unit",
            "during caesarean section", "for day-case surgery")
EFFECTS = ("hypotension", "bradycardia", "respiratory depression", "nausea and vomiting", "delirium",
           "residual weakness", "local anesthetic toxicity", "hyperkalaemia", "tachycardia", "prolonged sedation")
TEMPLATES = (
    "{d} is often given to {p} {s}, and clinicians should watch for {e} in about {k} of 1000 cases.",
    "When {d} is used {s} in {p}, the dose is reduced by {k} percent because {e} is more likely.",
    "Guidelines recommend monitoring {p} closely for {k} minutes {s} since {d} may cause {e}.",
    "The main risk of {d} in {p} is {e}, which in a series of {k} patients usually appeared {s}.",
)


def write_corpus(path: Path, n: int, seed: int = 0) -> None:
    """Synthetic clinical English passages (seeded), varied enough that the questions built from
    them are rarely near-duplicates and natural enough for langdetect to decide quickly."""
    import random

    rng = random.Random(seed)

    def sentence() -> str:
        t = rng.choice(TEMPLATES).format(d=rng.choice(DRUGS), p=rng.choice(PATIENTS), s=rng.choice(SETTINGS),
                                         e=rng.choice(EFFECTS), k=rng.randint(2, 999))
        return t[0].upper() + t[1:]

    texts = [" ".join(sentence() for _ in range(3)) for _ in range(n)]
    pq.write_table(pa.table({"text": texts, "id": [f"doc{i:06d}" for i in range(n)], "language": ["en"] * n}), path)


def write_bank(path: Path, n: int, seed: int = 0) -> None:
    """Synthetic mcq items (``qa generate --style mcq`` columns), distinct stems, gold letter B."""
    import random

    from anestools.qa.store import SCHEMA

    rng = random.Random(seed)
    rows = []
    for i in range(n):
        stem = (f"Which agent {rng.choice(SETTINGS)} in {rng.choice(PATIENTS)} best avoids "
                f"{rng.choice(EFFECTS)} (case {i}) [key B]?")
        rows.append({"pair_id": f"item{i:06d}", "stem": stem, "options": rng.sample(DRUGS, 4), "target": "B",
                     "level": 1, "language": "en", "style": "mcq", "question": stem, "answer": "Answer: B"})
    pq.write_table(pa.Table.from_pylist([{k: r.get(k) for k in SCHEMA.names} for r in rows], schema=SCHEMA), path)


def start_server(delay: float, reasoner: bool = False) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = ([sys.executable, "-m", "anestools.testing.fake_server", "--reasoner"] if reasoner
           else [sys.executable, str(SERVER)])
    proc = subprocess.Popen([*cmd, "--port", str(port), "--delay", str(delay)], start_new_session=True,
                            stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
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


def run_reason(url: str, bank: Path, out: Path, tries: int, concurrency: int, timeout: float) -> dict:
    argv = [sys.executable, "-m", "anestools", "-q", "qa", "reason", str(bank), "-o", str(out), "--model",
            "teacher", "--base-url", url, "--tries", str(tries), "--concurrency", str(concurrency)]
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"qa reason failed ({proc.returncode}): {proc.stderr[-2000:]}")
    summary = json.loads((out / "summary.json").read_text())
    keys = [json.loads(x)["key"] for x in (out / "_journal.jsonl").read_text().splitlines()]
    return {"summary": summary, "wall": wall, "journaled": len(keys), "dup": len(keys) - len(set(keys))}


def bench_reason(args: argparse.Namespace, names: list[str], tmp: Path) -> None:
    """The ``qa reason`` rows: tries/s and share of ideal (``concurrency / latency``)."""
    rows = []
    banks = {1: tmp / "bank.parquet", args.long: tmp / "bank_long.parquet"}
    for scale, path in banks.items():
        write_bank(path, args.passages * scale)
    proc, url = start_server(args.delay, reasoner=True)
    try:
        for name in names:
            scale = args.long if REASON_VARIANTS[name] else 1
            r = run_reason(url, banks[scale], tmp / name, args.tries, args.concurrency, args.timeout)
            s = r["summary"]
            expected = args.passages * scale * args.tries
            rows.append({"name": name, "items": args.passages * scale, "tries": s["tries"]["made"], "kept": s["kept"],
                         "seconds": s["seconds"], "wall": r["wall"], "ideal": args.concurrency / args.delay,
                         "lost": expected - r["journaled"] + r["dup"], "dup": r["dup"]})
    finally:
        kill_group(proc, grace=5)
    print(f"\nqa reason: {args.passages} items (long: {args.passages * args.long}) x {args.tries} tries, teacher "
          f"latency {args.delay * 1000:.0f} ms, {args.concurrency} in flight, loopback, {os.cpu_count()} CPUs\n")
    print_table(rows, "items", "tries", [("reason", "reason-long")])


def print_table(rows: list[dict], size: str, count: str, pairs: list[tuple[str, str]]) -> None:
    """One markdown row per run, then the steady rate and fixed cost of each (short, long) pair of runs."""
    print(f"| run | {size} | {count} | kept | wall s | run s | {count}/s | share of ideal | ideal {count}/s | lost | dup |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        rate = r[count] / r["seconds"]
        print(f"| {r['name']} | {r[size]} | {r[count]} | {r['kept']} | {r['wall']:.2f} | {r['seconds']:.2f} | "
              f"{rate:.1f} | {100 * rate / r['ideal']:.0f}% | {r['ideal']:.0f} | {r['lost']} | {r['dup']} |")
    by_name = {r["name"]: r for r in rows}
    for short, long in pairs:
        if short in by_name and long in by_name:
            a, b = by_name[short], by_name[long]
            steady = (b[count] - a[count]) / (b["seconds"] - a["seconds"])
            fixed = a["seconds"] - a[count] / steady
            print(f"\n{short}: steady {steady:.1f} {count}/s = {100 * steady / a['ideal']:.0f}% of ideal; "
                  f"fixed cost per run {fixed:.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--passages", type=int, default=2048)
    ap.add_argument("--pairs", type=int, default=3, help="pairs per passage")
    ap.add_argument("--delay", type=float, default=0.5, help="server latency per request (s)")
    ap.add_argument("--concurrency", type=int, default=256, help="the qa default for SGLang/OpenAI endpoints")
    ap.add_argument("--long", type=int, default=4, help="the long runs' corpus is this many times larger")
    ap.add_argument("--tries", type=int, default=4, help="qa reason: tries per item")
    ap.add_argument("--only", nargs="*", default=[*VARIANTS, *REASON_VARIANTS],
                    choices=[*VARIANTS, *REASON_VARIANTS])
    ap.add_argument("--timeout", type=float, default=600)
    args = ap.parse_args()
    if not 1 <= args.passages <= 50000 or args.long < 2:
        raise SystemExit("--passages must be in 1..50000 and --long >= 2")
    rows = []
    generate_runs = [n for n in args.only if n in VARIANTS]
    with tempfile.TemporaryDirectory(prefix="anes-bench-qa-") as tmp:
        if any(n in REASON_VARIANTS for n in args.only):
            bench_reason(args, [n for n in args.only if n in REASON_VARIANTS], Path(tmp))
        if not generate_runs:
            return
        corpora = {1: Path(tmp) / "corpus_en.parquet", args.long: Path(tmp) / "corpus_en_long.parquet"}
        for scale, path in corpora.items():
            write_corpus(path, args.passages * scale)
        proc, url = start_server(args.delay)
        try:
            for name in generate_runs:
                extra, concurrency, scale = VARIANTS[name]
                scale = args.long if scale else 1
                concurrency = concurrency or args.concurrency
                r = run(url, corpora[scale], Path(tmp) / name, args.pairs, [*extra, "--concurrency", str(concurrency)],
                        args.timeout)
                requests_per_passage = 1 if name == "no-grounding" else 2
                ideal = concurrency / args.delay / requests_per_passage * args.pairs
                s = r["summary"]
                rows.append({"name": name, "passages": args.passages * scale, "pairs": s["pairs"]["generated"],
                             "kept": s["kept"], "seconds": s["seconds"], "wall": r["wall"], "ideal": ideal,
                             "lost": args.passages * scale - r["journaled"] + r["dup"], "dup": r["dup"]})
        finally:
            kill_group(proc, grace=5)
    print(f"\n{args.passages} passages (long: {args.passages * args.long}) x {args.pairs} pairs, teacher latency "
          f"{args.delay * 1000:.0f} ms, {args.concurrency} in flight, loopback, {os.cpu_count()} CPUs\n")
    print_table(rows, "passages", "pairs", [("default", "default-long"), ("no-language-check", "no-language-check-long")])


if __name__ == "__main__":
    main()
