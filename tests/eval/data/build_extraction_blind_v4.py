"""Write extraction_blind_v4.jsonl: labelled responses that measure answer extraction on cases its rules never saw.

Written blind to the extraction rules on 2026-12-07, before they change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

OUT = Path(__file__).with_name("extraction_blind_v4.jsonl")

# Questions: qid -> options. English ("q") and Chinese ("z") items, 2 to 9 options.
QUESTIONS: dict[str, dict[str, str]] = {
    "q01": {"A": "Neostigmine", "B": "Sugammadex", "C": "Glycopyrrolate", "D": "Edrophonium"},
    "q02": {
        "A": "Dantrolene",
        "B": "Propranolol",
        "C": "Succinylcholine",
        "D": "Acetaminophen",
        "E": "Ketamine",
    },
    "q03": {"A": "True", "B": "False"},
    "q04": {
        "A": "Lidocaine",
        "B": "Bupivacaine",
        "C": "Chloroprocaine",
        "D": "Mepivacaine",
        "E": "Ropivacaine",
        "F": "Prilocaine",
    },
    "q05": {
        "A": "Saphenous nerve",
        "B": "Sural nerve",
        "C": "Deep peroneal nerve",
        "D": "Superficial peroneal nerve",
        "E": "Tibial nerve",
        "F": "Femoral nerve",
        "G": "Obturator nerve",
        "H": "Lateral femoral cutaneous nerve",
        "I": "Genitofemoral nerve",
    },
    "q06": {"A": "0.75%", "B": "1.15%", "C": "2.0%", "D": "6.0%"},
    "q07": {"A": "Ephedrine", "B": "Phenylephrine", "C": "Vasopressin", "D": "Epinephrine"},
    "q08": {"A": "4.0 mm", "B": "5.0 mm", "C": "6.0 mm"},
    "q09": {
        "A": "Factor IX",
        "B": "Factor VIII",
        "C": "Factor XI",
        "D": "Factor V",
        "E": "Von Willebrand factor",
    },
    "q10": {"A": "Sevoflurane", "B": "Succinylcholine", "C": "Desflurane", "D": "None of the above"},
    "q11": {
        "A": "Female sex",
        "B": "Non-smoking status",
        "C": "History of motion sickness",
        "D": "Postoperative opioids",
        "E": "All of the above",
    },
    "q12": {
        "A": "Hypothermia",
        "B": "Alkalosis",
        "C": "Increased 2,3-DPG",
        "D": "Carbon monoxide poisoning",
    },
    "q13": {"A": "4", "B": "6", "C": "8", "D": "10", "E": "12", "F": "15", "G": "20"},
    "q14": {
        "A": "Metabolic alkalosis",
        "B": "Metabolic acidosis with rhabdomyolysis",
        "C": "Hypernatremia",
        "D": "Isolated hepatitis",
    },
    "q15": {"A": "Intrathecal placement", "B": "Intravascular placement", "C": "Subdural placement"},
    "q16": {"A": "3 mg/kg", "B": "4.5 mg/kg", "C": "7 mg/kg", "D": "10 mg/kg"},
    "q17": {"A": "True", "B": "False"},
    "q18": {
        "A": "Methylene blue",
        "B": "Hydroxocobalamin",
        "C": "Naloxone",
        "D": "Flumazenil",
        "E": "Protamine",
        "F": "Atropine",
    },
    "q19": {
        "A": "Jaw thrust and CPAP with 100% oxygen",
        "B": "Immediate reintubation without drugs",
        "C": "Intravenous atropine",
        "D": "Needle cricothyrotomy",
    },
    "q20": {
        "A": "Dopamine",
        "B": "Norepinephrine",
        "C": "Phenylephrine",
        "D": "Vasopressin",
        "E": "Dobutamine",
    },
    "q21": {
        "A": "Dissolved in plasma",
        "B": "As carbamino compounds",
        "C": "As bicarbonate",
        "D": "Bound to heme iron",
    },
    "q22": {
        "A": "Phrenic nerve",
        "B": "Recurrent laryngeal nerve",
        "C": "Vagus nerve",
        "D": "Long thoracic nerve",
        "E": "Suprascapular nerve",
        "F": "Axillary nerve",
        "G": "Musculocutaneous nerve",
        "H": "Ulnar nerve",
    },
    "q23": {
        "A": "Loss of patellar reflexes",
        "B": "Respiratory arrest",
        "C": "Cardiac arrest",
        "D": "Hyperreflexia",
    },
    "q24": {"A": "Lidocaine", "B": "Chloroprocaine", "C": "Bupivacaine"},
    "q25": {"A": "Fentanyl", "B": "Remifentanil", "C": "Morphine", "D": "Sufentanil"},
    "q26": {"A": "Class I", "B": "Class II", "C": "Class III", "D": "Class IV", "E": "None of the above"},
    "q27": {
        "A": "Adrenal suppression",
        "B": "Bronchospasm",
        "C": "Hypertension",
        "D": "Malignant hyperthermia",
    },
    "q28": {
        "A": "Propofol",
        "B": "Ketamine",
        "C": "Thiopental",
        "D": "Midazolam",
        "E": "Dexmedetomidine",
        "F": "Methohexital",
    },
    "q30": {
        "A": "Reduced functional residual capacity",
        "B": "Increased anatomic dead space",
        "C": "Lower hemoglobin concentration",
        "D": "Lower cardiac output",
    },
    "z01": {"A": "新斯的明", "B": "舒更葡糖钠", "C": "格隆溴铵", "D": "依酚氯铵"},
    "z02": {"A": "丹曲林", "B": "普萘洛尔", "C": "琥珀胆碱", "D": "对乙酰氨基酚", "E": "氯胺酮"},
    "z03": {"A": "正确", "B": "错误"},
    "z04": {
        "A": "利多卡因",
        "B": "布比卡因",
        "C": "氯普鲁卡因",
        "D": "甲哌卡因",
        "E": "罗哌卡因",
        "F": "丙胺卡因",
    },
    "z05": {"A": "麻黄碱", "B": "去氧肾上腺素", "C": "血管加压素", "D": "肾上腺素"},
    "z06": {
        "A": "膈神经",
        "B": "喉返神经",
        "C": "迷走神经",
        "D": "胸长神经",
        "E": "肩胛上神经",
        "F": "腋神经",
        "G": "肌皮神经",
        "H": "尺神经",
        "I": "正中神经",
    },
    "z07": {
        "A": "托下颌并以100%氧气持续正压通气",
        "B": "立即环甲膜穿刺",
        "C": "静注阿托品",
        "D": "立即拔除气管导管",
    },
    "z08": {"A": "多巴胺", "B": "去甲肾上腺素", "C": "去氧肾上腺素", "D": "血管加压素", "E": "多巴酚丁胺"},
    "z09": {"A": "物理溶解", "B": "氨基甲酰血红蛋白", "C": "碳酸氢盐", "D": "与血红素铁结合"},
    "z10": {"A": "膝反射消失", "B": "呼吸抑制", "C": "心脏骤停", "D": "反射亢进"},
    "z11": {"A": "4.0 mm", "B": "5.0 mm", "C": "6.0 mm"},
    "z12": {"A": "七氟烷", "B": "琥珀胆碱", "C": "地氟烷", "D": "异氟烷", "E": "以上都不是"},
    "z13": {"A": "肾上腺皮质功能抑制", "B": "支气管痉挛", "C": "高血压", "D": "恶性高热"},
    "z14": {"A": "4", "B": "6", "C": "8", "D": "10", "E": "12", "F": "15", "G": "20"},
    "z15": {"A": "芬太尼", "B": "瑞芬太尼", "C": "吗啡", "D": "舒芬太尼"},
    "z16": {"A": "亚甲蓝", "B": "羟钴胺", "C": "纳洛酮", "D": "氟马西尼", "E": "鱼精蛋白", "F": "阿托品"},
    "z17": {"A": "对", "B": "错"},
    "z18": {"A": "女性", "B": "不吸烟", "C": "晕动病史", "D": "术后使用阿片类药物", "E": "以上都是"},
}

# Cases: (family, language, question, response, label). label None = a grader credits no letter.
CASES: list[tuple[str, str, str, str, str | None]] = []


def case(family: str, language: str, qid: str, response: str, label: str | None) -> None:
    CASES.append((family, language, qid, response, label))


# --- explicit answer lines -------------------------------------------------------------------
case(
    "explicit",
    "en",
    "q01",
    """Rocuronium and vecuronium are steroidal neuromuscular blockers. Sugammadex is a modified \
