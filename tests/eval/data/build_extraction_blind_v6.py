"""Build extraction_blind_v6.jsonl: a blind, hand-labelled set of MCQ responses.

Written without reading the extractor or earlier sets, to measure it out of sample
(issue #25). Responses are hand-written templates over ~30 anesthesiology questions;
labels are what a strict but fair exam grader would credit (None = no committed answer).
Run: python tests/eval/data/build_extraction_blind_v6.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).with_name("extraction_blind_v6.jsonl")

# qid, language, stem, options, gold, explanation (in the question's language)
QUESTIONS: list[tuple[str, str, str, dict[str, str], str, str]] = [
    ("q01", "en", "Which inhalational agent is most suitable for inhalational induction in children?",
     {"A": "Desflurane", "B": "Isoflurane", "C": "Sevoflurane", "D": "Enflurane"}, "C",
     "Sevoflurane is non-pungent and has low blood-gas solubility, so it allows a smooth, rapid mask induction; desflurane and isoflurane irritate the airway."),
    ("q02", "en", "The first-line drug for treating malignant hyperthermia is:",
     {"A": "Dantrolene", "B": "Propranolol", "C": "Acetaminophen", "D": "Calcium gluconate", "E": "Neostigmine"}, "A",
     "Dantrolene inhibits calcium release from the sarcoplasmic reticulum via the ryanodine receptor (RYR1)."),
    ("q03", "en", "Sugammadex reverses neuromuscular blockade from which drug most effectively?",
     {"A": "Succinylcholine", "B": "Rocuronium", "C": "Cisatracurium", "D": "Mivacurium"}, "B",
     "Sugammadex is a modified gamma-cyclodextrin that encapsulates aminosteroid relaxants, rocuronium best of all, then vecuronium."),
    ("q04", "en", "The maximum recommended dose of plain lidocaine for infiltration in an adult is approximately:",
     {"A": "1 mg/kg", "B": "4.5 mg/kg", "C": "7 mg/kg", "D": "10 mg/kg"}, "B",
     "Plain lidocaine is limited to about 4.5 mg/kg (max ~300 mg); with epinephrine it rises to about 7 mg/kg."),
    ("q05", "en", "A sudden fall in end-tidal CO2 to near zero during surgery with a previously normal trace most likely indicates:",
     {"A": "Malignant hyperthermia", "B": "Hypoventilation", "C": "Circuit disconnection or esophageal intubation", "D": "Sepsis", "E": "Shivering"}, "C",
     "An abrupt loss of the capnogram means no CO2 is reaching the sampler: disconnection, tube displacement or cardiac arrest."),
    ("q06", "en", "Which of the following is NOT a component of the LEMON airway assessment?",
     {"A": "Look externally", "B": "Evaluate 3-3-2", "C": "Mallampati", "D": "Neck mobility", "E": "Oxygen saturation"}, "E",
     "LEMON is Look, Evaluate 3-3-2, Mallampati, Obstruction, Neck mobility; saturation is not part of it."),
    ("q07", "en", "Propofol infusion syndrome is associated with all of the following EXCEPT:",
     {"A": "Metabolic acidosis", "B": "Rhabdomyolysis", "C": "Hyperkalemia", "D": "Hypoglycemia-induced seizures only in neonates", "E": "Cardiac failure"}, "D",
     "PRIS features are metabolic acidosis, rhabdomyolysis, hyperkalemia, lipemia and cardiac failure; 'hypoglycemia-induced seizures only in neonates' is not a feature."),
    ("q08", "en", "Local anesthetic systemic toxicity with cardiovascular collapse after bupivacaine should be treated first with:",
     {"A": "20% lipid emulsion", "B": "High-dose vasopressin", "C": "Propofol bolus", "D": "Sodium bicarbonate", "E": "None of the above"}, "A",
     "Intralipid 20% (1.5 mL/kg bolus) is the specific therapy for LAST alongside airway management and modified ACLS."),
    ("q09", "en", "Which nerve is most commonly injured from positioning under general anesthesia?",
     {"A": "Radial nerve", "B": "Ulnar nerve", "C": "Common peroneal nerve", "D": "Sciatic nerve"}, "B",
     "Ulnar neuropathy is the most frequent perioperative peripheral nerve injury in closed-claims data."),
    ("q10", "en", "The ASA physical status classification for a patient with poorly controlled diabetes and morbid obesity (BMI 42) is:",
     {"A": "ASA I", "B": "ASA II", "C": "ASA III", "D": "ASA IV", "E": "ASA V", "F": "ASA VI"}, "C",
     "Poorly controlled DM and BMI >= 40 are severe systemic disease without constant threat to life, i.e. ASA III."),
    ("q11", "en", "Succinylcholine is contraindicated in which patient?",
     {"A": "A 30-year-old for rapid sequence induction", "B": "A patient 3 weeks after a major burn", "C": "A patient with a full stomach", "D": "A patient with a difficult airway history"}, "B",
     "From about 24-48 hours after a major burn, acetylcholine receptors upregulate and succinylcholine can cause lethal hyperkalemia."),
    ("q12", "en", "Which opioid is metabolized by nonspecific plasma and tissue esterases?",
     {"A": "Fentanyl", "B": "Morphine", "C": "Remifentanil", "D": "Sufentanil", "E": "Alfentanil", "F": "Hydromorphone", "G": "Methadone"}, "C",
     "Remifentanil has an ester linkage and is hydrolyzed by nonspecific esterases, giving a context-sensitive half-time of about 3-4 minutes."),
    ("q13", "en", "In the difficult airway algorithm, after failed intubation and failed supraglottic airway with inability to oxygenate, the next step is:",
     {"A": "Wake the patient up", "B": "Another attempt at laryngoscopy", "C": "Front-of-neck access (cricothyroidotomy)", "D": "Give more neuromuscular blocker"}, "C",
     "A 'can't intubate, can't oxygenate' situation mandates emergency front-of-neck access."),
    ("q14", "en", "Is ketamine an NMDA receptor antagonist?",
     {"A": "Yes", "B": "No"}, "A",
     "Ketamine is a non-competitive NMDA receptor antagonist."),
    ("q15", "en", "Spinal anesthesia block height is most influenced by:",
     {"A": "Baricity of the solution and patient position", "B": "Speed of injection", "C": "Patient weight", "D": "Addition of epinephrine", "E": "Needle bevel direction", "F": "All of the above", "G": "Barbotage", "H": "Volume of CSF only", "I": "Patient height"}, "A",
     "Baricity and position (plus dose) are the dominant determinants of spread; speed, weight and bevel matter little."),
    ("q16", "en", "Which volatile anesthetic has the lowest blood-gas partition coefficient?",
     {"A": "Halothane", "B": "Sevoflurane", "C": "Desflurane", "D": "Isoflurane", "E": "Nitrous oxide"}, "C",
     "Desflurane has a blood-gas coefficient of about 0.42, slightly below nitrous oxide (0.47) and sevoflurane (0.65)."),
    ("z01", "zh", "恶性高热的首选治疗药物是：",
     {"A": "丹曲林", "B": "普萘洛尔", "C": "对乙酰氨基酚", "D": "葡萄糖酸钙"}, "A",
     "丹曲林通过抑制肌浆网钙释放（作用于RYR1受体）治疗恶性高热。"),
    ("z02", "zh", "下列哪种肌松药主要经霍夫曼消除？",
     {"A": "罗库溴铵", "B": "维库溴铵", "C": "顺阿曲库铵", "D": "泮库溴铵", "E": "琥珀胆碱"}, "C",
     "顺阿曲库铵主要通过霍夫曼消除，不依赖肝肾功能。"),
    ("z03", "zh", "局麻药中毒出现心搏骤停时，应首先给予：",
     {"A": "20%脂肪乳剂", "B": "大剂量肾上腺素", "C": "利多卡因", "D": "碳酸氢钠"}, "A",
     "局麻药全身毒性（LAST）的特异性治疗是静脉注射20%脂肪乳剂，肾上腺素应减小剂量。"),
    ("z04", "zh", "小儿吸入诱导最常用的吸入麻醉药是：",
     {"A": "地氟烷", "B": "七氟烷", "C": "异氟烷", "D": "氧化亚氮", "E": "恩氟烷"}, "B",
     "七氟烷无刺激性气味、血气分配系数低，诱导平稳迅速，适合小儿吸入诱导。"),
    ("z05", "zh", "椎管内麻醉后最常见的并发症是：",
     {"A": "硬膜外血肿", "B": "低血压", "C": "全脊麻", "D": "马尾综合征"}, "B",
     "交感神经阻滞导致血管扩张，低血压是椎管内麻醉最常见的并发症。"),
    ("z06", "zh", "关于舒更葡糖钠，下列说法错误的是：",
     {"A": "可拮抗罗库溴铵", "B": "可拮抗维库溴铵", "C": "可拮抗琥珀胆碱", "D": "以原形经肾排出"}, "C",
     "舒更葡糖钠通过包裹甾体类肌松药发挥作用，对琥珀胆碱无效。"),
    ("z07", "zh", "成人气管插管后确认导管位置最可靠的方法是：",
     {"A": "听诊双肺呼吸音", "B": "观察胸廓起伏", "C": "呼气末二氧化碳波形", "D": "导管内有雾气", "E": "脉搏血氧饱和度"}, "C",
     "持续的呼气末二氧化碳波形是确认气管内插管的金标准。"),
    ("z08", "zh", "丙泊酚的主要不良反应是：",
     {"A": "肾上腺皮质抑制", "B": "注射痛和低血压", "C": "升高颅内压", "D": "恶心呕吐发生率高"}, "B",
     "丙泊酚常见注射痛，并可抑制心血管导致低血压；依托咪酯才会抑制肾上腺皮质。"),
    ("z09", "zh", "氯胺酮的作用机制主要是：",
     {"A": "激动GABA-A受体", "B": "拮抗NMDA受体", "C": "激动α2受体", "D": "激动μ阿片受体"}, "B",
     "氯胺酮是非竞争性NMDA受体拮抗剂，产生分离麻醉。"),
    ("z10", "zh", "术中出现“无法插管、无法氧合”时，应立即：",
     {"A": "再次尝试直接喉镜", "B": "唤醒患者", "C": "紧急环甲膜切开", "D": "追加肌松药", "E": "改用视频喉镜反复尝试", "F": "等待上级医生"}, "C",
     "CICO情况下应立即行颈前入路（环甲膜切开）建立气道。"),
    ("z11", "zh", "下列哪项不是术后恶心呕吐（PONV）的危险因素（Apfel评分）？",
     {"A": "女性", "B": "非吸烟者", "C": "术后使用阿片类药物", "D": "吸烟者", "E": "晕动病史"}, "D",
     "Apfel评分四项：女性、非吸烟、PONV或晕动病史、术后阿片类药物；吸烟者反而风险较低。"),
    ("z12", "zh", "硬膜外穿刺时，确认进入硬膜外腔最常用的方法是：",
     {"A": "阻力消失法", "B": "悬滴法", "C": "神经刺激器", "D": "超声"}, "A",
     "阻力消失法是临床最常用的硬膜外腔定位方法。"),
    ("z13", "zh", "右美托咪定的作用受体是：",
     {"A": "α1受体", "B": "α2受体", "C": "β1受体", "D": "M受体", "E": "H1受体", "F": "5-HT3受体", "G": "D2受体"}, "B",
     "右美托咪定是高选择性α2肾上腺素能受体激动剂。"),
    ("z14", "zh", "妊娠期妇女全麻诱导时误吸风险增加，主要原因不包括：",
     {"A": "胃排空延迟", "B": "食管下括约肌张力降低", "C": "胃内压升高", "D": "以上都不是"}, "D",
     "胃排空延迟、下食管括约肌松弛和胃内压升高都是原因，因此“以上都不是”不属于原因。"),
]

Q = {q[0]: q for q in QUESTIONS}
EN = [q[0] for q in QUESTIONS if q[1] == "en"]
ZH = [q[0] for q in QUESTIONS if q[1] == "zh"]

ORD_EN = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
ORD_ZH = "一二三四五六七八九"


def letters(q) -> list[str]:
    return list(q[3])


def txt(q, letter: str) -> str:
    return q[3][letter]


def pick(q, rng: random.Random, p_gold: float = 0.8) -> str:
    """The letter the simulated model commits to: usually the key, sometimes a distractor."""
    if rng.random() < p_gold:
        return q[4]
    return rng.choice([x for x in letters(q) if x != q[4]])


def other(q, rng: random.Random, *exclude: str) -> str:
    return rng.choice([x for x in letters(q) if x not in exclude])


def ex(q, letter: str) -> str:
    """The explanation the model gives: the real one for the key, a generic one for a distractor."""
    if letter == q[4]:
        return q[5]
    if q[1] == "zh":
        return f"{txt(q, letter)}最符合题干所描述的情况。"
    return f"{txt(q, letter)} best fits the clinical scenario described."


def lc(s: str) -> str:
    """Lower-case a sentence's first letter unless it starts an acronym."""
    return s if s[1:2].isupper() else s[:1].lower() + s[1:]


