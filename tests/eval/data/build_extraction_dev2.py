"""Build ``extraction_dev2.jsonl``: labelled responses of the formats issue 25 names (v4 rules' dev set).

Written for this project, in our own words. The families follow how peers' suites probe answer
extraction (lighteval's extractive match, lm-eval's regex filters, OpenCompass's option
post-processors, inspect_ai's ``ANSWER:`` lines, evalscope's multi-choice cases) and go beyond
them to formats real models produce: exam-style bracketed headers, answers given as option text
inside longer responses, numeric and ordinal option references, hedges that still commit, a
leading letter followed by an explanation that names other letters (or starts with the article
"A"), base models that answer and then write a new question, option texts that contain letters
or "none of the above", and a letter that contradicts the option text it quotes (no answer).

``split`` is ``dev2``: these cases were visible while the v4 rules were written (in-sample).
``label``: the letter a careful human grader would score, or ``None``.

Run: ``python tests/eval/data/build_extraction_dev2.py`` (rewrites extraction_dev2.jsonl next to it).
"""

from __future__ import annotations

import json
from pathlib import Path

LETTERS = "ABCDEFGHI"


def _opts(*texts: str) -> dict[str, str]:
    return dict(zip(LETTERS, texts))


NMB = _opts("Neostigmine", "Sugammadex", "Atropine", "Naloxone")
IND = _opts("Propofol", "Ketamine", "Thiopental", "Midazolam", "Dexmedetomidine")
VIT = _opts("Vitamin K", "Factor VIII concentrate", "Vitamin B12", "None of the above")
HEP = _opts("Hepatitis A", "Hepatitis B", "Hepatitis C", "Hepatitis E")
TF = _opts("True", "False")
ZNMB = _opts("新斯的明", "舒更葡糖钠", "阿托品", "纳洛酮")
ZIND = _opts("丙泊酚", "氯胺酮", "硫喷妥钠", "咪达唑仑", "右美托咪定")
ZVIT = _opts("维生素K", "维生素B12", "凝血因子VIII", "以上都不是")