gamma-cyclodextrin that wraps around the rocuronium molecule in plasma, forming a tight 1:1 complex that is \
excreted by the kidney. Cholinesterase inhibitors work by a different mechanism, raising acetylcholine at the \
junction rather than binding the relaxant.

Answer: B""",
    "B",
)
case(
    "explicit",
    "en",
    "q20",
    """In adults with septic shock who remain hypotensive after initial fluid resuscitation, \
current sepsis guidelines recommend a vasopressor targeting a mean arterial pressure of about 65 mmHg. \
Dopamine has fallen out of favour because of a higher rate of tachyarrhythmias, and vasopressin is usually added \
as a second agent rather than started alone. Dobutamine is an inotrope for persistent hypoperfusion with poor \
cardiac function.

Final answer: B""",
    "B",
)
case(
    "explicit",
    "en",
    "q06",
    """Sevoflurane's MAC in a middle-aged adult in oxygen is roughly 2%. Isoflurane is \
about 1.15%, halothane 0.75%, and desflurane around 6%. So the figure matching sevoflurane is 2.0%. The answer is C.""",
    "C",
)
case(
    "explicit",
    "en",
    "q16",
    """With epinephrine added, vasoconstriction slows systemic absorption, so the commonly \
quoted ceiling for lidocaine rises from about 4.5 mg/kg to about 7 mg/kg.

Answer: (C) 7 mg/kg""",
    "C",
)
case(
    "explicit",
    "zh",
    "z02",
    """恶性高热是一种由挥发性吸入麻醉药或琥珀胆碱触发的骨骼肌高代谢危象。丹曲林通过抑制肌浆网\
雷诺丁受体（RyR1）释放钙离子来终止高代谢状态，是唯一的特效药物。其余选项或为触发药物，或仅为对症处理。

答案：A""",
    "A",
)
case(
    "explicit",
    "zh",
    "z09",
    """二氧化碳在血液中有三种运输形式：约5%～10%以物理溶解形式存在，约5%～10%与血红蛋白的氨基结合\
形成氨基甲酰血红蛋白，其余约80%～90%在红细胞内经碳酸酐酶作用生成碳酸，再解离为碳酸氢根进入血浆。\
因此正确答案是C。""",
    "C",
)
case(
    "explicit",
    "zh",
    "z13",
    """依托咪酯的突出优点是对循环影响小，但它可逆性抑制11β-羟化酶，单次诱导剂量即可使皮质醇合成\
受抑制数小时，长期输注与重症患者死亡率升高有关。本题答案为 A（肾上腺皮质功能抑制）。""",
    "A",
)
case(
    "explicit",
    "mixed",
    "q25",
    """瑞芬太尼（remifentanil）含有酯键，被血浆和组织中的非特异性酯酶迅速水解，\
所以无论输注多长时间，context-sensitive half-time 都稳定在 3～4 分钟左右。芬太尼和舒芬太尼脂溶性高，\
长时间输注后会在外周组织蓄积；吗啡的代谢产物还会在肾功能不全时蓄积。

Answer: B""",
    "B",
)

# --- reasoning models with <think> -----------------------------------------------------------
case(
    "think",
    "en",
    "q07",
    """<think>
Spinal for cesarean, hypotension. Options: A ephedrine, B phenylephrine, C vasopressin, D epinephrine.
Older practice used ephedrine, but it crosses the placenta and is linked to fetal acidosis. Consensus statements \
now prefer phenylephrine, titrated as an infusion, watching for reflex bradycardia. Vasopressin and epinephrine \
aren't first-line here. So B, not A.
</think>

Phenylephrine is the preferred first-line vasopressor for spinal hypotension at cesarean delivery because it \
is associated with better fetal acid-base status than ephedrine.

The answer is B.""",
    "B",
)
case(
    "think",
    "en",
    "q13",
    """<think>
ARDSNet: 6 mL/kg predicted body weight, plateau pressure under 30. Could the question mean 8 (C)? Some \
people start at 8 and step down, but the target is 6. 4 (A) is allowed if plateau is too high, but it's not the \
standard target. Going with B.
</think>

**B**""",
    "B",
)
case(
    "think",
    "en",
    "q22",
    """<think>
Okay, interscalene block. The local anesthetic is injected between the anterior and middle scalene muscles at \
the C5-C6 level. The phrenic nerve runs on the anterior surface of the anterior scalene, so spread anteriorly \
gives ipsilateral hemidiaphragmatic paresis in nearly every patient with conventional volumes. That's option A. \
But wait, the question says "almost always blocked" — let me also consider the recurrent laryngeal nerve, \
option B, which causes hoarseness, but that's much less frequent, maybe 10-20%. And the suprascapular nerve \
(E) is usually covered too since it comes off the upper trunk, which is relevant for shoulder analgesia. Hmm, so \
is the question asking about the side effect or the target? If it's about the side effect, then""",
    None,
)
case(
    "think",
    "en",
    "q18",
    """<think>
Nitroprusside releases cyanide. Treatments: sodium thiosulfate, hydroxocobalamin, nitrites. Methylene blue \
(A) treats methemoglobinemia — not this. Naloxone, flumazenil, protamine, atropine are reversal agents for \
other things.
</think>

Hydroxocobalamin (option B) binds cyanide to form cyanocobalamin, which the kidneys excrete. It is the \
preferred antidote for cyanide toxicity from prolonged or high-dose nitroprusside infusion.

Answer: B""",
    "B",
)
case(
    "think",
    "zh",
    "z05",
    """<think>
腰麻后低血压，产科。麻黄碱（A）以前常用，但易通过胎盘，可能导致胎儿酸中毒；去氧肾上腺素（B）是\
纯α1受体激动剂，对胎儿酸碱状态影响更小，现在的共识推荐它作为一线。血管加压素和肾上腺素不是首选。
</think>

剖宫产腰麻后低血压首选去氧肾上腺素，可预防性输注并根据血压滴定，注意反射性心动过缓。

答案：B""",
    "B",
)
case(
    "think",
    "zh",
    "z14",
    """<think>
ARDS肺保护性通气，小潮气量。ARDSnet试验用的是6 mL/kg理想体重，平台压≤30 cmH2O。我觉得应该是B，\
不过再确认一下，有的指南写4～8 mL/kg，如果按这个范围，C的8也在范围内，A的4也在范围内。题目问的是\
目标潮气量，那么最常引用的数值是""",
    None,
)
case(
    "think",
    "zh",
    "z16",
    """<think>
硝普钠代谢会释放氰离子。亚甲蓝是A，用于高铁血红蛋白血症，不对。纳洛酮C拮抗阿片，氟马西尼D拮抗\
苯二氮䓬，鱼精蛋白E拮抗肝素，阿托品F是抗胆碱药。羟钴胺可与氰离子结合生成氰钴胺。
</think>

硝普钠所致氰化物中毒应给予羟钴胺，必要时联合硫代硫酸钠。

正确答案：B""",
    "B",
)
case(
    "think",
    "mixed",
    "q02",
    """<think>
Classic MH crisis: hypercarbia, rigidity, tachycardia, rising temperature after a volatile or succinylcholine. \
Definitive treatment is dantrolene, 2.5 mg/kg IV, repeated as needed. Succinylcholine (C) is a trigger; \
ketamine (E) is irrelevant; propranolol won't fix the calcium release.
</think>

恶性高热的特效治疗是丹曲林（dantrolene），同时应立即停用所有触发药物、过度通气并积极降温。

答案是 A""",
    "A",
)

