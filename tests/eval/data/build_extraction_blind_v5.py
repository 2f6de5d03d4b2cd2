"""Build extraction_blind_v5.jsonl: a fresh blind set, because v4 became in-sample once rules were fitted to it.

Written blind to the extraction rules and to every earlier labelled set, on 2026-12-07.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

OUT = Path(__file__).with_name("extraction_blind_v5.jsonl")
LANGUAGES = ("en", "zh", "mixed")

TF_EN = {"A": "True", "B": "False"}

QUESTIONS: dict[str, dict[str, str]] = {
    "v5-q-en-01": {
        "A": "Acetylcholinesterase inhibition",
        "B": "Encapsulation of rocuronium and vecuronium",
        "C": "Competitive antagonism at the nicotinic receptor",
        "D": "Enhancing acetylcholine release",
    },
    # "Dantrolene is the first-line treatment of malignant hyperthermia."
    "v5-q-en-02": TF_EN,
    # Maximum dose of plain lidocaine for infiltration
    "v5-q-en-03": {"A": "1.5 mg/kg", "B": "3 mg/kg", "C": "4.5 mg/kg", "D": "7 mg/kg", "E": "10 mg/kg"},
    # Vitamin whose function nitrous oxide impairs
    "v5-q-en-04": {"A": "Vitamin A", "B": "Vitamin B12", "C": "Vitamin C", "D": "Vitamin K"},
    # Mallampati class when only the hard palate is visible
    "v5-q-en-05": {"A": "Class I", "B": "Class II", "C": "Class III", "D": "Class IV"},
    # Colour of oxygen cylinders in the United States
    "v5-q-en-06": {"A": "Green", "B": "White", "C": "Blue"},
    # Universal donor for packed red cells
    "v5-q-en-07": {"A": "Type A", "B": "Type B", "C": "Type AB", "D": "Type O negative"},
    # Reduces the risk of post-dural puncture headache
    "v5-q-en-08": {
        "A": "Larger-gauge cutting needle",
        "B": "Smaller pencil-point needle",
        "C": "Lying flat for 24 hours afterwards",
        "D": "Aggressive IV fluids",
        "E": "None of the above",
    },
    # Uncuffed ETT internal diameter for a 4-year-old
    "v5-q-en-09": {"A": "3.0 mm", "B": "3.5 mm", "C": "4.0 mm", "D": "5.0 mm", "E": "5.5 mm", "F": "6.0 mm"},
    # ARDSnet tidal volume
    "v5-q-en-10": {
        "A": "4 mL/kg actual body weight",
        "B": "6 mL/kg predicted body weight",
        "C": "10 mL/kg predicted body weight",
        "D": "12 mL/kg actual body weight",
    },
    # Drug to avoid in an MH-susceptible patient
    "v5-q-en-11": {"A": "Propofol", "B": "Succinylcholine", "C": "Ketamine", "D": "Rocuronium", "E": "Nitrous oxide"},
    # Highest transmission risk after a needlestick
    "v5-q-en-12": {"A": "HIV", "B": "Hepatitis B", "C": "Hepatitis C"},
    # Which local anaesthetic is an ester
    "v5-q-en-13": {
        "A": "Lidocaine",
        "B": "Bupivacaine",
        "C": "Ropivacaine",
        "D": "Mepivacaine",
        "E": "Prilocaine",
        "F": "Articaine",
        "G": "Levobupivacaine",
        "H": "Chloroprocaine",
        "I": "Etidocaine",
    },
    # NOT appropriate in a hypercyanotic (tet) spell
    "v5-q-en-14": {
        "A": "Knee-chest position",
        "B": "Phenylephrine",
        "C": "Morphine",
        "D": "Isoproterenol",
        "E": "100% oxygen",
    },
    # Haemodynamic goals in aortic stenosis
    "v5-q-en-15": {
        "A": "Tachycardia and vasodilation",
        "B": "Sinus rhythm, normal-to-slow heart rate, maintained SVR",
        "C": "Low preload",
        "D": "Afterload reduction with nitroprusside",
    },
    # "Cricoid pressure reliably prevents aspiration."
    "v5-q-en-16": TF_EN,
    # Shifts the oxyhaemoglobin dissociation curve to the left
    "v5-q-en-17": {
        "A": "Hyperthermia",
        "B": "Acidosis",
        "C": "Increased 2,3-DPG",
        "D": "Hypothermia",
        "E": "Hypercarbia",
    },
    # Occurs in nearly all patients after an interscalene block
    "v5-q-en-18": {
        "A": "Pneumothorax",
        "B": "Ipsilateral phrenic nerve block",
        "C": "Horner syndrome",
        "D": "Local anesthetic systemic toxicity",
    },
    # First sign of magnesium toxicity
    "v5-q-en-19": {
        "A": "Loss of patellar reflexes",
        "B": "Respiratory depression",
        "C": "Cardiac arrest",
        "D": "Hypertension",
    },
    # EtCO2 suddenly falls to zero
    "v5-q-en-20": {
        "A": "Malignant hyperthermia",
        "B": "Esophageal intubation or circuit disconnection",
        "C": "Hypoventilation",
        "D": "Sepsis",
    },
    # Lowest blood:gas partition coefficient
    "v5-q-en-21": {
        "A": "Halothane",
        "B": "Isoflurane",
        "C": "Sevoflurane",
        "D": "Desflurane",
        "E": "Enflurane",
        "F": "Nitrous oxide",
    },
    # Contraindication to neuraxial anaesthesia
    "v5-q-en-22": {
        "A": "Patient refusal",
        "B": "Previous cesarean delivery",
        "C": "Platelet count of 120,000/µL",
        "D": "Obesity",
        "E": "All of the above",
    },
    # 琥珀胆碱最危险的不良反应
    "v5-q-zh-01": {"A": "高钾血症", "B": "低血糖", "C": "肝功能损害", "D": "肾功能损害"},
    # 局麻药全身毒性首选治疗
    "v5-q-zh-02": {"A": "20%脂肪乳剂", "B": "纳洛酮", "C": "氟马西尼", "D": "新斯的明", "E": "碳酸氢钠"},
    # 判断题：丙泊酚可用于鸡蛋过敏患者
    "v5-q-zh-03": {"A": "正确", "B": "错误"},
    # 新生儿复苏首先应
    "v5-q-zh-04": {"A": "胸外按压", "B": "静注肾上腺素", "C": "保暖、擦干、摆正体位、清理气道", "D": "气管插管"},
    # 硬膜外分娩镇痛最常用的局麻药
    "v5-q-zh-05": {"A": "罗哌卡因", "B": "利多卡因", "C": "丁卡因"},
    # 甲颏距离小于多少提示困难气道
    "v5-q-zh-06": {"A": "3 cm", "B": "6 cm", "C": "9 cm", "D": "12 cm", "E": "15 cm", "F": "18 cm"},
    # 体外循环后拮抗肝素
    "v5-q-zh-07": {"A": "维生素K", "B": "鱼精蛋白", "C": "氨甲环酸", "D": "新鲜冰冻血浆"},
    # 脓毒性休克首选血管活性药
    "v5-q-zh-08": {"A": "多巴胺", "B": "去甲肾上腺素", "C": "肾上腺素", "D": "血管加压素"},
    # 属于阿片受体拮抗剂的是
    "v5-q-zh-09": {
        "A": "芬太尼",
        "B": "舒芬太尼",
        "C": "瑞芬太尼",
        "D": "吗啡",
        "E": "哌替啶",
        "F": "纳洛酮",
        "G": "曲马多",
        "H": "布托啡诺",
        "I": "氢吗啡酮",
    },
    # 椎管内麻醉后低血压最常见原因
    "v5-q-zh-10": {"A": "交感神经阻滞", "B": "局麻药过敏", "C": "迷走神经兴奋", "D": "失血", "E": "以上都不是"},
    # 判断题：氧化亚氮可安全用于气胸患者
    "v5-q-zh-11": {"A": "对", "B": "错"},
    # 成人心肺复苏胸外按压频率（次/分）
    "v5-q-zh-12": {"A": "60～80", "B": "80～100", "C": "100～120", "D": "120～140"},
    # 按ASA指南，婴儿母乳的术前禁食时间
    "v5-q-zh-13": {"A": "1小时", "B": "2小时", "C": "4小时", "D": "6小时", "E": "8小时"},
    # 恶性高热的特异性治疗药物
    "v5-q-zh-14": {"A": "丹曲林", "B": "钙通道阻滞剂", "C": "糖皮质激素"},
}


def c(qid: str, family: str, language: str, label: str | None, response: str) -> dict:
    """One labelled case before ids are assigned."""
    return {"qid": qid, "family": family, "language": language, "label": label, "response": response}


CASES: list[dict] = [
    # ---------------------------------------------------------------- think
    c("v5-q-en-01", "think", "en", "B",
      "<think>\nSugammadex is a modified gamma-cyclodextrin. It doesn't touch acetylcholinesterase — that's "
      "neostigmine. It forms a tight 1:1 complex with rocuronium in plasma, so the free drug falls and the "
      "gradient pulls rocuronium away from the junction. Option C describes something like a competitive "
      "antagonist, which isn't it. D is wrong too. So B.\n</think>\n\nSugammadex works by encapsulating the "
      "steroidal neuromuscular blocker (rocuronium, to a lesser extent vecuronium), so the answer is **B**."),
    c("v5-q-en-21", "think", "en", "D",
      "<think>\nOkay, blood:gas partition coefficients. Rough numbers I remember: halothane about 2.4, enflurane "
      "about 1.8, isoflurane 1.4, sevoflurane 0.65, nitrous oxide 0.47, desflurane 0.42. So the lowest is "
      "desflurane, just below nitrous oxide. Wait, is N2O lower? Some textbooks give N2O as 0.46-0.47 and "
      "desflurane 0.42-0.45. Either way desflurane is the lowest or tied, and most question banks want "
      "desflurane. Hmm, the question might be a trick expecting nitrous oxide... but with 0.42 vs 0.47 the "
      "answer is desflurane.\n</think>\nDesflurane has the lowest blood:gas partition coefficient (≈0.42), "
      "slightly lower than nitrous oxide (≈0.47). This is why emergence from desflurane is the fastest among "
      "the volatile agents.\n\nAnswer: D"),
    c("v5-q-en-14", "think", "en", "D",
      "<think>\nTet spell: the goal is to increase SVR and reduce RVOT obstruction/infundibular spasm so more "
      "blood goes through the lungs. Knee-chest raises SVR — appropriate. Phenylephrine raises SVR — "
      "appropriate. Morphine reduces hyperpnea and catecholamine drive — appropriate. Oxygen — appropriate, "
      "pulmonary vasodilator. Isoproterenol is a beta agonist: increases contractility and heart rate, worsens "
      "infundibular spasm, and causes vasodilation. That's the one that is NOT appropriate. Also beta-blockers "
      "like esmolol are used, which is the opposite of isoproterenol.\n</think>\n\nThe inappropriate "
      "intervention is isoproterenol (D). Its positive inotropy worsens dynamic infundibular obstruction and "
      "its beta-2 vasodilation lowers SVR, both increasing the right-to-left shunt."),
    c("v5-q-en-17", "think", "en", None,
      "<think>\nLeft shift means higher affinity, lower P50. Factors that shift the curve right: increased "
      "temperature, increased CO2, acidosis, increased 2,3-DPG — the usual mnemonic. So A is a right shift, "
      "B right, C right. For D, hypothermia, I need to think about whether cooling lowers affinity or raises "
      "it. At the tissues, warm exercising muscle unloads more O2, so heat means lower affinity, and by the "
      "same logic cold should... but then there is the question of whether the question wants in vivo "
      "or in vitro behaviour, and alpha-stat versus pH-stat management on bypass complicates the picture "
      "because the measured pH changes with temperature. Let me set that aside and look at E first. "
      "Hypercarbia works partly through the Bohr effect and partly through carbamino"),
    c("v5-q-en-02", "think", "en", "A",
      "<think>\nMH crisis: stop triggers, hyperventilate with 100% O2, give dantrolene 2.5 mg/kg, repeat. "
      "Dantrolene is the only specific treatment. So the statement is true.\n</think>\nTrue. Dantrolene "
      "(2.5 mg/kg IV, repeated as needed) is the first-line, specific treatment for malignant hyperthermia."
      "\n\nFinal answer: A"),
    c("v5-q-en-10", "think", "en", None,
      "<think>\nARDSnet used 6 mL/kg predicted body weight. Option B says 6 mL/kg predicted body weight. "
      "A says 4 mL/kg actual. Hmm, actually I recall the protocol allowed reduction down to 4 mL/kg if the "
      "plateau pressure stays above 30. So maybe A? But A says actual body weight...\n</think>\n\n"
      "Lung-protective ventilation targets a low tidal volume. Both A and B describe low tidal volume "
      "strategies, and the correct choice depends on whether the question refers to the initial setting or "
      "the lower limit permitted by the protocol. I can't determine which one the question intends without "
      "more context."),
    c("v5-q-en-13", "think", "en", "H",
      "<think>\nEsters have one 'i' in the name: procaine, chloroprocaine, tetracaine, benzocaine, cocaine. "
      "Amides have two: lidocaine, bupivacaine, ropivacaine, mepivacaine, prilocaine, etidocaine, "
      "levobupivacaine. Articaine is the odd one — an amide with an ester side chain, but it's classified as "
      "an amide. So the ester in the list is chloroprocaine.\n</think>\n**H. Chloroprocaine**"),
    c("v5-q-en-18", "think", "en", "B",
      "<think>Interscalene is close to the C3-C5 phrenic roots. Ipsilateral diaphragmatic paresis happens in "
      "nearly 100% with traditional volumes. Horner syndrome is common but not nearly all, maybe 20-50%. "
      "Pneumothorax is rare with interscalene (more with supraclavicular). LAST is rare.</think>\nThe phrenic "
      "nerve runs on the anterior scalene right next to the injection site, so ipsilateral hemidiaphragmatic "
      "paresis occurs in essentially all patients after a standard-volume interscalene block. So the answer "
      "is (B)."),
    c("v5-q-zh-07", "think", "zh", "B",
      "<think>\n体外循环结束后需要中和肝素。鱼精蛋白是带正电的碱性蛋白，可与带负电的肝素结合形成复合物而失活。"
      "维生素K用于拮抗华法林；氨甲环酸是抗纤溶药；新鲜冰冻血浆补充凝血因子，但不能中和肝素。所以是鱼精蛋白。\n"
      "</think>\n\n答案：B（鱼精蛋白）。通常按每100 U肝素给予1～1.3 mg鱼精蛋白，缓慢静注，注意低血压和肺动脉高压反应。"),
    c("v5-q-zh-12", "think", "zh", None,
      "<think>\n成人CPR的按压频率，不同年代的指南不一样。2005年指南是大约100次/分，2010年指南改为“至少100次/分”。"
      "2015年之后又加了上限，我记得上限是……要么是120，要么是140，需要再想一想。先排除A，60～80明显太慢，"
      "会导致冠脉灌注压不足；B 80～100也低于"),
    c("v5-q-zh-09", "think", "zh", "F",
      "<think>纳洛酮是μ受体竞争性拮抗剂。其他的芬太尼、舒芬太尼、瑞芬太尼、吗啡、哌替啶、氢吗啡酮都是完全激动剂；"
      "曲马多是弱激动剂，同时抑制5-HT和去甲肾上腺素再摄取；布托啡诺是激动-拮抗剂，不算纯拮抗剂。</think>\n\n"
      "正确答案是F。"),
    c("v5-q-zh-03", "think", "zh", "A",
      "<think>\n丙泊酚乳剂含有大豆油和卵磷脂（蛋黄来源）。过去说明书提示鸡蛋过敏禁用，但鸡蛋过敏多针对蛋清蛋白"
      "（卵白蛋白），而卵磷脂是高度纯化的磷脂。多项研究和过敏学会的意见认为鸡蛋过敏患者可以安全使用丙泊酚。"
      "所以这个说法是正确的。\n</think>\n该说法**正确**。鸡蛋过敏通常针对蛋清蛋白，而丙泊酚中的卵磷脂来自蛋黄且"
      "高度纯化，现有证据表明鸡蛋过敏患者使用丙泊酚并不增加过敏风险。\n\n答案：A"),
    c("v5-q-en-11", "think", "mixed", "B",
      "<think>\nMH triggers: 所有挥发性吸入麻醉药和琥珀胆碱。Propofol, ketamine, rocuronium, nitrous oxide are "
      "all safe. 所以答案是琥珀胆碱。\n</think>\nSuccinylcholine is a known MH trigger, so the answer is B。"),
    c("v5-q-zh-08", "think", "mixed", "B",
      "<think>Surviving Sepsis Campaign recommends norepinephrine as first-line vasopressor. Dopamine only in "
      "selected patients with bradycardia. Vasopressin is added to norepinephrine. Epinephrine is second "
      "line.</think>\n根据 Surviving Sepsis Campaign 指南，脓毒性休克首选去甲肾上腺素 (norepinephrine)，答案 B。"),
    # ---------------------------------------------------------------- reasoning without tags
    c("v5-q-en-09", "reasoning", "en", "D",
      "Let's work through this step by step.\n\nFor children older than 2 years, the classic formula for an "
      "uncuffed endotracheal tube internal diameter is:\n\nID (mm) = (age in years / 4) + 4\n\nFor a "
      "4-year-old: 4/4 + 4 = 1 + 4 = 5.0 mm.\n\nIf we were using a cuffed tube, we would subtract about "
      "0.5 mm, using (age/4) + 3.5 = 4.5 mm, but the question specifies an uncuffed tube. It is also prudent "
      "to have a tube a half-size above and below ready (4.5 and 5.5 mm).\n\nChecking the options: 3.0 and "
      "3.5 are neonatal sizes, 4.0 is roughly right for a 1-year-old, and 5.5 and 6.0 would suit 6- to "
      "8-year-olds.\n\nTherefore the answer is D (5.0 mm)."),
    c("v5-q-en-19", "reasoning", "en", "A",
      "First, magnesium toxicity follows a dose-dependent progression. Therapeutic levels for seizure "
      "prophylaxis are about 4-7 mEq/L. Loss of deep tendon reflexes appears around 10 mEq/L, respiratory "
      "depression at 12-15 mEq/L, and cardiac arrest above 25 mEq/L. Hypertension is not a sign of toxicity — "
      "magnesium, if anything, lowers blood pressure. So the earliest clinical sign is loss of the patellar "
      "reflexes, which is why nurses check reflexes hourly during a magnesium infusion.\n\nThe answer is A."),
    c("v5-q-en-15", "reasoning", "en", "B",
      "Patients with severe aortic stenosis have a fixed outflow obstruction and a hypertrophied, "
      "non-compliant left ventricle. A few principles follow:\n- A slow-to-normal heart rate gives time for "
      "ejection and for coronary perfusion during diastole.\n- Sinus rhythm matters because the atrial kick "
      "can provide up to 40% of filling in a stiff ventricle.\n- SVR must be maintained, since coronary "
      "perfusion pressure depends on diastolic pressure and the ventricle cannot raise its output to "
      "compensate for vasodilation.\n- Preload should be kept full, not low.\n\nTachycardia with vasodilation "
      "(option A) is the worst combination. Low preload (C) and nitroprusside (D) are both harmful.\n\n"
      "Answer: (B)"),
    c("v5-q-en-06", "reasoning", "en", "A",
      "In the United States, medical gas cylinder colours follow the CGA convention: oxygen is green, nitrous "
      "oxide blue, air yellow, nitrogen black and carbon dioxide grey. White is the international (ISO) colour "
      "for oxygen, used in the UK and many other countries. Since the question asks about the US, the colour "
      "is green, so A."),
    c("v5-q-en-22", "reasoning", "en", "A",
      "Absolute contraindications to neuraxial anesthesia include patient refusal, infection at the puncture "
      "site, severe coagulopathy and severe uncorrected hypovolemia. A previous cesarean is not a "
      "contraindication; a platelet count of 120,000 is safe; obesity makes the block technically harder but "
      "is not a contraindication. So 'all of the above' is wrong. The answer is A."),
    c("v5-q-en-21", "reasoning", "en", "F",
      "Blood:gas partition coefficient determines how quickly alveolar concentration rises toward the "
      "inspired concentration. The less soluble the agent, the faster the induction and emergence. Nitrous "
      "oxide is famously insoluble and is the classic example of rapid onset, which is why it's used to speed "
      "up inhalational induction via the second gas effect. Among the agents listed, nitrous oxide has the "
      "lowest coefficient.\n\nAnswer: F"),
    c("v5-q-zh-06", "reasoning", "zh", "B",
      "我们一步一步分析。甲颏距离（thyromental distance）是指头部后仰时甲状软骨切迹到下颏尖的距离。正常成人一般"
      "大于6.5 cm；6～6.5 cm时插管可能有一定困难；小于6 cm提示喉镜暴露困难、插管困难的可能性大。3 cm太小，"
      "属于极端情况，不作为界值；9 cm以上属于正常范围。所以作为困难气道的预测界值应选6 cm，即B。"),
    c("v5-q-zh-13", "reasoning", "zh", "E",
      "婴儿的胃排空比成人慢，尤其是乳类含有蛋白和脂肪，在胃内会形成凝块。为了避免麻醉诱导时反流误吸，应与固体食物"
      "同等对待。所以母乳的禁食时间应为8小时，答案E。"),
    c("v5-q-en-20", "reasoning", "mixed", "B",
      "EtCO2 突然降为零最常见的原因是 circuit disconnection、esophageal intubation 或者完全的气道梗阻，也可能是 "
      "cardiac arrest 或大面积肺栓塞（但通常不会完全为零）。MH 会导致 EtCO2 升高，hypoventilation 也是升高，"
      "sepsis 是缓慢变化。So the answer should be B."),
    # ---------------------------------------------------------------- final answer heading
    c("v5-q-en-04", "final-heading", "en", "B",
      "Nitrous oxide irreversibly oxidizes the cobalt atom of vitamin B12 (cobalamin), inactivating methionine "
      "synthase. With prolonged or repeated exposure this can lead to megaloblastic anemia and subacute "
      "combined degeneration of the spinal cord, particularly in patients with pre-existing B12 deficiency."
      "\n\n**Final answer:** B"),
    c("v5-q-en-16", "final-heading", "en", "B",
      "Cricoid pressure (the Sellick maneuver) has been part of rapid sequence induction for decades, but its "
      "efficacy has been repeatedly questioned. MRI studies show the esophagus is frequently displaced "
      "laterally rather than compressed, cricoid pressure can reduce lower esophageal sphincter tone, and it "
      "may worsen the laryngoscopic view or make mask ventilation harder. The randomized IRIS trial failed to "
      "show non-inferiority of a sham procedure, but no evidence shows that it *reliably* prevents "
      "aspiration.\n\n**Final answer: False**"),
    c("v5-q-en-03", "final-heading", "en", "C",
      "**Reasoning:** The commonly quoted maximum dose of plain lidocaine for infiltration is 4.5 mg/kg "
      "(up to about 300 mg), and 7 mg/kg when combined with epinephrine. 3 mg/kg is close to the bupivacaine "
      "limit with epinephrine, and 1.5 mg/kg is the IV antiarrhythmic bolus dose.\n\n"
      "**Final Answer: C. 4.5 mg/kg**"),
    c("v5-q-en-05", "final-heading", "en", "D",
      "Mallampati classification (Samsoon & Young modification):\n- Class I: soft palate, fauces, uvula and "
      "pillars visible\n- Class II: soft palate, fauces and uvula visible\n- Class III: soft palate and base "
      "of the uvula visible\n- Class IV: only the hard palate visible\n\n**Final answer: (D)**"),
    c("v5-q-en-08", "final-heading", "en", "B",
      "Post-dural puncture headache is related to CSF leak through the dural hole. The strongest modifiable "
      "factor is needle design and size: small-gauge, non-cutting (pencil-point, e.g. Whitacre or Sprotte) "
      "needles dramatically reduce the incidence. Bed rest after the block has been studied repeatedly and "
      "does not prevent PDPH, and neither does aggressive hydration.\n\n**Final answer: B**"),
    c("v5-q-en-20", "final-heading", "en", "B",
      "An abrupt loss of the capnogram to zero means no CO2 is reaching the sampling line. The first things "
      "to exclude are a disconnection, a misplaced (esophageal) tube, and a completely obstructed tube, then "
      "cardiac arrest. Hypoventilation and malignant hyperthermia raise EtCO2; sepsis changes it slowly.\n\n"
      "**Final Answer**\n\nB"),
    c("v5-q-zh-02", "final-heading", "zh", "A",
      "**分析：** 局麻药全身毒性（LAST）一旦出现心血管抑制或顽固性心律失常，除了气道管理、控制惊厥和高质量CPR外，"
      "应尽早给予20%脂肪乳剂：1.5 mL/kg 静推，随后0.25 mL/kg/min 输注。纳洛酮用于阿片过量，氟马西尼用于苯二氮䓬类，"
      "新斯的明用于拮抗非去极化肌松，碳酸氢钠仅在严重酸中毒时考虑。\n\n**最终答案：A**"),
    c("v5-q-zh-14", "final-heading", "mixed", "A",
      "丹曲林 (dantrolene) 抑制肌浆网 RyR1 受体的钙释放，是恶性高热的特异性治疗。\n\n**Final answer: A**"),
    # ---------------------------------------------------------------- medical chat, markdown
    c("v5-q-en-01", "chat", "en", "B",
      "## Sugammadex: Mechanism of Action\n\nSugammadex is a **selective relaxant binding agent (SRBA)**. It is "
      "a modified γ-cyclodextrin with a lipophilic core and a hydrophilic exterior.\n\n### How it works\n"
      "1. It binds free rocuronium (and vecuronium) in plasma in a 1:1 ratio.\n2. This creates a "
      "concentration gradient that draws the blocker away from the neuromuscular junction.\n3. The complex "
      "is excreted unchanged in the urine.\n\n### Comparing the options\n\n| Option | Mechanism | Example | "
      "Correct? |\n|---|---|---|---|\n| A | Acetylcholinesterase inhibition | Neostigmine | ❌ |\n| B | "
      "Encapsulation of aminosteroid NMBA | Sugammadex | ✅ |\n| C | Competitive antagonism at nAChR | "
      "(describes the NMBAs themselves) | ❌ |\n| D | Enhanced ACh release | 4-aminopyridine | ❌ |\n\n"
      "### Clinical pearls\n- Dose: 2 mg/kg for moderate block (TOF count ≥2), 4 mg/kg for deep block, "
      "16 mg/kg for immediate reversal.\n- No anticholinergic is needed, unlike with neostigmine.\n- It can "
      "interact with hormonal contraceptives — advise backup contraception for 7 days.\n\n**Summary:** "
      "Sugammadex reverses rocuronium by encapsulating it — option **B**."),
    c("v5-q-en-11", "chat", "en", "B",
      "Great question — this comes up a lot in pre-op clinic.\n\n**Malignant hyperthermia (MH)** is a "
      "pharmacogenetic disorder of skeletal muscle, usually linked to *RYR1* or *CACNA1S* variants. Exposure "
      "to a trigger causes uncontrolled calcium release from the sarcoplasmic reticulum.\n\n### Triggers vs. "
      "safe drugs\n\n| Triggers | Safe |\n|---|---|\n| All volatile agents (sevo, des, iso) | Propofol |\n| "
      "**Succinylcholine** | Ketamine |\n| | Non-depolarizing NMBAs (rocuronium) |\n| | Nitrous oxide |\n| | "
      "Opioids, benzodiazepines, local anesthetics |\n\nSo in this list, propofol, ketamine, rocuronium and "
      "nitrous oxide are all acceptable for an MH-susceptible patient, whereas succinylcholine must be "
      "avoided.\n\n> ✅ **Answer: B – Succinylcholine**\n\nFor a known MH-susceptible patient, plan a "
      "trigger-free TIVA, flush the machine or fit activated charcoal filters, and have dantrolene "
      "immediately available."),
    c("v5-q-en-12", "chat", "en", "B",
      "## Occupational bloodborne risk after a needlestick\n\nEstimated transmission risk after a "
      "percutaneous exposure to an infected source:\n\n| Virus | Approximate risk |\n|---|---|\n| HIV | "
      "~0.3% |\n| Hepatitis C | ~1.8% |\n| Hepatitis B (HBeAg-positive source, unvaccinated worker) | up to "
      "30% |\n\nHepatitis B carries by far the highest risk, which is exactly why HBV vaccination is required "
      "for healthcare workers and why post-exposure prophylaxis with HBIG plus vaccine exists.\n\n**Bottom "
      "line:** the correct choice is **Hepatitis B**."),
    c("v5-q-en-21", "chat", "en", None,
      "### Blood:gas partition coefficients\n\n| Agent | λ (blood:gas) |\n|---|---|\n| Halothane | 2.4 |\n| "
      "Enflurane | 1.8 |\n| Isoflurane | 1.4 |\n| Sevoflurane | 0.65 |\n| Nitrous oxide | 0.47 |\n| "
      "Desflurane | 0.42 |\n\nDesflurane and nitrous oxide are essentially tied; published values overlap "
      "depending on the source and measurement temperature. If the question intends the volatile agents only, "
      "it is looking for desflurane (D); if it counts gases too, some references would put nitrous oxide (F) "
      "first. Both are defensible, so check which textbook your exam follows."),
    c("v5-q-en-06", "chat", "en", None,
      "**Medical gas cylinder colours differ by country.**\n\n- **United States (CGA):** oxygen is "
      "**green**.\n- **International (ISO 32), UK, Europe, Australia:** oxygen is **white**.\n- **Blue** is "
      "used for nitrous oxide in both systems, so it is never oxygen.\n\nSo the answer is either **A** or "
      "**B**, depending on which standard your hospital follows. Always read the label rather than relying on "
      "colour alone."),
    c("v5-q-en-08", "chat", "en", "B",
      "### Reducing the risk of PDPH after spinal anesthesia\n\n**Key factors**\n- **Needle design:** "
      "pencil-point (atraumatic) needles separate rather than cut dural fibres → smaller, self-sealing hole."
      "\n- **Needle size:** smaller gauge (25–27G) → less CSF leak.\n- **Patient factors:** young age, female "
      "sex, pregnancy and prior PDPH increase risk (not modifiable).\n\n**What doesn't work**\n- Bed rest or "
      "lying flat after the procedure — multiple RCTs and a Cochrane review show no benefit.\n- Aggressive IV "
      "or oral fluids — no evidence.\n\nSince one of the listed measures clearly works, 'None of the above' "
      "is not correct either.\n\n---\n**Answer: B. Smaller pencil-point needle**"),
    c("v5-q-en-09", "chat", "en", "D",
      "Here's a quick reference for pediatric tube sizes:\n\n| Age | Uncuffed ID (mm) | Cuffed ID (mm) |\n"
      "|---|---|---|\n| Term neonate | 3.0–3.5 | 3.0 |\n| 1 year | 4.0 | 3.5 |\n| 2 years | 4.5 | 4.0 |\n"
      "| 4 years | 5.0 | 4.5 |\n| 6 years | 5.5 | 5.0 |\n| 8 years | 6.0 | 5.5 |\n\nFor age >2: uncuffed = "
      "age/4 + 4; cuffed = age/4 + 3.5. Depth at the lips ≈ 3 × ID.\n\n**→ 5.0 mm uncuffed (Option D)**\n\n"
      "Have 4.5 and 5.5 mm tubes ready as well, and check for a leak at 20–25 cmH2O."),
    c("v5-q-en-18", "chat", "en", "B",
      "The interscalene block is performed at the level of the C5–C6 roots, between the anterior and middle "
      "scalene muscles. Because the phrenic nerve (C3–C5) lies on the anterior surface of the anterior "
      "scalene, just a few millimetres away, local anesthetic spreads to it in almost every case.\n\n"
      "**B. Ipsilateral phrenic nerve block** is the correct answer — with conventional volumes (20–30 mL) "
      "the incidence of hemidiaphragmatic paresis approaches 100%.\n\nOther complications to know:\n- "
      "**Horner syndrome** (C) from spread to the cervical sympathetic chain — common (up to 50%) but not "
      "universal.\n- **Pneumothorax** (A) — rare with this approach.\n- **LAST** (D) — rare with "
      "ultrasound guidance.\n\n**Summary:** Expect phrenic nerve block in nearly all patients; avoid "
      "interscalene blocks in patients who cannot tolerate a 25% reduction in lung function."),
    c("v5-q-zh-08", "chat", "zh", "B",
      "## 脓毒性休克的血管活性药物选择\n\n根据《拯救脓毒症运动指南》（SSC 2021）：\n\n| 药物 | 推荐级别 | 说明 |\n"
      "|---|---|---|\n| 去甲肾上腺素 | **一线首选** | 强α作用，升压可靠，心律失常少 |\n| 血管加压素 | 二线（联合） | "
      "去甲肾上腺素剂量0.25～0.5 μg/kg/min仍不达标时加用 |\n| 肾上腺素 | 二线 | 合并心功能不全时可考虑 |\n| 多巴胺 | "
      "不推荐常规使用 | 心律失常风险高，仅用于心动过缓的特定患者 |\n\n### 要点\n- 目标MAP ≥ 65 mmHg\n"
      "- 先充分液体复苏（30 mL/kg晶体液）\n- 尽早建立有创动脉监测\n\n**结论：本题选 B。**"),
    c("v5-q-zh-13", "chat", "zh", None,
      "## 婴儿术前禁食时间\n\n不同指南对母乳的要求略有差别：\n\n- 较早的指南：母乳 **4 小时**，配方奶 6 小时，"
      "清饮料 2 小时；\n- 部分欧洲儿科麻醉学会的新共识：母乳可缩短至 **3 小时**，清饮料 1 小时。\n\n"
      "此外，各医院还有自己的规定，早产儿和有胃食管反流的婴儿往往要求更长时间。因此本题的答案取决于出题者采用的"
      "指南版本，无法给出唯一答案，建议以所在医院麻醉科的规定为准。"),
    c("v5-q-zh-04", "chat", "zh", "C",
      "### 新生儿复苏流程（初步复苏）\n\n出生后立即快速评估：是否足月？羊水是否清？有无哭声或呼吸？肌张力好不好？"
      "\n\n若任何一项为“否”，进入**初步复苏**：\n1. 保暖（辐射台，早产儿可用塑料袋）\n2. 摆正体位（鼻吸气位）\n"
      "3. 必要时清理气道\n4. 擦干全身\n5. 刺激呼吸\n\n之后再评估呼吸和心率，心率<100次/分或呼吸暂停才开始正压通气；"
      "胸外按压和肾上腺素是更后面的步骤，气管插管也不是第一步。\n\n✅ 正确答案：**C. 保暖、擦干、摆正体位、清理气道**"),
    c("v5-q-en-15", "chat", "mixed", "B",
      "## Aortic stenosis 的麻醉管理目标\n\n主动脉瓣狭窄患者左室肥厚、顺应性差，心输出量相对固定。\n\n"
      "- **心率**：维持正常偏慢（60–80 bpm），保证舒张期冠脉灌注和射血时间\n- **节律**：维持窦性心律，房颤时心房收缩"
      "的贡献丧失，需立即处理\n- **SVR**：维持，低血压时首选 phenylephrine\n- **前负荷**：充足\n\n选项A（心动过速+"
      "血管扩张）是最危险的组合，C、D 都不对。\n\n**Answer: B**"),
    # ---------------------------------------------------------------- option text without a letter
    c("v5-q-en-19", "option-text", "en", "A",
      "The earliest clinical sign of magnesium toxicity is loss of the patellar (deep tendon) reflexes."),
    c("v5-q-en-05", "option-text", "en", "D",
      "When only the hard palate can be seen, that corresponds to Mallampati Class IV, which predicts a "
      "difficult laryngoscopy and should prompt a plan for awake or video-assisted intubation."),
    c("v5-q-en-13", "option-text", "en", "H",
      "The ester-type local anesthetic among these is chloroprocaine. It's rapidly hydrolyzed by plasma "
      "pseudocholinesterase, which gives it a very short half-life and makes it popular for short spinal "
      "anesthetics and for epidural top-ups before an urgent cesarean delivery."),
    c("v5-q-en-20", "option-text", "en", None,
      "The most likely cause is a kinked endotracheal tube. Check the tube along its length, pass a suction "
      "catheter, and hand-ventilate while you look."),
    c("v5-q-en-07", "option-text", "en", "D",
      "Packed red cells from an O-negative donor can be given to anyone in an emergency because they carry no "
      "A, B or RhD antigens. So the universal red cell donor is O negative."),
    c("v5-q-en-10", "option-text", "en", "B",
      "Low tidal volume ventilation at 6 mL/kg of predicted body weight, keeping the plateau pressure at or "
      "below 30 cmH2O."),
    c("v5-q-zh-01", "option-text", "zh", "A",
      "琥珀胆碱最危险的不良反应是高钾血症，尤其在烧伤、大面积软组织损伤、上运动神经元损伤和长期卧床的患者中，"
      "可引起致命性心律失常甚至心脏骤停。"),
    c("v5-q-zh-05", "option-text", "zh", "A",
      "目前分娩镇痛最常用的是低浓度罗哌卡因（0.0625%～0.1%）复合舒芬太尼，感觉与运动阻滞分离，对产程影响小。"),
    c("v5-q-zh-10", "option-text", "zh", "A",
      "椎管内麻醉后低血压主要是由于交感神经节前纤维被阻滞，导致阻力血管和容量血管扩张，回心血量减少，心输出量下降。"
      "如果阻滞平面高于T4，心加速纤维也被阻滞，会出现心动过缓，进一步加重低血压。局麻药过敏非常罕见；迷走神经兴奋"
      "可以参与但不是主要原因；失血与麻醉方式无关。因此最常见的原因是交感神经阻滞。"),
    c("v5-q-zh-11", "option-text", "mixed", "B",
      "不可以。Nitrous oxide 的血气分配系数（0.47）比氮气（0.014）高约34倍，会迅速弥散入气胸腔，使其体积增大，"
      "可能发展为张力性气胸。所以这句话是错的。"),
    # ---------------------------------------------------------------- base model continues the page
    c("v5-q-en-05", "base-continue", "en", "D",
      " D\n\n23. Which of the following is NOT part of the LEMON airway assessment?\nA. Look externally\n"
      "B. Evaluate 3-3-2\nC. Mallampati\nD. Oxygen saturation\nE. Neck mobility\nAnswer: D\n\n24. The "
      "Cormack-Lehane grade when only the epiglottis is seen is\nA. Grade 1\nB. Grade 2\nC. Grade 3\n"
      "D. Grade 4\nAnswer: C\n\n25."),
    c("v5-q-en-11", "base-continue", "en", "B",
      "Answer: B. Succinylcholine\n\nExplanation: Succinylcholine and the volatile anesthetics are triggers of "
      "MH.\n\nQuestion: What is the initial dose of dantrolene in an MH crisis?\nA. 2.5 mg/kg\n"
      "B. 0.25 mg/kg\nC. 25 mg/kg\nD. 10 mg total\nAnswer: A\n\nQuestion: Which"),
    c("v5-q-en-17", "base-continue", "en", None,
      "\n\nA. Hyperthermia\nB. Acidosis\nC. Increased 2,3-DPG\nD. Hypothermia\nE. Hypercarbia\n\n18. Which "
      "of the following shifts the oxyhemoglobin dissociation curve to the right?\nA. Alkalosis\n"
      "B. Hypothermia\nC. Increased 2,3-DPG\nD. Carbon monoxide\n\n19. The P50 of normal adult hemoglobin is"
      "\nA. 17 mmHg\nB. 27 mmHg\nC. 37 mmHg\nD. 47 mmHg\n\n20."),
    c("v5-q-en-03", "base-continue", "en", "C",
      " C) 4.5 mg/kg\n\nThe maximum recommended dose of lidocaine with epinephrine is 7 mg/kg.\n\nQ: What is "
      "the maximum dose of plain bupivacaine?\nA) 1 mg/kg\nB) 2.5 mg/kg\nC) 5 mg/kg\nD) 10 mg/kg\n"
      "A: B) 2.5 mg/kg\n\nQ: Which local anesthetic is the most cardiotoxic?"),
    c("v5-q-en-16", "base-continue", "en", "B",
      "False\n\nCricoid pressure was described by Sellick in 1961.\n\nTrue or False: Cricoid pressure should "
      "be released if the patient actively vomits.\nAnswer: True\n\nTrue or False: "),
    c("v5-q-zh-12", "base-continue", "zh", "C",
      "C\n\n13．成人心肺复苏时，胸外按压深度为\nA．3～4 cm\nB．4～5 cm\nC．5～6 cm\nD．6～7 cm\n答案：C\n\n"
      "14．心室颤动时首选的处理是\nA．静注肾上腺素\nB．电除颤\nC．静注利多卡因\nD．气管插管\n答案：B\n\n15．"),
    c("v5-q-zh-01", "base-continue", "zh", "A",
      "A\n解析：琥珀胆碱可使正常人血钾升高约0.5 mmol/L，在烧伤等患者可大幅升高。\n\n【例题2】下列哪种肌松药可被"
      "舒更葡糖拮抗？\nA．阿曲库铵\nB．顺阿曲库铵\nC．罗库溴铵\nD．米库氯铵\n答案：C"),
    c("v5-q-zh-05", "base-continue", "zh", None,
      "\nA．罗哌卡因\nB．利多卡因\nC．丁卡因\n\n2．硬膜外分娩镇痛最常见的副作用是\nA．瘙痒\nB．低血压\nC．产程延长"
      "\n\n3．硬膜外穿刺时意外穿破硬脊膜后最常见的并发症是\nA．"),
    c("v5-q-en-06", "base-continue", "mixed", "A",
      "A\n\n第二题：美国标准中氧化亚氮钢瓶的颜色是\nA. Green\nB. Blue\nC. Gray\n答案：B"),
    # ---------------------------------------------------------------- small models: ramble, repeat, contradict
    c("v5-q-en-02", "ramble", "en", "A",
      "The answer is True. Dantrolene is the first-line treatment of malignant hyperthermia. Dantrolene is a "
      "muscle relaxant. Dantrolene is the first-line treatment of malignant hyperthermia. Malignant "
      "hyperthermia is treated with dantrolene. The answer is True. The answer is True. The answer is True. "
      "The answer is True."),
    c("v5-q-en-12", "ramble", "en", None,
      "The answer is A. HIV is the most dangerous virus because it causes AIDS. However, hepatitis B is more "
      "infectious than HIV. Hepatitis C is also very infectious. So the answer is B. HIV has the highest "
      "transmission risk after a needle stick. The answer is A. Hepatitis B is the answer. The correct answer "
      "is C because hepatitis C has no vaccine."),
    c("v5-q-en-09", "ramble", "en", "D",
      "The size of the tube for a 4 year old child is age divided by 4 plus 4 which is 5. So the answer is "
      "5.0. The answer is D. 5.0 mm is the right size. For a 4 year old child you use a 5.0 tube. Age/4 + 4 "
      "= 5. The answer is D. The answer is D. The answer is D. The answer is D. The answer is"),
    c("v5-q-en-22", "ramble", "en", None,
      "Neuraxial anesthesia is a type of anesthesia. Contraindications are things that make it not safe. "
      "Patient refusal is a contraindication. Previous cesarean is not a contraindication. Mild "
      "thrombocytopenia may be a contraindication. Obesity is not a contraindication but it is hard. So all "
      "of the above could be contraindications. The answer is E. But previous cesarean is not a "
      "contraindication so it cannot be E. The answer is C. Patient refusal is the most important. Neuraxial "
      "anesthesia is a type of anesthesia."),
    c("v5-q-en-18", "ramble", "en", "B",
      "B B B B B B B B B B B B B B B B B B B B B B B B"),
    c("v5-q-zh-14", "ramble", "zh", None,
      "恶性高热的治疗药物是丹曲林。丹曲林是一种肌肉松弛药。钙通道阻滞剂也可以用于治疗恶性高热。糖皮质激素可以减轻"
      "炎症反应。所以答案是A。所以答案是B。恶性高热是一种遗传病。所以答案是A和B。"),
    c("v5-q-zh-02", "ramble", "zh", "A",
      "局麻药中毒应该用脂肪乳。脂肪乳可以结合局麻药。脂肪乳剂是首选。答案是A。局麻药中毒应该用脂肪乳。脂肪乳可以"
      "结合局麻药。答案是A。局麻药中毒应该用脂肪乳。"),
    c("v5-q-zh-10", "ramble", "zh", None,
      "椎管内麻醉后低血压很常见。低血压的原因有很多。交感神经阻滞可以引起低血压，迷走神经兴奋也可以引起低血压，"
      "失血也可以引起低血压。所以这些都是原因。以上都是。"),
    c("v5-q-en-01", "ramble", "mixed", "B",
      "Sugammadex 是一种 reversal agent。It reverses rocuronium. 舒更葡糖通过包裹罗库溴铵起作用。The answer is B. "
      "答案是B。Sugammadex 是一种 reversal agent。It reverses rocuronium. The answer is B."),
    # ---------------------------------------------------------------- truncated at the token limit
    c("v5-q-en-15", "truncated", "en", "B",
      "**Answer: B — Sinus rhythm, normal-to-slow heart rate, and maintained SVR.**\n\nExplanation:\n\nIn "
      "aortic stenosis the left ventricle must generate a high pressure to eject across a narrowed valve. Over "
      "time this leads to concentric hypertrophy, which increases myocardial oxygen demand and reduces "
      "ventricular compliance. Several consequences follow for anesthetic management:\n\n1. **Heart rate.** "
      "Tachycardia shortens diastole, reducing both ventricular filling and coronary perfusion time, while "
      "increasing oxygen demand. Marked bradycardia can also reduce cardiac output because stroke volume is "
      "relatively fixed. The target is therefore a normal to slightly slow rate.\n\n2. **Rhythm.** The "
      "hypertrophied ventricle depends on the atrial contribution to filling, which"),
    c("v5-q-en-14", "truncated", "en", None,
      "Let's go through each intervention for a hypercyanotic (\"tet\") spell.\n\nThe pathophysiology: a "
      "spell occurs when right ventricular outflow tract obstruction increases (often from infundibular "
      "spasm) or systemic vascular resistance falls, so that more deoxygenated blood shunts right-to-left "
      "across the VSD. Treatment aims to raise SVR, relax the infundibulum, and reduce oxygen demand.\n\n"
      "A. Knee-chest position — this kinks the femoral arteries and increases SVR, which reduces the "
      "right-to-left shunt. Appropriate.\n\nB. Phenylephrine — a pure alpha agonist that raises SVR. "
      "Appropriate.\n\nC. Morphine — reduces agitation and hyperpnea, and"),
    c("v5-q-en-21", "truncated", "en", None,
      "<think>\nThe question asks for the lowest blood:gas partition coefficient. Let me list what I "
      "remember.\n\nHalothane: about 2.5. Enflurane: about 1.9. Isoflurane: 1.4. Sevoflurane: 0.65 or 0.69. "
      "Desflurane: 0.42 or 0.45. Nitrous oxide: 0.46 or 0.47.\n\nSo it comes down to desflurane versus "
      "nitrous oxide. These are really close. One textbook lists desflurane at 0.45 and N2O at 0.46. Another "
      "lists desflurane 0.42 and N2O 0.47. Hmm, but I have also seen a table where"),
    c("v5-q-en-08", "truncated", "en", "B",
      "The correct answer is B. Using a smaller-gauge, pencil-point (non-cutting) spinal needle is the most "
      "effective way to reduce post-dural puncture headache.\n\nWhy the others are wrong:\n- A. A larger "
      "cutting needle produces a bigger, ragged dural tear and increases the risk.\n- C. Lying flat for 24 "
      "hours has been studied in multiple trials and does not reduce the incidence; it only delays onset.\n"
      "- D."),
    c("v5-q-en-07", "truncated", "en", None,
      "To answer this we need to think about which antigens are on the red cell surface and which antibodies "
      "are in the recipient's plasma.\n\nA person with blood group A has A antigens and anti-B antibodies. A "
      "person with group B has B antigens and anti-A antibodies. Group AB has both antigens and no "
      "antibodies, which is why AB"),
    c("v5-q-zh-09", "truncated", "zh", None,
      "<think>\n题目问的是阿片受体拮抗剂。逐个看：芬太尼是μ受体激动剂；舒芬太尼也是激动剂，效能比芬太尼强5～10倍；"
      "瑞芬太尼是酯类结构，被非特异性酯酶代谢；吗啡是经典激动剂；哌替啶有抗胆碱作用；然后是"),
    c("v5-q-zh-04", "truncated", "zh", "C",
      "答案：C\n\n解析：新生儿出生后首先进行初步复苏，包括保暖、擦干、摆正体位、清理呼吸道和刺激。完成初步复苏后评估"
      "呼吸和心率，若呼吸暂停或喘息样呼吸，或心率<100次/分，应在60秒内开始正压通气。正压通气30秒后心率仍<60次/分，"
      "才开始胸外按压，按压与通气的比例为3:1。若"),
    c("v5-q-zh-06", "truncated", "zh", None,
      "甲颏距离是评估困难气道的常用指标之一，测量时患者取坐位，头尽量后仰，测量甲状软骨上切迹至下颌骨颏突的距离。"
      "这个距离反映了下颌间隙的大小，决定喉镜置入时舌体能否被推移到下颌间隙内。一般认为，成人正常值应"),
    c("v5-q-en-10", "truncated", "mixed", None,
      "ARDSnet 的研究（NEJM 2000）比较了 6 mL/kg 和 12 mL/kg 的潮气量，都是按 predicted body weight 计算的。"
      "PBW 的计算公式：男性 = 50 + 0.91 × (身高cm − 152.4)，女性 = 45.5 + 0.91 × (身高cm − 152.4)。所以选项里"),
    c("v5-q-zh-07", "truncated", "mixed", "B",
      "答案是 B，鱼精蛋白 (protamine)。\n\nProtamine 是从鲑鱼精子中提取的碱性蛋白，与 heparin 以离子键结合。常见"
      "不良反应分三型：Type I 是快速注射引起的低血压；Type II 是过敏/类过敏反应；Type III 是灾难性的肺血管收缩和"
      "右心衰"),
    # ---------------------------------------------------------------- Chinese exam style
    c("v5-q-zh-01", "exam-zh", "zh", "A",
      "【答案】A\n【解析】琥珀胆碱为去极化肌松药，可使细胞内钾外流，正常人血钾升高约0.5 mmol/L，在严重烧伤、创伤、"
      "截瘫等患者中可引起严重高钾血症而致心搏骤停。B、C、D项均不是琥珀胆碱的典型不良反应。"),
    c("v5-q-zh-02", "exam-zh", "zh", "A",
      "本题考查局麻药中毒的处理。局麻药全身毒性出现心血管虚脱时，应在CPR基础上尽早使用20%脂肪乳剂进行“脂质解救”。"
      "故选A。"),
    c("v5-q-zh-03", "exam-zh", "zh", "A",
      "解析：目前的证据表明鸡蛋过敏并不是丙泊酚的禁忌证，因为过敏原主要在蛋清，而丙泊酚所含卵磷脂来源于蛋黄。"
      "因此题干说法正确。本题选A。"),
    c("v5-q-zh-07", "exam-zh", "zh", "B", "正确答案是B项。"),
    c("v5-q-zh-08", "exam-zh", "zh", "B",
      "答案为B项。去甲肾上腺素为脓毒性休克首选的血管加压药，多巴胺仅推荐用于快速性心律失常风险低、且有绝对或相对"
      "心动过缓的患者。"),
    c("v5-q-zh-12", "exam-zh", "zh", "C",
      "参考答案：C\n考点：AHA 指南要求成人胸外按压频率为100～120次/分，深度5～6 cm，每次按压后胸廓充分回弹，"
      "尽量减少中断。"),
    c("v5-q-zh-13", "exam-zh", "zh", "C",
      "【答案】C。ASA术前禁食指南：清饮料2 h，母乳4 h，婴儿配方奶6 h，非人乳6 h，淀粉类固体食物6 h，油炸及脂肪类"
      "食物8 h。"),
    c("v5-q-zh-14", "exam-zh", "zh", "A", "故本题答案为A。丹曲林是目前唯一的恶性高热特效药，首剂2.5 mg/kg静注。"),
    c("v5-q-zh-11", "exam-zh", "zh", "B",
      "【答案】B\n【解析】N₂O弥散入含气腔隙的速度快于氮气弥出，可使气胸、肠梗阻、中耳、气颅等含气腔隙的体积或压力"
      "增加，故气胸患者禁用。题干说法错误。"),
    c("v5-q-zh-10", "exam-zh", "zh", None,
      "【答案】A或C\n【解析】椎管内麻醉后低血压主要与交感神经阻滞有关，但Bezold-Jarisch反射等迷走神经反射也参与"
      "其中，两者均可作为答案。"),
    c("v5-q-zh-06", "exam-zh", "zh", "B", "甲颏距离<6 cm提示可能存在插管困难，故选B。"),
    c("v5-q-zh-05", "exam-zh", "zh", "A",
      "答：A。理由：罗哌卡因运动与感觉阻滞分离明显，心脏毒性低于布比卡因，是分娩镇痛的首选。"),
    c("v5-q-zh-09", "exam-zh", "zh", "F",
      "本题正确答案为F（纳洛酮）。布托啡诺（H）为阿片受体激动-拮抗剂，不属于单纯拮抗剂，易误选。"),
    c("v5-q-zh-04", "exam-zh", "zh", "C", "选C。\n新生儿复苏的初步步骤（保暖、擦干、摆正体位、清理气道、刺激）应在出生后30秒内完成。"),
    c("v5-q-zh-02", "exam-zh", "zh", None,
      "【答案】F\n【解析】本题考查局麻药全身毒性的处理原则，需结合气道管理与循环支持。"),
    c("v5-q-zh-13", "exam-zh", "zh", "E", "答案：E。婴儿母乳需禁食8小时。"),
    # ---------------------------------------------------------------- JSON / YAML
    c("v5-q-en-03", "structured", "en", "C",
      '{"answer": "C", "confidence": 0.86, "rationale": "The maximum dose of plain lidocaine is 4.5 mg/kg; '
      '7 mg/kg applies with epinephrine."}'),
    c("v5-q-en-20", "structured", "en", "B",
      '```json\n{\n  "reasoning": "Sudden loss of the EtCO2 waveform means no CO2 is reaching the sampling '
      'line: disconnection, an esophageal tube, or complete obstruction. Option A would increase EtCO2.",\n'
      '  "answer": "B"\n}\n```'),
    c("v5-q-en-17", "structured", "en", None,
      '{"answer": null, "reason": "Several of the listed factors affect hemoglobin affinity; unable to select '
      'a single option."}'),
    c("v5-q-en-05", "structured", "en", "D",
      "answer: D\nexplanation: >\n  Class IV - only the hard palate is visible. Classes I to III show at least "
      "part of the soft palate.\nconfidence: high"),
    c("v5-q-zh-08", "structured", "zh", "B",
      '{"题目": "脓毒性休克首选血管活性药", "答案": "B", "解析": "去甲肾上腺素为一线用药"}'),
    c("v5-q-zh-11", "structured", "zh", None,
      '```json\n{"answer": ["A", "B"], "explanation": "视气胸是否已放置胸腔闭式引流而定"}\n```'),
    c("v5-q-en-13", "structured", "mixed", "H",
      '{"answer": "H", "解释": "Chloroprocaine 是酯类局麻药，由血浆胆碱酯酶水解。"}'),
    # ---------------------------------------------------------------- LaTeX boxed
    c("v5-q-en-09", "boxed", "en", "D",
      "Using age/4 + 4 for an uncuffed tube: 4/4 + 4 = 5.0 mm.\n\n$$\\boxed{D}$$"),
    c("v5-q-en-21", "boxed", "en", "D",
      "Blood:gas coefficients — desflurane 0.42 < N₂O 0.47 < sevoflurane 0.65 < isoflurane 1.4 < enflurane "
      "1.8 < halothane 2.4.\n\nThe final answer is $\\boxed{\\text{D}}$."),
    c("v5-q-en-19", "boxed", "en", "A",
      "Magnesium toxicity progresses from hyporeflexia to respiratory depression and finally cardiac arrest "
      "as serum levels rise, so the first sign to appear is\n\n\\[\\boxed{\\text{Loss of patellar reflexes}}\\]"),
    c("v5-q-en-22", "boxed", "en", None,
      "Patient refusal is an absolute contraindication. If the question is read as 'which may be a "
      "contraindication', every item could matter in specific circumstances.\n\n\\boxed{A, E}"),
    c("v5-q-zh-12", "boxed", "zh", "C", "成人按压频率为100～120次/分。\n\n答案：$\\boxed{C}$"),
    c("v5-q-zh-09", "boxed", "mixed", "F",
      "Naloxone（纳洛酮）是 pure opioid antagonist，其余多为激动剂或激动-拮抗剂。\n\n\\[\n\\boxed{F}\n\\]"),
    # ---------------------------------------------------------------- punctuation, case, brackets
    c("v5-q-en-12", "punct", "en", "B",
      "i'd go with (b), hepatitis b — the risk after a needlestick from an hbeag-positive source can be as high "
      "as 30%."),
    c("v5-q-en-06", "punct", "en", "A", "answer: a"),
    c("v5-q-en-16", "punct", "en", "B", "The statement is false — answer (B)."),
    c("v5-q-en-04", "punct", "en", "B", "[B] Vitamin B12"),
    c("v5-q-zh-07", "punct", "zh", "B", "答案：（B）"),
    c("v5-q-zh-14", "punct", "zh", "A", "选Ａ。"),
    c("v5-q-zh-01", "punct", "zh", "A", "本题答案：Ａ．高钾血症"),
    c("v5-q-en-18", "punct", "mixed", "B", "答案：（B）Ipsilateral phrenic nerve block"),
    # ---------------------------------------------------------------- ordinal / numeric references
    c("v5-q-en-13", "ordinal", "en", "H",
      "Of the nine drugs listed, only the eighth one — chloroprocaine — is an ester; the rest are amides."),
    c("v5-q-en-10", "ordinal", "en", "B", "I'd pick option 2, 6 mL/kg of predicted body weight."),
    c("v5-q-en-01", "ordinal", "en", None, "The correct answer is option 5."),
    c("v5-q-en-11", "ordinal", "en", "B",
      "The second choice. Succinylcholine is a depolarizing muscle relaxant and a well-known trigger; all the "
      "other drugs listed are considered safe in MH-susceptible patients."),
    c("v5-q-zh-08", "ordinal", "zh", "B", "第二个，去甲肾上腺素。"),
    c("v5-q-zh-04", "ordinal", "zh", "C", "应选第三项。初步复苏（保暖、擦干、体位、清理气道）永远是第一步。"),
    c("v5-q-zh-06", "ordinal", "zh", None, "我认为是第七个选项。"),
    c("v5-q-en-03", "ordinal", "mixed", "C", "答案是第三个选项，4.5 mg/kg。"),
    # ---------------------------------------------------------------- hedges
    c("v5-q-en-15", "hedge", "en", "B",
      "I'm not completely certain, but I believe the best answer is B — keeping sinus rhythm, a "
      "normal-to-slow heart rate and a maintained SVR is the standard teaching for aortic stenosis."),
    c("v5-q-en-19", "hedge", "en", "A",
      "This is probably A, loss of patellar reflexes, though respiratory depression is also a recognised sign "
      "of toxicity at higher levels. If I had to choose, A."),
    c("v5-q-en-21", "hedge", "en", None,
      "It's either D or F — desflurane and nitrous oxide have almost identical blood:gas partition "
      "coefficients (0.42 vs 0.47), and different textbooks rank them differently. I wouldn't want to commit "
      "to one."),
    c("v5-q-en-07", "hedge", "en", "D",
      "Most likely D. Type O negative red cells lack A, B and D antigens, so they're the safest choice when "
      "there's no time to crossmatch — although strictly speaking no donor is truly 'universal' because of "
      "minor antigens."),
    c("v5-q-zh-05", "hedge", "zh", "A",
      "个人倾向于A，罗哌卡因。不过利多卡因也常用于硬膜外追加（比如紧急剖宫产时），但就分娩镇痛的维持而言应该是A。"),
    c("v5-q-zh-13", "hedge", "zh", None, "可能是C，也可能是D，不同指南规定不一样，我不太确定。"),
    c("v5-q-en-14", "hedge", "mixed", "D",
      "我不是百分之百确定，but I think the answer is D — isoproterenol 会增加心肌收缩力，加重 infundibular spasm。"),
    # ---------------------------------------------------------------- negation / elimination
    c("v5-q-en-20", "negation", "en", None,
      "It's definitely not C — hypoventilation would raise EtCO2, not abolish it."),
    c("v5-q-en-06", "negation", "en", "A",
      "Not B (white is the ISO colour) and not C (blue is nitrous oxide). In the US it's A."),
    c("v5-q-en-11", "negation", "en", "B",
      "Let's eliminate. Propofol — safe. Ketamine — safe. Rocuronium — safe, it's non-depolarizing. Nitrous "
      "oxide — safe, it's not a trigger. That leaves succinylcholine."),
    c("v5-q-en-22", "negation", "en", "A",
      "B is not a contraindication (VBAC patients get epidurals routinely). C: a platelet count of 120,000 is "
      "well above the usual 70,000–80,000 threshold. D: obesity makes it harder but is actually a reason to "
      "place an early labor epidural. So E can't be right either. The only true contraindication listed is A."),
    c("v5-q-en-17", "negation", "en", "D",
      "The answer is not A, B, C or E — those all shift the curve to the right. Hypothermia increases "
      "hemoglobin's affinity for oxygen."),
    c("v5-q-zh-10", "negation", "zh", None, "肯定不是B，局麻药过敏极其罕见。"),
    c("v5-q-zh-14", "negation", "zh", "A",
      "钙通道阻滞剂与丹曲林合用可导致高钾血症和心肌抑制，禁用；糖皮质激素没有特异作用。排除B和C，剩下A。"),
    c("v5-q-en-04", "negation", "mixed", None,
      "肯定不是 vitamin K，nitrous oxide 和凝血没有关系，so not D."),
    # ---------------------------------------------------------------- change of mind
    c("v5-q-en-14", "change-mind", "en", "D",
      "The answer is C, morphine — wait, no. Morphine is actually used in tet spells to reduce hyperpnea. The "
      "intervention that is NOT appropriate is isoproterenol, because it worsens infundibular spasm. Final "
      "answer: D."),
    c("v5-q-en-19", "change-mind", "en", "A",
      "Initially I'd say B, respiratory depression, because that's the dangerous one. But the question asks "
      "about the *first* sign, and reflex loss occurs at lower serum levels (~10 mEq/L) than respiratory "
      "depression (~12–15 mEq/L). So I'll change my answer to A."),
    c("v5-q-en-12", "change-mind", "en", None,
      "B. Actually, now I'm second-guessing this. HIV is the most feared, and hepatitis C has no vaccine, so "
      "maybe C is more relevant clinically. On the other hand, the numbers favour B. Hmm, I really can't "
      "decide between B and C."),
    c("v5-q-en-09", "change-mind", "en", "D",
      "5.5 mm (E)... hold on, I mixed up the formula. For an uncuffed tube it's age/4 + 4 = 5.0. Correct "
      "answer: D."),
    c("v5-q-zh-07", "change-mind", "zh", None,
      "答案是A。不对，维生素K是拮抗华法林的。那应该是C？氨甲环酸是抗纤溶的，也不对……D新鲜冰冻血浆？"),
    c("v5-q-zh-01", "change-mind", "zh", "A",
      "我先选B，恶性高热。再想一下，B其实是低血糖，恶性高热根本不在选项里。题目问的是最危险的不良反应，那就改选A，"
      "高钾血症。"),
    c("v5-q-en-16", "change-mind", "mixed", "B",
      "True……不对，应该是 False。Cricoid pressure 不能可靠地防止误吸，the IRIS trial 也没有证明其有效。所以选 B。"),
    # ---------------------------------------------------------------- leading letter, then explanation
    c("v5-q-en-10", "leading-letter", "en", "B",
      "B. A tidal volume of 6 mL/kg predicted body weight was the intervention arm of the ARMA trial. A "
      "12 mL/kg arm served as the control. Options A and D use actual body weight, which overestimates lung "
      "size in obese patients."),
    c("v5-q-en-18", "leading-letter", "en", "B",
      "B\n\nA common misconception is that Horner syndrome (C) is the most frequent side effect; it does "
      "occur, but far less consistently than phrenic blockade. A pneumothorax (A) is rare with the "
      "interscalene approach."),
    c("v5-q-en-08", "leading-letter", "en", "B",
      "B) Smaller pencil-point needle.\n\nA large cutting needle (A) tears the dura. Bed rest (C) and fluids "
      "(D) have no proven benefit, and E is wrong since B works."),
    c("v5-q-en-07", "leading-letter", "en", "D",
      "D — O negative.\nA patient with type A blood has anti-B antibodies, a type B patient has anti-A, and "
      "AB patients can receive red cells of any ABO group, which makes AB the universal recipient, not donor."),
    c("v5-q-en-04", "leading-letter", "en", "B",
      "B.\n\nA. Vitamin A — unrelated.\nC. Vitamin C — unrelated.\nD. Vitamin K — unrelated to N2O; relevant "
      "to warfarin reversal.\n\nNitrous oxide oxidizes the cobalt in B12."),
    c("v5-q-en-01", "leading-letter", "en", "B",
      "B\nA key advantage over neostigmine is that sugammadex can reverse even a deep block within about "
      "three minutes."),
    c("v5-q-zh-03", "leading-letter", "zh", "A",
      "A。\nB选项“错误”是过去说明书的观点，现已被多项研究否定。"),
    c("v5-q-en-05", "leading-letter", "mixed", "D",
      "D. Class IV。只看到硬腭，软腭完全看不到。A、B、C 分别对应 Class I–III。"),
    # ---------------------------------------------------------------- option texts containing letters
    c("v5-q-en-04", "letter-in-option", "en", "B",
      "The vitamin affected by nitrous oxide is B12 — N2O inactivates methionine synthase by oxidizing "
      "cobalamin."),
    c("v5-q-en-12", "letter-in-option", "en", "B", "Hepatitis B has the highest needlestick transmission risk."),
    c("v5-q-en-07", "letter-in-option", "en", "D",
      "Type A is not the answer; type O negative is the universal red cell donor."),
    c("v5-q-en-22", "letter-in-option", "en", "A",
      "None of the options except patient refusal is a contraindication, so 'all of the above' is wrong. The "
      "answer is patient refusal."),
    c("v5-q-en-08", "letter-in-option", "en", "E",
      "None of the above. PDPH cannot be reliably prevented by any of these measures."),
    c("v5-q-zh-10", "letter-in-option", "zh", "E", "以上都不是。"),
    c("v5-q-en-12", "letter-in-option", "mixed", "B", "答案是 Hepatitis B（乙肝）。"),
    # ---------------------------------------------------------------- letter contradicts the quoted option text
    c("v5-q-en-07", "mismatch", "en", None, "**Final answer:** C — Type O negative"),
    c("v5-q-en-20", "mismatch", "en", None, "The answer is A: esophageal intubation or circuit disconnection."),
    c("v5-q-en-13", "mismatch", "en", None, "G. Chloroprocaine is the only ester."),
    c("v5-q-zh-08", "mismatch", "zh", None, "答案：C，去甲肾上腺素。"),
    c("v5-q-en-19", "mismatch", "mixed", None, "答案是 B，loss of patellar reflexes。"),
    # ---------------------------------------------------------------- refusals
    c("v5-q-en-02", "refusal", "en", None,
      "I'm not able to provide medical advice. Please consult a qualified healthcare professional regarding "
      "the treatment of malignant hyperthermia."),
    c("v5-q-en-14", "refusal", "en", None,
      "I'm sorry, but I can't help with that. Decisions about managing a child's cyanotic episode should be "
      "made by the treating pediatric cardiology and anesthesia team."),
    c("v5-q-en-03", "refusal", "en", None,
      "Local anesthetic dosing depends on the patient's weight, the site of injection, the formulation, "
      "comorbidities such as hepatic or cardiac disease, and institutional protocols. Exceeding safe limits "
      "can cause seizures and cardiac arrest. Because the safe dose must be individualised, I can't select a "
      "single value from this list. Please refer to the product labelling and your local guidelines."),
    c("v5-q-en-11", "refusal", "en", None, "I don't know."),
    c("v5-q-zh-03", "refusal", "zh", None, "抱歉，我无法回答涉及具体用药的问题，请咨询专业医生。"),
    c("v5-q-zh-12", "refusal", "zh", None, "这个问题我无法确定答案。"),
    # ---------------------------------------------------------------- several letters, no final choice
    c("v5-q-en-17", "multi-letter", "en", None,
      "B and E — both acidosis and hypercarbia act through the Bohr effect."),
    c("v5-q-en-05", "multi-letter", "en", None, "C or D"),
    c("v5-q-en-22", "multi-letter", "en", None,
      "Answer: A, C\nPatient refusal is absolute; thrombocytopenia is a relative contraindication."),
    c("v5-q-zh-02", "multi-letter", "zh", None, "答案：AE"),
    c("v5-q-zh-05", "multi-letter", "mixed", None,
      "A 和 B 都可以，ropivacaine and lidocaine are both used for labour epidurals。"),
    # ---------------------------------------------------------------- second batch: longer responses, more nulls
    c("v5-q-en-16", "final-heading", "en", None,
      "Cricoid pressure has been a cornerstone of rapid sequence induction since Sellick's original 1961 "
      "description, yet the evidence behind it is thin. Cadaver and imaging studies give conflicting results: "
      "some show that correctly applied force (about 30 N) occludes the esophagus, while MRI studies show the "
      "esophagus lying lateral to the cricoid in roughly half of patients. Cricoid pressure also lowers lower "
      "esophageal sphincter tone, can distort the laryngeal view and may impede mask ventilation or "
      "supraglottic airway placement. Large randomized data are limited: one major trial found no "
      "significant difference in aspiration with or without it, but it was not powered to detect rare events, "
      "and many guidelines still recommend it where the risk is high.\n\n**Final answer:** It depends on how "
      "'reliably' is interpreted — the evidence is insufficient to call the statement clearly true or clearly "
      "false."),
    c("v5-q-en-05", "punct", "en", None, "Answer: (E)"),
    c("v5-q-zh-07", "leading-letter", "zh", None, "E。鱼精蛋白可以中和肝素。"),
    c("v5-q-en-12", "letter-in-option", "en", None,
      "It's hepatitis, not HIV — the hepatitis viruses are far more transmissible by needlestick than HIV."),
    c("v5-q-zh-06", "reasoning", "zh", None,
      "我们先回顾一下甲颏距离的定义和意义。甲颏距离是患者头部充分后仰、闭口时，甲状软骨切迹至下颏骨性突起的直线"
      "距离，它反映下颌间隙的大小：下颌间隙越小，喉镜置入后舌体越难被推入该间隙，声门暴露越困难。\n\n"
      "关于界值，经典教材的描述是：大于6.5 cm一般插管无困难；6～6.5 cm可能有困难，但通常可以在喉镜下插管；"
      "小于6 cm时多数无法用常规喉镜完成插管。不过也有文献认为6.5 cm才是更敏感的截断值，敏感度更高但特异度下降。"
      "如果以敏感度优先的原则来选择筛查界值，那么应采用6.5 cm。\n\n综上，我认为最合适的界值是6.5 cm，"
      "但选项中没有这个数值，本题可能存在问题。"),
    c("v5-q-zh-09", "chat", "zh", "F",
      "## 阿片类药物按受体作用分类\n\n| 类别 | 药物 | 特点 |\n|---|---|---|\n| 完全激动剂 | 芬太尼、舒芬太尼、瑞芬太尼、"
      "吗啡、哌替啶、氢吗啡酮 | 剂量越大作用越强，呼吸抑制明显 |\n| 弱激动剂/混合机制 | 曲马多 | 兼有5-HT和去甲肾上腺素"
      "再摄取抑制作用 |\n| 激动-拮抗剂 | 布托啡诺、纳布啡 | κ受体激动、μ受体部分拮抗，有“天花板效应” |\n| 纯拮抗剂 | "
      "**纳洛酮**、纳曲酮 | 竞争性拮抗μ、κ、δ受体 |\n\n### 临床要点\n- 纳洛酮起效快（静注1～2分钟），作用时间"
      "30～60分钟，短于多数阿片类药物，需警惕“再麻醉”。\n- 术后呼吸抑制时从小剂量（0.04 mg）滴定，避免疼痛反跳、"
      "高血压和肺水肿。\n- 布托啡诺虽有拮抗作用，但本身也是激动剂，不能算作拮抗剂。\n\n**答案：F. 纳洛酮**"),
    c("v5-q-zh-11", "chat", "zh", None,
      "## 氧化亚氮与气胸\n\n**机制**：N₂O 的血/气分配系数约为氮气的34倍，进入密闭含气腔隙的速度远快于氮气的"
      "弥出速度，因此会使腔隙体积（顺应性好的腔隙）或压力（顺应性差的腔隙）增加。吸入70% N₂O 10分钟即可使气胸"
      "体积翻倍。\n\n**临床情况要区分**：\n1. 未经处理的气胸：N₂O 可导致张力性气胸，应避免；\n2. 已放置胸腔闭式"
      "引流且引流通畅：气体可以排出，部分学者认为可以谨慎使用；\n3. 小量、稳定的气胸：仍有风险，一般不推荐。\n\n"
      "**结论**：题干没有说明是否已引流，表述不够严谨，因此无法简单地判断对或错，需要结合具体临床情况。"),
    c("v5-q-zh-10", "think", "zh", "A",
      "<think>\n椎管内麻醉后低血压的机制。局麻药阻滞交感神经节前纤维，交感神经阻滞的平面通常比感觉阻滞高2～6个"
      "节段。阻滞后小动脉扩张使外周阻力下降，更重要的是静脉容量血管扩张，血液淤积在下肢和内脏，回心血量减少，"
      "心输出量降低。高位阻滞（T1～T4）时心交感神经被阻滞，心率减慢。迷走神经兴奋是相对的，是交感被阻滞后"
      "迷走占优势，本质上仍是交感阻滞的结果。还有Bezold-Jarisch反射，在严重低血容量时可引起突然的心动过缓，但这"
      "不是最常见的原因。局麻药过敏罕见，酰胺类更罕见。失血与麻醉方式本身无关。\n</think>\n\n"
      "椎管内麻醉后低血压最常见的原因是交感神经阻滞，导致血管扩张和回心血量减少。\n\n答案：A"),
    c("v5-q-en-22", "think", "en", "A",
      "<think>\nLet me think about each option carefully.\n\nA: Patient refusal. This is an absolute "
      "contraindication to any procedure, including neuraxial blocks. A competent patient can refuse.\n\n"
      "B: Previous cesarean delivery. Women attempting a trial of labor after cesarean often get epidurals — "
      "there was an old concern that an epidural would mask the pain of uterine rupture, but that's been "
      "refuted. Not a contraindication.\n\nC: Platelets 120,000. Most practitioners are comfortable above "
      "70,000-80,000 in the absence of other coagulopathy. Not a contraindication.\n\nD: Obesity. Technically "
      "harder, but obese parturients actually benefit from an early epidural because general anesthesia and "
      "airway management are riskier for them.\n\nE: All of the above — no, because B, C, D aren't "
      "contraindications.\n\nSo A.\n</think>\n\nThe only contraindication in the list is patient refusal, "
      "which is absolute. A previous cesarean, a platelet count of 120,000/µL and obesity are not "
      "contraindications; in obese parturients an early epidural is actively recommended.\n\n"
      "**Final answer: A**"),
    c("v5-q-en-07", "reasoning", "en", "D",
      "When blood must be given before crossmatching, the key question is which donor red cells are least "
      "likely to be attacked by the recipient's preformed antibodies.\n\nRed cells of type A carry the A "
      "antigen and would be destroyed by anti-A in type B and type O recipients. Type B cells carry the B "
      "antigen and would be destroyed by anti-B in type A and type O recipients. Type AB cells carry both "
      "antigens and would react with the plasma of everyone except AB recipients — that's why AB is the "
      "universal *plasma* donor, the opposite situation.\n\nType O cells carry neither A nor B antigen, so no "
      "recipient's anti-A or anti-B can react with them. Choosing Rh-negative in addition avoids sensitizing "
      "RhD-negative recipients, which matters most for girls and women of childbearing age.\n\nSo the "
      "universal donor for packed red cells is type O negative, which is option D."),
    c("v5-q-en-13", "truncated", "en", "H",
      "The ester in this list is **chloroprocaine (H)**.\n\nLocal anesthetics are divided into two classes by "
      "the bond linking the aromatic ring to the intermediate chain:\n\n**Esters** — procaine, "
      "chloroprocaine, tetracaine, benzocaine, cocaine. They are hydrolyzed in plasma by pseudocholinesterase, "
      "so their half-lives are short (chloroprocaine's is under a minute), and they produce "
      "para-aminobenzoic acid (PABA), which is responsible for the occasional true allergic reaction.\n\n"
      "**Amides** — lidocaine, bupivacaine, levobupivacaine, ropivacaine, mepivacaine, prilocaine, "
      "etidocaine and articaine. These are metabolized in the liver by cytochrome P450 enzymes, so their "
      "clearance falls in hepatic disease and low cardiac output states. Articaine is an interesting hybrid: "
      "it has an amide link but also an ester side chain, so part of its metabolism happens in plasma, which "
      "is why it is popular in dentistry. Prilocaine is notable because its metabolite o-toluidine can cause"),
    c("v5-q-zh-12", "exam-zh", "zh", "D", "本题选D。"),
    c("v5-q-zh-04", "exam-zh", "zh", None, "正确答案是：B、C"),
    c("v5-q-zh-14", "ordinal", "zh", "A", "选第一个。"),
    c("v5-q-zh-02", "hedge", "zh", "A",
      "这题我没有十足把握，应该是A吧，脂肪乳剂，印象中LAST的指南都是推荐尽早用脂肪乳。"),
    c("v5-q-en-09", "refusal", "en", None,
      "Could you share the full question? I can only see the answer choices, so I can't tell what is being "
      "asked."),
    c("v5-q-zh-13", "refusal", "zh", None, "题目不完整，无法作答。"),
    c("v5-q-en-14", "refusal", "mixed", None,
      "Sorry，这个问题涉及 pediatric clinical decision-making，我无法提供具体的治疗建议，请咨询主治医生。"),
    c("v5-q-zh-13", "truncated", "mixed", None,
      "<think>\nASA fasting guideline: clear fluids 2 h, infant formula 6 h, light meal 6 h, fatty meal 8 h。"
      "Breast milk 是4小时还是"),
    c("v5-q-en-19", "change-mind", "mixed", None,
      "答案是 A。Hmm，不过 respiratory depression 才是最危险的，maybe B？我也不确定了。"),
]


def build() -> list[dict]:
    """Assign ids per language and attach the options; validate every record."""
    counters = {lang: 0 for lang in LANGUAGES}
    rows = []
    for case in CASES:
        lang = case["language"]
        if lang not in LANGUAGES:
            raise ValueError(f"bad language {lang!r} in {case['response'][:40]!r}")
        options = QUESTIONS[case["qid"]]
        keys = list(options)
        if not 2 <= len(keys) <= 9 or keys != [chr(ord("A") + i) for i in range(len(keys))]:
            raise ValueError(f"bad options for {case['qid']}")
        if case["label"] is not None and case["label"] not in options:
            raise ValueError(f"label {case['label']!r} not an option of {case['qid']}")
        if not case["response"].strip():
            raise ValueError(f"empty response for {case['qid']}")
        rid = f"v5-{lang}-{counters[lang]:03d}"
        counters[lang] += 1
        rows.append({
            "id": rid,
            "split": "blind-v5",
            "family": case["family"],
            "template": f"v5-{case['family']}",
            "language": lang,
            "qid": case["qid"],
            "options": dict(options),
            "response": case["response"],
            "label": case["label"],
        })
    if len({r["id"] for r in rows}) != len(rows):
        raise ValueError("duplicate ids")
    if len({(r["qid"], r["response"]) for r in rows}) != len(rows):
        raise ValueError("duplicate responses")
    return rows


def write(rows: list[dict], path: Path = OUT) -> None:
    """Write JSONL through a temp file in the same folder, then rename into place."""
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


if __name__ == "__main__":
    built = build()
    write(built)
    print(f"wrote {len(built)} rows to {OUT}")