def past_end(q) -> str:
    return chr(ord(letters(q)[-1]) + 1)


def listing(q) -> str:
    return "\n".join(f"{k}. {v}" for k, v in q[3].items())


# Each template: fn(q, rng) -> (response, label). Label None = a grader would not commit.

# ---------------------------------------------------------------- reasoning models (<think>)
def think_bold(q, rng):
    L, W = pick(q, rng), None
    W = other(q, rng, L)
    r = (f"<think>\nThe question asks: {q[2]} Let me go through the options. {W} is {txt(q, W)} — "
         f"that doesn't fit as well. {ex(q, L)} So the answer is {L}.\n</think>\n\n"
         f"**Answer: {L}**\n\n{ex(q, L)}")
    return r, L


def think_then_sentence(q, rng):
    L = pick(q, rng)
    W = other(q, rng, L)
    r = (f"<think>\nHmm, maybe {W}? No wait. {txt(q, W)} is a distractor here. "
         f"Let me recall the facts: {ex(q, L)}\nOkay, I'm fairly confident now.\n</think>\n"
         f"The correct answer is {L}. {txt(q, L)}.")
    return r, L


def think_no_open_tag(q, rng):
    L = pick(q, rng)
    r = (f"Okay, so I need to figure out this one. {q[2]}\n\nFirst, option A: {txt(q, 'A')}. "
         f"Then B: {txt(q, 'B')}. {ex(q, L)}\n\nSo I think it's {L}.\n</think>\n\n"
         f"The answer is **{L}. {txt(q, L)}**.")
    return r, L