# --- medical chat models: markdown, bold, headers, bullets -----------------------------------
case(
    "chat_markdown",
    "en",
    "q20",
    """Great question — vasopressor choice in septic shock comes up constantly on ICU \
rounds and in exams. Let me walk through each option.

## Background

Septic shock is a distributive shock: the main problem is profound vasodilation with relative hypovolemia, \
often with some degree of septic cardiomyopathy. After an initial crystalloid bolus (commonly around \
30 mL/kg in the first hours), patients who remain hypotensive need a vasopressor to restore a mean arterial \
pressure of roughly 65 mmHg.

## Option by option

- **Dopamine** – once widely used, but a large randomized trial comparing it with the current standard showed \
more arrhythmic events, and a meta-analysis suggested higher mortality. It is now reserved for very selected \
patients, such as those with bradycardia and a low risk of tachyarrhythmia.
- **Norepinephrine** – a potent alpha-1 agonist with modest beta-1 activity. It raises MAP mostly through \
vasoconstriction while preserving cardiac output, and it is the agent recommended first in guidelines.
- **Phenylephrine** – a pure alpha agonist. It can drop cardiac output and is generally used only when \
tachyarrhythmias limit other agents.
- **Vasopressin** – useful as an *add-on* (usually around 0.03 U/min) when norepinephrine doses climb, to spare \
catecholamines. It is not recommended as the sole first agent.
- **Dobutamine** – an inotrope, added for persistent hypoperfusion despite adequate MAP when cardiac \
dysfunction is present. It can actually worsen hypotension.

## Practical points

1. Start norepinephrine peripherally if central access will be delayed; don't wait for a central line.
2. Reassess volume status, lactate and capillary refill frequently.
3. Add vasopressin before escalating to very high norepinephrine doses.

## Answer

**B. Norepinephrine**""",
    "B",
)
case(
    "chat_markdown",
    "en",
    "q12",
    """### Understanding the oxyhemoglobin dissociation curve

A **right shift** means hemoglobin has a *lower* affinity for oxygen, so it unloads O2 more easily in the \
tissues (P50 rises above ~26.7 mmHg). The mnemonic many students use is "CADET, face Right": **C**O2, **A**cid, \
**2,3-D**PG, **E**xercise, **T**emperature.

Looking at the choices:

| Option | Effect on curve |
|---|---|
| Hypothermia | Left shift |
| Alkalosis | Left shift |
| Increased 2,3-DPG | **Right shift** |
| Carbon monoxide | Left shift (and lowers carrying capacity) |

**Correct answer: C — Increased 2,3-DPG**

Stored blood, by contrast, is depleted of 2,3-DPG, which is why massive transfusion can transiently shift the \
curve to the left.""",
    "C",
)
case(
    "chat_markdown",
    "en",
    "q30",
    """Patients with obesity desaturate much faster than lean patients during apnea, and \
this is one of the main reasons preoxygenation and positioning matter so much in this group.

**Why does it happen?**

- The lungs' oxygen reservoir during apnea is essentially the **functional residual capacity** (FRC). Once \
you stop breathing, the body draws on the O2 stored in the FRC.
- In obesity, the weight of the chest wall and abdominal contents pushes the diaphragm cephalad, particularly \
when supine and after induction. FRC can fall well below closing capacity, so small airways close and \
atelectasis develops.
- Oxygen consumption is also higher because of the larger metabolically active mass.

**What about the other options?**

- *Anatomic dead space* isn't materially increased by obesity and wouldn't explain faster desaturation.
- *Hemoglobin* is usually normal in these patients.
- *Cardiac output* is actually often *increased* in obesity.

**Clinical tips:** preoxygenate in a ramped or 25° head-up position, consider CPAP or high-flow nasal oxygen \
during induction, and keep apneic oxygenation going during laryngoscopy.

So the best choice here is **A (reduced functional residual capacity)**.""",
    "A",
)
case(
    "chat_markdown",
    "en",
    "q07",
    """This is a topic where practice has changed over the last couple of decades, so it's \
worth looking at the evidence rather than just memorising an answer.

## Ephedrine

- Mixed alpha and beta agonist; maintains heart rate and cardiac output.
- Crosses the placenta readily and increases fetal metabolic rate.
- Associated with lower umbilical artery pH in several trials.

## Phenylephrine

- Pure alpha-1 agonist; predictable rise in blood pressure.
- Can cause reflex bradycardia and a fall in maternal cardiac output.
- Better fetal acid-base profile in many studies.

## Vasopressin and epinephrine

- Not routinely used for this indication; epinephrine is reserved for severe hypotension or arrest.

## Bottom line

Both ephedrine and phenylephrine are reasonable and widely used, and many anesthesiologists mix the two or \
switch depending on the maternal heart rate. In a bradycardic mother ephedrine may be preferred; in a \
tachycardic one phenylephrine makes more sense. Ultimately, the choice between **A** and **B** depends on the \
clinical picture, and I'd encourage you to discuss your institution's protocol with your attending.""",
    None,
)
case(
    "chat_markdown",
    "zh",
    "z08",
    """### 解析

脓毒性休克属于分布性休克，在充分液体复苏后仍低血压时需要使用血管活性药物，目标平均动脉压约65 mmHg。

- **多巴胺**：心律失常发生率较高，目前仅用于心动过缓等少数特定患者；
- **去甲肾上腺素**：以α1受体激动为主，兼有轻度β1作用，升压效果确切，是指南推荐的一线药物；
- **去氧肾上腺素**：纯α受体激动剂，可能降低心输出量，一般不作首选；
- **血管加压素**：多作为去甲肾上腺素的联合用药，以减少儿茶酚胺用量；
- **多巴酚丁胺**：正性肌力药，用于心功能不全伴持续低灌注。

### 答案

**B. 去甲肾上腺素**""",
    "B",
)
case(
    "chat_markdown",
    "zh",
    "z07",
    """# 喉痉挛的处理

喉痉挛是麻醉诱导期和苏醒期常见的气道并发症，儿童尤为多见，常由浅麻醉下分泌物、血液或吸痰刺激声门诱发。

## 识别

- 吸气性喘鸣，完全痉挛时反而无声；
- 胸腹矛盾运动（"摇船样"呼吸）；
- 储气囊不动、呼气末二氧化碳波形消失；
- 进行性血氧饱和度下降，儿童很快出现心动过缓。

## 处理步骤

1. **去除刺激**，停止手术操作，清除口咽分泌物；
2. **托下颌**（可按压Larson点），面罩紧扣，**100%氧气持续正压通气**；
3. 若无效，加深麻醉，如静注小剂量丙泊酚；
4. 仍无效或出现严重低氧，给予小剂量琥珀胆碱，必要时气管插管；
5. 心动过缓时给予阿托品，但阿托品本身并不能解除痉挛。

环甲膜穿刺只用于上述措施全部失败的极端情况，而立即拔管则会使情况更糟。

**正确选项：A**""",
    "A",
)
case(
    "chat_markdown",
    "zh",
    "z10",
    """## 硫酸镁的毒性表现

硫酸镁用于子痫前期/子痫的抽搐预防和治疗，治疗浓度一般在2～3.5 mmol/L（约4～7 mEq/L）。随着血镁浓度升高，\
可依次出现：

- **腱反射减弱或消失**
- **呼吸抑制**
- **心脏传导阻滞乃至心脏骤停**

## 监测要点

- 定时检查膝反射；
- 呼吸频率不少于16次/分；
- 尿量不少于25 mL/h；
- 床旁备好葡萄糖酸钙作为拮抗剂。

不同教材对各阶段对应的血镁浓度描述略有差异，而且患者个体差异较大，肾功能不全者更易蓄积。\
具体判断还需结合临床表现和血镁浓度监测，如有疑问建议咨询产科和麻醉科专业医生。""",
    None,
)
case(
    "chat_markdown",
    "mixed",
    "q24",
    """## 局麻药的分类

局麻药根据中间链的化学结构分为两类：

- **酯类（esters）**：如 procaine、chloroprocaine、tetracaine、cocaine，主要由血浆假性胆碱酯酶水解，\
代谢产物对氨基苯甲酸（PABA）可致过敏；
- **酰胺类（amides）**：如 lidocaine、bupivacaine、ropivacaine、mepivacaine，主要在肝脏代谢。

一个常用的记忆方法：酰胺类药物的英文名除了词尾 "-caine" 外还含有一个字母 "i"。

**答案：B (Chloroprocaine)**""",
    "B",
)

