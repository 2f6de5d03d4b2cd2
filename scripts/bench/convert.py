#!/usr/bin/env python
"""Benchmark ``anestools convert`` against the paper's approach, side by side in one run.

The paper's ``tools/anescorpus2json.py`` / ``anesqa2json.py`` pick parquet files whose name
contains the split as a substring, read each into pandas, walk it with ``iterrows``, append every
record to one Python list and ``json.dump`` it (``indent=4``, ``ensure_ascii=False``). We re-create
that approach here (``PAPER`` below, our own few lines) and run it and ``anestools convert`` on
the same generated parquet (English rows in ``*_en_*.parquet`` files, so both select the same
rows), each in its own process, measuring wall time (median of ``--repeat`` runs) and peak RSS (psutil, sampled every 20 ms).

    python scripts/bench/convert.py --rows 100000 1000000 --workdir .bench/convert
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

WORDS = ["anesthesia", "propofol", "sevoflurane", "airway", "intubation", "patient", "dose", "infusion", "monitoring", "blood", "pressure", "oxygen", "ventilation", "induction", "maintenance", "recovery", "analgesia", "opioid", "fentanyl", "remifentanil", "block", "nerve", "spinal", "epidural", "bupivacaine", "lidocaine", "hypotension", "phenylephrine", "surgery", "postoperative", "nausea", "vomiting", "ondansetron", "dexamethasone", "the", "of", "and", "with", "in", "for", "a", "to", "was", "were", "is", "are", "after", "before", "during", "study", "trial", "randomized", "group", "control", "outcome"]


def make_paragraphs(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = []
        size = 0
        target = rng.randint(900, 1100)
        while size < target:
            w = rng.choice(WORDS)
            words.append(w)
            size += len(w) + 1
        out.append(" ".join(words).capitalize() + ".")
    return out


def generate(path: Path, rows: int, kind: str) -> None:
    """Write ``rows`` English corpus rows (~1 KB text) or QA rows, in 64k-row groups."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    paras = make_paragraphs(4096)
    chunk = 65_536
    writer = None
    for start in range(0, rows, chunk):
        idx = range(start, min(rows, start + chunk))
        if kind == "corpus":
            table = pa.table({
                "id": [f"doc-{i}" for i in idx],
                "text": [f"Document {i}. {paras[i % len(paras)]}" for i in idx],
                "language": ["en"] * len(idx),
                "source": ["fineweb"] * len(idx),
            })
        else:
            table = pa.table({
                "question": [f"Question {i}: {paras[i % len(paras)][:300]}?" for i in idx],
                "answer": [paras[(i * 7) % len(paras)][:400] for i in idx],
                "language": ["en"] * len(idx),
            })
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    writer.close()


PAPER = r'''
import json, sys
import pandas as pd
src, dst, kind = sys.argv[1], sys.argv[2], sys.argv[3]
output = []
df = pd.read_parquet(src)
for _, row in df.iterrows():
    if kind == "corpus":
        output.append({"text": row["text"]})
    else:
        output.append({"instruction": "", "input": row["question"], "output": row["answer"]})
with open(dst, "w", encoding="utf-8") as f:
    json.dump(output, f, ensure_ascii=False, indent=4)
'''


def run(cmd: list[str]) -> tuple[float, float]:
    """Run ``cmd``; return (wall seconds, peak RSS MiB of the child).

    RSS is sampled from ``/proc/PID`` every 20 ms: cheap, so the sampling does not steal a core
    from the process being measured (both approaches run in a single process).
    """
    import psutil

    os.sync()  # start each run without the previous run's dirty pages still being written back
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            peak = max(peak, ps.memory_info().rss)
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr.read().decode()[-2000:]}")
    return wall, peak / 2**20


def repeat(n: int, fn) -> tuple[float, float]:
    """Median wall time and max peak RSS over ``n`` runs (the machine is noisy)."""
    import statistics

    runs = [fn() for _ in range(max(1, n))]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def count_rows(path: Path) -> int:
    if path.suffix == ".json":
        with open(path, encoding="utf-8") as f:
            return len(json.load(f))
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000],
                    help="corpus sizes (rows of ~1 KB) to test; the QA set is a tenth of each")
    ap.add_argument("--workdir", type=Path, default=Path(".bench/convert"))
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of each approach per input; the median wall time and the max RSS are reported")
    ap.add_argument("--skip-paper-above", type=int, default=10_000_000,
                    help="do not run the paper's approach above this many rows")
    ap.add_argument("--generate", nargs=3, metavar=("PATH", "ROWS", "KIND"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.generate:
        generate(Path(args.generate[0]), int(args.generate[1]), args.generate[2])
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    anestools = str(Path(sys.executable).with_name("anestools"))
    results = []
    for rows in args.rows:
        for kind, n in (("corpus", rows), ("qa", max(1, rows // 10))):
            src = args.workdir / f"{kind}_en_{n}.parquet"
            if not src.exists():  # in a child, so this process stays small while measuring
                subprocess.run([sys.executable, __file__, "--generate", str(src), str(n), kind], check=True)
            mb = src.stat().st_size / 2**20
            out = args.workdir / f"out_{kind}_{n}"
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            ours_cmd = [anestools, "-q", "convert", str(src), "--output", str(out), "--split", "en", "--overwrite"]
            ours = repeat(args.repeat, lambda cmd=ours_cmd: run(cmd))
            stem = "AnesCorpus" if kind == "corpus" else "AnesQA"
            ours_rows = count_rows(out / f"{stem}_en.jsonl")
            paper = None
            if n <= args.skip_paper_above:
                paper_cmd = [sys.executable, "-c", PAPER, str(src), str(out / "paper.json"), kind]
                paper = repeat(args.repeat, lambda cmd=paper_cmd: run(cmd))
                paper_rows = count_rows(out / "paper.json")
                assert paper_rows == ours_rows, (paper_rows, ours_rows)
            shutil.rmtree(out)
            results.append((kind, n, mb, ours, paper, ours_rows))

    print(f"\n{'input':>20} {'parquet MB':>10} {'rows out':>9} | {'paper s':>8} {'paper RSS':>10} | "
          f"{'ours s':>7} {'ours RSS':>9} | {'speed-up':>8}")
    for kind, n, mb, ours, paper, out_rows in results:
        p_s = f"{paper[0]:8.1f}" if paper else f"{'-':>8}"
        p_r = f"{paper[1]:8.0f}MB" if paper else f"{'-':>10}"
        ratio = f"{paper[0] / ours[0]:7.1f}x" if paper else f"{'-':>8}"
        print(f"{kind + ' ' + format(n, ','):>20} {mb:10.0f} {out_rows:9,} | {p_s} {p_r} | "
              f"{ours[0]:7.1f} {ours[1]:7.0f}MB | {ratio}")


if __name__ == "__main__":
    main()
