"""Test-time scaling: `eval --max-tokens` runs at several budgets, then `eval report` tabulates and
charts accuracy vs budget. The loopback server's ``--think`` mode is a reasoning model behind a
reasoning parser: each question needs a known number of chain tokens, and a smaller budget cuts the
chain (``finish_reason: length``, no content). The expected table is computed here from that rule
and the prompts, independently of the aggregation under test."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.image
import pytest

from anestools.common.anesbench import load_benchmark
from anestools.eval.budget import budget_figure
from anestools.eval.compare import load_runs
from anestools.eval.metrics import group_label, wilson_interval
from anestools.eval.prompts import PromptBuilder
from anestools.testing.fake_server import choose_letter, completion_tokens

BUDGETS = (16, 32, 64)
GROUPS = ["overall", "language=en", "language=zh", "level=1", "level=2", "level=3"]


def _eval(cli, url: str, out: Path, budget: int, *extra: str) -> dict:
    code, _, stderr = cli("eval", "--model", "outputs/qwen-r1", "--base-url", url, "--max-tokens", str(budget),
                          "-o", str(out), *extra)
    assert code == 0, stderr
    return json.loads((out / "summary.json").read_text())


def _expected(budget: int) -> dict:
    """What the --think server must score at ``budget`` on the embedded sample (both languages)."""
    items = load_benchmark(None, ("en", "zh")).items
    builder = PromptBuilder(style="cot", languages=("en", "zh"))
    right: dict[str, list[bool]] = {g: [] for g in GROUPS}
    cut = tokens = 0
    for it in items:
        user = builder.messages(it)[-1]["content"]
        need = completion_tokens(user)
        truncated = budget < need
        cut += truncated
        tokens += budget if truncated else need
        ok = not truncated and choose_letter(user) == it.answer
        for g in ("overall", f"language={it.language}", f"level={it.level}"):
            right[g].append(ok)
    cells = {}
    for g, values in right.items():
        lo, hi = wilson_interval(sum(values), len(values))
        cells[g] = f"{100 * sum(values) / len(values):.1f} [{100 * lo:.1f}, {100 * hi:.1f}]"
    n = len(items)
    return {"n": n, "cut": cut, "cells": cells, "truncated": f"{100 * cut / n:.1f} ({cut}/{n})",
            "mean": f"{tokens / n:.1f}", "accuracy": sum(right["overall"]) / n}


def _budget_rows(text: str) -> list[list[str]]:
    after = text.split("## Accuracy vs thinking budget (max_new_tokens)", 1)[1].splitlines()
    start = next(i for i, x in enumerate(after) if x.startswith("| "))
    end = next((i for i in range(start, len(after)) if not after[i].startswith("|")), len(after))
    lines = [x for x in after[start:end] if x.startswith("| ")]
    head = [c.strip() for c in lines[0].strip("|").split("|")]
    assert head == ["max tokens", "run", "n", *map(group_label, GROUPS), "truncated %", "mean tokens"]
    return [[c.strip() for c in x.strip("|").split("|")] for x in lines[1:]]


def test_budget_sweep_table_and_chart(cli, fake_server, tmp_path):
    url = fake_server(think=True)
    dirs = {b: tmp_path / "budget" / str(b) for b in BUDGETS}
    for b, d in dirs.items():
        summary = _eval(cli, url, d, b)
        want = _expected(b)
        assert summary["config"]["max_new_tokens"] == b
        assert summary["truncated_responses"] == summary["scores"]["overall"]["truncated"] == want["cut"]
        assert sum(summary["scores"][f"language={lang}"]["truncated"] for lang in ("en", "zh")) == want["cut"]
        preds = [json.loads(x) for x in (d / "predictions.jsonl").read_text().splitlines()]
        for p in preds:  # the chain (reasoning_content) opens with a decoy "Answer: X?": never read as the answer
            assert p["response"].startswith("<think>Answer: ")
            if p["finish_reason"] == "length":
                assert p["extracted"] is None and p["completion_tokens"] == b
            else:
                assert p["response"].split("</think>")[1] == f"Answer: {p['extracted']}"
    assert [_expected(b)["cut"] for b in BUDGETS] == sorted((_expected(b)["cut"] for b in BUDGETS), reverse=True)
    assert _expected(BUDGETS[0])["cut"] > 0 and _expected(BUDGETS[-1])["cut"] == 0  # the budget matters
    shuffled = [str(dirs[b]) for b in (64, 16, 32)]  # rows come out in budget order whatever the order given
    out = tmp_path / "report.md"
    code, stdout, stderr = cli("eval", "report", *shuffled, "--output", str(out), "--html", str(tmp_path / "r.html"))
    assert code == 0, stderr
    assert "note:" not in stderr
    text = out.read_text()
    rows = _budget_rows(text)
    assert [r[0] for r in rows] == [str(b) for b in BUDGETS]
    for b, row in zip(BUDGETS, rows):
        want = _expected(b)
        assert row == [str(b), str(b), str(want["n"]), *[want["cells"][g] for g in GROUPS], want["truncated"],
                       want["mean"]], b
    assert "![accuracy vs thinking budget](report.png)" in text
    png = tmp_path / "report.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert matplotlib.image.imread(png).shape[0] > 100  # decodes as an image
    page = (tmp_path / "r.html").read_text()
    assert "Accuracy vs thinking budget" in page and page.count("data:image/png;base64,") >= 4  # sweep + 3 runs
    # the chart's overall line: the budgets on x, the expected accuracies on y
    ax = budget_figure(load_runs(shuffled)).axes[0]
    overall = next(line for line in ax.get_lines() if line.get_label() == "overall")
    assert list(overall.get_xdata()) == list(BUDGETS)
    assert list(overall.get_ydata()) == pytest.approx([100 * _expected(b)["accuracy"] for b in BUDGETS])


def test_runs_that_differ_in_another_setting_are_named_not_tabulated(cli, fake_server, tmp_path):
    url = fake_server(think=True)
    a = tmp_path / "a"
    b = tmp_path / "b"
    c = tmp_path / "c"
    _eval(cli, url, a, 16, "--limit", "3")
    _eval(cli, url, b, 64, "--limit", "3")
    _eval(cli, url, c, 64, "--limit", "3", "--temperature", "0.5")
    code, stdout, stderr = cli("eval", "report", str(a), str(c))
    assert code == 0, stderr
    line = ("not a thinking-budget sweep: besides max_new_tokens the runs differ in temperature (a=0.0, c=0.5)")
    assert f"note: {line}" in stderr and f"**Note:** {line}." in stdout
    assert "Accuracy vs thinking budget" not in stdout
    code, _, stderr = cli("eval", "report", str(a), str(c), "--by", "max-tokens")
    assert code == 2 and f"--by max-tokens: {line}" in stderr
    # same budget everywhere: a plain comparison, no note; two budgets and nothing else: the table
    code, stdout, stderr = cli("eval", "report", str(b), str(c))
    assert code == 0 and "note:" not in stderr and "thinking" not in stdout
    code, stdout, _ = cli("eval", "report", str(a), str(b), "--by", "max-tokens")
    assert code == 0 and [r[0] for r in _budget_rows(stdout)] == ["16", "64"]


def test_runs_made_before_the_budget_was_recorded_get_a_clear_message(cli, fake_server, tmp_path):
    url = fake_server(think=True)
    a, b = tmp_path / "a", tmp_path / "b"
    _eval(cli, url, a, 16, "--limit", "2")
    _eval(cli, url, b, 64, "--limit", "2")
    summary = json.loads((b / "summary.json").read_text())
    old = dict(summary, config={k: v for k, v in summary["config"].items() if k != "max_new_tokens"},
               provenance={**summary["provenance"], "sampling": {}})
    (b / "summary.json").write_text(json.dumps(old))
    code, _, stderr = cli("eval", "report", str(a), str(b), "--by", "max-tokens")
    assert code == 2 and "b: summary.json records no max_new_tokens (made by an older anestools)" in stderr
    assert "re-run the same `anestools eval` command on it" in stderr
    del old["truncated_responses"]
    old["config"]["max_new_tokens"] = 64
    (b / "summary.json").write_text(json.dumps(old))
    code, stdout, _ = cli("eval", "report", str(a), str(b))
    assert code == 0 and _budget_rows(stdout)[1][-2] == "–"
    assert "b: summary.json records no truncation count" in stdout
    # what the message says to do works: the same command rewrites the summary, asking nothing again
    fresh = _eval(cli, url, b, 64, "--limit", "2")
    assert fresh["truncated_responses"] == 0 and fresh["config"]["max_new_tokens"] == 64
    assert len((b / "predictions.jsonl").read_text().splitlines()) == 4