# --- exam-style bracketed headers --------------------------------------------------------------
case(
    "bracket_header",
    "zh",
    "z04",
    """【答案】B
【解析】布比卡因与心肌钠通道结合牢固、解离缓慢（"快进慢出"），中毒时可出现顽固性室性心律失常和心脏骤停，\
且复苏困难。与A项利多卡因相比，其心脏毒性与中枢神经毒性剂量之比更低；E项罗哌卡因为S-对映体，\
心脏毒性明显低于布比卡因。""",
    "B",
)
case(
    "bracket_header",
    "zh",
    "z11",
    """【解析】2岁以上儿童无套囊气管导管内径（mm）可按"年龄/4 + 4"估算，4岁儿童为4/4 + 4 = 5.0 mm。\
带套囊导管一般再减小0.5 mm。临床上应同时准备大一号和小一号的导管。
【答案】B""",
    "B",
)
case(
    "bracket_header",
    "zh",
    "z15",
    """【答案】
瑞芬太尼（B）
【解析】瑞芬太尼被非特异性酯酶水解，持续输注时间长短对其时量相关半衰期几乎没有影响，约为3～4分钟。""",
    "B",
)
case(
    "bracket_header",
    "zh",
    "z12",
    """【答案】E
【解析】七氟烷、地氟烷、异氟烷均为挥发性吸入麻醉药（A、C、D），琥珀胆碱（B）为去极化肌松药，四者均可\
触发恶性高热。恶性高热易感者可安全使用丙泊酚、阿片类药物、非去极化肌松药等，但本题未列出，故选"以上都不是"。""",
    "E",
)
case(
    "bracket_header",
    "zh",
    "z17",
    """【答案】
【解析】严重烧伤后24～48小时起，接头外乙酰胆碱受体开始上调，这些未成熟型受体对去极化肌松药异常敏感，\
使用琥珀胆碱后""",
    None,
)
case(
    "bracket_header",
    "en",
    "q19",
    """[Answer] A
[Explanation] Laryngospasm is first managed by removing the stimulus, applying a firm jaw thrust and giving \
CPAP with 100% oxygen through a tight-fitting mask. If that fails, deepen anesthesia with propofol and, if \
needed, give a small dose of succinylcholine. Atropine treats the bradycardia that may follow hypoxia but \
does not break the spasm; cricothyrotomy is a last resort.""",
    "A",
)
case(
    "bracket_header",
    "en",
    "q27",
    """[Analysis] Etomidate reversibly inhibits 11-beta-hydroxylase, reducing cortisol and \
aldosterone synthesis for several hours after a single induction dose. It is notably hemodynamically stable, \
so hypertension (option C) is not a feature, and it does not release histamine or cause bronchospasm (option \
B). It is not a trigger for malignant hyperthermia.
[Answer] A""",
    "A",
)
case(
    "bracket_header",
    "en",
    "q11",
    """【Answer】E
【Explanation】The simplified Apfel score counts four risk factors for postoperative nausea and vomiting: \
female sex, being a non-smoker, a history of PONV or motion sickness, and the use of postoperative opioids. \
Each adds roughly 20% to the baseline risk.""",
    "E",
)

# --- answer given only as option text ---------------------------------------------------------
case(
    "option_text",
    "en",
    "q05",
    """The sole of the foot gets its sensation almost entirely from the medial and lateral \
plantar nerves, plus the medial calcaneal branches to the heel. All of these are terminal branches of one \
parent nerve that runs behind the medial malleolus next to the posterior tibial artery. The sural nerve only \
covers a strip along the lateral border of the foot, and the saphenous nerve reaches the medial ankle but \
rarely the sole. The deep and superficial peroneal nerves are on the dorsum.

For an ankle block aimed at plantar surgery, the key injection is therefore around the posterior tibial \
artery: the tibial nerve is the one you want.""",
    "E",
)
case(
    "option_text",
    "en",
    "q28",
    """In a hypotensive trauma patient I'd reach for ketamine. It preserves sympathetic tone \
and usually keeps blood pressure up, although in a catecholamine-depleted patient its direct myocardial \
depressant effect can still unmask hypotension, so the dose should be reduced. Propofol and thiopental both \
cause vasodilation and myocardial depression and can precipitate cardiovascular collapse in this setting.""",
    "B",
)
case(
    "option_text",
    "en",
    "q23",
    """As magnesium levels climb, the first thing to go is the deep tendon reflexes — loss of \
the patellar reflex typically appears around 7-10 mEq/L, well before respiratory depression (around 12 mEq/L) \
and cardiac arrest (above 25 mEq/L). That's why nurses check knee jerks regularly during an infusion.""",
    "A",
)
case(
    "option_text",
    "en",
    "q10",
    """The classic triggers of malignant hyperthermia are the potent volatile agents and \
succinylcholine. Sevoflurane and desflurane are both volatile agents, and succinylcholine is the depolarizing \
relaxant, so every listed drug is a trigger. Propofol, opioids, nondepolarizing relaxants and regional \
techniques are safe, but none of those is offered. None of the above.""",
    "D",
)
case(
    "option_text",
    "zh",
    "z06",
    """肌间沟臂丛阻滞在C5-C6水平注药，膈神经走行于前斜角肌表面，距注射点仅数毫米，常规容量下几乎\
所有患者都会出现同侧膈神经阻滞，导致同侧膈肌麻痹，肺功能可下降约25%。因此严重肺疾病患者应慎用，\
或选择小容量、锁骨上或肩胛上神经阻滞等替代方案。所以几乎必然累及的是膈神经。""",
    "A",
)
case(
    "option_text",
    "zh",
    "z18",
    """简化Apfel评分包括四项：女性、不吸烟、既往PONV或晕动病史、术后使用阿片类药物。题目列出的\
四项均属于危险因素，所以以上都是。""",
    "E",
)
case(
    "option_text",
    "zh",
    "z03",
    """这种说法是错误的。氧化亚氮在血中的溶解度比氮气大约高30倍，会迅速弥散进入含气腔隙，\
使气胸体积迅速增大，甚至发展为张力性气胸，因此未引流的气胸患者禁用氧化亚氮。""",
    "B",
)
case(
    "option_text",
    "mixed",
    "q08",
    """For children older than two, uncuffed tube ID ≈ age/4 + 4. 所以4岁儿童按公式计算为\
4/4 + 4 = 5，应选 5.0 mm 的导管，并准备 4.5 mm 和 5.5 mm 备用。""",
    "B",
)

# --- numeric and ordinal option references ----------------------------------------------------
case(
    "ordinal",
    "en",
    "q08",
    """Using the age/4 + 4 rule, a 4-year-old needs an uncuffed tube of 5.0 mm internal \
diameter. So the second option is right; the first would suit a younger child, and the third is too \
big.""",
    "B",
)
case(
    "ordinal",
    "en",
    "q04",
    """Bupivacaine binds cardiac sodium channels avidly and dissociates slowly, which is why \
its cardiotoxicity is the most severe and resuscitation after an overdose can be prolonged. Option 2 is \
correct.""",
    "B",
)
case(
    "ordinal",
    "en",
    "q22",
    """The phrenic nerve lies on the anterior scalene muscle, just millimetres from the \
interscalene injection site, so it is blocked in nearly every patient with standard volumes. I'd pick the \
first option.""",
    "A",
)
case(
    "ordinal",
    "en",
    "q21",
    """About 70-90% of carbon dioxide in blood travels as bicarbonate after hydration by \
carbonic anhydrase inside red cells. So the answer is option 5.""",
    None,
)
case(
    "ordinal",
    "zh",
    "z09",
    """二氧化碳进入红细胞后在碳酸酐酶作用下生成碳酸，解离为碳酸氢根，通过氯转移进入血浆，\
这是最主要的运输形式，约占90%左右。所以第三个选项正确。""",
    "C",
)
case(
    "ordinal",
    "zh",
    "z14",
    """ARDS患者的肺保护性通气策略要求潮气量控制在6 mL/kg理想体重，平台压不超过30 cmH2O，\
必要时可降至4 mL/kg。选第二项。""",
    "B",
)
case("ordinal", "zh", "z06", """几乎必然被阻滞的是第一个，因为它就在前斜角肌表面。""", "A")
case(
    "ordinal",
    "mixed",
    "q16",
    """Lidocaine plain 最大剂量约 4.5 mg/kg，加入 epinephrine 后吸收减慢，可提高到约 \
7 mg/kg。I'd go with 第三个选项.""",
    "C",
)

# --- hedges that still commit -------------------------------------------------------------------
case(
    "hedge",
    "en",
    "q06",
    """MAC values drift with age — they fall roughly 6% per decade — so any single number is \
an approximation. For a typical 40-year-old, sevoflurane's MAC is around 2%. I'd lean towards C.""",
    "C",
)
case(
    "hedge",
    "en",
    "q25",
    """Probably B — remifentanil. Its ester linkage lets tissue and plasma esterases clear it \
in minutes regardless of infusion duration.""",
    "B",
)
case(
    "hedge",
    "en",
    "q15",
    """The epinephrine in a standard test dose (15 mcg) raises the heart rate by 10 or more \
beats per minute within about a minute if it enters a vein. Intrathecal placement shows up instead as a rapid \
motor and sensory block. I'm not 100% sure this is what the question is after, but I think the answer is B.""",
    "B",
)
case(
    "hedge",
    "en",
    "q17",
    """It depends on context. A pneumothorax that has been drained with a functioning chest \
tube is a different situation from an undrained one, and some would argue the statement could be true in \
that case. Others would say nitrous should simply be avoided. It could be A or B depending on how the question \
writer sees it, so I can't say definitively.""",
    None,
)
case(
    "hedge",
    "zh",
    "z15",
    """芬太尼和舒芬太尼长时间输注后会在外周组织蓄积，时量相关半衰期明显延长；吗啡也不理想。\
我倾向于选B，瑞芬太尼的代谢不依赖肝肾功能。""",
    "B",
)
case(
    "hedge",
    "zh",
    "z05",
    """大概是B吧。去氧肾上腺素对胎儿酸碱平衡的影响比麻黄碱小，现在的专家共识多推荐它作为一线用药。""",
    "B",
)
case(
    "hedge",
    "zh",
    "z10",
    """硫酸镁中毒的表现与血镁浓度相关，腱反射消失和呼吸抑制出现的浓度比较接近。\
可能是A，也可能是B，不太好说，要看具体教材。""",
    None,
)
case(
    "hedge",
    "mixed",
    "q01",
    """我倾向于 B (Sugammadex)，because it forms a 1:1 complex with rocuronium, \
though I'm not entirely sure what the question writer intended.""",
    "B",
)

