"""Answer extraction on English and Chinese phrasings, reasoning blocks and non-answers."""

from __future__ import annotations

import inspect
from collections.abc import Mapping

import pytest

from anestools.eval.extract import extract_answer

EN = {"A": "Neostigmine", "B": "Sugammadex", "C": "Atropine", "D": "Naloxone"}
ZH = {"A": "新斯的明", "B": "舒更葡糖钠", "C": "阿托品", "D": "纳洛酮"}
NESTED = {"A": "Lidocaine", "B": "Lidocaine with adrenaline", "C": "Bupivacaine", "D": "Ropivacaine"}


def test_signature_is_the_contract():
    sig = inspect.signature(extract_answer)
    assert list(sig.parameters) == ["response", "options"]
    assert sig.parameters["response"].annotation in (str, "str")
    assert sig.parameters["options"].annotation in (Mapping[str, str], "Mapping[str, str]")
    assert sig.return_annotation in ("str | None",)


@pytest.mark.parametrize(("response", "expected"), [
    ("The answer is B", "B"),
    ("the answer is B.", "B"),
    ("Answer: **C**", "C"),
    ("**Final Answer: B**", "B"),
    (r"Therefore $\boxed{D}$", "D"),
    (r"\boxed{\text{A}}", "A"),
    (r"\boxed{c}", "C"),
    ("The correct answer is option D: Naloxone", "D"),
    ("The best answer would be (A).", "A"),
    ("Answer: (b)", "B"),
    ("Option B is correct.", "B"),
    ("C is the most appropriate choice here.", "C"),
    ("I choose A", "A"),
    ("I would go with C.", "C"),
    ("B", "B"),
    ("(C).", "C"),
    ("  D  ", "D"),
    ("Ａｎｓｗｅｒ：Ｂ", "B"),  # full-width forms
    ("Let's analyse. A is incorrect. Sugammadex encapsulates rocuronium.\nB. Sugammadex", "B"),
])
def test_english_phrasings(response, expected):
    assert extract_answer(response, EN) == expected


@pytest.mark.parametrize(("response", "expected"), [
    ("答案：C", "C"),
    ("答案:C", "C"),
    ("答案是B。", "B"),
    ("答案为（A）", "A"),
    ("综上所述，故选B。", "B"),
    ("应选D", "D"),
    ("因此选择C。", "C"),
    ("正确答案应为选项B", "B"),
    ("因此，正确选项是C。", "C"),
    ("B项正确，其余错误。", "B"),
    ("最终答案：Ｄ", "D"),
    ("不选B，选D", "D"),
    ("答案是舒更葡糖钠", "B"),
])
def test_chinese_phrasings(response, expected):
    assert extract_answer(response, ZH) == expected


def test_think_block_is_ignored_when_a_final_answer_follows():
    resp = "<think>The answer is A? No wait, maybe C. Answer: C</think>\n\nAnswer: D"
    assert extract_answer(resp, EN) == "D"


def test_truncated_think_block_is_no_answer():
    assert extract_answer("<think>Option A seems wrong; the answer is B because", EN) is None


def test_think_block_with_nothing_after_is_no_answer():
    assert extract_answer("<think>the answer is B</think>   ", EN) is None


@pytest.mark.parametrize("response", [
    "At first I thought the answer is A, but actually the answer is C.",
    "Answer: B\nWait, re-reading the question: the answer is C.",
    "答案：A。再想一下，应当是C，故选C。",
])
def test_change_of_mind_takes_final_conclusion(response):
    options = ZH if "答案" in response else EN
    assert extract_answer(response, options) == "C"


def test_negated_statement_is_not_an_answer():
    assert extract_answer("The answer is not B; the answer is D", EN) == "D"
    assert extract_answer("Option B is not correct.", EN) is None


def test_option_text_maps_to_letter():
    assert extract_answer("The answer is sugammadex.", EN) == "B"
    assert extract_answer("Sugammadex", EN) == "B"
    assert extract_answer("Answer: Lidocaine with adrenaline", NESTED) == "B"
    assert extract_answer("Answer: lidocaine", NESTED) == "A"


@pytest.mark.parametrize("response", [
    "",
    "   \n ",
    "I cannot provide medical advice; please consult a physician.",
    "我无法回答这个问题。",
    "Step 1: analyse each option. Rocuronium is an aminosteroid that",  # truncated reasoning
    "A is wrong because it is a cholinesterase inhibitor. C is wrong. Neither seems right",
    "The answer is E.",  # outside the options
    "答案：F",
    "The answer could be sugammadex or naloxone.",  # two options named: ambiguous
])
def test_no_answer_is_none(response):
    options = ZH if any("\u4e00" <= ch <= "\u9fff" for ch in response) else EN
    assert extract_answer(response, options) is None


def test_nine_options():
    nine = {letter: f"option {letter.lower()}{i}" for i, letter in enumerate("ABCDEFGHI")}
    assert extract_answer("The answer is I", nine) == "I"
    assert extract_answer("答案：H", nine) == "H"


@pytest.mark.parametrize(("response", "expected"), [
    ("Answer A is wrong. Answer C is correct.", "C"),
    ("Answer D is incorrect.", None),
    ("答案A错误，答案C正确", "C"),
    ("答案B不正确。", None),
])
def test_discussing_an_option_is_not_concluding(response, expected):
    assert extract_answer(response, ZH if "答案" in response else EN) == expected
