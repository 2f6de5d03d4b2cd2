# ruff: noqa: E741  (templates read best with L/T/O/OT: letter, text, other letter, other text)
"""Build ``extraction.jsonl``: labelled model responses for measuring answer extraction.

Written for this project (not model output, not AnesBench text). Each *template* is one style
of response a chat model produces on a multiple-choice question; it is instantiated on a few
questions with different option counts (2-9) and target letters. ``label`` is the letter the
response finally commits to, or ``None`` when a careful human reader would not score it as an
answer (refusal, truncation, two letters, a letter that is not an option, analysis only).

``split``: ``dev`` templates were visible while the extraction rules were written; ``heldout``
templates were written separately and never used to change the rules (report both).

Run: ``python tests/eval/data/build_extraction.py`` (rewrites extraction.jsonl next to it).
"""

from __future__ import annotations

import json
from pathlib import Path

LETTERS = "ABCDEFGHI"


def _q(qid, lang, question, texts, pick):
    return {"qid": qid, "language": lang, "question": question,
            "options": dict(zip(LETTERS, texts)), "pick": pick}


EN_Q = [
    _q("en-nmb", "en", "Which agent rapidly reverses a deep rocuronium block?",
       ["Neostigmine", "Sugammadex", "Atropine", "Naloxone"], "B"),
    _q("en-tf", "en", "Succinylcholine is contraindicated in the first hours after a major burn.",
       ["True", "False"], "B"),
    _q("en-ind", "en", "Which induction agent best preserves blood pressure in a shocked patient?",
       ["Propofol", "Ketamine", "Thiopental", "Midazolam", "Dexmedetomidine"], "B"),
    _q("en-la", "en", "Which local anaesthetic is an ester metabolised by plasma cholinesterase?",
       ["Lidocaine", "Bupivacaine", "Ropivacaine", "Mepivacaine", "Prilocaine", "Articaine",
        "Levobupivacaine", "Etidocaine", "Chloroprocaine"], "I"),
    _q("en-co2", "en", "During laparoscopy with CO2 insufflation, end-tidal CO2 usually…",
       ["increases", "decreases", "does not change"], "A"),
    _q("en-mh", "en", "First-line treatment of malignant hyperthermia?",
       ["Dantrolene", "Paracetamol", "Cooling blanket only", "Propranolol", "Magnesium sulfate",
        "Calcium chloride"], "A"),
]

ZH_Q = [
    _q("zh-nmb", "zh", "深度罗库溴铵阻滞的快速拮抗首选：",
       ["新斯的明", "舒更葡糖钠", "阿托品", "纳洛酮"], "B"),
    _q("zh-tf", "zh", "大面积烧伤24小时后使用琥珀胆碱可引起高钾血症。", ["正确", "错误"], "A"),
    _q("zh-ind", "zh", "失血性休克患者麻醉诱导宜选用：",
       ["丙泊酚", "氯胺酮", "硫喷妥钠", "咪达唑仑", "右美托咪定"], "B"),
    _q("zh-la", "zh", "下列哪种局麻药属于酯类？",
       ["利多卡因", "布比卡因", "罗哌卡因", "甲哌卡因", "丙胺卡因", "阿替卡因", "左布比卡因",
        "依替卡因", "氯普鲁卡因"], "I"),
    _q("zh-co2", "zh", "腹腔镜CO2气腹时呼气末二氧化碳通常：", ["升高", "降低", "不变"], "A"),
    _q("zh-mh", "zh", "恶性高热的特效治疗药物是：",
       ["丹曲林", "对乙酰氨基酚", "单纯物理降温", "普萘洛尔", "硫酸镁", "氯化钙"], "A"),
]


def _other(q, k=1):
    """A wrong letter (the k-th after the pick, wrapping)."""
    letters = list(q["options"])
    return letters[(letters.index(q["pick"]) + k) % len(letters)]


def _outside(q):
    """A letter that is not an option of ``q``."""
    return LETTERS[len(q["options"])] if len(q["options"]) < 9 else "J"


FW = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in LETTERS + LETTERS.lower()})


def fw(s: str) -> str:
    return s.translate(FW)


