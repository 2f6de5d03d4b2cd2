"""Units of the qa stage: reply parsing, checks, chunking and sampling, preflight."""

from __future__ import annotations

import json

import pytest

from anestools.qa.checks import LanguageDetector, LengthBounds, NearDupIndex, latin_share
from anestools.qa.parse import ParseError, extract_json, parse_pairs, parse_translation, parse_verdicts
from anestools.qa.passages import Passage, chunk_text, estimate_tokens, select_passages
from anestools.qa.prompts import generation_prompt_hash, generation_prompts
from anestools.runtime.engines import free_port
from anestools.runtime.preflight import EndpointUnreachable, preflight


def test_extract_json_skips_think_fences_and_prose():
    text = '<think>{"pairs": "not this"}</think>Sure:\n```json\n{"pairs": [{"question": "Q?", "answer": "A"}]}\n```'
    assert extract_json(text) == {"pairs": [{"question": "Q?", "answer": "A"}]}
    assert extract_json('noise {bad json} then {"a": 1}') == {"a": 1}
    with pytest.raises(ParseError, match="no JSON object"):
        extract_json("I cannot do that.")


def test_parse_open_pairs_keeps_good_and_names_bad():
    reply = json.dumps({"pairs": [{"question": "Which drug reverses rocuronium?", "answer": "Sugammadex."},
                                  {"question": "Missing answer?"}, "not an object"]})
    good, bad = parse_pairs(reply, "open")
    assert [g.question for g in good] == ["Which drug reverses rocuronium?"]
    assert [b["reason"] for b in bad] == ["pair 2: missing 'answer'", "pair 3 is not an object"]
    with pytest.raises(ParseError, match="'pairs'"):
        parse_pairs('{"items": []}', "open")


def test_parse_mcq_validates_options_letter_and_level():
    ok = {"question": "Q?", "options": ["A. one", "two", "three", "four"], "answer": "b", "explanation": "E",
          "level": "System 1.x"}
    good, bad = parse_pairs(json.dumps({"pairs": [ok]}), "mcq")
    assert not bad and good[0].options == ["one", "two", "three", "four"]
    assert good[0].target == "B" and good[0].level == 2
    cases = [({"options": ["a", "b", "c"]}, "has 3 entries"), ({"answer": "E"}, "not one of the option letters"),
             ({"level": "hard"}, "not System 1"), ({"options": ["a", "a", "b", "c"]}, "identical")]
    for change, reason in cases:
        good, bad = parse_pairs(json.dumps({"pairs": [{**ok, **change}]}), "mcq")
        assert not good and reason in bad[0]["reason"]


def test_parse_verdicts_and_translation():
    assert parse_verdicts('{"verdicts": [{"id": 2, "supported": "no"}, {"id": 1, "supported": true}]}', 2) == {
        1: (True, ""), 2: (False, "")}
    with pytest.raises(ParseError, match=r"pair\(s\) \[2\]"):
        parse_verdicts('{"verdicts": [{"id": 1, "supported": true}]}', 2)
    keys = {"question": "Q", "options": ["a", "b", "c", "d"], "answer": "B"}
    assert parse_translation('{"question": "问", "options": ["甲", "乙", "丙", "丁"], "answer": "B"}', keys)[
        "options"] == ["甲", "乙", "丙", "丁"]
    with pytest.raises(ParseError, match="list of 4"):
        parse_translation('{"question": "问", "options": ["甲"], "answer": "B"}', keys)


def test_length_bounds_count_chinese_characters_triple():
    b = LengthBounds(min_question=15, max_question=100, min_answer=2, max_answer=50)
    assert b.problem("What reverses rocuronium?", "Sugammadex") is None
    assert b.problem("Why?", "Because.")[0] == "too_short"
    assert b.problem("哪种药物拮抗罗库溴铵？", "舒更葡糖钠") is None  # 11 characters count as 33
    assert b.problem("What reverses rocuronium?", "x" * 51)[0] == "too_long"