def think_truncated(q, rng):
    a, b = letters(q)[0], letters(q)[1]
    r = (f"<think>\nAlright, let's break this down. The stem is about: {q[2].rstrip(':?')}. "
         f"Option {a} says {txt(q, a)}, which I remember is sometimes used, but option {b}, "
         f"{txt(q, b)}, could also be relevant because")
    return r, None


def think_truncated_leaning(q, rng):
    L = q[4]
    W = other(q, rng, L)
    r = (f"<think>\nLet me think. Could it be {L}? Possibly, {txt(q, L)} fits part of it. "
         f"But {W}, {txt(q, W)}, also seems plausible if we consider the exceptions. "
         f"I need to weigh {L} against {W} more carefully. On one hand")
    return r, None


def think_changed_after(q, rng):
    L = q[4]
    W = other(q, rng, L)
    r = (f"<think>\nFirst instinct: {W}. But wait, {ex(q, L)} That changes things. "
         f"So {W} is wrong and it should be {L}.\n</think>\n\nFinal answer: {L}")
    return r, L


def think_final_differs(q, rng):
    # the thinking leans one way, the stated final answer is what a grader credits
    L = q[4]
    W = other(q, rng, L)
    r = (f"<think>\nI'd say {W}, {txt(q, W)}... let me double-check. Actually reviewing: {ex(q, L)}\n"
         f"</think>\n\nAfter reviewing the options, the best answer is ({L}) {txt(q, L)}.")
    return r, L


def think_zh(q, rng):
    L = pick(q, rng)
    W = other(q, rng, L)
    r = (f"<think>\n嗯，这道题问的是{q[2].rstrip('：')}。先看{W}选项，{txt(q, W)}，好像不太对。"
         f"{ex(q, L)}所以应该选{L}。\n</think>\n\n答案：{L}")
    return r, L


def think_zh_truncated(q, rng):
    a, b = letters(q)[0], letters(q)[1]
    r = (f"<think>\n好的，我来分析一下这道题。题目问{q[2].rstrip('：')}。选项{a}是{txt(q, a)}，"
         f"选项{b}是{txt(q, b)}。我记得教材上说过，其中一个与")
    return r, None


def think_zh_final_text(q, rng):
    L = pick(q, rng)
    r = (f"<think>\n用户给了一道麻醉学单选题。我逐个排除。{ex(q, L)}确认无误。\n</think>\n\n"
         f"**正确答案：{L}. {txt(q, L)}**\n\n解析：{ex(q, L)}")
    return r, L


def think_boxed(q, rng):
    L = pick(q, rng)
    r = (f"<think>\nLet's reason step by step. {ex(q, L)} Therefore {L}.\n</think>\n\n"
         f"{ex(q, L)}\n\n$$\\boxed{{{L}}}$$")
    return r, L


def think_empty_after(q, rng):
    # thinking closed, but nothing after it and the thinking never settles
    a, b = q[4], other(q, rng, q[4])
    r = (f"<think>\nIt's between {a} and {b}. {txt(q, a)} versus {txt(q, b)}. "
         f"Both have support in the literature, I can't really separate them.\n</think>\n\n")
    return r, None


# ---------------------------------------------------------------- English medical chat models
def chat_correct_is(q, rng):
    L = pick(q, rng)
    r = (f"The correct answer is **{L}) {txt(q, L)}**.\n\n**Explanation:**\n{ex(q, L)}\n\n"
         f"**Why not the others:**\n" +
         "\n".join(f"- **{k}) {v}** – less appropriate in this setting." for k, v in q[3].items() if k != L))
    return r, L


def chat_bold_answer_first(q, rng):
    L = pick(q, rng)
    return f"**Answer: {L}**\n\n{ex(q, L)}", L