# Each template: (name, family, callable(q, L, T, O, OT) -> (response, label)).
# L/T: letter/text the response commits to (usually the gold one), O/OT: another option.
EN_DEV = [
    ("answer_colon", "explicit", lambda q, L, T, O, OT: (
        f"Let's look at each option.\n{O}. {OT} — not appropriate here.\n{L}. {T} — fits the scenario.\n\nAnswer: {L}", L)),
    ("answer_is_sentence", "explicit", lambda q, L, T, O, OT: (
        f"Considering the mechanism, {T.lower()} is the right choice. The answer is {L}.", L)),
    ("final_answer_bold", "markdown", lambda q, L, T, O, OT: (
        f"**Analysis**\n- {O}: {OT} does not address the problem.\n- {L}: {T} does.\n\n**Final Answer: {L}**", L)),
    ("md_heading_answer", "markdown", lambda q, L, T, O, OT: (
        f"### Reasoning\n{T} is well established for this indication.\n\n### Answer\n**{L}. {T}**", L)),
    ("boxed", "explicit", lambda q, L, T, O, OT: (
        f"Step 1: identify the pharmacology.\nStep 2: compare with {OT}.\n\nTherefore, the answer is $\\boxed{{{L}}}$.", L)),
    ("lower_answer", "case", lambda q, L, T, O, OT: (
        f"{T} is what you want here.\nanswer: {L.lower()}", L)),
    ("lower_paren", "case", lambda q, L, T, O, OT: (
        f"The correct option is ({L.lower()}) {T.lower()}.", L)),
    ("fullwidth_en", "case", lambda q, L, T, O, OT: (
        f"Answer: {fw(L)}", L)),
    ("therefore_option_is_answer", "explicit", lambda q, L, T, O, OT: (
        f"{OT} would not help. {T} directly addresses the mechanism, therefore option {L} is the answer.", L)),
    ("go_with", "hedged", lambda q, L, T, O, OT: (
        f"This one is tricky; {OT} is tempting but I'd go with {L}.", L)),
    ("my_choice_paren", "explicit", lambda q, L, T, O, OT: (
        f"Weighing the options, my choice: ({L})", L)),
    ("json_answer", "json", lambda q, L, T, O, OT: (
        f'{{"answer": "{L}", "explanation": "{T} is the appropriate choice."}}', L)),
    ("json_fenced", "json", lambda q, L, T, O, OT: (
        f'```json\n{{\n  "reasoning": "{OT} is wrong; {T} is right.",\n  "answer": "{L}"\n}}\n```', L)),
    ("json_lower", "json", lambda q, L, T, O, OT: (
        f'{{"choice": "{L.lower()}"}}', L)),
    ("two_letters_or", "multi", lambda q, L, T, O, OT: (
        f"Both could be defended. The answer is {L} or {O}.", None)),
    ("either_or", "multi", lambda q, L, T, O, OT: (
        f"It is either {O} or {L}, depending on the clinical context.", None)),
    ("truncated_listing", "truncated", lambda q, L, T, O, OT: (
        f"Let me go through the options.\n\n{O}. {OT}: this is commonly used but",
        None)),
    ("truncated_listing_two", "truncated", lambda q, L, T, O, OT: (
        f"Analysis of each option:\n{L}. {T}: has a rapid onset and is widely used.\n{O}. {OT}: acts on",
        None)),
    ("refusal", "refusal", lambda q, L, T, O, OT: (
        "I'm sorry, but I can't help with clinical decisions. Please consult a qualified anesthesiologist.", None)),
    ("refusal_ai", "refusal", lambda q, L, T, O, OT: (
        "As an AI language model, I am not able to give medical advice or choose a treatment.", None)),
    ("outside_letter", "outside", lambda q, L, T, O, OT: (
        f"Answer: {_outside(q)}", None)),
    ("change_of_mind", "change", lambda q, L, T, O, OT: (
        f"The answer is {O}. Wait — re-reading the stem, {OT} does not fit. The answer is {L}.", L)),
    ("initially_but", "change", lambda q, L, T, O, OT: (
        f"Initially I thought {O}, but on reflection the correct answer is {L}.", L)),
    ("not_x_but_y", "negation", lambda q, L, T, O, OT: (
        f"The answer is not {O}; it is {L}.", L)),
    ("elimination_then_answer", "negation", lambda q, L, T, O, OT: (
        f"{O} is incorrect because {OT.lower()} does not act on this target. "
        f"Every other distractor can be excluded as well. So the answer is {L}.", L)),
    ("elimination_only", "negation", lambda q, L, T, O, OT: (
        f"{O} is incorrect. Option {L} is not correct either.", None)),
    ("think_then_answer", "think", lambda q, L, T, O, OT: (
        f"<think>\nThe question asks about {q['question'][:40].lower()} Maybe {O}? No, {OT} is wrong. "
        f"So {L}.\n</think>\n\nAnswer: {L}", L)),
    ("think_unclosed", "think", lambda q, L, T, O, OT: (
        f"<think>\nOkay, let me think. {OT} is used for something else. {T} might be correct, but I need "
        f"to check whether", None)),
    ("think_conclusion_differs", "think", lambda q, L, T, O, OT: (
        f"<think>I first lean to {O}... the answer is {O}? Let me reconsider.</think>\nThe answer is {L}.", L)),
    ("bare_letter", "bare", lambda q, L, T, O, OT: (f"{L}", L)),
    ("bare_letter_paren_dot", "bare", lambda q, L, T, O, OT: (f"({L}).", L)),
    ("final_line_letter_text", "final_line", lambda q, L, T, O, OT: (
        f"{T} is indicated here because of its mechanism.\n\n{L}. {T}", L)),
    ("option_text_answer", "text", lambda q, L, T, O, OT: (
        f"The answer is {T.lower()}.", L)),
    ("option_text_best", "text", lambda q, L, T, O, OT: (
        f"Among these, the best choice is {T}.", L)),
    ("hedged_probably", "hedged", lambda q, L, T, O, OT: (
        f"I'm not completely certain, but the answer is probably {L}.", L)),
    ("hedged_most_likely", "hedged", lambda q, L, T, O, OT: (
        f"Without more clinical data it is hard to be sure. Most likely answer: {L}", L)),
    ("is_the_correct", "explicit", lambda q, L, T, O, OT: (
        f"Option {L} ({T}) is the correct answer; {OT} is a distractor.", L)),
    ("letter_is_correct", "explicit", lambda q, L, T, O, OT: (
        f"{L} is correct. {O} is incorrect.", L)),
    ("i_choose", "explicit", lambda q, L, T, O, OT: (f"I choose {L}.", L)),
    ("correct_option_colon", "explicit", lambda q, L, T, O, OT: (
        f"Correct option: {L}\nReason: {T} acts fastest.", L)),
    ("answer_then_explanation", "explicit", lambda q, L, T, O, OT: (
        f"Answer: {L}\n\nExplanation: {T} is preferred; {OT} is not. Option {O} could be considered only "
        f"when {T.lower()} is unavailable.", L)),
    ("answer_word_article", "text", lambda q, L, T, O, OT: (
        "The answer is a drug that works at the neuromuscular junction, but none of the options fit well.", None)),
    ("markdown_table", "markdown", lambda q, L, T, O, OT: (
        f"| Option | Verdict |\n|---|---|\n| {O} | wrong |\n| {L} | right |\n\n**Correct answer: {L}**", L)),
    ("no_conclusion", "truncated", lambda q, L, T, O, OT: (
        f"To answer this we need to consider the pharmacokinetics of {T.lower()} and of {OT.lower()}. "
        "Both have advantages in different settings.", None)),
    ("empty", "refusal", lambda q, L, T, O, OT: ("", None)),
    ("answer_and_letters", "multi", lambda q, L, T, O, OT: (
        f"Answers: {L} and {O}", None)),
    ("final_answer_letter_text_md", "markdown", lambda q, L, T, O, OT: (
        f"Final answer: **({L}) {T}**", L)),
    ("select_option", "explicit", lambda q, L, T, O, OT: (
        f"I would select option {L} because {T.lower()} is the most appropriate.", L)),
    ("should_be", "explicit", lambda q, L, T, O, OT: (
        f"Given the history, the answer should be {L}.", L)),
    ("upper_word_answer", "case", lambda q, L, T, O, OT: (f"ANSWER: {L}", L)),
    ("pick_best", "explicit", lambda q, L, T, O, OT: (
        f"The best option here is {L}.", L)),
]