# --- a leading letter followed by an explanation; the article "A" -------------------------------
case(
    "leading_letter",
    "en",
    "q27",
    """A. Etomidate inhibits 11-beta-hydroxylase, suppressing adrenal steroid synthesis \
for 6-8 hours after a single dose. B and C are not typical of etomidate — it is remarkably free of histamine \
release and hemodynamic swings — and D is wrong because it is not a trigger agent.""",
    "A",
)
case(
    "leading_letter",
    "en",
    "q20",
    """A patient in septic shock who stays hypotensive after fluids needs a vasopressor, \
and the guidelines are clear that norepinephrine is the first one to start. Dopamine carries more arrhythmias, \
and vasopressin is an add-on.

Answer: B""",
    "B",
)
case(
    "leading_letter",
    "en",
    "q12",
    """A right shift of the curve means hemoglobin gives up oxygen more readily. Several \
physiological changes push the curve that way, including a rise in temperature, acidosis and increased \
carbon dioxide. It is worth remembering that stored blood behaves differently, because its red cells lose""",
    None,
)
case(
    "leading_letter",
    "en",
    "q30",
    """A

Obese patients have a markedly reduced FRC, particularly supine and after induction, so their oxygen \
reservoir during apnea is small while their oxygen consumption is high. C and D don't apply.""",
    "A",
)
case(
    "leading_letter",
    "en",
    "q24",
    """B — chloroprocaine is the ester. A and C are both amides; a quick way to remember \
is that amide local anesthetics have an "i" in the name before "-caine".""",
    "B",
)
case(
    "leading_letter",
    "zh",
    "z13",
    """A。依托咪酯可逆性抑制11β-羟化酶，单次给药即可抑制肾上腺皮质功能数小时。\
B、C、D均不是其典型不良反应。""",
    "A",
)
case(
    "leading_letter",
    "zh",
    "z02",
    """A 丹曲林是治疗恶性高热的特效药，应尽早静注2.5 mg/kg，并可重复给药。""",
    "A",
)
case(
    "leading_letter",
    "mixed",
    "q07",
    """B. Phenylephrine 是目前推荐的一线药物，相比 A（ephedrine）更少引起胎儿酸中毒，\
可以预防性输注。""",
    "B",
)

# --- base models that answer and then write a new question -------------------------------------
case(
    "base_continuation",
    "en",
    "q01",
    """ B

Question: Which drug is the specific treatment for malignant hyperthermia?
A. Dantrolene
B. Propranolol
C. Ketamine
D. Calcium chloride
Answer: A

Question: Which volatile anesthetic has the lowest blood:gas partition coefficient?
A. Isoflurane
B. Sevoflurane
C. Desflurane
D.""",
    "B",
)
case(
    "base_continuation",
    "en",
    "q21",
    """ C

2. The Haldane effect describes:
A. The effect of CO2 on oxygen binding
B. The effect of pH on oxygen binding
C. The effect of temperature on oxygen binding
D. The increased CO2-carrying capacity of deoxygenated blood
Answer: D

3. Which of the following""",
    "C",
)
case(
    "base_continuation",
    "en",
    "q16",
    """

Question 17: What is the maximum recommended dose of plain bupivacaine for infiltration?
A. 2 mg/kg
B. 3 mg/kg
C. 5 mg/kg
D. 8 mg/kg
Answer: A

Question 18: Which local anesthetic is associated with methemoglobinemia?
A. Prilocaine
B. Lidocaine
Answer: A""",
    None,
)
case(
    "base_continuation",
    "en",
    "q03",
    """ A

True or False: Dantrolene must be reconstituted with sterile water before administration.
A. True
B. False
Answer: A

True or False: Sevoflurane is safe in patients susceptible to malignant hyperthermia.
Answer:""",
    "A",
)
case(
    "base_continuation",
    "zh",
    "z11",
    """B

5. 成年男性经口气管插管通常选用的导管内径是：
A. 6.0 mm
B. 6.5 mm
C. 7.5～8.0 mm
D. 9.5 mm
答案：C

6. 关于喉罩的叙述，错误的是：""",
    "B",
)
case(
    "base_continuation",
    "zh",
    "z16",
    """答案：B

17. 下列哪种药物可拮抗苯二氮䓬类药物的作用？
A 纳洛酮
B 新斯的明
C 阿托品
D 氟马西尼
答案：D

18.""",
    "B",
)
case(
    "base_continuation",
    "zh",
    "z08",
    """

第9题 关于多巴酚丁胺的叙述，正确的是：
A 主要激动α受体
B 主要激动β1受体
C 主要激动多巴胺受体
D 主要激动β2受体
答案：B

第10题 下列关于血管加压素""",
    None,
)
case(
    "base_continuation",
    "mixed",
    "q28",
    """ B

下一题：Which induction agent is most associated with pain on injection?
A. Ketamine
B. Propofol
C. Etomidate
答案：B""",
    "B",
)

# --- option texts that contain letters, "none/all of the above" ---------------------------------
case(
    "letters_in_options",
    "en",
    "q09",
    """Hemophilia B, also called Christmas disease, is an X-linked deficiency of factor \
IX. Hemophilia A is the factor VIII deficiency. So the answer is A.""",
    "A",
)
case(
    "letters_in_options",
    "en",
    "q26",
    """In the modified Mallampati classification, class I shows the soft palate, \
fauces, uvula and pillars; class II the soft palate, fauces and uvula; class III the soft palate and base of the \
uvula; and class IV only the hard palate. Answer: D""",
    "D",
)
case("letters_in_options", "en", "q26", """Seeing only the hard palate is Mallampati class IV.""", "D")
case("letters_in_options", "en", "q09", """This is hemophilia B.""", None)
case(
    "letters_in_options",
    "en",
    "q11",
    """All of the above — each one is a component of the simplified Apfel score, and \
the risk climbs by roughly 20% with each factor present.""",
    "E",
)
case(
    "letters_in_options",
    "zh",
    "z18",
    """女性、不吸烟、晕动病史、术后使用阿片类药物均为Apfel评分中的危险因素，故选E（以上都是）。""",
    "E",
)
case(
    "letters_in_options",
    "zh",
    "z12",
    """以上都不是。丙泊酚才是恶性高热易感者可安全使用的药物，但题目没有列出，\
其余四种都是触发药物。""",
    "E",
)
case(
    "letters_in_options",
    "mixed",
    "q26",
    """Mallampati 分级中，class IV 仅能看到硬腭，看不到软腭。所以选D。""",
    "D",
)

# --- change of mind ----------------------------------------------------------------------------
case(
    "change_of_mind",
    "en",
    "q16",
    """Initially I thought B, 4.5 mg/kg, but that is the limit for plain lidocaine. The \
question asks about lidocaine with epinephrine, where the vasoconstrictor slows uptake and the usual ceiling \
is about 7 mg/kg. So the answer is actually C.""",
    "C",
)
case(
    "change_of_mind",
    "en",
    "q06",
    """My first instinct was B, 1.15%, but that's the MAC of isoflurane. Sevoflurane is \
less potent, with a MAC of about 2% in adults.

Final answer: C""",
    "C",
)
case(
    "change_of_mind",
    "en",
    "q21",
    """Answer: B

Wait — carbamino compounds only account for around 10% of CO2 transport. The majority, roughly 70-90%, is \
carried as bicarbonate formed in red cells by carbonic anhydrase and exchanged for chloride.

Correct answer: C""",
    "C",
)
case(
    "change_of_mind",
    "en",
    "q13",
    """The answer is B, 6 mL/kg of predicted body weight. Hmm, although some trials and \
older protocols used 8 mL/kg and titrated down, so maybe it's C. Or B if they mean the ARDSNet target. I'm \
honestly unsure which one the question expects.""",
    None,
)
case(
    "change_of_mind",
    "zh",
    "z04",
    """起初我想选E罗哌卡因，因为它也是长效酰胺类局麻药。但罗哌卡因是S-对映体，心脏毒性明显低于\
布比卡因。布比卡因与心肌钠通道结合后解离很慢，心脏毒性最强，所以应选B。""",
    "B",
)
case(
    "change_of_mind",
    "zh",
    "z09",
    """答案B。不对，重新想一下：氨基甲酰血红蛋白只占约5%～10%，绝大部分CO2是以碳酸氢盐形式\
运输的。应该是C。""",
    "C",
)
case(
    "change_of_mind",
    "zh",
    "z15",
    """选A，芬太尼起效快。不，芬太尼长时间输注后会蓄积，可能是B……但题目如果问的是单次\
给药后的作用时间，也许还是A。""",
    None,
)