def chat_analysis_md(q, rng):
    L = pick(q, rng)
    parts = ["## Analysis of the options", ""]
    for k, v in q[3].items():
        verdict = "✅ Correct." if k == L else "❌ Incorrect."
        parts.append(f"- **{k}. {v}**: {verdict}")
    parts += ["", "## Conclusion", f"{ex(q, L)} The best choice is therefore **{L}**."]
    return "\n".join(parts), L


def chat_go_with(q, rng):
    L = pick(q, rng)
    return f"Tough one, but I'd go with {L} — {txt(q, L).lower()}. {ex(q, L)}", L


def chat_option_text_only(q, rng):
    L = pick(q, rng)
    return f"{txt(q, L)}.\n\n{ex(q, L)}", L


def chat_option_text_in_sentence(q, rng):
    L = q[4]
    return (f"Based on current guidelines, the most appropriate choice here is {txt(q, L).lower()}. "
            f"{ex(q, L)}"), L


def chat_option_number(q, rng):
    L = pick(q, rng)
    n = letters(q).index(L) + 1
    return f"Option {n} ({txt(q, L)}) is correct. {ex(q, L)}", L


def chat_ordinal(q, rng):
    L = pick(q, rng)
    n = letters(q).index(L)
    return f"I believe the {ORD_EN[n]} option is the right one, since {lc(ex(q, L))}", L


def chat_article_a(q, rng):
    L = pick(q, rng)
    r = (f"A common exam trap here is to pick the familiar drug or the first thing that comes to mind. "
         f"A careful reading of the stem helps: {ex(q, L)}\n\nAnswer: {L}")
    return r, L


def chat_leading_letter_mentions(q, rng):
    L = q[4]
    others = [k for k in letters(q) if k != L]
    r = (f"{L}. {txt(q, L)}\n\n{ex(q, L)} Options {', '.join(others[:-1])} and {others[-1]} are distractors; "
         f"in particular {others[0]} is a classic wrong answer.")
    return r, L


def chat_letter_colon(q, rng):
    L = pick(q, rng)
    return f"{L}: {txt(q, L)}", L


def chat_hedge_commit(q, rng):
    L = pick(q, rng)
    W = other(q, rng, L)
    r = (f"I'm not 100% certain, but I believe the answer is {L}. {ex(q, L)} "
         f"{W} could be argued in rare cases, but {L} is the better answer.")
    return r, L


def chat_hedge_probably(q, rng):
    L = pick(q, rng)
    return (f"This is most likely {L} ({txt(q, L)}). Please verify against your institution's "
            f"protocols and current references."), L


def chat_undecided(q, rng):
    a = q[4]
    b = other(q, rng, a)
    x, y = sorted([a, b])
    r = (f"It's either {x} or {y}. Both can be defended: {txt(q, x)} fits the classic teaching, "
         f"while {txt(q, y)} is supported by some newer data. Without more clinical context I can't "
         f"choose between them.")
    return r, None


def chat_two_answers(q, rng):
    a = q[4]
    b = other(q, rng, a)
    x, y = sorted([a, b])
    return f"The answers are {x} and {y}.", None


def chat_multi_then_single(q, rng):
    a = q[4]
    b = other(q, rng, a)
    r = (f"Both {b} and {a} look plausible at first glance. However, if I have to pick a single best "
         f"answer, it is {a}: {ex(q, a)}")
    return r, a


def chat_change_mind(q, rng):
    L = q[4]
    W = other(q, rng, L)
    r = (f"The answer is {W}. Wait, no — let me reconsider. {ex(q, L)} So the correct answer is actually {L}.")
    return r, L


def chat_change_mind_back(q, rng):
    L = pick(q, rng)
    W = other(q, rng, L)
    r = (f"My first thought is {L}. One could argue for {W}, since {txt(q, W).lower()} is sometimes "
         f"mentioned... but no, I'll stick with {L}.")
    return r, L


def chat_negation_then_answer(q, rng):
    L = q[4]
    W = other(q, rng, L)
    return f"It's definitely not {W}. The answer is {L}, {txt(q, L).lower()}.", L


def chat_negation_only(q, rng):
    W = other(q, rng, q[4])
    V = other(q, rng, q[4], W)
    x, y = sorted([W, V])
    return (f"I can rule out {x} and {y} — neither makes physiological sense here. "
            f"Beyond that, I'm not sure."), None


def chat_refusal(q, rng):
    r = ("I'm sorry, but I can't help with questions that could be used to make clinical decisions. "
         "Please consult a qualified anesthesiologist or an up-to-date reference.")
    return r, None


def chat_refusal_soft(q, rng):
    r = ("As an AI language model, I am not able to provide medical advice. Dosing and management "
         "decisions in anesthesia depend on the individual patient, so I'd recommend discussing this "
         "question with your attending or consulting the relevant guideline.")
    return r, None


def chat_contradiction(q, rng):
    L = q[4]
    W = other(q, rng, L)
    # letter W, but the quoted text is option L's text
    return f"The correct answer is {W}) {txt(q, L)}. {ex(q, L)}", None


def chat_out_of_range(q, rng):
    X = past_end(q)
    return f"Answer: {X}", None


def chat_bare_letter(q, rng):
    L = pick(q, rng)
    return rng.choice([L, f"{L}.", f"{L}\n", f" {L}"]), L


def chat_lowercase(q, rng):
    L = pick(q, rng)
    return f"answer: ({L.lower()}) {txt(q, L).lower()}", L


def chat_paren(q, rng):
    L = pick(q, rng)
    return f"({L})", L


def chat_truncated_before(q, rng):
    a = letters(q)[0]
    r = (f"Let's analyze each option carefully.\n\n**{a}. {txt(q, a)}** — this is a reasonable "
         f"consideration, but in this particular scenario it is not ideal because the")
    return r, None


def chat_truncated_after(q, rng):
    L = pick(q, rng)
    r = f"The answer is {L}. This is because {lc(ex(q, L))[:40]}"
    return r, L


