"""Write ``extraction_blind.jsonl``: a hand-written blind set for answer extraction.

Why: the dev/held-out set was built from the same templates the rule table was tuned on;
this set was written *before* reading the rules, in the styles real chat and reasoning
models answer MCQs with, so its score is an honest out-of-sample figure (until the rules
are changed after looking at its misses: see docs/eval.md). Every response is hand-written
and hand-labelled: ``label`` is what a careful reviewer would say the response finally
chose, or ``None``.

Run: python tests/eval/data/build_extraction_blind.py  (rewrites the .jsonl beside it)
"""

from __future__ import annotations

import json
from pathlib import Path

OPTS = {
    "en-nmb": {"A": "Neostigmine", "B": "Sugammadex", "C": "Atropine", "D": "Naloxone"},
    "en-ind": {"A": "Propofol", "B": "Etomidate", "C": "Ketamine", "D": "Thiopental",
               "E": "Midazolam"},
    "en-tf": {"A": "True", "B": "False"},
    "en-pvr": {"A": "Increase", "B": "Decrease", "C": "No change"},
    "en-mac": {"A": "Desflurane", "B": "Sevoflurane", "C": "Isoflurane", "D": "Nitrous oxide",
               "E": "Halothane", "F": "Xenon"},
    "en-la": {"A": "Lidocaine", "B": "Bupivacaine", "C": "Ropivacaine", "D": "Chloroprocaine",
              "E": "Mepivacaine", "F": "Tetracaine", "G": "Prilocaine", "H": "Articaine",
              "I": "Levobupivacaine"},
    "en-mh": {"A": "Administer dantrolene", "B": "Start active cooling",
              "C": "Hyperventilate with 100% oxygen", "D": "Discontinue volatile anesthetics"},
    "zh-nmb": {"A": "新斯的明", "B": "舒更葡糖钠", "C": "阿托品", "D": "纳洛酮"},
    "zh-ind": {"A": "丙泊酚", "B": "依托咪酯", "C": "氯胺酮", "D": "硫喷妥钠", "E": "咪达唑仑"},
    "zh-pvr": {"A": "升高", "B": "降低", "C": "不变"},
    "zh-mac": {"A": "地氟烷", "B": "七氟烷", "C": "异氟烷", "D": "氧化亚氮", "E": "氟烷",
               "F": "氙气"},
    "zh-pos": {"A": "仰卧位", "B": "俯卧位", "C": "侧卧位", "D": "截石位", "E": "沙滩椅位",
               "F": "头低脚高位", "G": "头高脚低位", "H": "坐位"},
    "zh-tf": {"A": "正确", "B": "错误"},
    "zh-ls": {"A": "局麻药全身毒性", "B": "过敏反应", "C": "血管迷走反应", "D": "全脊麻",
              "E": "高铁血红蛋白血症", "F": "恶性高热", "G": "空气栓塞"},
}

