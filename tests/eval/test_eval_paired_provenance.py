"""Units: McNemar exact and Newcombe's paired interval against known values, paired grouping,
provenance hashes, preflight, judge parsing and audit sampling."""

from __future__ import annotations

import math

import pytest

from anestools.common.anesbench import Item
from anestools.eval.judge import agreement, audit_sample, judge_messages, parse_verdict
from anestools.eval.paired import compare_pairs, mcnemar_exact, newcombe_paired, paired_score
from anestools.eval.provenance import items_digest, model_config_digest
from anestools.runtime.preflight import EndpointUnreachable, api_root, preflight

OPTS = {"A": "Neostigmine", "B": "Sugammadex", "C": "Atropine", "D": "Naloxone"}


@pytest.mark.parametrize(("b", "c", "p"), [
    (10, 2, 0.03857421875),  # 2 * (1 + 12 + 66) / 2**12, the textbook example
    (6, 1, 0.125),  # 2 * (1 + 7) / 2**7
    (0, 0, 1.0),
    (5, 5, 1.0),
    (0, 5, 0.0625),  # 2 / 2**5
    (1, 0, 1.0),
])
def test_mcnemar_exact_known_values(b, c, p):
    assert mcnemar_exact(b, c) == pytest.approx(p, rel=1e-12)
    assert mcnemar_exact(c, b) == pytest.approx(p, rel=1e-12)


def test_mcnemar_exact_matches_binomial_sum_and_scipy_when_present():
    # 70 vs 30 discordant: 2 * P(X <= 30), X ~ Bin(100, 1/2)
    expected = 2 * sum(math.comb(100, i) for i in range(31)) / 2 ** 100
    assert mcnemar_exact(70, 30) == pytest.approx(expected, rel=1e-12)
    stats = pytest.importorskip("scipy.stats")
    for b, c in ((3, 11), (40, 61), (1200, 1290)):
        assert mcnemar_exact(b, c) == pytest.approx(stats.binomtest(min(b, c), b + c, 0.5).pvalue, rel=1e-9)


def test_newcombe_paired_known_values():
    # Newcombe (1998), paired example a=36, b=12, c=2, d=0: interval 0.0569 to 0.3404 for p1 - p2.
    lo, hi = newcombe_paired(36, 12, 2, 0)
    assert (lo, hi) == pytest.approx((-0.3404, -0.0569), abs=1e-4)  # ours is B - A
    # Fagerland et al., paired 2x2 (Cavo 2012: 59, 6, 16, 80): -0.119 to -0.005 for p1 - p2.
    lo, hi = newcombe_paired(59, 6, 16, 80)
    assert (lo, hi) == pytest.approx((0.0046, 0.1186), abs=1e-4)


def test_newcombe_interval_is_asymmetric_and_contains_the_estimate():
    lo, hi = newcombe_paired(80, 2, 15, 3)
    delta = (15 - 2) / 100
    assert lo < delta < hi and not math.isclose(delta - lo, hi - delta, rel_tol=1e-3)
    assert newcombe_paired(0, 0, 0, 0) == (-1.0, 1.0)


def test_paired_score_labels_noise():
    noisy = paired_score([(True, True)] * 50 + [(True, False)] * 3 + [(False, True)] * 4 + [(False, False)] * 43)
    assert noisy.verdict == "within noise" and noisy.ci_low < 0 < noisy.ci_high and noisy.p_value == 1.0
    real = paired_score([(True, True)] * 50 + [(False, True)] * 20 + [(False, False)] * 30)
    assert real.verdict == "B better" and real.ci_low > 0 and real.p_value < 1e-5
    assert (real.acc_a, real.acc_b, real.delta) == (0.5, 0.7, pytest.approx(0.2))


def test_compare_pairs_groups_and_skips_unshared_or_regolded():
    def q(lang, level, gold, right):
        return {"id": "x", "language": lang, "level": level, "gold": gold, "answer": gold if right else None,
                "right": right, "extracted_by": "rule", "response": "r"}

    a = {"en:1": q("en", 1, "A", True), "en:2": q("en", 2, "B", False), "zh:1": q("zh", 1, "C", True),
         "en:9": q("en", 1, "A", True)}
    b = {"en:1": q("en", 1, "A", False), "en:2": q("en", 2, "B", True), "zh:1": q("zh", 1, "D", True)}
    scores, rows = compare_pairs(a, b)
    assert scores["overall"].n == 2  # en:9 not in B; zh:1 has another gold letter
    assert set(scores) == {"overall", "language=en", "level=1", "level=2", "language=en,level=1",
                           "language=en,level=2"}
    assert [r["change"] for r in rows] == ["worse in B", "better in B"]


def _item(key: str, question: str = "q?", answer: str = "A") -> Item:
    lang, ident = key.split(":")
    return Item(ident, lang, 1, question, dict(OPTS), answer)


def test_items_digest_is_order_free_and_content_sensitive():
    a = [_item("en:1"), _item("en:2")]
    assert items_digest(a) == items_digest(list(reversed(a)))
    assert items_digest(a)["items"] == 2
    assert items_digest([_item("en:1"), _item("en:2", answer="B")])["sha256"] != items_digest(a)["sha256"]


def test_model_config_digest(tmp_path):
    assert model_config_digest("Qwen/Qwen2.5-7B") is None
    (tmp_path / "config.json").write_text('{"hidden_size": 8}')
    first = model_config_digest(str(tmp_path))
    (tmp_path / "config.json").write_text('{"hidden_size": 16}')
    assert first and model_config_digest(str(tmp_path)) != first


def test_preflight_unreachable_is_one_line():
    from anestools.runtime.engines import free_port

    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(EndpointUnreachable) as err:
        preflight(url, timeout=2)
    msg = str(err.value)
    assert "\n" not in msg and "127.0.0.1" in msg and "unreachable" in msg
    assert err.value.exit_code == 4


def test_preflight_reads_models_and_version(fake_server):
    url = fake_server()
    info = preflight(url)
    assert info.checked == "/health" and info.engine_version == "fake-1.0"
    assert api_root(url + "/") == url.removesuffix("/v1")


@pytest.mark.parametrize(("reply", "expected"), [
    ("C", "C"), ("c.", "C"), ("**B**", "B"), ("NONE", None), ("none of them", None), ("E", None),
    ("The response chooses B", None), ("", None),
])
def test_parse_verdict(reply, expected):
    assert parse_verdict(reply, OPTS) == expected


def test_judge_prompt_keeps_the_tail_of_long_responses():
    msgs = judge_messages(_item("en:1"), "x" * 10000 + " Answer: B")
    assert "Answer: B" in msgs[1]["content"] and "one letter among A, B, C, D, or NONE" in msgs[1]["content"]


def test_audit_sample_is_stable_and_takes_rule_answers_only():
    recs = [{"key": f"en:{i}", "sample": 0, "extracted_by": "rule" if i % 3 else "judge", "error": None}
            for i in range(30)]
    first = audit_sample(recs, 5)
    assert len(first) == 5 and all(r["extracted_by"] == "rule" for r in first)
    assert audit_sample(list(reversed(recs)), 5) == first
    assert agreement([{"rule": "A", "judge": "A", "judge_error": None}, {"rule": "A", "judge": "B", "judge_error": None},
                      {"rule": "A", "judge": None, "judge_error": "timeout"}]) == \
        {"n": 2, "agree": 1, "rate": 0.5, "judge_errors": 1}


def test_package_version_of_the_engine_environment():
    import sys

    from anestools.eval.provenance import package_version

    assert package_version(sys.executable, "aiohttp")
    assert package_version(sys.executable, "no-such-package-xyz") is None