def chat_final_line(q, rng):
    L = pick(q, rng)
    W = other(q, rng, L)
    r = (f"Let's eliminate. {W} ({txt(q, W)}) can be excluded. {ex(q, L)}\n\n"
         f"Therefore, the answer is {L}.")
    return r, L


# ---------------------------------------------------------------- structured outputs
def json_answer(q, rng):
    L = pick(q, rng)
    return json.dumps({"answer": L, "explanation": ex(q, L)}, ensure_ascii=False), L


def json_fenced(q, rng):
    L = pick(q, rng)
    body = json.dumps({"reasoning": ex(q, L), "choice": L}, ensure_ascii=False, indent=2)
    return f"```json\n{body}\n```", L


def json_null(q, rng):
    return json.dumps({"answer": None, "reason": "insufficient information"}), None


def json_list(q, rng):
    a = q[4]
    b = other(q, rng, a)
    return json.dumps({"answer": sorted([a, b])}), None


def json_zh(q, rng):
    L = pick(q, rng)
    return json.dumps({"答案": L, "解析": ex(q, L)}, ensure_ascii=False), L


def boxed_plain(q, rng):
    L = pick(q, rng)
    return f"{ex(q, L)}\n\nThe final answer is $\\boxed{{{L}}}$.", L


def boxed_text(q, rng):
    L = pick(q, rng)
    return f"{ex(q, L)}\n\n\\[\n\\boxed{{\\text{{{L}}}}}\n\\]", L


def boxed_twice(q, rng):
    L = q[4]
    W = other(q, rng, L)
    return (f"Initial answer: $\\boxed{{{W}}}$\n\nHmm, re-checking: {ex(q, L)}\n\n"
            f"Corrected answer: $\\boxed{{{L}}}$"), L


def boxed_empty(q, rng):
    return "Step 1: consider the pharmacology.\nStep 2: \n\n$\\boxed{}$", None


def boxed_zh(q, rng):
    L = pick(q, rng)
    return f"{ex(q, L)}\n\n综上所述，本题答案为：$\\boxed{{{L}}}$", L


# ---------------------------------------------------------------- base models
def base_continue(q, rng):
    L = pick(q, rng)
    nq = Q[rng.choice([x for x in (EN if q[1] == "en" else ZH) if x != q[0]])]
    r = f" {L}\n\nQuestion: {nq[2]}\n{listing(nq)}\nAnswer: {nq[4]}\n\nQuestion:"
    return r, L


def base_continue_answer_line(q, rng):
    L = pick(q, rng)
    nq = Q[rng.choice([x for x in EN if x != q[0]])]
    r = (f"{L}. {txt(q, L)}\n\n"
         f"{nq[2]}\n{listing(nq)}\nAnswer: {nq[4]}. {txt(nq, nq[4])}\n\n{Q[EN[0]][2]}")
    return r, L


def base_no_answer(q, rng):
    nq = Q[rng.choice([x for x in (EN if q[1] == "en" else ZH) if x != q[0]])]
    r = f"\n\n{nq[2]}\n{listing(nq)}\n\n{q[2]}\n{listing(q)}\n"
    return r, None


def base_zh_continue(q, rng):
    L = pick(q, rng)
    nq = Q[rng.choice([x for x in ZH if x != q[0]])]
    r = f"{L}\n\n2. {nq[2]}\n{listing(nq)}\n答案：{nq[4]}\n\n3."
    return r, L


def base_repeat_options(q, rng):
    return listing(q) + "\n" + listing(q), None


def base_explain_then_new(q, rng):
    L = pick(q, rng)
    r = (f"Answer: {L}\nExplanation: {ex(q, L)}\n\n"
         f"### Instruction:\nAnswer the following question.\n{Q['q14'][2]}\nA. Yes\nB. No\n### Response:\nA")
    return r, L


# ---------------------------------------------------------------- Chinese exam style
def zh_bracket(q, rng):
    L = pick(q, rng)
    return f"【答案】{L}\n【解析】{ex(q, L)}", L


def zh_colon(q, rng):
    L = pick(q, rng)
    return f"答案：{L}", L


def zh_guxuan(q, rng):
    L = pick(q, rng)
    return f"{ex(q, L)}故选{L}。", L


def zh_zhengque_xiang(q, rng):
    L = pick(q, rng)
    return f"正确答案是{L}项。{ex(q, L)}", L


def zh_xuan(q, rng):
    L = pick(q, rng)
    return f"选{L}", L


def zh_benti(q, rng):
    L = pick(q, rng)
    return f"本题应选择{L}选项，即“{txt(q, L)}”。", L


def zh_ordinal(q, rng):
    L = pick(q, rng)
    n = letters(q).index(L)
    return f"我认为第{ORD_ZH[n]}个选项是正确的，{ex(q, L)}", L


def zh_answer_paren_text(q, rng):
    L = pick(q, rng)
    return f"答案为{L}（{txt(q, L)}）。", L


def zh_contradiction(q, rng):
    L = q[4]
    W = other(q, rng, L)
    return f"答案是{W}（{txt(q, L)}）。{ex(q, L)}", None


def zh_undecided(q, rng):
    a = q[4]
    b = other(q, rng, a)
    x, y = sorted([a, b])
    return f"{x}和{y}都有一定道理，{txt(q, x)}和{txt(q, y)}在不同教材中的说法不一致，无法确定唯一答案。", None


def zh_refusal(q, rng):
    return "抱歉，我无法回答涉及医疗诊断和治疗的问题，请咨询专业医生。", None


def zh_elimination(q, rng):
    L = q[4]
    wrongs = [k for k in letters(q) if k != L]
    return "，".join(f"{k}项错误" for k in wrongs) + f"，所以正确的是{L}。", L


def zh_negation_only(q, rng):
    W = other(q, rng, q[4])
    return f"这道题肯定不是{W}，{txt(q, W)}明显不符合题意。其他几个选项我不太确定。", None


def zh_change_mind(q, rng):
    L = q[4]
    W = other(q, rng, L)
    return f"答案选{W}。不对，再想一下……{ex(q, L)}应该是{L}。", L


def zh_option_text_only(q, rng):
    L = pick(q, rng)
    return f"{txt(q, L)}。", L