# (family, language, options, response, label)
CASES: list[tuple[str, str, dict[str, str], str, str | None]] = [
    # -- peers' families (own wording) ------------------------------------------------------------
    ("peer_answer_line", "en", NMB, "Sugammadex binds rocuronium directly.\n\nANSWER: B", "B"),
    ("peer_answer_line", "en", IND, "ANSWER: b", "B"),
    ("peer_answer_line", "en", NMB, "ANSWER: B, C", None),
    ("peer_final_answer", "en", IND, "Shock calls for an agent that keeps sympathetic tone.\nFinal answer: B", "B"),
    ("peer_final_answer", "en", NMB, r"The final answer is $\boxed{\text{B}}$.", "B"),
    ("peer_final_answer", "en", IND, r"Final Answer: $\boxed{(B)}$", "B"),
    ("peer_paren", "en", NMB, "The correct answer is (B) Sugammadex.", "B"),
    ("peer_paren", "en", IND, "answer is (b)", "B"),
    ("peer_zh", "zh", ZNMB, "正确答案是B", "B"),
    ("peer_zh", "zh", ZNMB, "选项B正确。", "B"),
    ("peer_zh", "zh", ZNMB, "B是正确的。", "B"),
    ("peer_zh", "zh", ZIND, "答案选B", "B"),
    ("peer_zh", "zh", ZIND, "答：B", "B"),
    ("peer_zh", "zh", ZIND, "故本题答案为B项。", "B"),
    ("peer_zh", "zh", ZNMB, "答案：B、C", None),
    # -- exam-style bracketed headers --------------------------------------------------------------
    ("bracket_header", "zh", ZNMB, "【解析】舒更葡糖钠可包裹罗库溴铵分子，深度阻滞亦可逆转。\n【答案】B", "B"),
    ("bracket_header", "zh", ZIND, "【答案】B\n【解析】氯胺酮兴奋交感神经，维持血压。", "B"),
    ("bracket_header", "zh", ZNMB, "【正确答案】：B", "B"),
    ("bracket_header", "en", NMB, "[Answer] B\n[Explanation] It encapsulates the steroidal relaxant.", "B"),
    ("bracket_header", "en", IND, "**[Final Answer]** B", "B"),
    ("bracket_header", "en", IND, "Explanation: ketamine preserves tone.\n[Answer]: (B)", "B"),
    # -- answer given as option text inside a longer response ---------------------------------------
    ("option_text_long", "en", IND, "In a patient in haemorrhagic shock the induction agent should not drop the "
     "pressure further. Ketamine is the most appropriate choice here because it maintains sympathetic outflow.",
     "B"),
    ("option_text_long", "en", NMB, "Deep block after rocuronium cannot be reversed with a cholinesterase "
     "inhibitor. The drug of choice is sugammadex.", "B"),
    ("option_text_long", "zh", ZIND, "休克患者诱导需维持血压。综合来看，氯胺酮是最合适的选择。", "B"),
    ("option_text_long", "zh", ZNMB, "深度阻滞时新斯的明无效，应首选舒更葡糖钠进行拮抗。", "B"),
    ("option_text_long", "en", IND, "Propofol and thiopental both cause hypotension, while midazolam and "
     "ketamine have different profiles. It depends on the patient.", None),
    # -- numeric and ordinal option references ----------------------------------------------------
    ("ordinal", "en", NMB, "The answer is option 2.", "B"),
    ("ordinal", "en", NMB, "The second option is correct.", "B"),
    ("ordinal", "en", IND, "I would pick the 2nd choice.", "B"),
    ("ordinal", "zh", ZNMB, "答案是第二项。", "B"),
    ("ordinal", "zh", ZIND, "应选第2个选项。", "B"),
    ("ordinal", "en", NMB, "The answer is option 7.", None),
    # -- hedges that still commit ------------------------------------------------------------------
    ("hedge_commit", "en", NMB, "I'm not completely sure, but I believe the answer is B.", "B"),
    ("hedge_commit", "en", IND, "Hard to be certain without more history. My best guess would be B.", "B"),
    ("hedge_commit", "en", IND, "Probably B.", "B"),
    ("hedge_commit", "en", NMB, "I'd lean towards B, though A is sometimes used.", "B"),
    ("hedge_commit", "zh", ZNMB, "不太确定，可能是B吧。", "B"),
    ("hedge_commit", "zh", ZIND, "我倾向于选B。", "B"),
    ("hedge_nocommit", "en", NMB, "It could be B, or maybe A; I can't decide.", None),
    # -- leading letter, explanation that mentions other letters / the article "A" ------------------
    ("leading_letter", "en", NMB, "B. Sugammadex. Unlike A (neostigmine), it works at deep block; C and D are "
     "irrelevant here.", "B"),
    ("leading_letter", "en", IND, "B — A and C drop the blood pressure, D is too slow.", "B"),
    ("leading_letter", "en", IND, "B) Ketamine\n\nA patient in shock needs sympathetic support, which A does not "
     "give.", "B"),
    ("leading_letter", "zh", ZNMB, "B。舒更葡糖钠。A项新斯的明对深度阻滞无效，C、D无关。", "B"),
    ("article_a", "en", IND, "A patient in shock needs an agent that keeps the pressure up: ketamine.", "B"),
    ("article_a", "en", NMB, "A selective relaxant binding agent is needed here, so B.", "B"),
    ("article_a", "en", NMB, "A. Neostigmine. A cholinesterase inhibitor works once some twitches have "
     "returned.", "A"),
    # -- base models: answer, then a new question --------------------------------------------------
    ("base_new_question", "en", NMB, " B\n\nQuestion: Which drug treats opioid-induced respiratory "
     "depression?\nA. Flumazenil\nB. Naloxone\nC. Atropine\nAnswer: B", "B"),
    ("base_new_question", "en", IND, "Answer: B\n\nQuestion 2: Which agent is contraindicated in porphyria?\n"
     "A. Thiopental\nB. Propofol\nAnswer: A", "B"),
    ("base_new_question", "zh", ZNMB, "答案：B\n\n2. 下列哪种药物可拮抗阿片类呼吸抑制？\nA. 氟马西尼\nB. 纳洛酮\n"
     "答案：D", "B"),
    ("base_new_question", "en", NMB, "\n\nQuestion: Which drug reverses benzodiazepines?\nA. Flumazenil\n"
     "B. Naloxone\nAnswer: A", None),
    # -- option texts that contain letters / none of the above --------------------------------------
    ("letters_in_options", "en", VIT, "Vitamin B12 is the answer; it is not a coagulation product.", "C"),
    ("letters_in_options", "en", VIT, "The answer is Vitamin B12.", "C"),
    ("letters_in_options", "en", HEP, "Hepatitis B is the answer: it is transmitted by blood.", "B"),
    ("letters_in_options", "en", HEP, "Hepatitis C is the most likely, given the transfusion history.", "C"),
    ("letters_in_options", "en", VIT, "None of the above.", "D"),
    ("letters_in_options", "en", VIT, "The answer is D, none of the above.", "D"),
    ("letters_in_options", "zh", ZVIT, "以上都不是。", "D"),
    ("none_of_the_options", "en", NMB, "None of the options is correct; the right drug is not listed.", None),
    ("none_of_the_options", "zh", ZNMB, "以上选项均不正确。", None),
    # -- a letter that contradicts the option text it quotes ----------------------------------------
    ("contradiction", "en", NMB, "The answer is C. Sugammadex", None),
    ("contradiction", "en", IND, "Answer: (A) Ketamine", None),
    ("contradiction", "zh", ZNMB, "答案：C. 舒更葡糖钠", None),
    ("contradiction", "en", NMB, "The answer is B. Sugammadex", "B"),
    ("contradiction", "en", TF, "Answer: B. False", "B"),
]


def build() -> list[dict]:
    rows = []
    counters: dict[str, int] = {}
    for family, lang, options, response, label in CASES:
        k = counters.get(family, 0)
        counters[family] = k + 1
        rows.append({"id": f"dev2-{family}-{k}", "split": "dev2", "family": family, "template": family,
                     "language": lang, "options": options, "response": response, "label": label})
    return rows


def main() -> None:
    out = Path(__file__).with_name("extraction_dev2.jsonl")
    rows = build()
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {len(rows)} rows to {out}")


if __name__ == "__main__":
    main()
