"""Build ``extraction_dev3.jsonl``: in-sample dev cases for extractor v6 (issue 25), written by hand.

Families the issue names (option text inside longer responses, hedges that commit or not, English
chat phrasings, a leading letter then an explanation or the article "A", base-model continuation,
option texts holding letters or "none of the above", a letter contradicting its quoted text,
numeric / ordinal references, exam headers), in EN / ZH / mixed, with non-answers. Every text is
our own; the label is the letter a careful grader would score, or ``None``.

Run: ``python tests/eval/data/build_extraction_dev3.py`` (rewrites the .jsonl beside it).
"""

from __future__ import annotations

import json
from pathlib import Path

Q = {
    "rev": {"A": "Neostigmine", "B": "Sugammadex", "C": "Atropine", "D": "Naloxone"},
    "ind": {"A": "Propofol", "B": "Ketamine", "C": "Etomidate", "D": "Thiopental", "E": "Midazolam"},
    "mh": {"A": "Increase the fresh gas flow", "B": "Administer dantrolene 2.5 mg/kg",
           "C": "Switch to a different volatile agent", "D": "Cool the patient with ice packs only"},
    "cx": {"A": "Hypotension", "B": "Bradycardia", "C": "Malignant hyperthermia", "D": "None of the above"},
    "vit": {"A": "Vitamin K", "B": "Factor VIIa", "C": "Protamine", "D": "Vitamin B12"},
    "tf": {"A": "True", "B": "False"},
    "la": {"A": "Lidocaine", "B": "Bupivacaine", "C": "Ropivacaine", "D": "Chloroprocaine", "E": "Mepivacaine",
           "F": "Tetracaine"},
    "zrev": {"A": "新斯的明", "B": "舒更葡糖钠", "C": "阿托品", "D": "纳洛酮"},
    "zind": {"A": "丙泊酚", "B": "氯胺酮", "C": "依托咪酯", "D": "硫喷妥钠", "E": "咪达唑仑"},
    "zmh": {"A": "增加新鲜气流量", "B": "静脉注射丹曲林2.5 mg/kg", "C": "更换另一种吸入麻醉药", "D": "仅用冰袋物理降温"},
    "zcx": {"A": "低血压", "B": "心动过缓", "C": "恶性高热", "D": "以上都不是"},
}

