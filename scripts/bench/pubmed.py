#!/usr/bin/env python
"""Benchmark ``anestools corpus pubmed`` (streaming) against a naive whole-file DOM parse.

Generates a realistic ~300 MB MEDLINE file (pretty-printed records with structured abstracts,
authors, MeSH, history and reference lists: ``anestools.corpus.pubmed.synth``) plus the same
records split into two ~150 MB files, then runs, each in its own process and side by side:

- ``naive``: ``xml.etree.ElementTree.parse`` of the whole 300 MB file, then the same
  extraction, cleaning, lexicon scoring and parquet writing (our few lines below, the way a
  one-off script usually does it);
- ``anestools 1 worker``: ``anestools corpus pubmed FILE --select all`` (datatrove pipeline,
  streaming ``lxml.etree.iterparse`` with element clearing);
- ``anestools 2 workers``: the two halves with ``--tasks 2 --workers 2``.

Reported: wall time, articles/s, MB/s (uncompressed XML), peak RSS of the largest single
process and of the whole process tree (psutil, sampled every 20 ms), and ratios to naive.

    python scripts/bench/pubmed.py --size-mb 300 --workdir .bench/pubmed
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def naive(path: str, out: str) -> None:
    """The naive approach: DOM of the whole file in memory, then extract/clean/score/write."""
    import xml.etree.ElementTree as ET

    import pyarrow as pa
    import pyarrow.parquet as pq

    from anestools.corpus.lexicon import load_lexicon
    from anestools.corpus.pubmed.clean import clean_paragraphs, normalize_paragraph

    lex = load_lexicon()
    tree = ET.parse(path)
    rows = []
    for art in tree.getroot().iter("PubmedArticle"):
        cit = art.find("MedlineCitation")
        a = cit.find("Article")
        paras = []
        for at in a.iterfind("Abstract/AbstractText"):
            body = " ".join("".join(at.itertext()).split())
            label = at.get("Label")
            paras.append(f"{label}: {body}" if label else body)
        title = normalize_paragraph("".join(a.find("ArticleTitle").itertext()))
        text = title + "\n\n" + clean_paragraphs(paras)
        m = lex.match(text)
        rows.append({
            "text": text,
            "id": f"pubmed-{cit.findtext('PMID')}",
            "pmid": cit.findtext("PMID"),
            "journal": a.findtext("Journal/Title"),
            "year": a.findtext("Journal/JournalIssue/PubDate/Year"),
            "language": a.findtext("Language"),
            "mesh_terms": [d.text for d in cit.iterfind("MeshHeadingList/MeshHeading/DescriptorName")],
            "publication_types": [p.text for p in a.iterfind("PublicationTypeList/PublicationType")],
            "matched_terms": m.terms,
            "anes_score": m.score,
        })
    Path(out).mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), f"{out}/naive.parquet")
    print(len(rows))


def measure(cmd: list[str]) -> tuple[float, int, int, int]:
    """Run ``cmd``; return (wall seconds, peak single-process RSS, peak tree RSS, exit code)."""
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    ps = psutil.Process(proc.pid)
    peak_one = peak_tree = 0
    while proc.poll() is None:
        try:
            procs = [ps, *ps.children(recursive=True)]
            rss = []
            for p in procs:
                with contextlib.suppress(psutil.Error):
                    rss.append(p.memory_info().rss)
            # The CLI driver process only waits while workers run: count workers and driver.
            peak_one = max(peak_one, max(rss, default=0))
            peak_tree = max(peak_tree, sum(rss))
        except psutil.Error:
            pass
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        print(err[-2000:], file=sys.stderr)
    return wall, peak_one, peak_tree, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=300, help="size of the generated MEDLINE file (MB)")
    ap.add_argument("--workdir", type=Path, default=ROOT / ".bench" / "pubmed")
    ap.add_argument("--skip-naive", action="store_true", help="do not run the naive DOM approach")
    ap.add_argument("--keep", action="store_true", help="keep generated files and outputs")
    ap.add_argument("--naive", nargs=2, metavar=("FILE", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.naive:
        naive(*args.naive)
        return

    sys.path.insert(0, str(ROOT))
    from anestools.corpus.pubmed.synth import write_medline

    wd: Path = args.workdir
    shutil.rmtree(wd, ignore_errors=True)
    wd.mkdir(parents=True)
    target = args.size_mb * 1_000_000
    whole = wd / "whole" / "medline.xml"
    n = write_medline(whole, target)
    n1 = write_medline(wd / "halves" / "part1.xml", target // 2, start_pmid=10_000_000)
    n_halves = n1 + write_medline(wd / "halves" / "part2.xml", target // 2, start_pmid=10_000_000 + n1)
    size = whole.stat().st_size
    halves_size = sum(f.stat().st_size for f in (wd / "halves").iterdir())
    print(f"generated {n:,} articles, {size / 1e6:.0f} MB (and 2 halves, {halves_size / 1e6:.0f} MB)")

    exe = str(Path(sys.executable).with_name("anestools"))
    common = ["--select", "all", "--min-words", "0", "--overwrite"]
    runs = []
    if not args.skip_naive:
        runs.append(("naive ElementTree.parse", [sys.executable, __file__, "--naive", str(whole), str(wd / "out-naive")],
                     size, n))
    runs.append(("anestools, 1 worker", [exe, "-q", "corpus", "pubmed", str(whole), "-o", str(wd / "out-1"), *common,
                                         "--tasks", "1", "--workers", "1"], size, n))
    runs.append(("anestools, 2 workers", [exe, "-q", "corpus", "pubmed", str(wd / "halves"), "-o", str(wd / "out-2"),
                                          *common, "--tasks", "2", "--workers", "2"], halves_size, n_halves))
    results = []
    for name, cmd, nbytes, narts in runs:
        wall, one, tree, rc = measure(cmd)
        results.append((name, wall, nbytes, narts, one, tree, rc))
        print(f"  done: {name} in {wall:.1f}s (rc={rc})", flush=True)

    base = results[0] if not args.skip_naive else None
    hdr = f"{'approach':<24} {'wall s':>8} {'articles/s':>11} {'MB/s':>7} {'peak RSS/proc':>14} {'peak RSS tree':>14} {'speed ×':>8} {'RSS ×':>7}"
    print("\n" + hdr + "\n" + "-" * len(hdr))
    for name, wall, nbytes, narts, one, tree, rc in results:
        aps, mbs = narts / wall, nbytes / 1e6 / wall
        if base:
            speed = f"{(narts / wall) / (base[3] / base[1]):.2f}"
            rss = f"{one / base[4]:.2f}"
        else:
            speed = rss = "-"
        flag = "" if rc == 0 else f"  (exit {rc})"
        print(f"{name:<24} {wall:>8.1f} {aps:>11,.0f} {mbs:>7.1f} {one / 2**20:>11.0f} MiB {tree / 2**20:>10.0f} MiB"
              f" {speed:>8} {rss:>7}{flag}")
    print("\nspeed × = articles/s relative to naive; RSS × = peak single-process RSS relative to naive.")
    if not args.keep:
        shutil.rmtree(wd, ignore_errors=True)


if __name__ == "__main__":
    main()
