#!/usr/bin/env python
"""Write the embedded web sample: ``anestools/resources/samples/web_sample.parquet``.

A few hundred web-like documents written by us (no third-party text), FineWeb-shaped
(``text``, ``id``, ``url``, ``dump``, ``language``...), English and Chinese, anesthesia and not:

- ``anesthesia``         on-topic pages (patient information, clinical notes, forum posts...)
- ``tricky_negative``    pages that look like anesthesia to a naive keyword filter: blockchain
                         "blocks", the film "This Is Spinal Tap", taps and blocked drains,
                         induction hobs and motors, vaporizers, drug-control law (麻醉药品),
                         figurative 麻醉, a single mention in a long unrelated page...
- ``negative``           ordinary web pages (recipes, sport, finance, travel, tech)
- ``other_language``     anesthesia pages in Spanish/German (dropped by the language router)
- ``low_quality``        on-topic but spam: keyword lists, repeated lines, very short snippets
- ``duplicate``          exact copies of kept pages (different case/spacing, other id/url)

The ``category`` column is the ground truth by construction; the tests check the pipeline
against it. Deterministic: ``python scripts/make_web_sample.py`` always writes the same rows.

Usage: .venv/bin/python scripts/make_web_sample.py [--output PATH]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "anestools" / "resources" / "samples" / "web_sample.parquet"

# ----------------------------------------------------------------------------------------
# English anesthesia topics: each is (title pool, paragraphs); a paragraph is a list of
# sentences from which a document samples, so documents on one topic differ.
EN_TOPICS: dict[str, list[list[str]]] = {
    "general_anesthesia_patient": [
        [
            "General anesthesia is a medically controlled state of unconsciousness that allows surgery to be performed without pain or awareness.",
            "Before your operation you will meet the anesthesiologist, who will ask about your health, previous anesthetics and any allergies.",
            "Most adults are asked not to eat solid food for six hours before general anaesthesia, although clear fluids are usually allowed until two hours before.",
            "The anesthetic is usually started with an injection of propofol through a cannula in the back of your hand.",
            "Some people prefer to go to sleep breathing a mixture of oxygen and sevoflurane through a soft face mask.",
            "Once you are asleep, a breathing tube or a laryngeal mask airway is placed to protect your airway during the procedure.",
        ],
        [
            "Throughout the operation the anaesthetist stays with you and monitors your heart rate, blood pressure, oxygen levels and breathing.",
            "Modern monitoring includes pulse oximetry, capnography and, for some procedures, a bispectral index monitor that tracks the depth of anesthesia.",
            "Opioids such as fentanyl or remifentanil are often given to reduce the response to surgical pain.",
            "If muscle relaxation is needed, a neuromuscular blocking agent such as rocuronium is given and later reversed with sugammadex or neostigmine.",
            "The amount of each drug is adjusted minute by minute to your age, weight and the stage of the operation.",
        ],
        [
            "After surgery you will wake up in the recovery room, also called the post-anesthesia care unit, where nurses check that you are comfortable.",
            "It is common to feel drowsy, cold or slightly confused for a short time after a general anesthetic.",
            "Postoperative nausea and vomiting is less common than it used to be, and drugs such as ondansetron and dexamethasone are given to prevent it.",
            "A sore throat from the breathing tube usually settles within a day or two.",
            "You should not drive, sign legal documents or drink alcohol for at least twenty-four hours after an anaesthetic.",
        ],
    ],
    "spinal_epidural_labour": [
        [
            "An epidural is the most effective form of pain relief in labour, and many women choose one when contractions become difficult to cope with.",
            "The anaesthetist cleans your back, numbs the skin with local anaesthetic and then passes a fine needle into the epidural space.",
            "A thin plastic catheter is left in place so that a mixture of bupivacaine and fentanyl can be given continuously or as top-ups.",
            "Low-dose labour epidurals allow most women to keep some movement in their legs while the pain of contractions is greatly reduced.",
            "Many units now offer patient-controlled epidural analgesia, so you can give yourself an extra dose by pressing a button.",
        ],
        [
            "If you need a caesarean section, an existing labour epidural can usually be topped up with a stronger local anaesthetic.",
            "For a planned caesarean, a spinal anaesthetic is most often used: a single injection of hyperbaric bupivacaine into the fluid around the spinal cord.",
            "Spinal anesthesia works within a few minutes and numbs you from the chest down while you stay awake to meet your baby.",
            "A drop in blood pressure is common after spinal anaesthesia and is treated with fluids and phenylephrine.",
            "General anaesthesia is kept for emergencies or for women in whom a regional technique is not possible.",
        ],
        [
            "A postdural puncture headache occurs in about one in a hundred women after an epidural and is typically worse when sitting up.",
            "Most headaches settle with rest, fluids and simple analgesia, but an epidural blood patch can be offered if the headache persists.",
            "Serious nerve damage after neuraxial anesthesia is very rare, and most numbness or tingling resolves completely.",
            "Your anaesthetist will check your platelet count and any blood-thinning medication before placing an epidural or spinal.",
        ],
    ],
    "airway_management": [
        [
            "Airway management is a core skill of every anesthesiologist, and a structured assessment before induction reduces the risk of a difficult intubation.",
            "The Mallampati score, mouth opening, thyromental distance and neck movement are recorded at the preoperative assessment.",
            "Preoxygenation with a tight-fitting face mask until the end-tidal oxygen fraction exceeds ninety percent prolongs safe apnoea time.",
            "Apneic oxygenation with high-flow nasal oxygen during laryngoscopy is now widely used in patients at risk of desaturation.",
        ],
        [
            "Videolaryngoscopy improves the view of the glottis and has become the first choice for tracheal intubation in many departments.",
            "A bougie should always be immediately available, because it rescues many intubations when only the epiglottis is visible.",
            "Rapid sequence induction combines preoxygenation, an induction agent and a fast-acting neuromuscular blocker to secure the airway quickly.",
            "Rocuronium at a dose of 1.2 mg per kilogram provides intubating conditions comparable to succinylcholine.",
            "Correct placement of the endotracheal tube is confirmed by a sustained capnography trace, not by listening to the chest alone.",
        ],
        [
            "When intubation fails, the priority is oxygenation rather than further attempts at laryngoscopy.",
            "A second-generation supraglottic airway such as the i-gel is inserted as a rescue device in the difficult airway algorithm.",
            "In a cannot intubate cannot oxygenate situation, front of neck access through the cricothyroid membrane is performed without delay.",
            "Every difficult airway should be documented and the patient given a letter describing which techniques worked.",
        ],
    ],
    "malignant_hyperthermia": [
        [
            "Malignant hyperthermia is a rare inherited disorder in which volatile anaesthetics or succinylcholine trigger a dangerous rise in muscle metabolism.",
            "The earliest sign is often an unexplained rise in end-tidal carbon dioxide despite increased ventilation, followed by tachycardia and muscle rigidity.",
            "Temperature rises later, so waiting for fever delays treatment of a crisis under anesthesia.",
            "Susceptibility is linked to variants in the RYR1 gene, and relatives of affected patients are offered muscle biopsy testing.",
        ],
        [
            "Treatment starts by stopping the volatile agent, calling for help and hyperventilating the patient with one hundred percent oxygen.",
            "Dantrolene is given intravenously at 2.5 mg per kilogram and repeated until the signs resolve.",
            "Hyperkalaemia, acidosis and arrhythmias are treated while the patient is actively cooled.",
            "After a crisis the patient is observed in the intensive care unit because the reaction can recur within hours.",
            "Susceptible patients can be anaesthetised safely with total intravenous anesthesia using propofol and a vapour-free anesthesia machine.",
        ],
    ],
    "regional_nerve_blocks": [
        [
            "Ultrasound-guided peripheral nerve blocks have transformed analgesia for limb surgery.",
            "An interscalene brachial plexus block provides excellent pain relief after shoulder surgery but often causes temporary weakness of the diaphragm.",
            "For hip fractures, a femoral nerve block or fascia iliaca block reduces opioid requirements and delirium in older patients.",
            "The adductor canal block preserves quadriceps strength after knee replacement and helps early mobilisation.",
        ],
        [
            "Ropivacaine and levobupivacaine are preferred for nerve blocks because they are less cardiotoxic than racemic bupivacaine.",
            "Local anesthetic systemic toxicity can cause perioral numbness, seizures and cardiac arrest, and is treated with lipid emulsion therapy.",
            "The maximum safe dose of local anaesthetic depends on body weight, the site of injection and whether adrenaline is added.",
            "Catheter techniques allow a continuous infusion of local anaesthetic for several days after major surgery.",
            "The transversus abdominis plane block and the erector spinae plane block are used as part of multimodal analgesia for abdominal surgery.",
        ],
    ],
    "sedation_endoscopy": [
        [
            "Procedural sedation allows endoscopy, cardioversion and many radiology procedures to be done comfortably without general anesthesia.",
            "Propofol sedation for colonoscopy is now common, usually given by an anesthesiologist or a trained sedation practitioner.",
            "Midazolam and fentanyl in small doses produce conscious sedation in which the patient can still respond to voice.",
            "Deep sedation can slide into general anaesthesia, so the team must be able to manage the airway and ventilation.",
        ],
        [
            "Capnography is recommended during moderate and deep sedation because it detects apnoea earlier than pulse oximetry.",
            "Patients are assessed before sedation using the ASA physical status classification and an airway examination.",
            "Dexmedetomidine produces a cooperative sedation with little respiratory depression and is useful for awake fibreoptic intubation.",
            "Remimazolam is a newer ultra-short-acting benzodiazepine that can be reversed with flumazenil.",
        ],
    ],
    "postop_pain": [
        [
            "Good postoperative analgesia speeds recovery, improves breathing and reduces the risk of chronic pain after surgery.",
            "Multimodal analgesia combines paracetamol, anti-inflammatory drugs, regional anaesthesia and opioids so that each can be used at a lower dose.",
            "Patient-controlled analgesia with morphine lets the patient press a button for a small dose, with a lockout time to prevent overdose.",
            "Opioid-sparing techniques reduce postoperative nausea and vomiting, constipation and sedation.",
        ],
        [
            "The acute pain service reviews patients with epidurals, nerve catheters and PCA pumps every day.",
            "Enhanced recovery after surgery programmes include carbohydrate drinks before surgery, goal-directed fluid therapy and early feeding.",
            "Ketamine infusions at low dose can reduce opioid use in patients with chronic pain who undergo major surgery.",
            "Naloxone must always be available on wards where patients receive strong opioids.",
        ],
    ],
    "exam_notes": [
        [
            "Pharmacology notes for the primary anaesthesia exam: the minimum alveolar concentration of sevoflurane in adults is about two percent.",
            "Desflurane has the lowest blood-gas partition coefficient of the modern volatile agents, so induction and emergence are fast.",
            "Nitrous oxide is a weak anaesthetic with a minimum alveolar concentration above one hundred percent, used as a carrier gas and analgesic.",
            "Isoflurane is pungent and unsuitable for inhalational induction, whereas sevoflurane is well tolerated by children.",
        ],
        [
            "Propofol causes dose-dependent hypotension through vasodilation and is associated with pain on injection.",
            "Etomidate preserves cardiovascular stability but suppresses adrenal steroid synthesis after a single dose.",
            "Ketamine is an NMDA antagonist that maintains airway reflexes and blood pressure, making it useful in trauma.",
            "Thiopental is now rarely used but remains a classic exam topic because of its rapid redistribution.",
            "Succinylcholine is the only depolarising neuromuscular blocker in clinical use and can cause hyperkalaemia in burns patients.",
        ],
    ],
    "forum_post": [
        [
            "I had my first general anesthetic last week for a gallbladder operation and wanted to share my experience for anyone who is nervous.",
            "The anesthesiologist came to see me before surgery, checked my teeth and neck, and explained that she would use propofol to put me to sleep.",
            "I told her I had felt very sick after an anaesthetic years ago, so she gave me ondansetron and dexamethasone during the operation.",
            "The last thing I remember was a cold feeling in my arm and the nurse holding an oxygen mask over my face.",
        ],
        [
            "I woke up in the recovery room with a mild sore throat from the breathing tube but no nausea at all.",
            "They gave me oxycodone for the pain and I was able to drink tea within an hour.",
            "My advice is to tell the anaesthetist everything about previous anaesthetics, even things that seem small.",
            "If you are scared of waking up during surgery, ask about depth of anesthesia monitoring, because awareness under anesthesia is very rare.",
        ],
    ],
    "pediatric": [
        [
            "Paediatric anaesthesia is different from adult practice because children have smaller airways, faster metabolism and a greater fear of needles.",
            "Many children go to sleep breathing sevoflurane through a mask while a parent stays with them in the anaesthetic room.",
            "Topical anaesthetic cream is applied to the back of the hand so that the cannula can be inserted painlessly once the child is asleep.",
            "Emergence delirium after sevoflurane is common in preschool children and usually settles within twenty minutes.",
        ],
        [
            "A caudal block with bupivacaine provides excellent analgesia after circumcision and hernia repair in infants.",
            "Fasting times for children are shorter than for adults, and clear fluids are often allowed until one hour before anesthesia.",
            "Laryngospasm is more frequent in children with a recent upper respiratory tract infection.",
            "Drug doses in paediatric anesthesia are calculated carefully by weight, and doses are checked by two people.",
        ],
    ],
}

EN_TITLES = {
    "general_anesthesia_patient": ["Your general anaesthetic: what to expect", "Having an operation under general anesthesia", "Patient information: general anesthesia"],
    "spinal_epidural_labour": ["Epidurals and spinals in labour", "Pain relief in labour: the epidural", "Anaesthesia for caesarean section"],
    "airway_management": ["Airway management for trainees", "Difficult intubation: a practical approach", "Rapid sequence induction explained"],
    "malignant_hyperthermia": ["Malignant hyperthermia: recognition and treatment", "MH crisis checklist"],
    "regional_nerve_blocks": ["Peripheral nerve blocks in orthopaedic surgery", "Regional anaesthesia update"],
    "sedation_endoscopy": ["Sedation for endoscopy", "Procedural sedation outside the operating room"],
    "postop_pain": ["Managing pain after surgery", "Acute pain service handbook"],
    "exam_notes": ["Primary FRCA pharmacology notes", "Anaesthetic agents revision sheet"],
    "forum_post": ["My experience of general anaesthesia", "First time under anesthesia - it was fine!"],
    "pediatric": ["Anaesthesia for children: information for parents", "Paediatric anaesthesia basics"],
}

EN_SITES = ["hospital.example.org", "nhs-trust.example.uk", "anesthesia-notes.example.com", "patientforum.example.net",
            "medlearn.example.edu", "healthline-like.example.com", "clinic.example.au"]

# ----------------------------------------------------------------------------------------
# English negatives and tricky negatives.
NEG_TOPICS: dict[str, list[str]] = {
    "recipe": [
        "This lemon drizzle cake is the one my grandmother baked every Sunday, and it never lasts more than a day in our house.",
        "Cream the butter and sugar together until the mixture is pale and fluffy, then beat in the eggs one at a time.",
        "Fold in the flour gently with a large metal spoon so that you keep as much air in the batter as possible.",
        "Bake in a preheated oven at 180 degrees for about forty-five minutes, until a skewer comes out clean.",
        "While the cake is still warm, prick it all over and pour the lemon syrup slowly over the top.",
        "You can freeze the cake for up to a month, although the topping may lose some of its crunch.",
        "If you prefer a sharper flavour, add the zest of an extra lime to the syrup.",
    ],
    "football": [
        "The home side dominated possession for most of the first half but struggled to turn their pressure into clear chances.",
        "Their captain finally broke the deadlock just before the break with a low shot from the edge of the area.",
        "After the restart the visitors changed their shape and pushed their full-backs much higher up the pitch.",
        "The equaliser came from a corner that was only half cleared, and the striker volleyed it into the roof of the net.",
        "Both managers said after the match that a draw was probably a fair result on the day.",
        "The club confirmed that the midfielder would miss the next three games with a hamstring strain.",
        "Supporters will have to wait until the new year for the next home fixture at the stadium.",
    ],
    "finance": [
        "Central banks around the world have kept interest rates unchanged this quarter while inflation slowly returns to target.",
        "Analysts expect the housing market to remain subdued until mortgage rates fall further.",
        "Shares in the retailer rose after it reported stronger than expected sales over the holiday period.",
        "Investors are advised to keep a diversified portfolio and to avoid trying to time the market.",
        "The government announced a review of the pension system, with proposals expected next spring.",
        "Small businesses say that energy costs are still their biggest worry for the coming year.",
        "The currency weakened slightly after the latest employment figures were published.",
    ],
    "travel": [
        "We arrived in the old town late in the evening, just as the lights came on along the river.",
        "The next morning we took the early ferry to the island, which is famous for its white cliffs and quiet beaches.",
        "Our guesthouse was run by a family who served fresh bread and local honey every morning.",
        "The hike to the lighthouse takes about three hours and the views over the bay are worth every step.",
        "If you visit in summer, book your accommodation well in advance because the island gets very busy.",
        "We spent our last evening in a small harbour restaurant eating grilled fish and watching the boats come in.",
        "Public buses are cheap and reliable, although they only run every two hours on Sundays.",
    ],
    "tech": [
        "The new laptop has a brighter screen, a larger battery and a keyboard that is much quieter than the previous model.",
        "In our tests the battery lasted almost fourteen hours of mixed use, which is excellent for a machine of this size.",
        "The speakers are clear but lack bass, so you will want headphones for music or films.",
        "Software updates are promised for at least five years, which makes it a sensible long-term purchase.",
        "The only real weakness is the webcam, which produces grainy images in low light.",
        "Overall it is one of the best ultraportable computers available at this price.",
        "Storage can be upgraded later, although you need a special screwdriver to open the case.",
    ],
    "gardening": [
        "Autumn is the best time to plant spring bulbs such as tulips, daffodils and crocuses.",
        "Choose a sunny spot with well-drained soil and plant each bulb at about three times its own depth.",
        "Mulching the beds with compost protects the soil over winter and feeds next year's plants.",
        "Prune roses lightly now to stop wind rock, and leave the main pruning until late winter.",
        "Collect fallen leaves to make leaf mould, which is one of the best soil improvers you can get for free.",
        "Keep an eye out for slugs on mild damp evenings, especially around young seedlings.",
        "Raised beds warm up quickly in spring and are easier on the back than digging the ground.",
    ],
}

TRICKY_EN: dict[str, list[str]] = {
    "blockchain": [
        "A blockchain is a distributed ledger in which every block contains a list of transactions and the hash of the previous block.",
        "Miners compete to find a valid block, and the first to do so receives a reward in newly created coins.",
        "Because each block points to the one before it, changing an old transaction would require recomputing every later block.",
        "The block time of the network is about ten minutes, while some newer chains produce a block every few seconds.",
        "Light clients only download block headers and rely on full nodes to verify the rest of the chain.",
        "Critics say the energy use of proof of work is hard to justify, and many projects have moved to proof of stake.",
        "A smart contract is code stored on the chain that runs automatically when its conditions are met.",
        "Developers should test their contracts on a test network before deploying them to the main chain.",
    ],
    "spinal_tap": [
        "This Is Spinal Tap remains one of the funniest films ever made about rock music, decades after its release.",
        "The mockumentary follows the fictional British band Spinal Tap on a disastrous tour of the United States.",
        "Its most famous scene involves an amplifier whose volume knobs go up to eleven instead of ten.",
        "The cast improvised most of their dialogue, which gives the film its loose, believable feel.",
        "Spinal Tap's running joke about drummers who die in bizarre accidents still makes audiences laugh.",
        "A sequel arrived many years later, with the original actors returning as the ageing band members.",
        "Fans still argue about whether the miniature Stonehenge prop is the best gag in the whole film.",
        "The soundtrack album was released separately and the band even played real concerts in character.",
    ],
    "plumbing": [
        "A dripping tap is usually caused by a worn washer or a damaged ceramic cartridge.",
        "Before you start, turn off the water supply under the sink and open the tap to drain the pipe.",
        "A blocked drain can often be cleared with a plunger, but never mix different chemical drain cleaners.",
        "If the block is further down the pipe, a plumber's snake can reach it through the waste trap.",
        "Limescale builds up quickly in hard water areas and makes the tap spray unevenly.",
        "Replacing a whole mixer tap is a job most people can do in an afternoon with basic tools.",
        "Always check for leaks under the sink an hour after you turn the water back on.",
        "Keep fat and coffee grounds out of the kitchen sink, because they are the main cause of a blocked pipe.",
    ],
    "induction_hob": [
        "An induction hob heats the pan directly using a magnetic field, so the glass surface stays relatively cool.",
        "Induction cooking is faster and more efficient than gas, and the temperature responds instantly when you adjust it.",
        "Only pans with a magnetic base work on an induction hob, so test your cookware with a fridge magnet.",
        "Many cooks who switch from gas say they miss the flame at first but soon prefer the precise control.",
        "Induction hobs are easy to clean because spills do not burn onto the surface.",
        "Some models have a boost function that brings a pan of water to the boil in under two minutes.",
        "The fan in an induction hob can make a faint humming noise at high power, which is normal.",
    ],
    "induction_motor": [
        "An induction motor works by creating a rotating magnetic field in the stator that induces a current in the rotor.",
        "Because the rotor always turns slightly slower than the field, the difference is called slip.",
        "Induction motors are robust and cheap, and they drive pumps, fans and conveyors in almost every factory.",
        "Variable frequency drives allow the speed of an induction motor to be controlled precisely.",
        "Regular monitoring of bearing temperature and vibration helps prevent unexpected motor failures.",
        "Electrical engineering students usually study the equivalent circuit of the induction machine in their second year.",
    ],
    "vaporizer": [
        "A dry herb vaporizer heats plant material without burning it, producing vapour instead of smoke.",
        "Conduction vaporizers heat the chamber directly, while convection models pass hot air through the herbs.",
        "Battery life and heat-up time are the two features most reviewers compare first.",
        "Clean the chamber and mouthpiece regularly with isopropyl alcohol to keep the flavour fresh.",
        "Portable vaporizers have become smaller and more powerful over the last few years.",
        "Always check local laws before buying or travelling with a vaporizer.",
    ],
    "back_pain_gym": [
        "Lower back pain is one of the most common reasons people stop going to the gym.",
        "Strengthening the muscles that support the spine helps protect it during heavy lifting.",
        "Keep a neutral spinal position during deadlifts and avoid rounding your back under load.",
        "Recovery days are as important as training days, because muscles adapt while you rest.",
        "If the pain spreads down your leg or you feel numbness, stop training and see a doctor.",
        "Gentle stretching, walking and swimming are good ways to stay active during recovery.",
        "A physiotherapist can design a programme that gradually builds strength and mobility.",
    ],
}

# A long page with exactly one anesthesia-looking sentence.
SINGLE_MENTION_SENTENCES = [
    "Last spring my dentist gave me a local anesthetic with lidocaine before a filling, and my cheek was numb all afternoon.",
    "My uncle once said that sitting through the town council budget meeting felt like general anesthesia without the propofol.",
    "The novel opens in a hospital where the narrator, an anaesthetist, is about to retire after forty years.",
]

# ----------------------------------------------------------------------------------------
# Chinese.
ZH_TOPICS: dict[str, list[list[str]]] = {
    "全麻须知": [
        [
            "全身麻醉是让患者在手术期间失去意识和痛觉的一种方法，由麻醉医生全程负责。",
            "手术前一天，麻醉医生会进行术前访视，了解您的病史、过敏史和以往的麻醉经历。",
            "一般要求成人术前禁食固体食物六小时，清饮料可以喝到术前两小时。",
            "麻醉诱导时，通常经静脉注射丙泊酚，同时给予芬太尼或舒芬太尼以减轻插管时的应激反应。",
            "入睡后，麻醉医生会进行气管插管或放置喉罩，以保证术中的通气和氧合。",
        ],
        [
            "术中麻醉医生会持续监测心电图、血压、脉搏血氧和呼气末二氧化碳。",
            "需要肌肉松弛时，常用罗库溴铵，手术结束后可用舒更葡糖钠或新斯的明拮抗。",
            "七氟烷等吸入麻醉药可以与丙泊酚联合使用，以维持合适的麻醉深度。",
            "术中知晓非常罕见，脑电双频指数监测可以帮助判断麻醉深度。",
        ],
        [
            "手术结束后，患者会被送到麻醉后监测治疗室，待意识和呼吸完全恢复后再返回病房。",
            "部分患者醒来后会有咽喉痛、寒战或术后恶心呕吐，这些症状大多在一天内缓解。",
            "为了预防恶心呕吐，麻醉医生常在术中给予昂丹司琼和地塞米松。",
            "全麻后二十四小时内不要开车，也不要饮酒或做重要决定。",
        ],
    ],
    "无痛分娩": [
        [
            "无痛分娩在医学上称为分娩镇痛，目前最常用的方法是硬膜外镇痛。",
            "麻醉医生在产妇腰背部消毒后，用局麻药麻醉皮肤，再把细针送入硬膜外腔。",
            "随后留置一根很细的导管，通过镇痛泵持续输注低浓度的罗哌卡因和舒芬太尼。",
            "低浓度的硬膜外镇痛基本不影响产妇下地活动和用力分娩。",
        ],
        [
            "如果分娩过程中需要紧急剖宫产，可以直接通过硬膜外导管追加药物完成麻醉。",
            "择期剖宫产多采用腰硬联合麻醉，起效快，产妇可以保持清醒。",
            "椎管内麻醉后常见血压下降，可以通过补液和去氧肾上腺素处理。",
            "少数产妇会出现硬膜穿破后头痛，大多数经过卧床休息和补液可以缓解，必要时可行硬膜外血补丁。",
        ],
    ],
    "无痛胃肠镜": [
        [
            "无痛胃肠镜是在静脉镇静或麻醉下完成的内镜检查，患者在检查过程中没有痛苦。",
            "检查前需要由麻醉医生评估心肺功能，并按照要求禁食禁水。",
            "常用药物为丙泊酚，起效快、苏醒快，检查结束后几分钟即可清醒。",
            "检查过程中麻醉医生会监测血氧饱和度，必要时托下颌或面罩通气。",
        ],
        [
            "检查结束后需要在复苏室观察一段时间，确认意识清楚、能够行走后才能离开。",
            "当天不能开车、骑车或从事高空作业，最好由家属陪同回家。",
            "高龄、肥胖或有严重心肺疾病的患者，需要麻醉医生更仔细地评估镇静风险。",
            "瑞马唑仑是近年上市的新型镇静药，对呼吸和循环的影响较小。",
        ],
    ],
    "术后镇痛": [
        [
            "良好的术后镇痛可以减轻患者痛苦，促进早期下床活动，减少肺部并发症。",
            "多模式镇痛是指联合使用不同作用机制的镇痛药物和方法，以减少阿片类药物的用量。",
            "患者自控镇痛泵允许患者在疼痛时自行按压给药，同时设有锁定时间保证安全。",
            "超声引导下的神经阻滞，如腹横肌平面阻滞和竖脊肌平面阻滞，可以明显减轻腹部手术后的疼痛。",
        ],
        [
            "术后镇痛期间，护士会定时评估疼痛评分，并观察有无恶心、呕吐和呼吸抑制。",
            "使用阿片类药物的患者，病房应备有纳洛酮以便紧急情况下使用。",
            "加速康复外科理念强调减少禁食时间、目标导向液体治疗和早期进食。",
            "对于老年患者，术后镇痛还有助于降低术后谵妄的发生率。",
        ],
    ],
    "恶性高热": [
        [
            "恶性高热是一种罕见的遗传性疾病，吸入麻醉药或琥珀胆碱可诱发骨骼肌代谢异常增高。",
            "早期表现常为不明原因的呼气末二氧化碳升高，随后出现心动过速和肌肉僵直。",
            "体温升高往往出现较晚，等到发热再处理会延误抢救时机。",
        ],
        [
            "一旦怀疑恶性高热，应立即停用吸入麻醉药，呼叫帮助，并给予纯氧过度通气。",
            "特效药丹曲林应尽早静脉注射，并根据病情重复给药。",
            "同时要积极降温，纠正高钾血症和酸中毒，术后转入重症监护病房继续观察。",
            "有恶性高热易感史的患者，可以采用全凭静脉麻醉安全完成手术。",
        ],
    ],
}
ZH_SITES = ["yiyuan.example.cn", "jiankang.example.com.cn", "mazui-kepu.example.cn", "wenda.example.cn"]

ZH_NEG: dict[str, list[str]] = {
    "区块链": [
        "区块链是一种分布式账本技术，每个区块都记录了一段时间内的交易信息。",
        "每一个新区块都包含前一个区块的哈希值，因此篡改历史数据几乎不可能。",
        "矿工通过计算竞争记账权，成功打包区块的矿工可以获得奖励。",
        "近年来，很多项目从工作量证明转向权益证明，以降低能源消耗。",
        "智能合约是部署在链上的程序，当条件满足时会自动执行。",
        "开发者在部署合约之前，应该先在测试网络上充分测试。",
        "监管部门提醒投资者注意虚拟货币交易的风险，谨防上当受骗。",
    ],
    "麻醉药品管理": [
        "根据麻醉药品和精神药品管理条例，国家对麻醉药品的种植、生产和经营实行严格管理。",
        "麻醉药品的生产实行定点制度，未经批准任何单位和个人不得从事相关活动。",
        "医疗机构应当建立麻醉药品专用账册，做到专人负责、专柜加锁、专册登记。",
        "违反条例规定非法买卖麻醉药品的，由公安机关依法追究法律责任。",
        "药品监督管理部门每年对麻醉药品的流向进行检查，防止流入非法渠道。",
        "条例还对麻醉品的运输和邮寄作出了明确规定，运输时必须办理运输证明。",
        "各级卫生行政部门负责本行政区域内医疗机构的监督管理工作。",
    ],
    "自我麻醉": [
        "很多年轻人下班后刷短视频到深夜，其实是一种自我麻醉。",
        "他们知道这样做并不能解决问题，却习惯用忙碌和娱乐来逃避焦虑。",
        "心理学家认为，适当的放松是必要的，但长期的精神麻醉会让人失去行动力。",
        "与其在手机里寻找安慰，不如和朋友聊聊天，或者出门散散步。",
        "生活中的压力不会自动消失，我们需要学会面对和处理它们。",
        "写日记、运动和规律作息，都是缓解情绪的好方法。",
        "当情绪问题持续影响工作和睡眠时，应当及时寻求专业帮助。",
    ],
    "美食": [
        "红烧肉是一道家常名菜，做法并不复杂，关键在于火候。",
        "先把五花肉切成方块，冷水下锅焯水，去除血沫后捞出备用。",
        "锅里放少许油和冰糖，小火慢慢炒出糖色，再把肉块倒进去翻炒上色。",
        "加入葱姜、八角和料酒，倒入开水没过肉块，小火炖一个小时左右。",
        "最后大火收汁，让每一块肉都裹上红亮的汤汁。",
        "做好的红烧肉肥而不腻，入口即化，非常适合配米饭。",
        "如果喜欢甜一点，可以多放一些冰糖，但不要加太多酱油。",
    ],
    "旅游": [
        "我们清晨从杭州出发，坐了两个小时的车来到千岛湖。",
        "湖面非常开阔，湖水清澈见底，远处的小岛在薄雾中若隐若现。",
        "中午在湖边的小饭馆吃了有名的鱼头汤，味道十分鲜美。",
        "下午我们租了自行车，沿着环湖绿道骑行了二十多公里。",
        "傍晚的时候，夕阳把整个湖面染成了金色，景色美极了。",
        "如果在夏天去，一定要提前预订酒店，因为游客非常多。",
        "第二天我们又去了附近的古镇，感受了一下当地的民俗风情。",
    ],
    "手术新闻": [
        "近日，市人民医院成功为一名八十岁的老人完成了髋关节置换手术。",
        "老人在家中摔倒后无法行走，家属立即将其送到医院急诊。",
        "医院组织骨科、心内科等多个科室会诊，制定了详细的治疗方案。",
        "手术进行得很顺利，老人术后第二天就在康复师的指导下下床活动。",
        "医生提醒，老年人居家要注意防滑，卫生间最好安装扶手。",
        "目前老人恢复良好，已经顺利出院回家。",
        "该院每年完成各类关节手术一千多例，技术水平在省内处于领先地位。",
    ],
}

# Spanish and German anesthesia pages: relevant words, not a target language.
OTHER_LANG = {
    "es": [
        "La anestesia epidural es el método más eficaz de analgesia durante el parto.",
        "El anestesiólogo introduce un catéter fino en el espacio epidural y administra una mezcla de anestésico local y fentanyl.",
        "Para la inducción de la anestesia general se utiliza con frecuencia propofol por vía intravenosa.",
        "El bloqueo neuromuscular con rocuronio puede revertirse rápidamente con sugammadex al final de la cirugía.",
        "Durante la intervención se monitorizan la presión arterial, la saturación de oxígeno y la capnografía.",
        "Después de la operación el paciente pasa a la sala de recuperación, donde se controla el dolor y las náuseas.",
        "La analgesia multimodal reduce la necesidad de opioides y acelera la recuperación del paciente.",
    ],
    "de": [
        "Die Periduralanästhesie ist die wirksamste Methode der Schmerzlinderung während der Geburt, und viele Frauen wünschen eine Epidural.",
        "Zur Einleitung der Allgemeinanästhesie wird meist Propofol intravenös gegeben, ergänzt durch Fentanyl oder Remifentanil.",
        "Nach der Intubation wird die Narkose mit Sevofluran oder als totale intravenöse Anästhesie fortgeführt.",
        "Die Muskelrelaxation mit Rocuronium kann am Ende der Operation mit Sugammadex aufgehoben werden.",
        "Im Aufwachraum werden Schmerzen, Übelkeit und die Atmung des Patienten sorgfältig überwacht.",
        "Bei Kindern wird die Narkose häufig mit Sevofluran über eine Maske eingeleitet.",
        "Eine gute postoperative Analgesia verbessert die Erholung nach der Operation.",
    ],
}


def _url(site: str, slug: str) -> str:
    return f"https://{site}/{slug}"


def _paragraphs(rng: random.Random, paras: list[list[str]], lo: int = 3) -> list[str]:
    out = []
    for sentences in paras:
        k = rng.randint(min(lo, len(sentences)), len(sentences))
        chosen = rng.sample(sentences, k)
        out.append(" ".join(chosen))
    return out


def _zh_paragraphs(rng: random.Random, paras: list[list[str]]) -> list[str]:
    out = []
    for sentences in paras:
        k = rng.randint(min(3, len(sentences)), len(sentences))
        out.append("".join(rng.sample(sentences, k)))
    return out


def build_rows() -> list[dict]:
    rng = random.Random(20240501)
    rows: list[dict] = []

    def add(doc_id: str, text: str, url: str, category: str, lang: str) -> None:
        rows.append({
            "text": text,
            "id": doc_id,
            "url": url,
            "dump": "CC-MAIN-2024-10",
            "date": f"2024-03-{1 + len(rows) % 28:02d}T10:00:00Z",
            "language": lang,
            "category": category,
        })

    # English anesthesia pages: 7 per topic.
    n = 0
    for topic, paras in EN_TOPICS.items():
        for k in range(7):
            title = rng.choice(EN_TITLES[topic])
            body = _paragraphs(rng, paras)
            text = title + "\n\n" + "\n\n".join(body)
            n += 1
            add(f"en-anes-{n:03d}", text, _url(rng.choice(EN_SITES), f"{topic.replace('_', '-')}/{k}"), "anesthesia", "en")

    # English ordinary pages.
    n = 0
    for topic, sentences in NEG_TOPICS.items():
        for k in range(12):
            parts = [" ".join(rng.sample(sentences, rng.randint(3, 5))) for _ in range(2)]
            n += 1
            add(f"en-neg-{n:03d}", "\n\n".join(parts), _url(f"{topic}.example.com", f"post/{k}"), "negative", "en")

    # English tricky negatives.
    n = 0
    for topic, sentences in TRICKY_EN.items():
        for k in range(8):
            parts = [" ".join(rng.sample(sentences, rng.randint(4, 6))) for _ in range(2)]
            n += 1
            add(f"en-tricky-{n:03d}", "\n\n".join(parts), _url(f"{topic}.example.org", f"article/{k}"), "tricky_negative", "en")

    # Long pages with a single passing mention.
    filler = [s for topic in ("travel", "finance", "gardening", "tech", "recipe") for s in NEG_TOPICS[topic]]
    for k in range(12):
        body = [" ".join(rng.sample(filler, 6)) for _ in range(8)]
        body.insert(rng.randint(1, 6), SINGLE_MENTION_SENTENCES[k % len(SINGLE_MENTION_SENTENCES)])
        n += 1
        add(f"en-tricky-{n:03d}", "\n\n".join(body), _url("longblog.example.com", f"diary/{k}"), "tricky_negative", "en")

    # Chinese anesthesia pages: 7 per topic.
    n = 0
    for topic, paras in ZH_TOPICS.items():
        for _ in range(7):
            body = _zh_paragraphs(rng, paras)
            n += 1
            add(f"zh-anes-{n:03d}", topic + "\n\n" + "\n\n".join(body), _url(rng.choice(ZH_SITES), f"kepu/{n}"), "anesthesia", "zh")

    # Chinese negatives and tricky negatives.
    n = 0
    for topic, sentences in ZH_NEG.items():
        cat = "tricky_negative" if topic in ("区块链", "麻醉药品管理", "自我麻醉", "手术新闻") else "negative"
        for k in range(8):
            parts = ["".join(rng.sample(sentences, rng.randint(4, 6))) for _ in range(2)]
            n += 1
            add(f"zh-{'tricky' if cat == 'tricky_negative' else 'neg'}-{n:03d}", "\n\n".join(parts),
                _url(f"site{n}.example.cn", f"a/{k}"), cat, "zh")

    # Other languages about anesthesia.
    n = 0
    for lang, sentences in OTHER_LANG.items():
        for k in range(5):
            parts = [" ".join(rng.sample(sentences, 4)) for _ in range(2)]
            n += 1
            add(f"{lang}-anes-{n:03d}", "\n\n".join(parts), _url(f"{lang}.example.org", f"info/{k}"), "other_language", lang)

    # Low-quality on-topic pages.
    spam_terms = ["anesthesia", "propofol", "sevoflurane", "epidural", "intubation", "anesthesiologist", "ketamine"]
    for k in range(4):
        line = "Best anesthesia propofol epidural sevoflurane deals " + rng.choice(["cheap", "online", "now", "2024"])
        add(f"en-spam-{k + 1:03d}", "\n".join([line] * 30), _url("spam.example.biz", f"p/{k}"), "low_quality", "en")
    for k in range(4):
        words = " ".join(rng.choice(spam_terms) for _ in range(60))
        add(f"en-spam-{k + 5:03d}", words, _url("seo.example.biz", f"k/{k}"), "low_quality", "en")
    for k in range(3):
        add(f"en-short-{k + 1:03d}", "Propofol and sevoflurane for general anesthesia. Call the anesthesiologist.",
            _url("snippets.example.com", f"s/{k}"), "low_quality", "en")
    for k in range(3):
        add(f"zh-short-{k + 1:03d}", "全身麻醉用丙泊酚，硬膜外镇痛。", _url("duan.example.cn", f"s/{k}"), "low_quality", "zh")

    rng.shuffle(rows)
    # Exact duplicates (case and spacing changes) of some kept pages, placed after all
    # originals so that exact dedup (which keeps the first copy) keeps the original.
    originals = sorted((r for r in rows if r["category"] == "anesthesia"), key=lambda r: r["id"])
    for k, src in enumerate(rng.sample(originals, 6)):
        title, _, body = src["text"].partition("\n\n")
        if k % 3 == 0:
            text = title.upper() + "\n\n" + body
        elif k % 3 == 1:
            text = "  " + src["text"].replace(". ", ".  ").replace("。", "。 ") + "\n"
        else:
            text = src["text"].replace("\n\n", "\n \n")
        add(f"{src['language']}-dup-{k + 1:03d}", text, src["url"] + "?utm_source=mirror", "duplicate", src["language"])
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--output", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    rows = build_rows()
    table = pa.Table.from_pylist(rows)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, args.output, compression="zstd")
    cats: dict[str, int] = {}
    for r in rows:
        cats[r["category"]] = cats.get(r["category"], 0) + 1
    print(f"wrote {len(rows)} rows to {args.output}: {cats}")


if __name__ == "__main__":
    main()