# --- elimination -------------------------------------------------------------------------------
case(
    "elimination",
    "en",
    "q24",
    """Lidocaine (A) and bupivacaine (C) are amides — note the extra "i" in each name. \
That leaves B.""",
    "B",
)
case(
    "elimination",
    "en",
    "q19",
    """Reintubating without drugs (B) during active spasm is dangerous and often \
impossible. Atropine (C) treats bradycardia but doesn't relax the cords. Needle cricothyrotomy (D) is a last \
resort when everything else fails. So A: jaw thrust with CPAP and 100% oxygen.""",
    "A",
)
case(
    "elimination",
    "en",
    "q27",
    """Etomidate is known for hemodynamic stability, so not C. It doesn't cause \
bronchospasm, so not B. It isn't an MH trigger, so not D. Therefore A.""",
    "A",
)
case(
    "elimination",
    "en",
    "q10",
    """Sevoflurane (A) and desflurane (C) are volatile agents, and succinylcholine (B) is \
the depolarizing relaxant — all three are well-known triggers of malignant hyperthermia. D.""",
    "D",
)
case(
    "elimination",
    "en",
    "q25",
    """Morphine (C) has active metabolites and a long context-sensitive half-time, so we can \
rule it out. Sufentanil (D) accumulates after long infusions too. That leaves A or B; fentanyl is short after \
a bolus, but after a long infusion its context-sensitive half-time""",
    None,
)
case(
    "elimination",
    "zh",
    "z07",
    """立即环甲膜穿刺（B）属于最后手段；阿托品（C）只能处理心动过缓，不能解除喉痉挛；立即拔除\
导管（D）会加重气道梗阻。排除B、C、D，选A。""",
    "A",
)
case(
    "elimination",
    "zh",
    "z01",
    """新斯的明和依酚氯铵为胆碱酯酶抑制剂，格隆溴铵为抗胆碱药，三者都不能包裹罗库溴铵分子。\
排除A、C、D，故选B。""",
    "B",
)

# --- negation ----------------------------------------------------------------------------------
case(
    "negation",
    "en",
    "q17",
    """The answer is not A. Nitrous oxide diffuses into air-filled spaces far faster than \
nitrogen can leave them, so a pneumothorax can double in volume within minutes. The statement is false: B.""",
    "B",
)
case(
    "negation",
    "en",
    "q15",
    """The answer is not A. With intrathecal injection you'd expect a rapid sensory and \
motor block rather than a heart-rate response.""",
    None,
)
case(
    "negation",
    "en",
    "q02",
    """It's definitely not C — succinylcholine is itself one of the triggers of malignant \
hyperthermia and giving it would make things worse.""",
    None,
)
case(
    "negation",
    "en",
    "q08",
    """The answer is not C: a 6.0 mm tube would be too large for a 4-year-old. Using \
age/4 + 4, it's B.""",
    "B",
)
case("negation", "zh", "z03", """不是A。氧化亚氮会迅速弥散进入气胸腔使其扩大，所以这个说法错误，选B。""", "B")
case("negation", "zh", "z13", """答案不是D，依托咪酯不是恶性高热的触发药。""", None)
case("negation", "zh", "z10", """答案肯定不是D（反射亢进是镁缺乏而不是镁过量的表现），而是A。""", "A")

# --- multiple letters for a single-answer question ---------------------------------------------
case(
    "multiple_letters",
    "en",
    "q20",
    """Both B and D are vasopressors used in septic shock; norepinephrine and \
vasopressin are often run together in refractory cases.""",
    None,
)
case(
    "multiple_letters",
    "en",
    "q01",
    """A and B. Both can reverse rocuronium-induced neuromuscular blockade: \
neostigmine by inhibiting acetylcholinesterase and sugammadex by encapsulation.""",
    None,
)
case(
    "multiple_letters",
    "en",
    "q12",
    """A, B and D all shift the curve to the left. Only C, increased 2,3-DPG, shifts it \
to the right.

Answer: C""",
    "C",
)
case("multiple_letters", "en", "q18", """Answer: B, E""", None)
case("multiple_letters", "zh", "z08", """B和D""", None)
case(
    "multiple_letters",
    "zh",
    "z16",
    """答案：A、B

亚甲蓝和羟钴胺都属于解毒剂。""",
    None,
)
case(
    "multiple_letters",
    "zh",
    "z05",
    """A和B都能纠正腰麻后低血压，但目前共识首选B，因为它对胎儿酸碱状态的影响更小。""",
    "B",
)
case("multiple_letters", "mixed", "q02", """A or E 都可以考虑 in the acute setting, 具体看患者情况。""", None)

# --- JSON outputs ------------------------------------------------------------------------------
case(
    "json",
    "en",
    "q04",
    """{"answer": "B", "reasoning": "Bupivacaine dissociates slowly from cardiac sodium channels, making it the most cardiotoxic of the listed agents."}""",
    "B",
)
case(
    "json",
    "en",
    "q22",
    """```json
{
  "reasoning": "The phrenic nerve runs on the anterior scalene muscle close to the injection site and is blocked in nearly all patients.",
  "answer": "A"
}
```""",
    "A",
)
case(
    "json",
    "en",
    "q13",
    """{"answer": null, "reason": "The question does not specify whether actual or predicted body weight is meant."}""",
    None,
)
case("json", "en", "q17", """{"choice": "False", "letter": "B", "confidence": 0.93}""", "B")
case("json", "en", "q21", """{"answer": "F"}""", None)
case("json", "zh", "z14", """{"答案": "B", "解析": "ARDS肺保护性通气的目标潮气量为6 mL/kg理想体重。"}""", "B")
case(
    "json",
    "zh",
    "z06",
    """```json
{"answer": "A", "explanation": "膈神经走行于前斜角肌表面，肌间沟阻滞时几乎总被阻滞。"}
```""",
    "A",
)
case(
    "json",
    "mixed",
    "q11",
    """{"answer": "E", "explanation": "女性、不吸烟、晕动病史和术后阿片类药物都是 Apfel risk factors。"}""",
    "E",
)

# --- LaTeX \\boxed{} ---------------------------------------------------------------------------
case(
    "boxed",
    "en",
    "q06",
    r"""Sevoflurane: MAC $\approx 2.0\%$ (isoflurane $1.15\%$, desflurane $\approx 6\%$).

$$\boxed{C}$$""",
    "C",
)
case(
    "boxed",
    "en",
    "q13",
    r"""The ARDSNet protocol targets a tidal volume of 6 mL/kg predicted body weight, with a \
plateau pressure $\le 30\ \mathrm{cmH_2O}$.

Final answer: $\boxed{\text{B}}$""",
    "B",
)
case(
    "boxed",
    "en",
    "q16",
    r"""Plain lidocaine: about 4.5 mg/kg. With epinephrine: about $7$ mg/kg. Hence \boxed{C}.""",
    "C",
)
case(
    "boxed",
    "en",
    "q21",
    r"""Bicarbonate carries most CO$_2$, but carbamino compounds also matter, so \
$\boxed{A, C}$.""",
    None,
)
case(
    "boxed",
    "zh",
    "z11",
    r"""按公式：内径 $= \frac{年龄}{4} + 4 = \frac{4}{4} + 4 = 5.0$ mm。

最终答案：$\boxed{B}$""",
    "B",
)
case("boxed", "zh", "z09", r"""CO$_2$ 主要以碳酸氢盐形式运输，约占 $80\%\sim90\%$。$\boxed{C}$""", "C")
case(
    "boxed", "zh", "z02", r"""恶性高热的治疗首先要停用触发药物，然后给予特效药物。所以答案是 $\boxed{""", None
)