ZH_DEV = [
    ("answer_colon_zh", "explicit", lambda q, L, T, O, OT: (
        f"逐项分析：\n{O}. {OT}：不符合题意。\n{L}. {T}：符合。\n\n答案：{L}", L)),
    ("gu_xuan", "explicit", lambda q, L, T, O, OT: (f"{T}最符合题干描述，故选{L}。", L)),
    ("answer_shi", "explicit", lambda q, L, T, O, OT: (f"答案是{L}。", L)),
    ("zhengque_daan_wei_xiang", "explicit", lambda q, L, T, O, OT: (
        f"综合以上分析，正确答案为{L}项。", L)),
    ("option_zhengque", "explicit", lambda q, L, T, O, OT: (
        f"{O}选项错误；{L}选项正确。", L)),
    ("fullwidth_zh", "case", lambda q, L, T, O, OT: (f"答案：{fw(L)}", L)),
    ("fullwidth_paren_zh", "case", lambda q, L, T, O, OT: (f"最终答案：（{fw(L)}）", L)),
    ("lower_zh", "case", lambda q, L, T, O, OT: (f"答案：{L.lower()}", L)),
    ("he_two", "multi", lambda q, L, T, O, OT: (f"答案：{L}和{O}", None)),
    ("huo_two", "multi", lambda q, L, T, O, OT: (f"本题答案可能是{O}或{L}，需结合临床。", None)),
    ("refusal_zh", "refusal", lambda q, L, T, O, OT: (
        "抱歉，我无法提供医疗建议，请咨询专业麻醉医师。", None)),
    ("outside_zh", "outside", lambda q, L, T, O, OT: (f"答案：{_outside(q)}", None)),
    ("change_zh", "change", lambda q, L, T, O, OT: (
        f"初步判断答案为{O}。但仔细考虑后，{OT}并不合适，应选{L}。", L)),
    ("bu_xuan", "negation", lambda q, L, T, O, OT: (f"不选{O}，选{L}。", L)),
    ("paichu", "negation", lambda q, L, T, O, OT: (
        f"排除{O}，因为{OT}与题干无关，所以答案为{L}。", L)),
    ("paichu_only", "negation", lambda q, L, T, O, OT: (
        f"{O}项错误，{L}项也不正确。", None)),
    ("think_zh", "think", lambda q, L, T, O, OT: (
        f"<think>\n题目问的是{q['question'][:10]}……{O}不对，{L}对。\n</think>\n\n答案：{L}", L)),
    ("think_unclosed_zh", "think", lambda q, L, T, O, OT: (
        f"<think>\n我们来分析。{OT}主要用于其他情况，{T}可能是正确的，但还需要确认", None)),
    ("json_zh", "json", lambda q, L, T, O, OT: (
        f'{{"答案": "{L}", "解析": "{T}符合题意"}}', L)),
    ("json_answer_zh", "json", lambda q, L, T, O, OT: (
        f'```json\n{{"answer": "{L}"}}\n```', L)),
    ("text_zh", "text", lambda q, L, T, O, OT: (f"答案是{T}。", L)),
    ("bare_zh", "bare", lambda q, L, T, O, OT: (f"{L}", L)),
    ("final_line_zh", "final_line", lambda q, L, T, O, OT: (
        f"{T}的作用机制与题干一致。\n\n{L}. {T}", L)),
    ("truncated_listing_zh", "truncated", lambda q, L, T, O, OT: (
        f"逐项分析如下：\n{O}. {OT}：该药物常用于", None)),
    ("md_zh", "markdown", lambda q, L, T, O, OT: (
        f"### 分析\n{T}起效快。\n\n**答案：{L}**", L)),
    ("yinggai_xuanze", "explicit", lambda q, L, T, O, OT: (f"因此应选择{L}。", L)),
    ("wo_xuan", "explicit", lambda q, L, T, O, OT: (f"我选{L}。", L)),
    ("zuijia_xuanxiang", "explicit", lambda q, L, T, O, OT: (
        f"最佳选项为{L}（{T}）。", L)),
    ("hedged_zh", "hedged", lambda q, L, T, O, OT: (
        f"不太确定，但答案可能是{L}。", L)),
    ("no_conclusion_zh", "truncated", lambda q, L, T, O, OT: (
        f"这道题需要比较{T}和{OT}的药代动力学特点，两者各有优势。", None)),
    ("answer_first_zh", "explicit", lambda q, L, T, O, OT: (
        f"答案：{L}\n\n解析：{T}为首选；{O}项{OT}仅在特殊情况下使用。", L)),
    ("xuan_paren_zh", "explicit", lambda q, L, T, O, OT: (f"综上所述，选（{L}）。", L)),
    ("bencti_xuan", "explicit", lambda q, L, T, O, OT: (f"本题选{L}。", L)),
    ("dunhao_two", "multi", lambda q, L, T, O, OT: (f"正确答案：{L}、{O}", None)),
    ("english_in_zh", "mixed", lambda q, L, T, O, OT: (
        f"{T}为首选药物。\nAnswer: {L}", L)),
]

