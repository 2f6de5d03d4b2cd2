"""Answer extraction on a labelled set: ``extract_answer`` vs the paper's approach, side by side.

The baseline re-implements, in our own words, the *approach* of the AnesBench evaluator: a
cascade of answer regexes tried in order (first hit wins), then fuzzy matching of the response
against each option text (difflib ratio), so it always returns a letter. A response's label is
the letter it commits to or ``None``; a prediction is right when it equals the label.

Rates (per family and language, ``--rates``): *false no-answer* = committed responses (label a
letter) read as no answer, over committed responses; *false commit* = responses read as a letter
other than their label (a letter where the grader would not commit, or a wrong letter), over all;
*accuracy bias* = what a run would report minus its true accuracy, taking each response as
correct when its label is the option ``--gold`` names (default: the label itself, i.e. the model
is right whenever it commits — the bias then equals minus the false no-answer share plus the
false commits onto a letter it did not choose).

The answer pass cannot be run here without a real model (the tiny model's letters are noise),
so ``rules + pass (stand-in)`` is a documented *bound*, not a measurement: the pass is asked on
every response the rules leave ``undecided`` and is assumed to return the label when the label
is a letter (best case for accuracy) and some letter when it is ``None`` (worst case: each such
response is a false commit).

Run: ``python scripts/bench/extract.py [--data FILE.jsonl ...] [--misses] [--rates]``; by default the
in-sample labelled sets, each ``split`` (dev, heldout, blind, dev2, blind-v4) its own row.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import time
from collections import defaultdict
from pathlib import Path

from anestools.common.extract import extract, extract_answer

_DATA_DIR = Path(__file__).resolve().parents[2] / "tests" / "eval" / "data"
# In-sample sets only (rules were written while they were visible); a blind set is passed with --data.
DATA = [_DATA_DIR / "extraction.jsonl", _DATA_DIR / "extraction_blind.jsonl", _DATA_DIR / "extraction_dev2.jsonl",
        _DATA_DIR / "extraction_blind_v4.jsonl", _DATA_DIR / "extraction_dev3.jsonl"]


def with_pass_standin(response: str, options: dict[str, str], label: str | None) -> str | None:
    """Rules, then the stand-in pass on undecided responses (see the module docstring): a bound."""
    got = extract(response, options)
    if not got.undecided:
        return got.letter
    return label if label is not None else "\0pass"  # "\0pass": a letter where the grader has none

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


def rates(rows: list[dict], fn, with_label: bool = False) -> dict:
    """Per subset: n, committed, false no-answer, false commit, and the accuracy bias of a run.

    Bias: each committed response is taken as correct (gold = its label), each ``None``-labelled one
    as wrong; the run's extracted accuracy scores the extracted letter against that gold, a letter
    read from a ``None``-labelled response counting 1/options (a chance hit). So a false no-answer
    costs a point, a wrong letter costs a point, and a false commit on a non-answer gains 1/k.
    """
    out: dict = defaultdict(lambda: {"n": 0, "committed": 0, "false_none": 0, "false_commit": 0, "gain": 0.0})
    for r in rows:
        got = fn(r["response"], r["options"], r["label"]) if with_label else fn(r["response"], r["options"])
        label = r["label"]
        extracted_ok = (got == label) if label is not None else (1 / len(r["options"]) if got is not None else 0.0)
        for key in ("all", f"split={r['split']}", f"lang={r['language']}", f"family={r['family']}"):
            c = out[key]
            c["n"] += 1
            c["committed"] += label is not None
            c["false_none"] += label is not None and got is None
            c["false_commit"] += got is not None and got != label
            c["gain"] += extracted_ok
    for c in out.values():
        c["bias"] = (c["gain"] - c["committed"]) / c["n"]
    return dict(out)


def _rate_table(rows: list[dict]) -> None:
    cols = [("rules", rates(rows, extract_answer)), ("rules + pass (stand-in bound)",
                                                     rates(rows, with_pass_standin, with_label=True)),
            ("paper", rates(rows, paper_baseline))]
    print("\n| subset | n | " + " | ".join(f"{name}: false no-answer / false commit / bias" for name, _ in cols)
          + " |")
    print("|---|---:|" + "---:|" * len(cols))
    keys = sorted(cols[0][1], key=lambda k: (k != "all", not k.startswith("split"), not k.startswith("lang"), k))
    for k in keys:
        cells = []
        for _, table in cols:
            c = table[k]
            fna = f"{100 * c['false_none'] / c['committed']:.1f}%" if c["committed"] else "–"
            cells.append(f"{fna} / {100 * c['false_commit'] / c['n']:.1f}% / {100 * c['bias']:+.1f} pt")
        print(f"| {k} | {cols[0][1][k]['n']} | " + " | ".join(cells) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, nargs="+", default=DATA, help="labelled .jsonl files (default: the in-sample sets)")
    ap.add_argument("--misses", action="store_true", help="list the responses each extractor gets wrong")
    ap.add_argument("--rates", action="store_true", help="false no-answer / false commit / accuracy bias per "
                    "family and language, rules alone and rules + the stand-in answer pass")
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
    if args.rates:
        _rate_table(rows)
    if args.misses:
        for name, res in (("anestools", ours), ("paper", paper)):
            print(f"\n## {name} misses ({len(res['misses'])})")
            for m in res["misses"]:
                print(" ", *m)


if __name__ == "__main__":
    main()