# --- full-width letters and Chinese punctuation ------------------------------------------------
case(
    "fullwidth_punct",
    "zh",
    "z01",
    """舒更葡糖钠是γ-环糊精衍生物，可在血浆中包裹罗库溴铵分子形成复合物。答案：Ｂ""",
    "B",
)
case(
    "fullwidth_punct",
    "zh",
    "z07",
    """喉痉挛发生时，应立即去除刺激，托下颌并面罩加压给予纯氧，无效时加深麻醉或给予小剂量\
琥珀胆碱。应选择A项。""",
    "A",
)
case("fullwidth_punct", "zh", "z04", """正确答案为：Ｂ．布比卡因""", "B")
case(
    "fullwidth_punct",
    "zh",
    "z10",
    """血镁浓度升高时最先出现的是腱反射减弱乃至消失，其后才是呼吸抑制和心脏传导障碍。\
故本题选（A）。""",
    "A",
)
case(
    "fullwidth_punct",
    "zh",
    "z15",
    """瑞芬太尼经非特异性酯酶代谢，时量相关半衰期恒定在3～4分钟。答案为（Ｂ）。""",
    "B",
)
case("fullwidth_punct", "zh", "z18", """本题应选Ｅ项，四个选项均为Apfel简化评分的组成部分。""", "E")
case(
    "fullwidth_punct",
    "en",
    "q07",
    """Phenylephrine gives a better fetal acid-base profile than ephedrine and is the \
recommended first-line agent. Answer：Ｂ""",
    "B",
)

# --- lowercase letters -------------------------------------------------------------------------
case(
    "lowercase",
    "en",
    "q02",
    """answer: a) dantrolene — give 2.5 mg/kg IV and repeat until the signs resolve.""",
    "A",
)
case(
    "lowercase",
    "en",
    "q24",
    """(b) chloroprocaine, which is hydrolysed by plasma pseudocholinesterase.""",
    "B",
)
case("lowercase", "en", "q28", """b""", "B")
case(
    "lowercase",
    "en",
    "q19",
    """a jaw thrust with CPAP is reasonable to try, but so is deepening with propofol or giving a \
small dose of succinylcholine straight away; honestly it depends on how fast the saturation is falling.""",
    None,
)
case("lowercase", "zh", "z05", """答案是b，去氧肾上腺素。""", "B")
case("lowercase", "zh", "z13", """选a""", "A")

# --- truncated outputs -------------------------------------------------------------------------
case(
    "truncated",
    "en",
    "q05",
    """To work out which nerve supplies most of the plantar surface, it helps to go through the \
five nerves blocked at the ankle. The saphenous nerve is the only branch of the femoral nerve in this group \
and supplies the skin over the medial malleolus. The deep peroneal nerve supplies the first web space, and \
the superficial peroneal nerve most of the dorsum. The sural nerve supplies the lateral heel, while the""",
    None,
)
case(
    "truncated",
    "en",
    "q20",
    """Answer: B. Norepinephrine is recommended first-line because it raises MAP mainly through \
alpha-1 vasoconstriction with modest beta-1 support, whereas dopamine is associated with more arrhythm""",
    "B",
)
case(
    "truncated",
    "en",
    "q30",
    """Obesity reduces FRC, especially in the supine position and after induction, and it also \
raises oxygen consumption. Both of these shorten the safe apnea time. When we compare option""",
    None,
)
case(
    "truncated",
    "en",
    "q14",
    """The correct answer is B. Propofol infusion syndrome typically presents with a severe \
metabolic acidosis, rhabdomyolysis, hyperkalemia, hypertriglyceridemia and refractory bradycardia, usually \
after prolonged infusions above 4 mg/kg/h. Risk factors include critical illness, high-dose catecholamines and""",
    "B",
)
case("truncated", "zh", "z06", """肌间沟阻滞时局麻药容易扩散至前斜角肌表面的""", None)
case("truncated", "zh", "z14", """答案：B。ARDSnet研究显示，与传统潮气量相比，小潮气量通气可降低""", "B")
case(
    "truncated",
    "zh",
    "z17",
    """这个说法需要从烧伤后乙酰胆碱受体的变化来分析。烧伤患者接头外乙酰胆碱受体上调，使用琥珀胆碱后""",
    None,
)
case(
    "truncated",
    "mixed",
    "q18",
    """The answer is B, 羟钴胺 (hydroxocobalamin)。它可以与氰离子结合形成氰钴胺，经""",
    "B",
)

# --- refusals ----------------------------------------------------------------------------------
case(
    "refusal",
    "en",
    "q16",
    """I'm sorry, but I cannot provide medical advice about drug dosing. Maximum doses depend on \
the patient, the site of injection and many other factors. Please consult a qualified anesthesiologist or your \
institution's guidelines.""",
    None,
)
case(
    "refusal",
    "en",
    "q02",
    """As an AI language model, I'm not able to give clinical treatment recommendations for a \
suspected malignant hyperthermia crisis. This is a life-threatening emergency: call for help, follow your \
hospital's MH protocol, and contact the MH hotline.""",
    None,
)
case(
    "refusal",
    "en",
    "q28",
    """I can't make induction decisions for a specific patient, and you should always follow your \
supervising anesthesiologist. For educational purposes only, though, the textbook answer to this question is B.""",
    "B",
)
case("refusal", "en", "q23", """I'm not able to help with answering exam questions.""", None)
case(
    "refusal",
    "zh",
    "z02",
    """抱歉，我无法提供医疗建议。恶性高热是危及生命的急症，请立即联系专业医生并遵循所在医院的处理流程。""",
    None,
)
case(
    "refusal",
    "zh",
    "z16",
    """作为人工智能助手，我不能替代医生进行诊断或给出用药方案。如有相关问题，请咨询有资质的医务人员。""",
    None,
)
case(
    "refusal",
    "zh",
    "z07",
    """我无法针对具体患者给出诊疗建议，临床处理请以上级医师意见为准。不过单从教材角度，本题答案是A。""",
    "A",
)
case(
    "refusal",
    "mixed",
    "q20",
    """Sorry, 我不能提供具体的医疗建议。Please consult a physician for treatment decisions.""",
    None,
)

# --- letters outside the options ---------------------------------------------------------------
case("out_of_range", "en", "q08", """Answer: D""", None)
case(
    "out_of_range",
    "en",
    "q03",
    """Nitrous oxide is not the issue here; succinylcholine after a burn causes a large \
potassium release from upregulated receptors. Answer: C""",
    None,
)
case(
    "out_of_range",
    "en",
    "q23",
    """The earliest sign of magnesium toxicity is the loss of deep tendon reflexes. The \
answer is E.""",
    None,
)
case("out_of_range", "en", "q13", """Answer: H""", None)
case("out_of_range", "zh", "z11", """答案：D""", None)
case("out_of_range", "zh", "z17", """烧伤后受体上调，琥珀胆碱可引起致命性高钾血症。答案：C""", None)
case("out_of_range", "zh", "z01", """正确答案是E。""", None)

# --- a letter that contradicts the option text it quotes ----------------------------------------
case("contradicts_text", "en", "q01", """B. Neostigmine""", None)
case(
    "contradicts_text",
    "en",
    "q20",
    """Answer: A (norepinephrine). It is the first-line vasopressor in septic shock.""",
    None,
)
case(
    "contradicts_text",
    "en",
    "q07",
    """The correct answer is B) Ephedrine, because it maintains maternal heart rate.""",
    None,
)
case("contradicts_text", "en", "q24", """B. Chloroprocaine""", "B")
case("contradicts_text", "zh", "z04", """答案：A 布比卡因""", None)
case("contradicts_text", "zh", "z08", """选C 去甲肾上腺素，它是脓毒性休克的一线升压药。""", None)
case("contradicts_text", "zh", "z15", """答案：B 瑞芬太尼""", "B")
case("contradicts_text", "mixed", "q22", """答案是 B (phrenic nerve)，因为膈神经紧邻前斜角肌。""", None)


