"""Prompts (zero-shot CoT, direct, few-shot) and metrics (Wilson intervals, majority vote)."""

from __future__ import annotations

import math

import pytest

from anestools.common.anesbench import Item, load_benchmark, sample_dev_file
from anestools.errors import ConfigError
from anestools.eval.metrics import ItemResult, majority_vote, summarize, wilson_interval
from anestools.eval.prompts import PromptBuilder

EN = Item("e1", "en", 1, "Which drug reverses rocuronium?", {"A": "Neostigmine", "B": "Sugammadex",
                                                              "C": "Atropine"}, "B")
ZH = Item("z1", "zh", 2, "逆转罗库溴铵的药物是？", {"A": "新斯的明", "B": "舒更葡糖钠"}, "B")


def test_cot_prompt_english():
    msgs = PromptBuilder("cot").messages(EN)
    assert [m["role"] for m in msgs] == ["system", "user"]
    assert "anesthesiology" in msgs[0]["content"]
    user = msgs[1]["content"]
    assert "A, B and C" in user and "step by step" in user and 'Answer: X' in user
    assert user.endswith("Which drug reverses rocuronium?\nA. Neostigmine\nB. Sugammadex\nC. Atropine")


def test_cot_prompt_chinese_is_chinese():
    msgs = PromptBuilder("cot").messages(ZH)
    assert "麻醉" in msgs[0]["content"]
    assert "A、B" in msgs[1]["content"] and "逐步思考" in msgs[1]["content"] and "答案：X" in msgs[1]["content"]
    assert "B. 舒更葡糖钠" in msgs[1]["content"]


def test_direct_prompt_asks_for_the_letter_only():
    user = PromptBuilder("direct").messages(EN)[1]["content"]
    assert "step by step" not in user and "nothing else" in user


def test_hash_changes_with_prompt_settings():
    dev = tuple(load_benchmark(str(sample_dev_file())).items)
    hashes = {PromptBuilder("cot").hash, PromptBuilder("direct").hash, PromptBuilder("cot", 1, dev).hash,
              PromptBuilder("cot", 2, dev).hash}
    assert len(hashes) == 4
    assert PromptBuilder("cot").hash == PromptBuilder("cot").hash
    assert PromptBuilder("cot").describe()["user"]["en"].startswith("Below is a multiple-choice question")


def test_few_shot_never_includes_the_item_itself():
    dev = tuple(load_benchmark(str(sample_dev_file())).items)
    first_en = next(d for d in dev if d.language == "en")
    msgs = PromptBuilder("cot", shots=2, dev=dev).messages(first_en)
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "user", "assistant", "user"]
    shown = "\n".join(m["content"] for m in msgs[1:-1])
    assert first_en.question not in shown
    assert msgs[2]["content"].endswith("Answer: " + next(d for d in dev if d.language == "en"
                                                          and d.id != first_en.id).answer)
    zh_msgs = PromptBuilder("cot", shots=1, dev=dev).messages(ZH)
    assert zh_msgs[2]["content"].startswith("与") is False and "答案：" in zh_msgs[2]["content"]


def test_too_many_shots_is_a_config_error():
    dev = tuple(load_benchmark(str(sample_dev_file())).items)
    with pytest.raises(ConfigError, match="--shots 5 needs at least 6"):
        PromptBuilder("cot", shots=5, dev=dev)
    with pytest.raises(ConfigError, match="unknown prompt style"):
        PromptBuilder("fancy")


def test_wilson_interval_known_values():
    lo, hi = wilson_interval(8, 10)  # textbook: 0.4902, 0.9433
    assert math.isclose(lo, 0.4902, abs_tol=1e-4) and math.isclose(hi, 0.9433, abs_tol=1e-4)
    assert wilson_interval(0, 10)[0] == 0.0 and math.isclose(wilson_interval(0, 10)[1], 0.2775, abs_tol=1e-4)
    assert wilson_interval(10, 10)[1] == 1.0
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_majority_vote_ignores_none_and_breaks_ties_by_order():
    assert majority_vote(["B", "A", "B", None]) == "B"
    assert majority_vote(["C", "A", "A", "C"]) == "C"
    assert majority_vote([None, None]) is None


def test_summarize_groups_and_samples():
    results = [
        ItemResult("en:1", "en", 1, "A", ("A", "A", "B"), (10, 20, 30)),
        ItemResult("en:2", "en", 3, "B", ("C", None, "C"), (5, None, 7)),
        ItemResult("zh:1", "zh", 1, "D", ("D", "D", "D"), (1, 1, 1)),
    ]
    s = summarize(results, samples=3)
    overall = s["overall"]
    assert math.isclose(overall["accuracy"]["accuracy"], (2 / 3 + 0 + 1) / 3)
    assert overall["majority"]["accuracy"] == pytest.approx(2 / 3)
    assert overall["no_answer_rate"] == pytest.approx(1 / 9)
    assert overall["response_tokens_median"] == 6  # of 1,1,1,5,7,10,20,30
    assert s["language=en,level=3"]["accuracy"]["accuracy"] == 0
    assert s["level=1"]["accuracy"]["n"] == 2 and s["language=zh"]["majority"]["accuracy"] == 1
    assert "majority" not in summarize(results[:1], samples=1)["overall"]


def test_model_globs_expand_in_step_order(tmp_path):
    from anestools.eval.runner import expand_models, model_slug, run_dirs

    for step in (1000, 200, 30):
        (tmp_path / "run" / f"checkpoint-{step}").mkdir(parents=True)
    models = expand_models([str(tmp_path / "run" / "checkpoint-*"), "Qwen/Qwen2.5-7B"])
    assert [m.rsplit("-", 1)[-1] for m in models[:3]] == ["30", "200", "1000"] and models[3] == "Qwen/Qwen2.5-7B"
    assert [d.name for d in run_dirs(models, tmp_path / "out")] == [
        "run-checkpoint-30", "run-checkpoint-200", "run-checkpoint-1000", "Qwen2.5-7B"]
    assert model_slug("outputs/run/") == "run"
    with pytest.raises(ConfigError, match="matches no directory"):
        expand_models([str(tmp_path / "nope-*")])
