"""Answer extraction on English and Chinese phrasings, reasoning blocks and non-answers."""

from __future__ import annotations

import inspect
from collections.abc import Mapping

import pytest

from anestools.common.extract import extract_answer

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


# -- the rule table: one test per rule and per fallback -----------------------------------------

from anestools.common.extract import FALLBACKS, RULES, extract  # noqa: E402


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_each_rule_decides_its_example(rule):
    options = ZH if any("\u4e00" <= ch <= "\u9fff" for ch in rule.example) else EN
    got = extract(rule.example, options)
    assert (got.letter, got.rule) == (rule.expected, rule.name)


@pytest.mark.parametrize("fallback", FALLBACKS, ids=[f.name for f in FALLBACKS])
def test_each_fallback_decides_its_example(fallback):
    got = extract(fallback.example, ZH if any("\u4e00" <= ch <= "\u9fff" for ch in fallback.example) else EN)
    assert (got.letter, got.rule) == (fallback.expected, fallback.name)


def test_nothing_decided_names_no_rule():
    got = extract("I cannot answer this question.", EN)
    assert (got.letter, got.rule) == (None, None)


# -- one unit per family of the labelled set (tests/eval/data/extraction.jsonl) ------------------

@pytest.mark.parametrize(("response", "expected"), [
    ("answer: c", "C"),  # lower case
    ("The answer is a drug acting at the junction.", None),  # the article "a" is not option A
    ('{"answer": "C", "reason": "x"}', "C"),  # JSON
    ('```json\n{"choice": "b"}\n```', "B"),
    ("Therefore option C is the answer.", "C"),
    ("I'd go with A", "A"),
    ("my choice: (C)", "C"),
    ("The answer is A or C.", None),  # two letters: no answer
    ("Answers: B and D", None),
    ("Let me go through the options.\n\nA. Neostigmine: a cholinesterase inhibitor that", None),  # truncated listing
    ("A. Neostigmine: inhibits the enzyme.\nB. Sugammadex: encapsulates", None),
    ("Answer: F", None),  # outside the options
    ("I'm not sure, but the answer is probably D.", "D"),  # hedged
    ("The answer is B. Wait, no: the answer is C.", "C"),  # change of mind
    ("The answer is not B; it is D.", "D"),  # negation
    ("A is incorrect. Option B is not correct either.", None),  # elimination without conclusion
    ("Ａｎｓｗｅｒ：ｃ", "C"),  # full width lower case
])
def test_english_families(response, expected):
    assert extract_answer(response, EN) == expected


@pytest.mark.parametrize(("response", "expected"), [
    ("答案：b", "B"),
    ("最终答案：（Ｃ）", "C"),
    ("答案：A和C", None),
    ("本题答案可能是A或C，需结合临床。", None),
    ("正确答案：B、C", None),
    ("逐项分析如下：\nA. 新斯的明：该药物常用于", None),
    ('{"答案": "D", "解析": "纳洛酮"}', "D"),
    ("初步判断答案为A。但仔细考虑后应选C。", "C"),
    ("排除A，因为新斯的明无效，所以答案为B。", "B"),
    ("A项错误，C项也不正确。", None),
    ("抱歉，我无法提供医疗建议。", None),
])
def test_chinese_families(response, expected):
    assert extract_answer(response, ZH) == expected


