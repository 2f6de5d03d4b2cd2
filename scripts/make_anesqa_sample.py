#!/usr/bin/env python
"""Write the embedded AnesQA sample (``anestools/resources/samples/anesqa_sample.parquet``).

Question/answer pairs written by the anestools team for demos and tests (not from AnesQA).
Schema follows the AnesQA contract: ``question``, ``answer``, ``language``.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

EN = [
    ("Which drug reverses rocuronium-induced neuromuscular blockade by encapsulation?",
     "Sugammadex, a modified gamma-cyclodextrin that encapsulates rocuronium and vecuronium."),
    ("What is the first-line treatment of malignant hyperthermia?",
     "Stop volatile agents and succinylcholine, hyperventilate with 100% oxygen and give dantrolene 2.5 mg/kg IV, repeated as needed."),
    ("Why is propofol the usual induction agent for day-case surgery?",
     "It has a rapid, clear-headed recovery, antiemetic properties and a short context-sensitive half-time."),
    ("How is hypotension after spinal anaesthesia for caesarean section usually treated?",
     "With a phenylephrine infusion titrated to maintain baseline blood pressure, plus fluid co-loading and left uterine displacement."),
    ("What does a minimum alveolar concentration (MAC) of 1 mean?",
     "The end-tidal concentration at which 50% of patients do not move in response to surgical incision."),
    ("Name three predictors of difficult mask ventilation.",
     "Beard, obesity (high BMI), age over 55, lack of teeth, history of snoring or obstructive sleep apnoea."),
    ("What is the maximum recommended dose of plain lidocaine for infiltration?",
     "About 3-4.5 mg/kg without adrenaline and 7 mg/kg with adrenaline."),
    ("Which local anaesthetic toxicity treatment should be started early in cardiac arrest?",
     "Intravenous 20% lipid emulsion, 1.5 mL/kg bolus followed by an infusion, alongside standard resuscitation."),
    ("What is the role of the train-of-four ratio before extubation?",
     "A TOF ratio of at least 0.9 at the adductor pollicis indicates adequate recovery from neuromuscular blockade."),
    ("Why is succinylcholine contraindicated in patients with recent major burns?",
     "Up-regulated extrajunctional acetylcholine receptors cause a dangerous hyperkalaemic response."),
    ("Which block provides analgesia after total knee arthroplasty while sparing quadriceps strength?",
     "The adductor canal block."),
    ("What is the main advantage of remifentanil in total intravenous anaesthesia?",
     "Ester hydrolysis by plasma esterases gives a very short context-sensitive half-time regardless of infusion duration."),
    ("How is postoperative nausea and vomiting prophylaxis chosen?",
     "By the number of risk factors (Apfel score); combine agents such as dexamethasone and ondansetron for higher risk."),
    ("What is the fasting time for clear fluids before elective anaesthesia in adults?",
     "Two hours."),
    ("Which monitor is mandatory to confirm tracheal intubation?",
     "Continuous waveform capnography."),
    ("What dose of epidural test dose is commonly used to detect intravascular placement?",
     "Lidocaine 45 mg with adrenaline 15 micrograms (3 mL of 1.5% lidocaine with 1:200,000 adrenaline)."),
    ("Why should ketamine be considered in opioid-tolerant patients?",
     "As an NMDA antagonist it reduces opioid requirements and hyperalgesia."),
    ("What is the antidote for opioid-induced respiratory depression?",
     "Naloxone, titrated in small intravenous increments."),
    ("Which inhaled anaesthetic is preferred for inhalational induction in children?",
     "Sevoflurane, because it is non-pungent and has low blood solubility."),
    ("What is the treatment of post-dural puncture headache that persists despite conservative care?",
     "An epidural blood patch."),
]
ZH = [
    ("哪种药物可以通过包裹作用拮抗罗库溴铵的神经肌肉阻滞？", "舒更葡糖钠，一种修饰的γ-环糊精，可包裹罗库溴铵和维库溴铵。"),
    ("恶性高热的一线治疗是什么？", "立即停用挥发性麻醉药和琥珀胆碱，纯氧过度通气，静脉注射丹曲林2.5 mg/kg，必要时重复。"),
    ("为什么丙泊酚常用于日间手术的麻醉诱导？", "丙泊酚起效快、苏醒迅速且清醒度高，并具有止吐作用。"),
    ("剖宫产腰麻后低血压通常如何处理？", "持续输注去氧肾上腺素维持基础血压，同时补液并保持子宫左倾位。"),
    ("最低肺泡有效浓度（MAC）为1的含义是什么？", "在该呼气末浓度下，50%的患者对切皮刺激无体动反应。"),
    ("请列举三个面罩通气困难的预测因素。", "胡须、肥胖、年龄大于55岁、无牙以及打鼾或阻塞性睡眠呼吸暂停病史。"),
    ("局麻药全身毒性导致心搏骤停时应尽早使用什么？", "静脉注射20%脂肪乳剂，先1.5 mL/kg推注，再持续输注，同时进行标准复苏。"),
    ("拔管前四个成串刺激比值应达到多少？", "拇内收肌四个成串刺激比值至少达到0.9，提示神经肌肉阻滞已充分恢复。"),
    ("为什么近期大面积烧伤患者禁用琥珀胆碱？", "接头外乙酰胆碱受体上调，可引起危险的高钾血症。"),
    ("全膝关节置换术后哪种神经阻滞既能镇痛又能保留股四头肌肌力？", "收肌管阻滞。"),
    ("瑞芬太尼用于全凭静脉麻醉的主要优势是什么？", "由血浆酯酶水解，持续输注时间相关半衰期极短。"),
    ("成人择期麻醉前清饮料的禁饮时间是多少？", "两小时。"),
    ("确认气管插管位置必须使用哪种监测？", "连续呼气末二氧化碳波形监测。"),
    ("阿片类药物引起的呼吸抑制用什么药物拮抗？", "纳洛酮，小剂量静脉滴定给药。"),
    ("小儿吸入诱导首选哪种吸入麻醉药？", "七氟烷，因为其无刺激性且血气分配系数低。"),
    ("硬膜穿破后头痛保守治疗无效时如何处理？", "硬膜外血补丁。"),
]


def main() -> None:
    rows = [(q, a, "en") for q, a in EN] + [(q, a, "zh") for q, a in ZH]
    out = Path(__file__).resolve().parents[1] / "anestools" / "resources" / "samples" / "anesqa_sample.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({
        "question": [q for q, _, _ in rows],
        "answer": [a for _, a, _ in rows],
        "language": [lang for *_, lang in rows],
    }), out)
    print(f"wrote {len(rows)} QA pairs to {out}")


if __name__ == "__main__":
    main()
