"""Answer extraction on a labelled set: ``extract_answer`` vs the paper's approach, side by side.

The baseline re-implements, in our own words, the *approach* of the AnesBench evaluator: a
cascade of answer regexes tried in order (first hit wins), then fuzzy matching of the response
against each option text (difflib ratio), so it always returns a letter. A response's label is
the letter it commits to or ``None``; a prediction is right when it equals the label.

Run: ``python scripts/bench/extract.py [--data FILE.jsonl ...] [--misses]``; by default both labelled
sets, each ``split`` (dev, heldout, blind) its own row.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import time
from collections import defaultdict
from pathlib import Path

from anestools.eval.extract import extract_answer

_DATA_DIR = Path(__file__).resolve().parents[2] / "tests" / "eval" / "data"
DATA = [_DATA_DIR / "extraction.jsonl", _DATA_DIR / "extraction_blind.jsonl"]

_CASCADE = [
    re.compile(r"answer is:?\s*\(?([A-I])\)?", re.IGNORECASE),
    re.compile(r"answer:\s*\(?([A-I])\)?", re.IGNORECASE),
    re.compile(r"\\boxed\{([A-I])\}"),
    re.compile(r"答案[是为：:]\s*([A-I])"),
    re.compile(r"选\s*([A-I])"),
    re.compile(r"^\(?([A-I])[\).:]", re.MULTILINE),
    re.compile(r"\b([A-I])\b"),
]


def paper_baseline(response: str, options: dict[str, str]) -> str | None:
    """Regex cascade (first pattern that hits, its first match), then fuzzy match on option texts."""
    for pat in _CASCADE:
        m = pat.search(response)
        if m and m.group(1) in options:
            return m.group(1)
    scores = {k: difflib.SequenceMatcher(None, response.lower(), v.lower()).ratio() for k, v in options.items()}
    return max(scores, key=scores.get)  # always a letter (the first option on ties)


def score(rows: list[dict], fn) -> dict:
    out: dict = defaultdict(lambda: [0, 0])
    misses = []
    start = time.perf_counter()
    for r in rows:
        got = fn(r["response"], r["options"])
        ok = got == r["label"]
        for key in ("all", f"split={r['split']}", f"lang={r['language']}", f"family={r['family']}",
                    "label=None" if r["label"] is None else "label=letter"):
            out[key][0] += ok
            out[key][1] += 1
        if not ok:
            misses.append((r["id"], r["label"], got, r["response"][:120].replace("\n", "⏎")))
    return {"cells": dict(out), "misses": misses, "seconds": time.perf_counter() - start}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, nargs="+", default=DATA, help="labelled .jsonl files (default: both sets)")
    ap.add_argument("--misses", action="store_true", help="list the responses each extractor gets wrong")
    args = ap.parse_args()
    rows = [json.loads(line) for path in args.data
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    ours, paper = score(rows, extract_answer), score(rows, paper_baseline)
    keys = sorted(ours["cells"], key=lambda k: (k != "all", not k.startswith("split"), not k.startswith("lang"),
                                                not k.startswith("label"), k))
    print(f"{len(rows)} labelled responses ({', '.join(p.name for p in args.data)}); right = prediction equals label (None included)\n")
    print("| subset | n | anestools extract_answer | paper (regex cascade + fuzzy) |")
    print("|---|---:|---:|---:|")
    for k in keys:
        (a, n), (b, _) = ours["cells"][k], paper["cells"][k]
        print(f"| {k} | {n} | {100 * a / n:.1f}% ({a}) | {100 * b / n:.1f}% ({b}) |")
    print(f"\ntime: anestools {1e6 * ours['seconds'] / len(rows):.0f} µs/response, "
          f"paper {1e6 * paper['seconds'] / len(rows):.0f} µs/response")
    if args.misses:
        for name, res in (("anestools", ours), ("paper", paper)):
            print(f"\n## {name} misses ({len(res['misses'])})")
            for m in res["misses"]:
                print(" ", *m)


if __name__ == "__main__":
    main()
