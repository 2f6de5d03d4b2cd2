"""#27 item 8: the paired report has one decision rule; its verdict, p-value and interval never disagree."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import pytest
from aiohttp import web
from reliability_helpers import chat_server

from anestools.eval.paired import ALPHA, discordant_interval, mcnemar_exact, p_text, paired_score


def _table(both: int, only_a: int, only_b: int, neither: int):
    return paired_score([(True, True)] * both + [(True, False)] * only_a + [(False, True)] * only_b
                        + [(False, False)] * neither)


def _consistent(s) -> None:
    significant = s.p_value < 0.05
    assert (s.verdict != "within noise") == significant, s
    assert (not s.ci_low <= 0 <= s.ci_high) == significant, s  # the interval excludes 0 iff p < 0.05
    assert s.ci_low <= s.delta <= s.ci_high, s
    if s.verdict == "B better":
        assert s.delta > 0 and s.ci_low > 0
    if s.verdict == "A better":
        assert s.delta < 0 and s.ci_high < 0


def test_verdict_interval_and_p_agree_on_every_small_table():
    assert _table(0, 0, 0, 0).verdict == "no shared questions"
    margins = itertools.cycle(((0, 0), (7, 3), (200, 50)))
    for only_a, only_b in itertools.product(range(31), repeat=2):
        both, neither = next(margins)
        if only_a + only_b + both + neither:
            _consistent(_table(both, only_a, only_b, neither))


def test_verdict_interval_and_p_agree_on_random_large_tables():
    rng = random.Random(27)
    for _ in range(150):
        d = rng.choice([50, 120, 500, 1500])
        only_b = rng.randint(0, d)
        _consistent(_table(rng.randint(0, 3000), d - only_b, only_b, rng.randint(0, 1000)))


def test_tables_right_at_the_threshold_agree():
    # The discordant splits whose exact p straddles 0.05 for each discordant count up to 120.
    for d in range(1, 121):
        ps = [(x, Fraction(mcnemar_exact(d - x, x))) for x in range(d + 1)]
        edge = [x for x, p in ps if p < ALPHA]
        for x in {min(edge, default=0), max(edge, default=0), d // 2}:
            for cand in (x - 1, x, x + 1):
                if 0 <= cand <= d:
                    _consistent(_table(10, d - cand, cand, 10))


def test_the_issue_table_p_0625_is_within_noise_not_b_better():
    s = _table(40, 0, 5, 0)  # the row of the report: McNemar p = 0.0625
    assert s.p_value == pytest.approx(0.0625) and s.verdict == "within noise" and s.ci_low < 0 < s.ci_high
    s = _table(40, 0, 6, 0)  # p = 0.03125
    assert s.verdict == "B better" and s.ci_low > 0


def test_interval_is_the_exact_clopper_pearson_one():
    stats = pytest.importorskip("scipy.stats")
    for only_a, only_b in ((0, 5), (3, 11), (40, 61), (300, 250), (0, 0), (7, 0)):
        lo, hi = discordant_interval(only_a, only_b)
        d, x = only_a + only_b, only_b
        want_lo = 0.0 if x == 0 else stats.beta.ppf(0.025, x, d - x + 1)
        want_hi = 1.0 if x == d else stats.beta.ppf(0.975, x + 1, d - x)
        assert (lo, hi) == pytest.approx((want_lo, want_hi), abs=1e-9)


def test_printed_p_never_rounds_across_the_threshold():
    assert p_text(0.04996) != "0.05" and float(p_text(0.04996)) < 0.05
    assert p_text(0.0625) == "0.0625" and p_text(1.0) == "1"


def _answering(wrong: set[str]):
    """Answers the gold letter of the embedded sample, except a wrong letter for questions in ``wrong``."""
    from anestools.common.anesbench import load_benchmark

    gold = {it.question: (it.answer, it.id) for it in load_benchmark(None).items}

    async def answer(request: web.Request, n: int) -> web.StreamResponse:
        prompt = (await request.json())["messages"][-1]["content"]
        letter, qid = next(v for q, v in gold.items() if q in prompt)
        if qid in wrong:
            letter = "B" if letter != "B" else "C"
        body = {"choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": f"Answer: {letter}"}}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 3}}
        return web.json_response(body)

    return answer


def test_report_states_the_rule_and_never_says_better_at_p_0625(tmp_path):
    from anestools.cli import main
    from anestools.common.anesbench import load_benchmark

    ids = [it.id for it in load_benchmark(None).items if it.language == "en"][:12]
    runs = []
    for name, wrong in (("a", set(ids[:5])), ("b", set())):
        out = tmp_path / name
        with chat_server(_answering(wrong)) as url:
            rc = main(["-q", "eval", "--model", f"m-{name}", "--engine", "openai", "--base-url", url,
                       "--limit", "12", "--lang", "en", "-o", str(out)])
        assert rc == 0
        runs.append(str(out))
    md, page = tmp_path / "cmp.md", tmp_path / "cmp.html"
    assert main(["-q", "eval", "report", *runs, "--output", str(md), "--html", str(page)]) == 0
    text = md.read_text()
    overall = next(ln for ln in text.splitlines() if ln.startswith("| overall |"))
    cells = [c.strip() for c in overall.strip("|").split("|")]
    assert cells[5:9] == ["0", "5", "0.0625", "within noise"], overall
    assert "McNemar's exact two-sided test at α = 0.05 decides" in text
    assert "McNemar&#x27;s exact two-sided test at α = 0.05 decides" in page.read_text() or \
        "McNemar's exact two-sided test at α = 0.05 decides" in page.read_text()