def zh_multi(q, rng):
    a = q[4]
    b = other(q, rng, a)
    c = other(q, rng, a, b)
    return "答案：" + "".join(sorted([a, b, c])), None


def zh_out_of_range(q, rng):
    return f"答案：{past_end(q)}", None


def zh_fullwidth(q, rng):
    L = pick(q, rng)
    fw = chr(ord(L) - ord("A") + ord("Ａ"))
    return f"答：{fw}", L


def zh_leading_then_others(q, rng):
    L = q[4]
    wrongs = [k for k in letters(q) if k != L]
    r = (f"答案：{L}。\n\n解析：{ex(q, L)}\n" +
         "\n".join(f"{k}项：{txt(q, k)}，不符合题意。" for k in wrongs))
    return r, L


def zh_analysis_md(q, rng):
    L = pick(q, rng)
    lines = ["### 选项分析"]
    for k, v in q[3].items():
        lines.append(f"- **{k}. {v}**：{'正确' if k == L else '错误'}")
    lines += ["", f"### 结论\n{ex(q, L)}因此，**正确答案为{L}**。"]
    return "\n".join(lines), L


def zh_truncated(q, rng):
    a = letters(q)[0]
    return f"这道题考查的是麻醉药理学的基础知识。我们逐项分析：\n{a}项：{txt(q, a)}，该说法", None


def zh_truncated_after(q, rng):
    L = pick(q, rng)
    return f"正确答案：{L}\n解析：{ex(q, L)[:12]}", L


def zh_hedge_commit(q, rng):
    L = pick(q, rng)
    return f"不是很确定，但我倾向于选{L}，{txt(q, L)}更符合题意。", L


def zh_none_of_above(q, rng):
    # z14: option D is "以上都不是"
    return "以上都不是。胃排空延迟、食管下括约肌张力降低和胃内压升高都会增加误吸风险。", "D"


# ---------------------------------------------------------------- option texts with letters / none/all of the above
def asa_text(q, rng):
    L = pick(q, rng)
    return f"This patient would be classified as {txt(q, L)}: {ex(q, L)}", L


def asa_text_roman_confuse(q, rng):
    # mentions ASA II and ASA IV while deciding for ASA III
    return ("Not ASA II, because the disease is not mild; not ASA IV either, since there is no constant "
            "threat to life. So ASA III."), "C"


def none_above_en(q, rng):
    # q08 has E = None of the above; committed to E
    return "None of the above — the listed treatments are all inappropriate as first-line therapy.", "E"


def none_above_absent(q, rng):
    # the model rejects every listed option; the question has no such option
    return "None of the above. The correct answer is not listed among the options.", None


def all_above(q, rng):
    # q15: F = All of the above
    return "All of the above. Each of these factors influences the final block height to some degree.", "F"


def lemon_text(q, rng):
    # q06: text-only answer mentioning letters-as-words
    return "Oxygen saturation — LEMON stands for Look, Evaluate 3-3-2, Mallampati, Obstruction and Neck mobility.", "E"


def yes_no(q, rng):
    return rng.choice([("Yes. Ketamine is a non-competitive NMDA receptor antagonist.", "A"),
                       ("Yes", "A"),
                       ("No, ketamine works primarily on GABA receptors.", "B"),
                       ("A", "A")])


# ---------------------------------------------------------------- mixed language
def mixed_en_on_zh(q, rng):
    L = pick(q, rng)
    return f"The answer is {L} ({txt(q, L)}). {ex(q, L)}", L


def mixed_zh_on_en(q, rng):
    L = pick(q, rng)
    return f"答案是{L}。{ex(q, L)}", L


def mixed_think(q, rng):
    L = pick(q, rng)
    return (f"<think>\n这题问的是 {q[2]} Let me recall: {ex(q, L)} 所以是{L}。\n</think>\n\n**Answer: {L}**"), L


def mixed_codeswitch(q, rng):
    L = pick(q, rng)
    return f"我觉得 option {L} 是对的，因为 {ex(q, L)}", L


def mixed_contradiction(q, rng):
    L = q[4]
    W = other(q, rng, L)
    return f"Answer: {W}（{txt(q, L)}）", None


def mixed_undecided(q, rng):
    a, b = sorted([q[4], other(q, rng, q[4])])
    return f"I think it's {a} or {b}, 这两个都有可能，不太好判断。", None


def mixed_truncated(q, rng):
    return f"<think>\nOkay, 这道题考的是 {q[2][:20]} 我先看选项 A，", None


def mixed_final_zh(q, rng):
    L = pick(q, rng)
    W = other(q, rng, L)
    return (f"Option {W} is tempting, but {lc(ex(q, L))}\n\n所以最终答案：{L}"), L


def mixed_refusal(q, rng):
    return "Sorry, 我不能提供医疗建议。Please consult a licensed physician.", None


def mixed_boxed(q, rng):
    L = pick(q, rng)
    return f"分析：{ex(q, L)}\nTherefore the answer is \\boxed{{{L}}}.", L


# ---------------------------------------------------------------- more common phrasings
def chat_final_header(q, rng):
    L = pick(q, rng)
    tail = rng.choice([f"**Final Answer:** {L}", f"### Answer\n{L}", f"Final answer: {L}) {txt(q, L)}",
                       f"**The answer is: {L}. {txt(q, L)}**"])
    return f"{ex(q, L)}\n\n{tail}", L


def chat_prose_elimination(q, rng):
    L = q[4]
    parts = [f"Option {k} ({txt(q, k)}) is incorrect." for k in letters(q) if k != L]
    return " ".join(parts) + f" {ex(q, L)} Hence, the answer is {L}.", L


def chat_answer_then_caveat(q, rng):
    L = q[4]
    W = other(q, rng, L)
    return (f"The answer is {L}. However, note that {W} ({txt(q, W)}) can also come up in related "
            f"scenarios, so read the stem carefully."), L


def chat_helpful_ending(q, rng):
    L = pick(q, rng)
    return (f"Great question! {ex(q, L)}\n\nSo the answer is **{L}. {txt(q, L)}**.\n\n"
            f"I hope this helps! Let me know if you have any other questions."), L