EN_HELDOUT = [
    ("conclusion_colon", "explicit", lambda q, L, T, O, OT: (
        f"Conclusion: {L} — {T}.", L)),
    ("so_im_going", "hedged", lambda q, L, T, O, OT: (
        f"Hmm, {OT} is also used sometimes, but I'm going to say {L}.", L)),
    ("correct_response_is", "explicit", lambda q, L, T, O, OT: (
        f"The correct response is {L}. {T} is indicated.", L)),
    ("between_two_unsure", "multi", lambda q, L, T, O, OT: (
        f"I can't decide between {L} and {O}; both seem reasonable.", None)),
    ("final_paren_upper", "final_line", lambda q, L, T, O, OT: (
        f"{OT} is a distractor.\n\nFinal: ({L})", L)),
    ("cut_mid_sentence", "truncated", lambda q, L, T, O, OT: (
        f"First, recall that {T.lower()} acts by", None)),
    ("think_md_json", "json", lambda q, L, T, O, OT: (
        f'<think>{OT} is wrong.</think>\n```json\n{{"final_answer": "{L}"}}\n```', L)),
    ("answer_is_option_text_md", "text", lambda q, L, T, O, OT: (
        f"**Answer:** {T}", L)),
    ("change_actually", "change", lambda q, L, T, O, OT: (
        f"My answer: {O}. Actually, no — {OT} is not right here; my final answer is {L}.", L)),
    ("cannot_determine", "refusal", lambda q, L, T, O, OT: (
        "The information given is insufficient to determine a single correct answer.", None)),
    ("right_answer_here", "explicit", lambda q, L, T, O, OT: (
        f"The right answer here is ({L}) {T}.", L)),
    ("lowercase_opt", "case", lambda q, L, T, O, OT: (
        f"so the answer is option {L.lower()}.", L)),
    ("outside_boxed", "outside", lambda q, L, T, O, OT: (
        f"$\\boxed{{{_outside(q)}}}$", None)),
    ("none_of_above", "refusal", lambda q, L, T, O, OT: (
        "None of the options is correct.", None)),
    ("options_listed_then_answer", "final_line", lambda q, L, T, O, OT: (
        f"{O}) {OT} - no\n{L}) {T} - yes\n\nThe answer is {L}.", L)),
]