# --- longer responses and more mixed-language cases -------------------------------------------
case(
    "chat_markdown",
    "en",
    "q04",
    """Local anesthetic systemic toxicity (LAST) is one of the complications every regional \
anesthesiologist needs to be ready for, and the agents differ a lot in how dangerous they are to the heart.

## Why some agents are more cardiotoxic

All local anesthetics block voltage-gated sodium channels, including those in the myocardium. What differs is \
*how long they stay bound*. Lidocaine is often described as "fast-in, fast-out": it binds during systole and \
leaves during diastole, so at normal heart rates the block does not accumulate. Bupivacaine is "fast-in, \
slow-out": it dissociates so slowly that the block builds beat after beat, producing QRS widening, re-entrant \
ventricular arrhythmias and, in severe cases, refractory ventricular fibrillation or asystole. It also depresses \
contractility directly and interferes with mitochondrial energy production.

## Going through the list

- **Lidocaine** – relatively low cardiotoxicity; CNS symptoms usually appear well before cardiovascular collapse.
- **Bupivacaine** – the highest ratio of cardiac to CNS toxicity; cardiac arrest may occur with little warning, \
and resuscitation can be prolonged.
- **Chloroprocaine** – an ester hydrolysed within seconds by plasma cholinesterase, so systemic levels stay low.
- **Mepivacaine** – intermediate, broadly similar to lidocaine.
- **Ropivacaine** – developed as the pure S-enantiomer precisely to reduce cardiotoxicity; safer than \
bupivacaine at equipotent doses, though not harmless.
- **Prilocaine** – its main concern is methemoglobinemia, not the heart.

## If toxicity happens

1. Stop the injection and call for help.
2. Secure the airway and ventilate with 100% oxygen; avoid hypercarbia and acidosis.
3. Treat seizures with a benzodiazepine.
4. Give 20% lipid emulsion early: a 1.5 mL/kg bolus followed by an infusion.
5. If arrest occurs, use smaller epinephrine doses (≤1 mcg/kg) and avoid vasopressin, calcium channel \
blockers and further local anesthetic. Prepare for prolonged CPR or cardiopulmonary bypass.

Taking all of this together, the most cardiotoxic agent in the list is **B – bupivacaine**.""",
    "B",
)
case(
    "think",
    "en",
    "q05",
    """<think>
The question: which nerve supplies most of the plantar surface of the foot. Nine options, most of them are \
clearly wrong because they don't reach the foot at all. The femoral nerve (F) ends in the thigh apart from its \
saphenous branch. The obturator (G) supplies the medial thigh. The lateral femoral cutaneous (H) is purely a \
thigh sensory nerve. The genitofemoral (I) supplies the groin and the upper anterior thigh. So we are left with \
the five ankle-block nerves: saphenous (A), sural (B), deep peroneal (C), superficial peroneal (D), tibial (E).

Saphenous: medial malleolus and medial side of the foot, rarely as far as the great toe. Not the sole.
Sural: lateral border of the foot and the lateral heel. A strip, not most of the sole.
Deep peroneal: the first web space on the dorsum.
Superficial peroneal: most of the dorsum.
Tibial: after passing behind the medial malleolus it divides into the medial and lateral plantar nerves, and the \
medial calcaneal branches supply the heel. Together these cover nearly the whole sole.

Could the answer be B because the sural nerve is sometimes said to supply the "sole"? Only the lateral part. \
The question says "most of", so tibial is the right one. Let me double-check that the medial plantar nerve is a \
tibial branch and not a saphenous branch — yes, medial and lateral plantar nerves are terminal branches of the \
tibial nerve.
</think>

The plantar surface of the foot is supplied mainly by the medial and lateral plantar nerves and the medial \
calcaneal branches, all of which come from the tibial nerve. During an ankle block it is found next to the \
posterior tibial artery, behind the medial malleolus. The sural nerve covers only the lateral border, the \
saphenous nerve the medial ankle, and the peroneal nerves the dorsum.

**Answer: E**""",
    "E",
)
case(
    "truncated",
    "en",
    "q28",
    """This is a really important question, because induction in the hemodynamically unstable \
trauma patient is one of the highest-risk moments in anesthesia. Let me go through the physiology before looking \
at the options.

**The problem.** A patient in hemorrhagic shock is maintaining perfusion to the brain and heart through intense \
sympathetic vasoconstriction and tachycardia. Almost every induction agent reduces sympathetic outflow to some \
degree, and positive-pressure ventilation reduces venous return on top of that. The combination can turn a \
compensated patient into a peri-arrest patient within a minute of induction.

**General principles.**

- Resuscitate before induction wherever possible: blood products, not just crystalloid.
- Reduce the dose of whatever agent you use, often to a third or a half of the usual.
- Have a vasopressor drawn up and ideally running.
- Give a rapid-sequence induction with a fast-onset relaxant such as rocuronium at 1.2 mg/kg.

**The options.**

- *Propofol* causes dose-dependent vasodilation and myocardial depression. In full doses it is the agent most \
likely to cause collapse, although a small dose can be used by experienced clinicians.
- *Thiopental* behaves similarly, with venodilation and negative inotropy, and is rarely available today.
- *Midazolam* is slow in onset for a rapid-sequence induction and still drops blood pressure in hypovolemia.
- *Dexmedetomidine* is not an induction agent and can cause bradycardia.
- *Methohexital* is a short-acting barbiturate with the same hemodynamic problems as thiopental.

That leaves the agent that stimulates the sympathetic nervous system and releases catecholamines. Its \
advantages in this setting include maintenance of airway reflexes and bronchodilation, and a relatively \
preserved blood pressure. One caveat is that in a patient whose catecholamine stores are already exhausted, its \
direct negative inotropic effect can become apparent, so even with""",
    None,
)
case(
    "ordinal",
    "en",
    "q10",
    """Sevoflurane, succinylcholine and desflurane are all classic triggers of malignant \
hyperthermia, so the last option is the correct one.""",
    "D",
)
case(
    "fullwidth_punct",
    "en",
    "q27",
    """Etomidate blocks 11-beta-hydroxylase and can suppress cortisol production for hours \
after a single dose. Answer: （A）""",
    "A",
)
case("lowercase", "en", "q06", """c. 2.0% — sevoflurane's MAC in a 40-year-old adult.""", "C")
case(
    "think",
    "mixed",
    "q13",
    """<think>
ARDS 肺保护性通气，题目问 target tidal volume。ARDSNet 用的是 6 mL/kg PBW，平台压 ≤ 30。但也有人说 \
4–8 mL/kg 都可以接受，所以 A、B、C 都在范围内？题目说 target，一般是指""",
    None,
)
case(
    "elimination",
    "mixed",
    "q19",
    """Reintubation without drugs（B）在喉痉挛时很难成功；atropine（C）只处理心动过缓；\
needle cricothyrotomy（D）是最后手段。排除 B、C、D，so A.""",
    "A",
)
case(
    "change_of_mind",
    "mixed",
    "q06",
    """一开始我选 B (1.15%)，但那是 isoflurane 的 MAC。Sevoflurane 的 MAC 约为 2%，\
so the answer is actually C.""",
    "C",
)
case(
    "bracket_header",
    "mixed",
    "q15",
    """【答案】B
【解析】Test dose 中含 15 mcg epinephrine，若导管误入血管，1 分钟内 heart rate 增加 ≥ 10 次/分；\
若误入蛛网膜下腔，则表现为迅速出现的感觉和运动阻滞。""",
    "B",
)

case("option_text", "zh", "z13", """依托咪酯最常见的不良反应是注射痛、肌阵挛和术后恶心呕吐。""", None)
case(
    "explicit",
    "en",
    "q14",
    """Propofol infusion syndrome is rare but often fatal, and it is seen mostly with high-dose, \
long infusions in critically ill patients.

Answer: none of these options describes it fully.""",
    None,
)
case(
    "explicit",
    "zh",
    "z09",
    """二氧化碳的运输形式涉及物理溶解、氨基甲酰化合物和碳酸氢盐三种，比例随代谢状态变化。

答案：无法确定""",
    None,
)
case("fullwidth_punct", "zh", "z05", """剖宫产腰麻后低血压的首选药物是（　　）。""", None)


def rows() -> list[dict[str, object]]:
    """The cases as JSON rows, numbered per language in the order written."""
    counters: dict[str, int] = {}
    out: list[dict[str, object]] = []
    for family, language, qid, response, label in CASES:
        options = QUESTIONS[qid]
        if label is not None and label not in options:
            raise ValueError(f"{family}/{qid}: label {label!r} is not an option")
        n = counters.get(language, 0)
        counters[language] = n + 1
        out.append(
            {
                "id": f"v4-{language}-{n:03d}",
                "split": "blind-v4",
                "family": family,
                "template": f"v4-{family}",
                "language": language,
                "qid": f"v4-{qid}",
                "options": options,
                "response": response,
                "label": label,
            }
        )
    return out


def main() -> None:
    tmp = OUT.with_suffix(".jsonl.tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for row in rows():
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(tmp, OUT)


if __name__ == "__main__":
    main()