def chat_hedge_no_commit(q, rng):
    a = q[4]
    b = other(q, rng, a)
    return f"I think it might be {a}, but I'm really not sure — it could just as well be {b}.", None


def zh_yinci(q, rng):
    L = pick(q, rng)
    return f"{ex(q, L)}\n\n因此，本题的正确答案为 **{L}. {txt(q, L)}**。", L


def zh_jiexi_first(q, rng):
    L = pick(q, rng)
    return f"解析：{ex(q, L)}\n答案：{L}", L


def zh_maybe_either(q, rng):
    a, b = sorted([q[4], other(q, rng, q[4])])
    return f"可能是{a}，也可能是{b}，我拿不准。", None


def mixed_fullwidth_colon(q, rng):
    L = pick(q, rng)
    return f"Answer：{L}（{txt(q, L)}）", L


EN_POOL = [x for x in EN if x != "q14"]
TEXT_POOL = [x for x in EN_POOL if x not in ("q10",)]
ANY = EN_POOL + ZH

# (family, template id, language, fn, question pool, how many)
PLAN = [
    ("reasoning_think", "think-bold", "en", think_bold, EN_POOL, 6),
    ("reasoning_think", "think-sentence", "en", think_then_sentence, EN_POOL, 4),
    ("reasoning_think", "think-no-open-tag", "en", think_no_open_tag, EN_POOL, 4),
    ("reasoning_think", "think-changed", "en", think_changed_after, EN_POOL, 3),
    ("reasoning_think", "think-final-differs", "en", think_final_differs, EN_POOL, 3),
    ("reasoning_think", "think-boxed", "en", think_boxed, EN_POOL, 3),
    ("reasoning_think", "think-empty-after", "en", think_empty_after, EN_POOL, 2),
    ("truncated", "think-truncated", "en", think_truncated, EN_POOL, 4),
    ("truncated", "think-truncated-leaning", "en", think_truncated_leaning, EN_POOL, 3),
    ("medical_chat", "correct-is", "en", chat_correct_is, EN_POOL, 5),
    ("medical_chat", "bold-answer-first", "en", chat_bold_answer_first, EN_POOL, 4),
    ("medical_chat", "analysis-md", "en", chat_analysis_md, EN_POOL, 4),
    ("medical_chat", "go-with", "en", chat_go_with, TEXT_POOL, 3),
    ("medical_chat", "final-line", "en", chat_final_line, EN_POOL, 3),
    ("medical_chat", "letter-colon", "en", chat_letter_colon, EN_POOL, 2),
    ("medical_chat", "bare-letter", "en", chat_bare_letter, EN_POOL, 4),
    ("zh_exam", "zh-bare-letter", "zh", chat_bare_letter, ZH, 2),
    ("medical_chat", "lowercase", "en", chat_lowercase, EN_POOL, 2),
    ("medical_chat", "paren-only", "en", chat_paren, EN_POOL, 2),
    ("option_text", "text-only", "en", chat_option_text_only, TEXT_POOL, 3),
    ("option_text", "text-in-sentence", "en", chat_option_text_in_sentence, TEXT_POOL, 3),
    ("ordinal", "option-number", "en", chat_option_number, EN_POOL, 3),
    ("ordinal", "ordinal-word", "en", chat_ordinal, EN_POOL, 3),
    ("leading_letter", "article-a", "en", chat_article_a, EN_POOL, 3),
    ("leading_letter", "leading-letter-mentions", "en", chat_leading_letter_mentions, EN_POOL, 3),
    ("hedge", "hedge-commit", "en", chat_hedge_commit, EN_POOL, 3),
    ("hedge", "hedge-probably", "en", chat_hedge_probably, EN_POOL, 2),
    ("undecided", "either-or", "en", chat_undecided, EN_POOL, 3),
    ("multi_select", "two-answers", "en", chat_two_answers, EN_POOL, 2),
    ("multi_select", "multi-then-single", "en", chat_multi_then_single, EN_POOL, 2),
    ("change_of_mind", "wait-no", "en", chat_change_mind, EN_POOL, 3),
    ("change_of_mind", "stick-with", "en", chat_change_mind_back, EN_POOL, 2),
    ("negation", "not-x-then-answer", "en", chat_negation_then_answer, EN_POOL, 2),
    ("negation", "rule-out-only", "en", chat_negation_only, EN_POOL, 2),
    ("refusal", "refusal-hard", "en", chat_refusal, EN_POOL, 2),
    ("refusal", "refusal-soft", "en", chat_refusal_soft, EN_POOL, 2),
    ("contradiction", "letter-vs-text", "en", chat_contradiction, EN_POOL, 3),
    ("out_of_range", "past-last-letter", "en", chat_out_of_range, EN_POOL, 2),
    ("truncated", "truncated-before", "en", chat_truncated_before, EN_POOL, 3),
    ("truncated", "truncated-after", "en", chat_truncated_after, EN_POOL, 2),
    ("structured", "json-answer", "en", json_answer, EN_POOL, 2),
    ("structured", "json-fenced", "en", json_fenced, EN_POOL, 2),
    ("structured", "json-null", "en", json_null, EN_POOL, 1),
    ("structured", "json-list", "en", json_list, EN_POOL, 1),
    ("boxed", "boxed", "en", boxed_plain, EN_POOL, 2),
    ("boxed", "boxed-text", "en", boxed_text, EN_POOL, 1),
    ("boxed", "boxed-twice", "en", boxed_twice, EN_POOL, 2),
    ("boxed", "boxed-empty", "en", boxed_empty, EN_POOL, 1),
    ("base_model", "answer-then-question", "en", base_continue, EN_POOL, 3),
    ("base_model", "answer-then-mcq", "en", base_continue_answer_line, EN_POOL, 2),
    ("base_model", "no-answer-new-question", "en", base_no_answer, EN_POOL, 2),
    ("base_model", "repeat-options", "en", base_repeat_options, EN_POOL, 1),
    ("base_model", "answer-then-instruction", "en", base_explain_then_new, EN_POOL, 2),
    ("option_text_letters", "asa-text", "en", asa_text, ["q10"], 1),
    ("option_text_letters", "asa-roman-elimination", "en", asa_text_roman_confuse, ["q10"], 1),
    ("option_text_letters", "none-of-above-option", "en", none_above_en, ["q08"], 1),
    ("option_text_letters", "none-of-above-absent", "en", none_above_absent, ["q01"], 1),
    ("option_text_letters", "all-of-above-option", "en", all_above, ["q15"], 1),
    ("option_text_letters", "lemon-text", "en", lemon_text, ["q06"], 1),
    ("medical_chat", "yes-no", "en", yes_no, ["q14"], 1),
    ("medical_chat", "yes-no", "en", yes_no, ["q14"], 1),
    ("medical_chat", "final-header", "en", chat_final_header, EN_POOL, 4),
    ("leading_letter", "prose-elimination", "en", chat_prose_elimination, EN_POOL, 3),
    ("medical_chat", "answer-then-caveat", "en", chat_answer_then_caveat, EN_POOL, 2),
    ("medical_chat", "helpful-ending", "en", chat_helpful_ending, EN_POOL, 2),
    ("undecided", "might-be-or", "en", chat_hedge_no_commit, EN_POOL, 2),
    # Chinese
    ("zh_exam", "zh-yinci", "zh", zh_yinci, ZH, 4),
    ("zh_exam", "zh-jiexi-first", "zh", zh_jiexi_first, ZH, 3),
    ("undecided", "zh-maybe-either", "zh", zh_maybe_either, ZH, 1),
    ("reasoning_think", "think-zh", "zh", think_zh, ZH, 5),
    ("truncated", "think-zh-truncated", "zh", think_zh_truncated, ZH, 3),
    ("reasoning_think", "think-zh-final-text", "zh", think_zh_final_text, ZH, 3),
    ("zh_exam", "bracket-answer", "zh", zh_bracket, ZH, 5),
    ("zh_exam", "answer-colon", "zh", zh_colon, ZH, 4),
    ("zh_exam", "guxuan", "zh", zh_guxuan, ZH, 4),
    ("zh_exam", "zhengque-xiang", "zh", zh_zhengque_xiang, ZH, 3),
    ("zh_exam", "xuan", "zh", zh_xuan, ZH, 3),
    ("zh_exam", "benti-xuanze", "zh", zh_benti, ZH, 3),
    ("ordinal", "zh-ordinal", "zh", zh_ordinal, ZH, 3),
    ("zh_exam", "answer-paren-text", "zh", zh_answer_paren_text, ZH, 3),
    ("contradiction", "zh-letter-vs-text", "zh", zh_contradiction, ZH, 3),
    ("undecided", "zh-both", "zh", zh_undecided, ZH, 3),
    ("refusal", "zh-refusal", "zh", zh_refusal, ZH, 2),
    ("negation", "zh-elimination", "zh", zh_elimination, ZH, 3),
    ("negation", "zh-not-only", "zh", zh_negation_only, ZH, 2),
    ("change_of_mind", "zh-change", "zh", zh_change_mind, ZH, 3),
    ("option_text", "zh-text-only", "zh", zh_option_text_only, ZH, 3),
    ("multi_select", "zh-multi", "zh", zh_multi, ZH, 2),
    ("out_of_range", "zh-past-last", "zh", zh_out_of_range, ZH, 2),
    ("zh_exam", "fullwidth", "zh", zh_fullwidth, ZH, 2),
    ("leading_letter", "zh-answer-then-others", "zh", zh_leading_then_others, ZH, 3),
    ("zh_exam", "zh-analysis-md", "zh", zh_analysis_md, ZH, 3),
    ("truncated", "zh-truncated", "zh", zh_truncated, ZH, 3),
    ("truncated", "zh-truncated-after", "zh", zh_truncated_after, ZH, 2),
    ("hedge", "zh-hedge", "zh", zh_hedge_commit, ZH, 2),
    ("option_text_letters", "zh-none-of-above", "zh", zh_none_of_above, ["z14"], 1),
    ("structured", "json-zh", "zh", json_zh, ZH, 2),
    ("boxed", "boxed-zh", "zh", boxed_zh, ZH, 2),
    ("base_model", "zh-answer-then-question", "zh", base_zh_continue, ZH, 3),
    ("base_model", "zh-no-answer", "zh", base_no_answer, ZH, 1),
    # mixed
    ("zh_exam", "fullwidth-colon", "mixed", mixed_fullwidth_colon, ZH, 4),
    ("medical_chat", "en-answer-zh-question", "mixed", mixed_en_on_zh, ZH, 6),
    ("zh_exam", "zh-answer-en-question", "mixed", mixed_zh_on_en, EN_POOL, 5),
    ("reasoning_think", "mixed-think", "mixed", mixed_think, ANY, 5),
    ("medical_chat", "codeswitch", "mixed", mixed_codeswitch, ANY, 4),
    ("contradiction", "mixed-letter-vs-text", "mixed", mixed_contradiction, ZH, 3),
    ("undecided", "mixed-either", "mixed", mixed_undecided, ANY, 3),
    ("truncated", "mixed-think-truncated", "mixed", mixed_truncated, ANY, 2),
    ("medical_chat", "mixed-final-zh", "mixed", mixed_final_zh, EN_POOL, 4),
    ("refusal", "mixed-refusal", "mixed", mixed_refusal, ANY, 1),
    ("boxed", "mixed-boxed", "mixed", mixed_boxed, ANY, 3),
]


def build() -> list[dict]:
    rng = random.Random(20261208)
    rows: list[dict] = []
    counters = {"en": 0, "zh": 0, "mixed": 0}
    for family, tid, lang, fn, pool, n in PLAN:
        for qid in rng.sample(pool, n):
            q = Q[qid]
            response, label = fn(q, rng)
            assert label is None or label in q[3], (tid, qid, label)
            rows.append({"id": f"v6-{lang}-{counters[lang]:03d}", "split": "blind-v6", "family": family,
                         "template": tid, "language": lang, "qid": qid, "options": q[3],
                         "response": response, "label": label})
            counters[lang] += 1
    return rows


def main() -> None:
    rows = build()
    assert len({r["id"] for r in rows}) == len(rows)
    tmp = OUT.with_suffix(".jsonl.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    tmp.replace(OUT)
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