ZH_HELDOUT = [
    ("jielun", "explicit", lambda q, L, T, O, OT: (f"结论：{L}", L)),
    ("zhengque_xuanxiang_shi", "explicit", lambda q, L, T, O, OT: (
        f"因此，正确选项是{L}。", L)),
    ("wufa_queding", "refusal", lambda q, L, T, O, OT: ("根据题干信息无法确定答案。", None)),
    ("gai_xuan", "change", lambda q, L, T, O, OT: (
        f"我原本想选{O}，但{OT}不符合，改选{L}。", L)),
    ("huo_zhe", "multi", lambda q, L, T, O, OT: (f"{L}或者{O}都有道理。", None)),
    ("fw_lower", "case", lambda q, L, T, O, OT: (f"答案为{fw(L.lower())}", L)),
    ("xuanxiang_text", "text", lambda q, L, T, O, OT: (f"正确答案：{T}", L)),
    ("think_then_gu", "think", lambda q, L, T, O, OT: (
        f"<think>先排除{O}。</think>\n{T}最合适，故答案选{L}。", L)),
    ("cut_zh", "truncated", lambda q, L, T, O, OT: (f"首先，{T}的作用机制是", None)),
    ("outside_zh2", "outside", lambda q, L, T, O, OT: (f"故选{_outside(q)}。", None)),
    ("dui_de", "explicit", lambda q, L, T, O, OT: (f"{L}是对的，{O}是错的。", L)),
    ("json_text_zh", "json", lambda q, L, T, O, OT: (f'{{"answer": "{L}", "理由": "{T}"}}', L)),
    ("md_bold_letter_zh", "markdown", lambda q, L, T, O, OT: (f"综上，**{L}**", L)),
    ("zuizhong_daan", "explicit", lambda q, L, T, O, OT: (f"最终答案是：{L}. {T}", L)),
    ("listing_zh_two", "truncated", lambda q, L, T, O, OT: (
        f"{L}. {T}：起效迅速。\n{O}. {OT}：作用于", None)),
]


def _instances(templates, questions, split, per_template=3):
    out = []
    for ti, (name, family, fn) in enumerate(templates):
        for k in range(per_template):
            q = questions[(ti + 2 * k) % len(questions)]
            letter = q["pick"] if k != 1 else _other(q, 2)  # mostly gold, sometimes another letter
            other = _other(q) if _other(q) != letter else _other(q, 2)
            response, label = fn(q, letter, q["options"][letter], other, q["options"][other])
            out.append({"id": f"{split}-{name}-{k}", "split": split, "family": family, "template": name,
                        "language": q["language"], "qid": q["qid"], "options": q["options"],
                        "response": response, "label": label})
    return out


def build() -> list[dict]:
    return (_instances(EN_DEV, EN_Q, "dev") + _instances(ZH_DEV, ZH_Q, "dev")
            + _instances(EN_HELDOUT, EN_Q, "heldout") + _instances(ZH_HELDOUT, ZH_Q, "heldout"))


if __name__ == "__main__":
    rows = build()
    path = Path(__file__).with_name("extraction.jsonl")
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} responses -> {path}")