# (family, language, question, response, label)
CASES: list[tuple[str, str, str, str, str | None]] = [
    # -- option text inside a longer response (paraphrased, no letter) --
    ("option_text", "en", "mh", "This is malignant hyperthermia. Stop the trigger, call for help and give "
     "dantrolene 2.5 mg/kg IV straight away; cooling alone is not enough.", "B"),
    ("option_text", "en", "mh", "The key step is to administer dantrolene at 2.5 mg/kg.", "B"),
    ("option_text", "en", "mh", "Raising the fresh gas flow helps wash out the agent, but the definitive "
     "treatment is dantrolene 2.5 mg/kg.", "B"),
    ("option_text", "en", "rev", "Neostigmine would not work at a post-tetanic count of 2, so the reversal "
     "should be done with sugammadex.", "B"),
    ("option_text", "en", "ind", "For a shocked trauma patient you want to keep the sympathetic drive, which "
     "makes ketamine the induction agent to use here.", "B"),
    ("option_text", "en", "ind", "Propofol and thiopental both drop the pressure. Etomidate suppresses the "
     "adrenal axis. Midazolam is slow. Ketamine it is.", "B"),
    ("option_text", "en", "la", "Bupivacaine is the most cardiotoxic of these because it dissociates slowly "
     "from sodium channels.", "B"),
    ("option_text", "en", "mh", "Switching to another volatile agent or just cooling are both wrong; "
     "either could delay dantrolene.", None),
    ("option_text", "en", "mh", "Both increasing the fresh gas flow and dantrolene are part of the response.",
     None),
    ("option_text", "en", "ind", "Ketamine raises the pressure, propofol lowers it, and etomidate is neutral.",
     None),
    ("option_text", "en", "rev", "Sugammadex and neostigmine are both reversal agents, with different "
     "mechanisms.", None),
    ("option_text", "en", "mh", "Would you give dantrolene 2.5 mg/kg here? Let us review the pathophysiology "
     "first.", None),
    ("option_text", "zh", "zmh", "这是恶性高热的表现，应立即停用触发药物并静脉注射丹曲林，剂量2.5 mg/kg。", "B"),
    ("option_text", "zh", "zrev", "深度肌松下新斯的明无效，此时只能用舒更葡糖钠来拮抗。", "B"),
    ("option_text", "zh", "zind", "休克患者诱导时要维持交感张力，所以用氯胺酮最合理。", "B"),
    ("option_text", "zh", "zind", "丙泊酚和硫喷妥钠都降低血压，依托咪酯和氯胺酮相对稳定。", None),
    ("option_text", "zh", "zmh", "增加新鲜气流量和更换吸入麻醉药都不能替代丹曲林。", None),
    ("option_text", "mixed", "rev", "深度阻滞（PTC 2）时 neostigmine 无效，应该用 sugammadex。", "B"),
    # -- hedges: commit vs no commit --
    ("hedge", "en", "ind", "Probably ketamine, though I'm not fully certain.", "B"),
    ("hedge", "en", "ind", "I'm fairly sure it's B.", "B"),
    ("hedge", "en", "ind", "If I had to pick one, B.", "B"),
    ("hedge", "en", "ind", "Not 100% sure, but I think B.", "B"),
    ("hedge", "en", "ind", "B, most likely.", "B"),
    ("hedge", "en", "ind", "I believe the answer would be B.", "B"),
    ("hedge", "en", "ind", "I suspect B is what they want.", "B"),
    ("hedge", "en", "ind", "B seems most likely to me.", "B"),
    ("hedge", "en", "ind", "Either B or C could be defended.", None),
    ("hedge", "en", "ind", "It could be B, or it could be C; I can't decide.", None),
    ("hedge", "en", "ind", "B or C, depending on the patient's volume status.", None),
    ("hedge", "en", "ind", "I'm not sure whether it's B or C.", None),
    ("hedge", "en", "ind", "Possibly B, possibly C.", None),
    ("hedge", "en", "ind", "It is hard to say without more information.", None),
    ("hedge", "en", "ind", "I don't think it's B.", None),
    ("hedge", "zh", "zind", "应该是B吧，不太确定。", "B"),
    ("hedge", "zh", "zind", "我猜是B。", "B"),
    ("hedge", "zh", "zind", "大概率选B。", "B"),
    ("hedge", "zh", "zind", "B或者C都有道理，很难取舍。", None),
    ("hedge", "zh", "zind", "不确定是B还是C。", None),
    ("hedge", "zh", "zind", "可能是B，也可能是C。", None),
    ("hedge", "zh", "zind", "我不认为是B。", None),
    ("hedge", "mixed", "ind", "我觉得 probably B，因为 ketamine 能维持血压。", "B"),
    # -- English chat phrasings --
    ("en_chat", "en", "rev", "Great question! For a deep block, you'll want **B) Sugammadex** — it "
     "encapsulates rocuronium.", "B"),
    ("en_chat", "en", "rev", "Short version: go with B.", "B"),
    ("en_chat", "en", "rev", "The best pick here is B (sugammadex).", "B"),
    ("en_chat", "en", "rev", "I'd recommend option B.", "B"),
    ("en_chat", "en", "rev", "B is your answer here.", "B"),
    ("en_chat", "en", "rev", "That points to B.", "B"),
    ("en_chat", "en", "rev", "So we're looking at B, sugammadex.", "B"),
    ("en_chat", "en", "rev", "The right call is B.", "B"),
    ("en_chat", "en", "rev", "Here's my reasoning: neostigmine fails at deep block.\n\n**Answer: B — "
     "Sugammadex**", "B"),
    ("en_chat", "en", "rev", "Let me walk through it.\n1. Neostigmine: ceiling effect, fails at deep "
     "block.\n2. Sugammadex: binds rocuronium.\n3. Atropine: not a reversal agent.\n4. Naloxone: opioids.\n\n"
     "Bottom line: B.", "B"),
    ("en_chat", "en", "rev", "The one that works here is sugammadex (B).", "B"),
    ("en_chat", "en", "rev", "You should select B.", "B"),
    ("en_chat", "en", "rev", "I'll go with option B on this one.", "B"),
    ("en_chat", "en", "rev", "My pick: B.", "B"),
    ("en_chat", "en", "rev", "Correct choice — B.", "B"),
    ("en_chat", "en", "rev", "Hope that helps! Let me know if you want me to explain the pharmacology of "
     "each option.", None),
    ("en_chat", "en", "rev", "Could you clarify what depth of block the patient has? That changes the answer.",
     None),
    ("en_chat", "en", "rev", "A and B are both reversal agents; C and D are not.", None),
    ("en_chat", "en", "rev", "Let's consider B. It binds rocuronium. Now consider A. It inhibits "
     "cholinesterase.", None),
    ("en_chat", "en", "rev", "You might think B, but let me check the others first.", None),
    # -- leading letter, then an explanation (other letters, article "A") --
    ("leading_letter", "en", "rev", "B\n\nA is too slow at deep block, C is an anticholinergic and D reverses "
     "opioids.", "B"),
    ("leading_letter", "en", "rev", "B) Sugammadex. A cholinesterase inhibitor cannot overcome a deep block.",
     "B"),
    ("leading_letter", "en", "rev", "B. A deep block needs encapsulation, not more acetylcholine.", "B"),
    ("leading_letter", "en", "rev", "(B) — neostigmine (A) has a ceiling effect.", "B"),
    ("leading_letter", "en", "rev", "A patient with a deep block needs sugammadex, not neostigmine.", "B"),
    ("leading_letter", "en", "rev", "A deep block cannot be reversed with neostigmine.", None),
    ("leading_letter", "en", "rev", "A: Neostigmine — fails at deep block.\nB: Sugammadex — works.", None),
    ("leading_letter", "en", "rev", "A cholinesterase inhibitor has a ceiling effect, which is why option B "
     "is correct.", "B"),
    ("leading_letter", "en", "ind", "A. Propofol. B is tempting but raises ICP concerns in some texts.", "A"),
    ("leading_letter", "zh", "zrev", "B。新斯的明（A）在深度阻滞时无效，阿托品（C）和纳洛酮（D）都不是肌松拮抗药。", "B"),
    ("leading_letter", "zh", "zrev", "B\n解析：A有封顶效应；C、D不相关。", "B"),
    ("leading_letter", "zh", "zrev", "A：新斯的明——深度阻滞无效\nB：舒更葡糖钠——有效", None),
    # -- base model that answers then writes a new question --
    ("continuation", "en", "rev", "B\n\nQuestion 2: Which drug reverses opioid respiratory depression?\n"
     "A. Flumazenil\nB. Naloxone\nC. Dantrolene\nD. Glycopyrrolate\nAnswer: B", "B"),
    ("continuation", "en", "rev", "Answer: B\n\n3. The MAC of sevoflurane in adults is approximately:\n"
     "A. 0.5%\nB. 1%\nC. 2%\nD. 6%\nAnswer: C", "B"),
    ("continuation", "en", "rev", "Sugammadex.\n\nNext, a 60-year-old man is given propofol. What is the most "
     "likely effect?\nA. Hypertension\nB. Hypotension\nC. Tachycardia\nD. Seizures\nAnswer: B", "B"),
    ("continuation", "en", "rev", "\n\nQuestion 2: Which inhalational agent is most pungent?\nA. Desflurane\n"
     "B. Sevoflurane\nC. Halothane\nD. Nitrous oxide\nAnswer: A", None),
    ("continuation", "zh", "zrev", "答案：B\n\n2. 下列哪种药物可拮抗阿片类呼吸抑制？\nA. 氟马西尼\nB. 纳洛酮\nC. 丹曲林\n"
     "D. 格隆溴铵\n答案：B", "B"),
    ("continuation", "zh", "zrev", "B\n\n第3题 七氟烷的MAC约为：\nA. 0.5%\nB. 1%\nC. 2%\nD. 6%\n答案：C", "B"),
    ("continuation", "zh", "zrev", "\n第2题 下列哪种药物可拮抗阿片类呼吸抑制？\nA. 氟马西尼\nB. 纳洛酮\nC. 丹曲林\n"
     "答案：B", None),
    # -- option texts holding letters or "none of the above" --
    ("letters_in_options", "en", "vit", "Warfarin reversal: Vitamin K, plus prothrombin complex. The answer is A.",
     "A"),
    ("letters_in_options", "en", "vit", "Vitamin B12 has nothing to do with coagulation; the answer is Vitamin K.",
     "A"),
    ("letters_in_options", "en", "vit", "Protamine reverses heparin, not warfarin; Vitamin B12 is a distractor.",
     None),
    ("letters_in_options", "en", "vit", "Answer: Factor VIIa", "B"),
    ("letters_in_options", "en", "vit", "D. Vitamin B12", "D"),
    ("letters_in_options", "en", "cx", "Succinylcholine can trigger malignant hyperthermia. Answer: C", "C"),
    ("letters_in_options", "en", "cx", "None of the above is the right answer here, since none of the first "
     "three follows.", "D"),
    ("letters_in_options", "en", "cx", "The answer is D, none of the above.", "D"),
    ("letters_in_options", "en", "cx", "None of these is fully right, so I won't pick one.", None),
    ("letters_in_options", "zh", "zcx", "三项都不符合，答案是以上都不是。", "D"),
    ("letters_in_options", "zh", "zcx", "琥珀胆碱可诱发恶性高热，答案C。", "C"),
    ("letters_in_options", "zh", "zcx", "以上选项都不对，题目可能有误。", None),
    # -- a letter that contradicts the option text it quotes --
    ("contradiction", "en", "rev", "The answer is A. Sugammadex", None),
    ("contradiction", "en", "rev", "Answer: C (sugammadex)", None),
    ("contradiction", "en", "rev", "I'd choose D, neostigmine.", None),
    ("contradiction", "en", "rev", "The answer is B (sugammadex).", "B"),
    ("contradiction", "en", "rev", "Final answer: B, Sugammadex.", "B"),
    ("contradiction", "zh", "zrev", "答案：A（舒更葡糖钠）", None),
    ("contradiction", "zh", "zrev", "答案：B（舒更葡糖钠）", "B"),
    ("contradiction", "zh", "zrev", "故选C，舒更葡糖钠。", None),
    # -- numeric and ordinal references --
    ("ordinal", "en", "la", "The second option is the most cardiotoxic.", "B"),
    ("ordinal", "en", "la", "I'd go with number 2.", "B"),
    ("ordinal", "en", "la", "Answer: option 6", "F"),
    ("ordinal", "en", "la", "The 2nd one.", "B"),
    ("ordinal", "en", "la", "Lidocaine is the first option and the least cardiotoxic of the amides here.", None),
    ("ordinal", "zh", "zind", "答案是第二个选项。", "B"),
    ("ordinal", "zh", "zind", "选第五项。", "E"),
    ("ordinal", "zh", "zind", "第一项和第三项都不对。", None),
    # -- exam-style bracketed headers --
    ("exam_header", "en", "rev", "[Answer]\nB\n[Explanation]\nSugammadex encapsulates rocuronium.", "B"),
    ("exam_header", "en", "rev", "**Answer:** (B)\n**Explanation:** A has a ceiling effect.", "B"),
    ("exam_header", "zh", "zrev", "【答案】B\n【解析】A有封顶效应，C、D不相关。", "B"),
    ("exam_header", "zh", "zrev", "【解析】深度阻滞时新斯的明无效。\n【答案】", None),
    ("exam_header", "zh", "zrev", "【正确答案】舒更葡糖钠\n【考点】肌松拮抗", "B"),
    # -- true / false --
    ("true_false", "en", "tf", "That statement is false.", "B"),
    ("true_false", "en", "tf", "The statement is true: sugammadex binds rocuronium.", "A"),
    ("true_false", "en", "tf", "Partly true and partly false, depending on the dose.", None),
    ("true_false", "en", "tf", "False. Neostigmine has a ceiling effect.", "B"),
    # -- final-answer region: the last assertion wins, quotes and hypotheticals do not --
    ("final_region", "en", "rev", "Some students pick A here. But neostigmine fails at deep block. "
     "The answer is B.", "B"),
    ("final_region", "en", "rev", "The answer is A if the block were shallow. Here it is deep, so the answer is "
     "B.", "B"),
    ("final_region", "en", "rev", "If the question said \"the answer is A\", it would be wrong. So: B.", "B"),
    ("final_region", "en", "rev", "If the block were shallow the answer would be A.", None),
    ("final_region", "en", "rev", "Many people would say the answer is A.", None),
    ("final_region", "en", "rev", "A common mistake is to choose A.", None),
    ("final_region", "en", "rev", "The answer is B. Atropine (C) would only treat the bradycardia.", "B"),
    ("final_region", "en", "rev", "The answer is B.\n\nWhy not the others? A: ceiling effect. C: "
     "anticholinergic. D: opioid antagonist.", "B"),
    ("final_region", "zh", "zrev", "有人会选A，但深度阻滞时新斯的明无效，答案是B。", "B"),
    ("final_region", "zh", "zrev", "如果是浅阻滞，答案可以是A。", None),
    ("final_region", "zh", "zrev", "答案是B。A有封顶效应，C是抗胆碱药。", "B"),
    ("final_region", "zh", "zrev", "很多人会误选A。", None),
    # -- elimination / negation --
    ("elimination", "en", "ind", "Propofol drops the pressure, thiopental too, etomidate suppresses cortisol, "
     "midazolam is slow — which leaves ketamine.", "B"),
    ("elimination", "en", "ind", "We can rule out B.", None),
    ("elimination", "zh", "zind", "排除A、C、D、E，剩下氯胺酮。", "B"),
    ("elimination", "zh", "zind", "排除B。", None),
    # -- mixed-language responses --
    ("mixed", "mixed", "rev", "这题考的是深度阻滞的拮抗。Final answer: B", "B"),
    ("mixed", "mixed", "rev", "我觉得是 B (sugammadex)，因为 neostigmine 有 ceiling effect。", "B"),
    ("mixed", "mixed", "zrev", "Neostigmine 在 deep block 时无效，所以选 B。", "B"),
    ("mixed", "mixed", "zrev", "The answer should be 舒更葡糖钠.", "B"),
    ("mixed", "mixed", "rev", "A 或 B 都可以考虑，it depends on the depth of block。", None),
    ("mixed", "mixed", "rev", "如果是 shallow block，答案可以是 A。", None),
    ("mixed", "mixed", "zind", "I'm not sure，可能是B，也可能是C。", None),
    ("mixed", "mixed", "zind", "休克患者 induction 用氯胺酮 is the safest choice。", "B"),
    ("mixed", "mixed", "zrev", "【答案】B\n【解析】Sugammadex encapsulates rocuronium.", "B"),
    ("mixed", "mixed", "rev", "Answer: 不确定，需要更多信息。", None),
    # -- truncated / refusal --
    ("truncated", "en", "mh", "The first thing to do in suspected malignant hyperthermia is to", None),
    ("truncated", "zh", "zmh", "恶性高热的首要处理是", None),
    ("refusal", "en", "rev", "I can't help with dosing questions; please consult a clinician.", None),
    ("refusal", "zh", "zrev", "这个问题我无法判断。", None),
]


def main() -> None:
    out = Path(__file__).with_name("extraction_dev3.jsonl")
    rows = []
    counts: dict[str, int] = {}
    for family, language, qid, response, label in CASES:
        n = counts.get(family, 0)
        counts[family] = n + 1
        rows.append({"id": f"dev3-{family}-{n}", "split": "dev3", "family": family, "template": family,
                     "language": language, "qid": qid, "options": Q[qid], "response": response, "label": label})
    tmp = out.with_suffix(".jsonl.tmp")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    tmp.replace(out)
    print(f"{out}: {len(rows)} cases")


if __name__ == "__main__":
    main()
