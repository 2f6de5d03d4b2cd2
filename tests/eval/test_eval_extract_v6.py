"""Extractor v6 mechanisms (issue 25): each with its commitments and the non-answers beside them.

Phrasings are our own. The probes marked ``first try`` were written after the first v6 draft and
scored once before any fix (see docs/eval.md); they are in-sample now.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anestools.common.extract import EXTRACTOR_VERSION, UNDECIDED, extract, extract_answer

REV = {"A": "Neostigmine", "B": "Sugammadex", "C": "Atropine", "D": "Naloxone"}
IND = {"A": "Propofol", "B": "Ketamine", "C": "Etomidate", "D": "Thiopental", "E": "Midazolam"}
ZIND = {"A": "丙泊酚", "B": "氯胺酮", "C": "依托咪酯", "D": "硫喷妥钠", "E": "咪达唑仑"}
PPH = {"A": "Uterine massage and oxytocin", "B": "Immediate hysterectomy", "C": "Tranexamic acid alone",
       "D": "Observation"}
ZPPH = {"A": "子宫按摩并给予缩宫素", "B": "立即行子宫切除术", "C": "单用氨甲环酸", "D": "继续观察"}
MH = {"A": "Increase the fresh gas flow", "B": "Administer dantrolene 2.5 mg/kg",
      "C": "Switch to a different volatile agent", "D": "Cool the patient with ice packs only"}


def test_version_is_bumped():
    assert EXTRACTOR_VERSION == "6"


@pytest.mark.parametrize(("response", "options", "expected"), [
    # a statement must be asserted: hypotheticals, others' views and negated beliefs are not
    ("If the block were shallow the answer would be A.", REV, None),
    ("The answer is A if the block were shallow.", REV, None),
    ("Many people would say the answer is A.", REV, None),
    ("很多人会误选A。", ZIND, None),
    ("如果选B就错了。", ZIND, None),
    ("I don't think it's B.", IND, None),
    ("I'm not confident it's B.", IND, None),
    ("I would not choose B.", IND, None),
    ("Students often pick A. The correct answer is B.", IND, "B"),
    ("有人会选A，但深度阻滞时新斯的明无效，答案是B。", {"A": "新斯的明", "B": "舒更葡糖钠", "C": "阿托品", "D": "纳洛酮"},
     "B"),
    ("If you gave propofol the pressure would fall, so the answer is B.", IND, "B"),
    ("The answer is B, because if we gave propofol the pressure would fall.", IND, "B"),
    ("The best option would be B if the patient were hypotensive, but here A.", IND, "A"),
    ("如果出血无法控制，才考虑子宫切除，答案是A。", ZPPH, "A"),
    ("If I were you I would pick B.", IND, "B"),
    ("如果是我，我会选B。", ZIND, "B"),
    ("If I had to pick one, B.", IND, "B"),
    ("Lidocaine is tempting, but I'd go with B.", IND, "B"),
])
def test_only_asserted_statements_commit(response, options, expected):
    assert extract_answer(response, options) == expected


def test_a_statement_that_is_not_asserted_leaves_the_response_undecided():
    got = extract("If the block were shallow the answer would be A.", REV)
    assert (got.letter, got.status, got.reason) == (None, UNDECIDED, "hypothetical")


@pytest.mark.parametrize(("response", "options", "expected"), [
    # hedges that still commit ...
    ("Not 100% sure, but I think B.", IND, "B"),
    ("I'm fairly sure it's B.", IND, "B"),
    ("I'm confident it's B.", IND, "B"),
    ("B, most likely.", IND, "B"),
    ("B seems most likely to me.", IND, "B"),
    ("Probably B, but C is close.", IND, "B"),
    ("Many textbooks list B as the answer, and I agree: B.", IND, "B"),
    ("Probably ketamine, though I'm not fully certain.", IND, "B"),
    ("应该是B吧，不太确定。", ZIND, "B"),
    ("我猜是B，但不确定。", ZIND, "B"),
    # ... and the ones that do not
    ("Either B or C could be defended.", IND, None),
    ("I think the answer is B or C.", IND, None),
    ("I think C is the worst choice here.", IND, None),
    ("Probably not B.", IND, None),
    ("Possibly B, possibly C.", IND, None),
    ("Answer: probably B, possibly C.", IND, None),
    ("Go with B unless the patient has raised ICP, in which case C.", IND, None),
    ("我不确定，也许是B，也许是C。", ZIND, None),
    ("B looks wrong to me.", IND, None),
])
def test_hedge_lexicon_separates_commitments(response, options, expected):
    assert extract_answer(response, options) == expected


@pytest.mark.parametrize(("response", "expected"), [
    ("Short version: go with B.", "B"),
    ("I'd recommend option B.", "B"),
    ("You should select B.", "B"),
    ("You should avoid A and pick B.", "B"),
    ("You'll want B here.", "B"),
    ("B is your answer here.", "B"),
    ("That points to B.", "B"),
    ("So we're looking at B, sugammadex.", "B"),
    ("The answer is obviously B.", "B"),
    ("I'd go with number 2.", "B"),
    ("You want B to be right, but it isn't.", None),
    ("I'd recommend against B.", None),
    ("Start with B, then consider C if needed.", None),
    ("B is the classic distractor here.", None),
])
def test_english_chat_phrasings(response, expected):
    assert extract_answer(response, REV) == expected


@pytest.mark.parametrize(("response", "options", "expected"), [
    # an option restated by its distinctive words, after a commit phrase, with a margin
    ("The key step is to administer dantrolene at 2.5 mg/kg.", MH, "B"),
    ("Raising the fresh gas flow helps wash out the agent, but the definitive treatment is dantrolene 2.5 mg/kg.",
     MH, "B"),
    ("The first-line approach is uterine massage plus oxytocin.", PPH, "A"),
    ("Start with massage of the uterus and give oxytocin; hysterectomy is a last resort.", PPH, "A"),
    ("首先应子宫按摩并使用缩宫素。", ZPPH, "A"),
    ("Neostigmine would not work at a post-tetanic count of 2, so the reversal should be done with sugammadex.",
     REV, "B"),
    ("Propofol drops the pressure, thiopental too, midazolam is slow — which leaves ketamine.", IND, "B"),
    ("Propofol and thiopental both drop the pressure. Midazolam is slow. Ketamine it is.", IND, "B"),
    ("深度肌松下新斯的明无效，此时只能用舒更葡糖钠来拮抗。", {"A": "新斯的明", "B": "舒更葡糖钠", "C": "阿托品", "D": "纳洛酮"},
     "B"),
    ("排除A、C、D、E，剩下氯胺酮。", ZIND, "B"),
    # no margin, negated, asked, or nothing restated: no answer
    ("The first-line approach is uterine massage or tranexamic acid alone.", PPH, None),  # no margin
    ("Avoid immediate hysterectomy; the first-line approach is not tranexamic acid alone either.", PPH, None),
    ("The key step is to call for help.", MH, None),
    ("The next step would not be dantrolene; first confirm the diagnosis.", MH, None),
    ("The best treatment is a different volatile agent? No — dantrolene.", MH, None),
    ("Both increasing the fresh gas flow and dantrolene are part of the response.", MH, None),
])
def test_option_text_by_distinctive_words(response, options, expected):
    assert extract_answer(response, options) == expected


@pytest.mark.parametrize(("response", "expected"), [
    # text after the letter that discusses another option is not a quote contradicting it
    ("The answer is B. Atropine (C) would only treat the bradycardia.", "B"),
    ("(B) — neostigmine (A) has a ceiling effect.", "B"),
    ("The answer is B. Sugammadex (B) binds rocuronium.", "B"),
    # a letter with another option's text as its apposition still contradicts it
    ("The answer is A. Sugammadex", None),
    ("Answer: C (sugammadex)", None),
    ("I'd choose D, neostigmine.", None),
])
def test_contradiction_needs_a_quote_not_a_new_sentence(response, expected):
    assert extract_answer(response, REV) == expected


def test_zh_leading_letter_then_other_options_named_with_their_letters():
    zh = {"A": "新斯的明", "B": "舒更葡糖钠", "C": "阿托品", "D": "纳洛酮"}
    assert extract_answer("B。新斯的明（A）在深度阻滞时无效，阿托品（C）和纳洛酮（D）都不是肌松拮抗药。", zh) == "B"


def test_dev3_set_in_sample_commits_almost_no_false_letter():
    """extraction_dev3.jsonl (build_extraction_dev3.py) was written for v6: in-sample."""
    rows = [json.loads(line) for line in (Path(__file__).parent / "data" / "extraction_dev3.jsonl")
            .read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 120
    assert {r["language"] for r in rows} == {"en", "zh", "mixed"}
    assert sum(r["label"] is None for r in rows) >= 30
    got = [extract_answer(r["response"], r["options"]) for r in rows]
    false_commits = sum(g is not None and g != r["label"] for g, r in zip(got, rows))
    assert false_commits / len(rows) <= 0.01
    assert sum(g == r["label"] for g, r in zip(got, rows)) / len(rows) >= 0.95


AW = {"A": "Jaw thrust", "B": "Insert a laryngeal mask airway", "C": "Immediate cricothyroidotomy",
      "D": "Wake the patient up"}
ZAW = {"A": "托下颌", "B": "置入喉罩", "C": "立即环甲膜切开", "D": "唤醒患者"}


@pytest.mark.parametrize(("response", "options", "expected"), [
    # third probe (first try 17/30 for v6 and v5 alike; in-sample now)
    ("Since mask ventilation is still possible, the safest plan is to wake the patient up.", AW, "D"),
    ("Given that we can still ventilate by mask, I would wake the patient.", AW, "D"),
    ("Honestly I'm torn, but I'll say B.", AW, "B"),
    ("My instinct says B, though C is defensible.", AW, "B"),
    ("It's between B and D. Leaning D.", AW, "D"),
    ("B would be my pick, to be honest.", AW, "B"),
    ("Hmm, tough one. I'll go with D.", AW, "D"),
    ("Sure! The correct option is **D. Wake the patient up**, since ventilation is maintained.", AW, "D"),
    ("Option D makes the most sense.", AW, "D"),
    ("D sounds right.", AW, "D"),
    ("The LMA (B) is a reasonable bridge, but the answer they want is D.", AW, "D"),
    ("个人倾向D，但C也说得通。", ZAW, "D"),
    ("答案大概是D。", ZAW, "D"),
    ("我会选择唤醒患者。", ZAW, "D"),
    ("此时应当置入喉罩。", ZAW, "B"),
    # a one-line sentence that turns away from, or offers beside, the option it names commits to none
    ("A jaw thrust might help, but an LMA is what I'd do next.", AW, None),
    ("Jaw thrust or an LMA, either is fine here.", AW, None),
    ("托下颌或者置入喉罩都行。", ZAW, None),
    ("Definitely not C at this stage.", AW, None),
    ("Everyone's first instinct is C, but that's wrong here.", AW, None),
    ("I think you'd want to avoid C here; B or D are both reasonable.", AW, None),
    ("C肯定不对。", ZAW, None),
    ("B would be a poor choice.", AW, None),
    ("Leaning towards B or C.", AW, None),
    ("Answer: I think it depends on the airway.", AW, None),  # "I" as a pronoun, not option I
])
def test_third_probe_chat_hedges_and_option_text(response, options, expected):
    assert extract_answer(response, options) == expected