# (family, qid, response, label) — label None means "no answer a reviewer would accept".
EN: list[tuple[str, str, str, str | None]] = [
    ("explicit", "en-nmb", "Answer: b", "B"),
    ("explicit", "en-nmb", "The correct option is (B) Sugammadex, because it encapsulates "
     "rocuronium and works even at deep block.", "B"),
    ("explicit", "en-ind", "I'd go with B. Etomidate preserves hemodynamics better than "
     "propofol or thiopental in a shocked patient.", "B"),
    ("explicit", "en-mac", "**Answer: D**\n\nNitrous oxide has a MAC of about 104%, far above "
     "the volatile agents.", "D"),
    ("explicit", "en-tf", "B) False", "B"),
    ("explicit", "en-pvr", "The answer is A.", "A"),
    ("explicit", "en-la", "Correct answer: G (prilocaine). Its metabolite o-toluidine "
     "oxidizes hemoglobin.", "G"),
    ("explicit", "en-mh", "Final answer: (D)", "D"),
    ("explicit", "en-ind", "My answer would be C — ketamine — since it maintains "
     "sympathetic tone.", "C"),
    ("explicit", "en-nmb", "B", "B"),
    ("explicit", "en-mac", "The best answer is **D. Nitrous oxide**.", "D"),
    ("explicit", "en-la", "Answer (G)", "G"),
    ("think", "en-nmb", "<think>\nDeep block after rocuronium. Neostigmine (A) can't reverse "
     "a deep block; atropine (C) is only an anticholinergic; naloxone (D) is an opioid "
     "antagonist. So sugammadex.\n</think>\n\nThe answer is B.", "B"),
    ("think", "en-ind", "<think>Hypotensive trauma patient. Propofol would drop BP, "
     "thiopental too. Etomidate or ketamine. Ketamine also fine but the question stresses "
     "adrenal... hmm, actually it says 'hemodynamic stability' — etomidate is the classic "
     "answer. Wait, ketamine raises BP via catecholamines; in a catecholamine-depleted "
     "patient it may depress. So B.</think>\n**B. Etomidate**", "B"),
    ("think", "en-mac", "<think>\nMAC values: desflurane 6, sevo 2, iso 1.15, N2O 104, "
     "halothane 0.75, xenon 63. Highest is N2O, option D.\n</think>\nD", "D"),
    ("think", "en-mh", "<think>\nMH crisis. First thing: stop trigger agents. Then "
     "hyperventilate, dantrolene, cool. The question asks for the FIRST step. A is the "
     "definitive treatment, but D comes first.\n</think>\n\nAnswer: D. Discontinue volatile "
     "anesthetics immediately.", "D"),
    ("think", "en-pvr", "<think>Hypoxia causes hypoxic pulmonary vasoconstriction so PVR "
     "goes up. Answer A.</think>\n\nHypoxia increases pulmonary vascular resistance via "
     "HPV.\n\nAnswer: A", "A"),
    ("think", "en-la", "<think>\nMethemoglobinemia: prilocaine, benzocaine. Among options, "
     "prilocaine = G. Articaine (H) can also, rarely, but prilocaine is classic.\n"
     "</think>\n\n**Answer: G**", "G"),
    ("think_truncated", "en-ind", "<think>\nThe patient is in septic shock. Let's consider "
     "each agent. Propofol (A) causes vasodilation and myocardial depression, so it is "
     "risky. Etomidate (B) is hemodynamically stable but causes adrenal suppression, which "
     "in sepsis might be", None),
    ("think_truncated", "en-nmb", "<think>\nOkay, deep neuromuscular block with rocuronium, "
     "TOF count 0, PTC 2. Neostigmine has a ceiling effect. So the answer should be B, "
     "but let me double-check whether", None),
    ("markdown", "en-ind", "### Analysis\n\n- **A. Propofol** – causes hypotension ❌\n- "
     "**B. Etomidate** – cardiovascular stability ✅\n- **C. Ketamine** – also reasonable, "
     "but raises ICP concerns\n- **D. Thiopental** – hypotension ❌\n- **E. Midazolam** – "
     "slow onset ❌\n\n### Answer\n**B**", "B"),
    ("markdown", "en-mac", "| Agent | MAC (%) |\n|---|---|\n| A. Desflurane | 6.0 |\n| "
     "B. Sevoflurane | 2.0 |\n| C. Isoflurane | 1.15 |\n| D. Nitrous oxide | 104 |\n| "
     "E. Halothane | 0.75 |\n| F. Xenon | 63 |\n\n**Correct answer: D**", "D"),
    ("markdown", "en-tf", "**False.** Sugammadex does not reverse benzylisoquinolinium "
     "agents such as cisatracurium.\n\n**Answer: B**", "B"),
    ("markdown", "en-mh", "## Step-by-step\n1. Stop volatile agents (option D)\n2. "
     "Hyperventilate with 100% O2 (option C)\n3. Give dantrolene 2.5 mg/kg (option A)\n4. "
     "Cool the patient (option B)\n\nThe **first** step is therefore **D**.", "D"),
    ("json", "en-nmb", '{"answer": "B", "explanation": "Sugammadex reverses deep '
     'rocuronium block."}', "B"),
    ("json", "en-pvr", '```json\n{\n  "reasoning": "Hypoxia triggers HPV, raising PVR.",\n'
     '  "answer": "A"\n}\n```', "A"),
    ("json", "en-la", '{"choice": "G", "confidence": 0.92}', "G"),
    ("json", "en-mac", '```json\n{"answer": "X"}\n```', None),
    ("final_line", "en-ind", "Let's go through the options. Propofol (A) reduces SVR and "
     "contractility. Thiopental (D) similar. Midazolam (E) can cause hypotension in "
     "hypovolemia. Ketamine (C) indirectly supports BP but is a direct myocardial "
     "depressant when catecholamines are exhausted, which is likely after prolonged shock. "
     "Etomidate has minimal cardiovascular effects.\n\nTherefore the answer is B.", "B"),
    ("final_line", "en-la", "Chloroprocaine (D) is an ester metabolised by plasma "
     "cholinesterase. Bupivacaine (B) is the most cardiotoxic. Lidocaine (A) is an amide. "
     "Prilocaine is metabolised to o-toluidine, which causes methaemoglobinaemia.\n\n"
     "Answer: G", "G"),
    ("final_line", "en-mh", "Dantrolene (A) is the specific antidote and must be given "
     "quickly, cooling (B) and hyperventilation (C) are supportive. But before any of "
     "these, the trigger must be removed.\nSo: D", "D"),
    ("final_line", "en-pvr", "Option B would apply to hyperoxia or nitric oxide. Option C "
     "is wrong since HPV is robust. The correct choice is A.", "A"),
    ("change_of_mind", "en-ind", "Initially I'd pick C, ketamine, since it supports blood "
     "pressure. However, in a catecholamine-depleted patient ketamine acts as a myocardial "
     "depressant. On reflection, the better answer is B.", "B"),
    ("change_of_mind", "en-mh", "Answer: A. Wait — the question asks for the first step. "
     "Dantrolene takes time to prepare; the first action is to stop the trigger. "
     "Corrected answer: D.", "D"),
    ("change_of_mind", "en-nmb", "I was going to say A (neostigmine), but with a PTC of 2 "
     "neostigmine will not work. So the answer is actually B.", "B"),
    ("change_of_mind", "en-mac", "Xenon (F) has a MAC of 63%... no wait, the question is "
     "about the highest MAC, and nitrous oxide's is 104%. Answer: D", "D"),
    ("elimination", "en-nmb", "Not A (neostigmine cannot reverse a deep block), not C "
     "(atropine is an antimuscarinic), not D (naloxone reverses opioids), so B.", "B"),
    ("elimination", "en-pvr", "Eliminate B and C: hypoxia does not lower PVR and it "
     "certainly changes it. That leaves A.", "A"),
    ("elimination", "en-ind", "A, D and E all cause significant hypotension. C raises ICP "
     "and is a direct depressant in shock. By elimination, B.", "B"),
    ("negation", "en-tf", "The statement is not true. Answer: B", "B"),
    ("negation", "en-nmb", "The answer is not A. Neostigmine has a ceiling effect. The "
     "answer is B.", "B"),
    ("negation", "en-mh", "It is not A; dantrolene is the definitive treatment but not the "
     "first step.", None),
    ("option_text", "en-nmb", "Sugammadex.", "B"),
    ("option_text", "en-la", "The local anesthetic most associated with methemoglobinemia "
     "is prilocaine.", "G"),
    ("option_text", "en-pvr", "Increase", "A"),
    ("option_text", "en-tf", "False", "B"),
    ("ambiguous", "en-ind", "The answer is B or C; both etomidate and ketamine are "
     "acceptable for induction in shock.", None),
    ("ambiguous", "en-mh", "Both A and D are correct, depending on how you read 'first'.",
     None),
    ("ambiguous", "en-la", "Answer: G or H", None),
    ("refusal", "en-nmb", "I'm sorry, but I can't provide medical advice. Please consult "
     "a qualified anesthesiologist.", None),
    ("refusal", "en-ind", "I cannot determine the correct answer without more clinical "
     "information about the patient.", None),
    ("refusal", "en-mac", "None of the options is correct: xenon and nitrous oxide both "
     "have MAC values that depend on the reference population.", None),
    ("truncated_listing", "en-ind", "Let's evaluate each option:\n\nA. Propofol - causes "
     "hypotension\nB. Etomidate - hemodynamically stable\nC. Ketamine -", None),
    ("truncated_listing", "en-la", "A. Lidocaine: amide, rarely\nB. Bupivacaine: "
     "cardiotoxic\nC. Ropivacaine: less cardiotoxic\nD. Chloroprocaine: ester\nE.", None),
    ("truncated_sentence", "en-nmb", "Sugammadex (B) is a modified gamma-cyclodextrin that "
     "encapsulates", None),
    ("truncated_sentence", "en-mh", "Dantrolene (A) acts on the ryanodine receptor and",
     None),
    ("truncated_sentence", "en-pvr", "Option A, increase, is seen when", None),
    ("out_of_range", "en-nmb", "Answer: E", None),
    ("out_of_range", "en-tf", "The correct answer is C.", None),
    ("out_of_range", "en-pvr", "**Answer: D**", None),
    ("explicit", "en-tf", "Answer: A. True — hypothermia reduces MAC by about 5% per "
     "degree Celsius.", "A"),
    ("explicit", "en-mac", "So the option with the highest MAC is (d).", "D"),
    ("final_line", "en-la", "Long-acting agents such as bupivacaine (B) and "
     "levobupivacaine (I) are more cardiotoxic, while ropivacaine (C) is intermediate.\n\n"
     "**Final Answer:** C", "C"),
]