def test_labelled_set_meets_the_target():
    import json
    from pathlib import Path

    rows = [json.loads(line) for line in (Path(__file__).parent / "data" / "extraction.jsonl")
            .read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 300
    assert {len(r["options"]) for r in rows} >= {2, 3, 4, 5, 6, 9}
    right = [extract_answer(r["response"], r["options"]) == r["label"] for r in rows]
    assert sum(right) / len(rows) >= 0.97


# -- families found missing by the blind set (extraction_blind.jsonl); phrasings here are new --

@pytest.mark.parametrize(("response", "expected"), [
    ("Neostigmine has a ceiling effect, atropine is antimuscarinic, naloxone is for opioids. So B.", "B"),
    ("Eliminate A and C first. That leaves D.", "D"),
    ("By elimination, (c).", "C"),
    ("Step one matters most here; the answer to pick is therefore B.", "B"),
    ("Thus the choice with the fastest onset is (d).", "D"),
    ("So A is wrong.", None),  # the letter does not end the sentence: discussed, not chosen
    ("That leaves B or C.", None),  # two letters
])
def test_conclusion_marker_then_lone_letter(response, expected):
    assert extract_answer(response, EN) == expected


@pytest.mark.parametrize(("response", "expected"), [
    ("新斯的明对深度阻滞无效。\n\n综上，**B**", "B"),
    ("不是A，也不是C，所以是D。", "D"),
    ("其余选项均不符合，只剩C。", "C"),
    ("因此，A选项错误。", None),
    ("故不选A。", None),
])
def test_zh_conclusion_marker_then_lone_letter(response, expected):
    assert extract_answer(response, ZH) == expected


def test_zh_revised_answer_wins():
    assert extract_answer("答案：C。不对，阿托品无效，应更正为B。", ZH) == "B"


@pytest.mark.parametrize(("response", "options", "expected"), [
    ("Naloxone (D) is an opioid antagonist which", EN, None),  # cut off mid-sentence
    ("首先，阿托品的作用机制是", ZH, None),
    ("Atropine is not indicated here.", EN, None),  # names one option only to reject it
    ("不选D，纳洛酮是阿片拮抗剂。", ZH, None),
    ("The reversal agent of choice is sugammadex.", EN, "B"),  # a finished sentence still counts
    ("阿托品", ZH, "C"),
    ("Hypoxia: there is no change.", {"A": "Increase", "B": "No change"}, "B"),  # negation inside the option
    ("肺血管阻力不变。", {"A": "升高", "B": "不变"}, "B"),
])
def test_one_line_option_mention_must_be_a_finished_unnegated_sentence(response, options, expected):
    assert extract_answer(response, options) == expected


@pytest.mark.parametrize("response", [
    "Going through the options:\nA. Neostigmine - ceiling effect\nB. Sugammadex -",
    "A. Neostigmine: ceiling effect\nB. Sugammadex: encapsulates\nC.",
])
def test_option_listing_cut_short_is_no_answer(response):
    assert extract_answer(response, EN) is None


def test_blind_set_is_read_by_the_table():
    """Hand-written before the rules were read; seen since (docs/eval.md gives before/after)."""
    import json
    from pathlib import Path

    rows = [json.loads(line) for line in (Path(__file__).parent / "data" / "extraction_blind.jsonl")
            .read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 120 and {r["language"] for r in rows} == {"en", "zh"}
    assert {len(r["options"]) for r in rows} >= {2, 3, 4, 5, 6, 7, 8, 9}
    wrong_letter = [r["id"] for r in rows
                    if (got := extract_answer(r["response"], r["options"])) is not None and got != r["label"]]
    assert wrong_letter == []  # precision: never a wrong letter
    right = [extract_answer(r["response"], r["options"]) == r["label"] for r in rows]
    assert sum(right) / len(rows) >= 0.97


# -- v4: refusals, status, and the formats of issue 25 (tests/eval/data/extraction_dev2.jsonl) -----

from anestools.common.extract import ANSWER, NO_ANSWER, REFUSALS, UNDECIDED  # noqa: E402

VIT = {"A": "Vitamin K", "B": "Factor VIII concentrate", "C": "Vitamin B12", "D": "None of the above"}
HEP = {"A": "Hepatitis A", "B": "Hepatitis B", "C": "Hepatitis C", "D": "Hepatitis E"}
IND = {"A": "Propofol", "B": "Ketamine", "C": "Thiopental", "D": "Midazolam", "E": "Dexmedetomidine"}


@pytest.mark.parametrize("refusal", REFUSALS, ids=[f"{r.name}-{i}" for i, r in enumerate(REFUSALS)])
def test_each_refusal_is_no_answer_and_not_undecided(refusal):
    got = extract(refusal.example, ZH if any("\u4e00" <= ch <= "\u9fff" for ch in refusal.example) else EN)
    assert (got.letter, got.rule, got.status, got.reason) == (None, None, NO_ANSWER, refusal.name)


@pytest.mark.parametrize(("response", "status", "reason"), [
    ("", NO_ANSWER, "empty"),
    ("<think>Option A seems wrong; the answer is B because", NO_ANSWER, "unclosed_think"),
    ("Sugammadex binds rocuronium and then the complex is", NO_ANSWER, "cut_off"),  # ends mid-sentence
    ("The answer is A or C.", NO_ANSWER, None),  # two letters: the statement decides no answer
    ("Answer: F", NO_ANSWER, None),  # a letter outside the options
    ("The pharmacology of both drugs is well described in the literature.", UNDECIDED, None),
    ("Answer: B", ANSWER, None),
])
def test_status_separates_non_answers_from_undecided(response, status, reason):
    got = extract(response, EN)
    assert (got.status, got.reason) == (status, reason)
    assert got.undecided == (status == UNDECIDED)


@pytest.mark.parametrize(("response", "options", "expected"), [
    # peers' families, own wording
    ("Sugammadex binds rocuronium directly.\n\nANSWER: B", EN, "B"),
    ("ANSWER: B, C", EN, None),
    (r"The final answer is $\boxed{\text{B}}$.", EN, "B"),
    ("正确答案是B", ZH, "B"),
    ("选项B正确。", ZH, "B"),
    ("B是正确的。", ZH, "B"),
    # exam-style bracketed headers
    ("【解析】舒更葡糖钠可包裹罗库溴铵分子。\n【答案】B", ZH, "B"),
    ("【正确答案】：B", ZH, "B"),
    ("[Answer] B\n[Explanation] It encapsulates the steroidal relaxant.", EN, "B"),
    ("**[Final Answer]** B", EN, "B"),
    # numeric and ordinal references
    ("The answer is option 2.", EN, "B"),
    ("The second option is correct.", EN, "B"),
    ("I would pick the 2nd choice.", EN, "B"),
    ("答案是第二项。", ZH, "B"),
    ("应选第2个选项。", ZH, "B"),
    ("The answer is option 7.", EN, None),  # out of range
    # hedges that still commit, and one that does not
    ("Probably B.", EN, "B"),
    ("I'd lean towards B, though A is sometimes used.", EN, "B"),
    ("我倾向于选B。", ZH, "B"),
    ("不太确定，可能是B吧。", ZH, "B"),
    ("It could be B, or maybe A; I can't decide.", EN, None),
    # a leading letter, then an explanation naming other letters / starting with the article "A"
    ("B — A and C drop the blood pressure, D is too slow.", IND, "B"),
    ("B) Ketamine\n\nA patient in shock needs sympathetic support, which A does not give.", IND, "B"),
    ("B。舒更葡糖钠。A项新斯的明对深度阻滞无效，C、D无关。", ZH, "B"),
    ("A. Neostigmine. A cholinesterase inhibitor works once some twitches have returned.", EN, "A"),
    ("A patient in shock needs an agent that keeps the pressure up: ketamine.", IND, "B"),
    ("Let's look at each option.\nA. Neostigmine: too slow.\nB. Sugammadex: fits.", EN, None),  # a listing
    # base models that answer and then write a new question
    (" B\n\nQuestion: Which drug treats opioid overdose?\nA. Flumazenil\nB. Naloxone\nAnswer: A", EN, "B"),
    ("答案：B\n\n2. 下列哪种药物可拮抗阿片类呼吸抑制？\nA. 氟马西尼\nB. 纳洛酮\n答案：D", ZH, "B"),
    ("\n\nQuestion: Which drug reverses benzodiazepines?\nA. Flumazenil\nB. Naloxone\nAnswer: A", EN, None),
    # option texts that contain letters or "none of the above"
    ("Vitamin B12 is the answer; it is not a coagulation product.", VIT, "C"),
    ("Hepatitis B is the answer: it is transmitted by blood.", HEP, "B"),
    ("None of the above.", VIT, "D"),
    ("The answer is D, none of the above.", VIT, "D"),
    ("None of the options is correct; the right drug is not listed.", EN, None),
    # answers given as option text inside longer responses
    ("Shock calls for care. Ketamine is the most appropriate choice here because it keeps the tone.", IND, "B"),
    ("深度阻滞时新斯的明无效，应首选舒更葡糖钠进行拮抗。", ZH, "B"),
    ("Propofol and thiopental both cause hypotension. It depends on the patient.", IND, None),
    # a letter that contradicts the option text it quotes is no answer
    ("The answer is C. Sugammadex", EN, None),
    ("Answer: (A) Ketamine", IND, None),
    ("答案：C. 舒更葡糖钠", ZH, None),
    ("The answer is B. Sugammadex", EN, "B"),
    ("Answer: B. False", {"A": "True", "B": "False"}, "B"),
])
def test_issue25_formats(response, options, expected):
    assert extract_answer(response, options) == expected


# -- extractor v5: mechanisms, each on phrasings of our own (not from any labelled set) ---------
LAST = {"A": "Neostigmine", "B": "Sugammadex", "C": "Atropine", "D": "None of the above"}
ZH_LAST = {"A": "新斯的明", "B": "舒更葡糖钠", "C": "阿托品", "D": "以上都不是"}


@pytest.mark.parametrize(("response", "options", "expected"), [
    # a base model's new question: a stem, then a listing whose texts are not this question's options
    ("B\n\n12. Which is a muscarinic antagonist?\nA Atropine\nB Neostigmine\nC Edrophonium\nAnswer: A", EN, "B"),
    ("Answer: B\n\n7. The drug that dilates the pupil is:\nA. Atropine\nB. Pilocarpine\nAnswer: A", EN, "B"),
    ("答案：B\n\n第8题 下列哪项是M受体拮抗剂：\nA 阿托品\nB 毛果芸香碱\n答案：A", ZH, "B"),
    ("\n\n第8题 下列哪项是M受体拮抗剂：\nA 阿托品\nB 毛果芸香碱\n答案：A", ZH, None),
    # its own options restated under its own question are not a new question
    ("Which drug reverses a deep block?\nA. Neostigmine - too slow\nB. Sugammadex - fast\nAnswer: B", EN, "B"),
    # the last commitment wins; a retracted one with nothing after it, or one offered next to
    # another letter, is undecided (the answer pass asks the model), never a guess
    ("The answer is B. Hmm, on second thought, I am not sure.", EN, None),
    ("I'd say A. Wait, no, let me reconsider the mechanism.", EN, None),
    ("答案：B。不对，再想想。", ZH, None),
    ("The answer is B. Or C if the block is shallow.", EN, None),
    ("可能是A，也可能是C。", ZH, None),
    ("我倾向于A，但也可能是C。", ZH, None),
    ("The answer is B. A or C would not reverse a deep block.", EN, "B"),
    ("我原本想选A，但新斯的明起效慢，改选B。", ZH, "B"),
    ("答案A。不对，舒更葡糖钠直接包裹罗库溴铵，应该是B。", ZH, "B"),
    # negation: "not X, but Y"; a negated answer in words is not an answer
    ("答案不是C，而是B。", ZH, "B"),
    ("The answer is not C, but B.", EN, "B"),
    ("答案不是C，阿托品只治疗心动过缓。", ZH, None),
    # the last sentence's lone letter, alone or with its own text; another option's text contradicts it
    ("Neostigmine and atropine cannot reverse a deep block. B.", EN, "B"),
    ("Sugammadex is fine, neostigmine is not. The question is tricky: A.", EN, "A"),
    ("Deep block. The best here is B – Sugammadex.", EN, "B"),
    ("Deep block. The best here is B – Neostigmine.", EN, None),
    ("Both are used in stage B.", EN, None),  # not in a concluding position
    # an option text standing as a sentence; "none of the above" as an option is not a refusal
    ("Every listed drug is a trigger. None of the above.", LAST, "D"),
    ("以上都不是。三种药物都不能拮抗该阻滞。", ZH_LAST, "D"),
    ("三种药物都不能拮抗该阻滞，所以以上都不是。", ZH_LAST, "D"),
    ("所以不选阿托品。", ZH, None),
    # ordinals: the last option
    ("I'd pick the last option.", EN, "D"),
    ("最后一个选项正确。", ZH, "D"),
    ("The last option is wrong.", EN, None),
    ("I'd go with 第二个选项.", EN, "B"),
    # option text in answer fields and first-person choices
    ('{"choice": "Sugammadex", "confidence": 0.9}', EN, "B"),
    ('{"choice": "Ketamine"}', EN, None),
    ("【答案】\n舒更葡糖钠（C）", ZH, None),  # the bracketed letter contradicts the text
    ("【答案】\n【解析】舒更葡糖钠可包裹罗库溴铵，对深度阻滞", {"A": "对", "B": "错"}, None),
    ("I'd reach for sugammadex.", EN, "B"),
    ("I would not reach for atropine; sugammadex is the one.", EN, "B"),
    ("For educational purposes only, the textbook answer to this question is B.", EN, "B"),
    ("我倾向于 B (舒更葡糖钠)，因为它直接包裹罗库溴铵。", ZH, "B"),
    # what does not commit: a question, a listing with dashes, a letter ruled out, a walk-through
    ("Neostigmine? It is too slow at deep block, and atropine only treats bradycardia.", EN, None),
    ("So neostigmine?", EN, None),
    ("所以答案可能是阿托品吗？", ZH, None),
    ("A – neostigmine\nB – sugammadex\nC – atropine\nD – naloxone", EN, None),
    ("Let's consider option B.", EN, None),
    ("The one I'd rule out first is B.", EN, None),
    ("Let me go through them:\nA. Too slow here\nB. Encapsulates rocuronium\nC. Only for bradycardia\nSo B.", EN, "B"),
    ("The answer is B.\n\nExplanation: A and C are wrong.", EN, "B"),
    ("答案：B\n解析：A项错误，C项只用于心动过缓。", ZH, "B"),
])
def test_v5_mechanisms(response, options, expected):
    assert extract_answer(response, options) == expected


IND2 = {"A": "Propofol", "B": "Ketamine", "C": "Etomidate", "D": "Thiopental", "E": "Midazolam"}
ZH2 = {"A": "丙泊酚", "B": "氯胺酮", "C": "依托咪酯", "D": "硫喷妥钠", "E": "咪达唑仑"}


@pytest.mark.parametrize(("response", "options", "expected"), [
    ("答案是B还是C呢？我也说不准。", ZH2, None),  # asked, not stated; "还是" joins two letters
    ("The answer is B?", IND2, None),
    ("I'm torn between B and C.", IND2, None),
    ("Either ketamine or etomidate would be reasonable.", IND2, None),
    ("Not B.", IND2, None),
    ("Options A, C and D all drop the pressure. The remaining one, B, is the answer.", IND2, "B"),
    ("| Drug | BP |\n|---|---|\n| Propofol | ↓ |\n| Ketamine | ↑ |\n\nBest: **Ketamine (B)**", IND2, "B"),
    ("It's not propofol. It's not thiopental either. I'd say ketamine.", IND2, "B"),
    ("The correct response: option five.", IND2, "E"),
    ("Choice #2.", IND2, "B"),
    ("Definitely not A or D. Probably B.", IND2, "B"),
    ("The answer is (B) ketamine, although (C) etomidate is an alternative.", IND2, "B"),
    ("Ketamine. Next question: which drug causes adrenal suppression?\nA. Propofol\nB. Etomidate\nAnswer: B",
     IND2, "B"),
    ("丙泊酚会引起低血压，不宜使用；依托咪酯抑制肾上腺；应选用氯胺酮。", ZH2, "B"),
    ("综上，选第二项。", ZH2, "B"),
    ("正确答案：氯胺酮（B）", ZH2, "B"),
    ("答案为A、C", ZH2, None),
])
def test_v5_commitments_and_non_commitments(response, options, expected):
    assert extract_answer(response, options) == expected


@pytest.mark.parametrize(("response", "reason"), [
    ("The answer is B. Or C if the block is shallow.", "alternatives"),
    ("答案：B。不对，再想想。", "retracted"),
])
def test_v5_abstentions_are_undecided_for_the_answer_pass(response, reason):
    got = extract(response, ZH if "答案" in response else EN)
    assert (got.letter, got.status, got.reason) == (None, UNDECIDED, reason)


def test_blind_v4_set_in_sample_since_v5_commits_no_false_letter():
    """Blind for v4 (85.2 %, 4.9 % false commits); read while v5 was written, so in-sample now."""
    import json
    from pathlib import Path

    rows = [json.loads(line) for line in (Path(__file__).parent / "data" / "extraction_blind_v4.jsonl")
            .read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 180
    got = {r["id"]: extract_answer(r["response"], r["options"]) for r in rows}
    assert [r["id"] for r in rows if got[r["id"]] is not None and got[r["id"]] != r["label"]] == []
    assert sum(got[r["id"]] == r["label"] for r in rows) / len(rows) >= 0.97