def test_near_duplicates_exact_near_and_distinct():
    idx = NearDupIndex(0.8)
    q = "Which drug reverses deep neuromuscular blockade induced by rocuronium within three minutes"
    assert idx.check_add("p1", q) is None
    assert idx.check_add("p2", q.upper() + "?!")[0] == "duplicate_exact"
    near = idx.check_add("p3", q + " in adults")
    assert near is not None and near[0] == "duplicate_near" and "p1" in near[1]
    assert idx.check_add("p4", "Which drug treats malignant hyperthermia triggered by volatile anesthetics") is None
    assert idx.check_add("z1", "椎管内麻醉后低血压的首选血管活性药物是什么") is None
    assert idx.check_add("z2", "椎管内麻醉后低血压的首选血管活性药物是什么呢")[0] == "duplicate_near"


def test_language_check_script_then_seeded_langdetect_in_a_worker():
    import asyncio

    from langdetect import DetectorFactory, detect

    det = LanguageDetector(workers=1)
    texts = ["Which drug reverses rocuronium? Sugammadex encapsulates it.",
             "Welches Medikament hebt die Wirkung von Rocuronium auf? Sugammadex.",
             "Quel médicament antagonise le rocuronium ? Le sugammadex."]

    async def run():
        labels = await asyncio.gather(*(det.detect(t) for t in texts))  # in the worker process
        problems = await asyncio.gather(
            det.problem(["Which drug reverses rocuronium?", "Sugammadex encapsulates it."], "en"),
            det.problem([texts[1]], "en"),
            det.problem(["丙泊酚输注综合征表现为什么？", "代谢性酸中毒。"], "zh"),
            det.problem(["Propofol infusion syndrome?", "代谢性酸中毒和横纹肌溶解。"], "zh"),
            det.problem(["What is propofol infusion syndrome?", "代谢性酸中毒和横纹肌溶解。"], "en"))
        return labels, problems

    with det:
        labels, problems = asyncio.run(run())
    DetectorFactory.seed = 0
    assert labels == [detect(t) for t in texts] == ["en", "de", "fr"]  # the same labels as langdetect, seeded
    assert problems[0] is None and problems[2] is None
    assert problems[1] == "expected en, detected de"
    assert "Chinese characters" in problems[3] and "Chinese characters" in problems[4]
    assert latin_share("丙泊酚 propofol") == pytest.approx(8 / 11)


def test_chunks_respect_budget_and_sentences():
    text = " ".join(f"Sentence number {i} is about propofol dosing." for i in range(40))
    chunks = chunk_text(text, 50)
    assert len(chunks) > 1 and all(estimate_tokens(c) <= 50 for c in chunks)
    assert all(c.endswith(".") for c in chunks)
    assert " ".join(chunks) == text
    zh = "丙泊酚是常用的静脉麻醉药。" * 10
    assert all(estimate_tokens(c) <= 30 for c in chunk_text(zh, 30))


def test_seeded_reservoir_is_reproducible_and_ordered():
    chunks = [Passage(f"d{i}#0", f"d{i}", "en", f"text {i}") for i in range(100)]
    a = [p.key for p in select_passages(iter(chunks), 10, seed=1)]
    b = [p.key for p in select_passages(iter(chunks), 10, seed=1)]
    c = [p.key for p in select_passages(iter(chunks), 10, seed=2)]
    assert a == b and a != c and len(a) == 10
    assert a == sorted(a, key=lambda k: int(k[1:-2]))  # corpus order kept
    assert [p.order for p in select_passages(iter(chunks), 10, seed=1)] == list(range(10))
    assert len(list(select_passages(iter(chunks), None, seed=0))) == 100


def test_prompt_hashes_differ_by_style_language_and_are_saved():
    assert generation_prompt_hash("open", "en") != generation_prompt_hash("open", "zh")
    assert generation_prompt_hash("open", "en") != generation_prompt_hash("mcq", "en")
    ps = generation_prompts("mcq", ["en", "zh"], grounding=True)
    assert set(ps.describe()["templates"]) >= {"generate.mcq.en.user", "generate.mcq.zh.user", "judge.user"}


def test_preflight_names_the_endpoint(teacher_url):
    assert preflight(teacher_url).checked == "/health"
    port = free_port()
    with pytest.raises(EndpointUnreachable, match=f"127.0.0.1:{port} is unreachable"):
        preflight(f"http://127.0.0.1:{port}/v1", timeout=2)