ZH: list[tuple[str, str, str, str | None]] = [
    ("explicit", "zh-nmb", "答案是B", "B"),
    ("explicit", "zh-nmb", "答案：B。舒更葡糖钠可包裹罗库溴铵分子，深度阻滞时也有效。", "B"),
    ("explicit", "zh-ind", "故选B。", "B"),
    ("explicit", "zh-pvr", "正确答案为A（升高）。缺氧性肺血管收缩使肺血管阻力升高。", "A"),
    ("explicit", "zh-mac", "选D", "D"),
    ("explicit", "zh-pos", "本题答案：H", "H"),
    ("explicit", "zh-tf", "答案：A 正确", "A"),
    ("explicit", "zh-ls", "应选A，局麻药全身毒性（LAST）表现为口周麻木、耳鸣继而抽搐。", "A"),
    ("explicit", "zh-ind", "我的答案是 C。", "C"),
    ("explicit", "zh-pos", "最佳选项是G。", "G"),
    ("conclusion_bold", "zh-nmb", "新斯的明（A）对深度阻滞无效，阿托品（C）和纳洛酮（D）"
     "均不是肌松拮抗剂。\n\n综上所述，正确答案为 **B**", "B"),
    ("conclusion_bold", "zh-ind", "丙泊酚和硫喷妥钠会引起明显低血压，咪达唑仑起效慢。"
     "\n\n综上，**B**", "B"),
    ("conclusion_bold", "zh-mac", "各药MAC：地氟烷6%，七氟烷2%，异氟烷1.15%，氧化亚氮104%。"
     "\n因此，**D**。", "D"),
    ("conclusion_bold", "zh-pos", "经蝶垂体手术常用仰卧位，后颅窝手术可采用坐位。"
     "本题问后颅窝，故**H**。", "H"),
    ("conclusion_bold", "zh-ls", "注射后立即出现口周麻木、抽搐，随后心律失常。"
     "\n\n**结论：A**", "A"),
    ("fullwidth", "zh-nmb", "答案：Ｂ", "B"),
    ("fullwidth", "zh-ind", "正确答案是（Ｂ）依托咪酯。", "B"),
    ("fullwidth", "zh-pos", "选Ｈ。坐位利于后颅窝暴露，但需警惕空气栓塞。", "H"),
    ("fullwidth", "zh-pvr", "答案：（Ａ）", "A"),
    ("think", "zh-nmb", "<think>\n深度阻滞，TOF为0，PTC 2。新斯的明有天花板效应，不能"
     "拮抗深度阻滞。阿托品、纳洛酮都不对。所以选舒更葡糖钠。\n</think>\n\n答案：B", "B"),
    ("think", "zh-ind", "<think>\n失血性休克患者诱导。丙泊酚A不行，硫喷妥钠D也不行，"
     "咪达唑仑E也会降压。氯胺酮C在儿茶酚胺耗竭时有直接心肌抑制。依托咪酯B最稳定。\n"
     "</think>\n**答案：B**", "B"),
    ("think", "zh-mac", "<think>MAC最高的是氧化亚氮，104%。对应D。</think>\n\nD", "D"),
    ("think", "zh-ls", "<think>\n题干：注射布比卡因后立即抽搐，然后室颤。这是局麻药"
     "全身毒性，选A。过敏B一般皮疹、支气管痉挛。全脊麻D是呼吸停止、低血压，不是抽搐。\n"
     "</think>\n\n该患者表现符合局麻药全身毒性，应立即给予脂肪乳剂。\n\n答案：A", "A"),
    ("think", "zh-pos", "<think>\n后颅窝手术……坐位H或俯卧位B。题目强调“空气栓塞风险"
     "最高”的体位，那就是坐位。\n</think>\n\n正确答案是 H。", "H"),
    ("think_truncated", "zh-ind", "<think>\n患者血压80/50，心率130，失血性休克。丙泊酚"
     "会进一步降低血压，排除A。依托咪酯对循环影响小，但会抑制肾上腺皮质，", None),
    ("think_truncated", "zh-mac", "<think>\n比较各药的MAC值。地氟烷约6%，七氟烷约2%，"
     "异氟烷1.15%，氧化亚氮104%，所以答案应该是D，不过还要确认氙气", None),
    ("markdown", "zh-ind", "**分析：**\n- A 丙泊酚：血压下降明显 ❌\n- B 依托咪酯：循环"
     "稳定 ✅\n- C 氯胺酮：可考虑，但颅内压升高\n- D 硫喷妥钠：低血压 ❌\n- E 咪达唑仑："
     "起效慢 ❌\n\n**答案：B**", "B"),
    ("markdown", "zh-pos", "## 解析\n1. 俯卧位（B）：适用于脊柱手术\n2. 坐位（H）：后颅窝"
     "手术，静脉空气栓塞风险最高\n\n## 答案\n**H**", "H"),
    ("markdown", "zh-tf", "**错误。** 舒更葡糖钠不能拮抗顺阿曲库铵。\n\n答案：B", "B"),
    ("json", "zh-nmb", '{"答案": "B", "解析": "舒更葡糖钠可拮抗深度阻滞"}', "B"),
    ("json", "zh-ls", '```json\n{"answer": "A", "reason": "局麻药全身毒性"}\n```', "A"),
    ("json", "zh-pvr", '{"answer": "升高"}', "A"),
    ("final_line", "zh-ind", "丙泊酚（A）扩张血管、抑制心肌；硫喷妥钠（D）同样降压；"
     "咪达唑仑（E）在低血容量时也可致低血压；氯胺酮（C）在儿茶酚胺耗竭时直接抑制心肌。"
     "依托咪酯对心血管影响最小。\n\n因此答案是B。", "B"),
    ("final_line", "zh-ls", "过敏反应（B）多有皮疹和支气管痉挛；血管迷走反应（C）为心动"
     "过缓、低血压；全脊麻（D）为呼吸停止；高铁血红蛋白血症（E）为发绀。本例注药后即刻"
     "抽搐并心律失常。\n\n故选A。", "A"),
    ("final_line", "zh-mac", "地氟烷（A）6%，七氟烷（B）2%，异氟烷（C）1.15%，氟烷（E）"
     "0.75%，氙气（F）63%。\n最终答案：D", "D"),
    ("final_line", "zh-pos", "俯卧位（B）常用于脊柱手术，侧卧位（C）用于开胸，截石位（D）"
     "用于会阴手术，沙滩椅位（E）用于肩关节镜。\n所以本题选H。", "H"),
    ("change_of_mind", "zh-ind", "一开始我倾向于C（氯胺酮），因为它能维持血压。但在儿茶"
     "酚胺耗竭的休克患者中，氯胺酮会直接抑制心肌。重新考虑后，答案应为B。", "B"),
    ("change_of_mind", "zh-nmb", "答案：A。不对，深度阻滞时新斯的明无效，应改为B。", "B"),
    ("change_of_mind", "zh-pos", "我先想到的是俯卧位B，但题目问的是静脉空气栓塞风险"
     "最高的体位，所以更正为H。", "H"),
    ("elimination", "zh-nmb", "排除A（新斯的明对深度阻滞无效）、排除C（阿托品是抗胆碱"
     "药）、排除D（纳洛酮拮抗阿片），所以选B。", "B"),
    ("elimination", "zh-pvr", "不是B，也不是C，所以是A。", "A"),
    ("elimination", "zh-ls", "B、C、D、E、F、G都与题干表现不符，只剩A。", "A"),
    ("negation", "zh-nmb", "答案不是A。新斯的明有封顶效应，答案是B。", "B"),
    ("negation", "zh-tf", "该说法不正确，选B。", "B"),
    ("negation", "zh-ind", "不选A，丙泊酚会加重低血压。", None),
    ("option_text", "zh-nmb", "舒更葡糖钠", "B"),
    ("option_text", "zh-pvr", "肺血管阻力升高。", "A"),
    ("option_text", "zh-pos", "答案是坐位。", "H"),
    ("option_text", "zh-tf", "错误", "B"),
    ("ambiguous", "zh-ind", "答案是B或C，依托咪酯和氯胺酮都可以用于休克患者诱导。", None),
    ("ambiguous", "zh-pos", "B和H都对，取决于手术入路。", None),
    ("ambiguous", "zh-ls", "答案：A、D", None),
    ("refusal", "zh-nmb", "抱歉，我无法提供医疗建议，请咨询专业麻醉医师。", None),
    ("refusal", "zh-ind", "题目信息不足，无法确定正确答案。", None),
    ("refusal", "zh-mac", "以上选项都不对。", None),
    ("truncated_listing", "zh-ind", "逐项分析：\nA. 丙泊酚：降低血压\nB. 依托咪酯：循环稳定"
     "\nC. 氯胺酮：", None),
    ("truncated_listing", "zh-pos", "A 仰卧位：常规\nB 俯卧位：脊柱\nC 侧卧位：开胸\nD", None),
    ("truncated_sentence", "zh-nmb", "舒更葡糖钠（B）是一种改良的γ-环糊精，能够", None),
    ("truncated_sentence", "zh-ls", "局麻药全身毒性（A）通常首先表现为", None),
    ("truncated_sentence", "zh-pos", "坐位（H）时静脉空气栓塞的风险", None),
    ("out_of_range", "zh-nmb", "答案：E", None),
    ("out_of_range", "zh-tf", "选C。", None),
    ("out_of_range", "zh-pvr", "正确答案是D", None),
    ("explicit", "zh-ls", "正确答案：E（高铁血红蛋白血症）", "E"),
    ("explicit", "zh-mac", "答：D 氧化亚氮", "D"),
    ("final_line", "zh-pvr", "高氧或吸入一氧化氮时肺血管阻力降低（B），但本题为缺氧。"
     "\n\n答案：A", "A"),
]


def records() -> list[dict]:
    out = []
    for lang, rows in (("en", EN), ("zh", ZH)):
        for i, (family, qid, response, label) in enumerate(rows):
            out.append({
                "id": f"blind-{lang}-{i:03d}", "split": "blind", "family": family,
                "template": f"blind-{family}", "language": lang, "qid": qid,
                "options": OPTS[qid], "response": response, "label": label,
            })
    return out


def main() -> None:
    path = Path(__file__).with_name("extraction_blind.jsonl")
    rows = records()
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    path.write_text(text, encoding="utf-8")
    print(f"{len(rows)} records -> {path}")


if __name__ == "__main__":
    main()
