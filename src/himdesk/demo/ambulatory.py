"""Emergency, observation and clinic conditions.

For emergency visits `course` is the ED course; for clinic visits `story` is the interval
history and `history` ties the visit to a chronic problem on the patient's list.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from himdesk.demo.conditions import (
    ASPIRIN,
    ATORVASTATIN,
    CHEST_XRAY,
    Condition,
    Imaging,
    either,
    med,
)
from himdesk.demo.labs import LabEffect
from himdesk.demo.metabolic import CELLULITIS

_NSAID = med("ibuprofen", "600 mg", "PO", "every 6 hours as needed for pain", child="10 mg/kg")
_HEAD_CT = Imaging(
    "CT head without contrast",
    "No intracranial hemorrhage, mass effect or acute territorial infarct. Ventricles and "
    "sulci are normal for age.",
    "No acute intracranial abnormality.",
)


def _ed(
    key: str,
    diagnosis: str,
    complaint: str,
    story: str,
    exam: str,
    plan: str,
    course: str,
    **extra: Any,
) -> Condition:
    return Condition(
        key=key,
        diagnosis=diagnosis,
        complaint=complaint,
        story=(story,),
        exam=exam,
        plan=(plan,),
        course=course,
        **extra,
    )


CHEST_PAIN = _ed(
    "chest_pain",
    "Chest pain, unspecified",
    "Chest pain",
    "reports intermittent pressure-like chest discomfort for {days} days, not clearly exertional",
    "Chest wall nontender; regular rhythm without murmur; lungs clear.",
    "Outpatient stress testing; aspirin; return for recurrent or exertional pain.",
    "ECG showed normal sinus rhythm without ischemic changes. Serial troponins were negative. "
    "Chest radiograph showed no acute process.",
    symptoms=("chest pain",),
    ages=(25, 120),
    tests=("10839-9",),
    meds=(med("aspirin", "324 mg", "PO", "once, chewed"),),
    imaging=Imaging(
        CHEST_XRAY,
        "Heart size is normal. Lungs are clear. No pneumothorax.",
        "No acute cardiopulmonary process. No evidence of pneumonia.",
    ),
)

ANKLE_SPRAIN = _ed(
    "ankle_sprain",
    "Sprain of {side} ankle, initial encounter",
    "{Side} ankle injury",
    "inverted the {side} ankle stepping off a curb and has had swelling and pain with weight "
    "bearing since",
    "{Side} ankle with swelling and tenderness over the anterior talofibular ligament; no bony "
    "tenderness at the posterior malleoli; able to bear weight for four steps.",
    "Rest, ice, compression and elevation; air splint; weight bearing as tolerated; "
    "orthopedics follow-up if not improving in two weeks.",
    "Radiographs showed no fracture. An air splint was applied and {subj} ambulated "
    "without difficulty.",
    symptoms=("joint pain",),
    lateral=True,
    ages=(8, 80),
    panel=False,
    meds=(_NSAID,),
    imaging=Imaging(
        "{Side} ankle radiographs, 3 views",
        "No acute fracture or dislocation. Soft tissue swelling laterally.",
        "No fracture of the {side} ankle.",
    ),
)

WRIST_FRACTURE = _ed(
    "wrist_fracture",
    "Closed fracture of distal end of {side} radius, initial encounter",
    "{Side} wrist injury",
    "fell onto an outstretched {side} hand and has had immediate pain and swelling of the "
    "{side} wrist",
    "{Side} wrist with dorsal swelling and tenderness over the distal radius; sensation and "
    "capillary refill intact in all digits.",
    "Sugar-tong splint; elevation; orthopedic fracture clinic follow-up within one week.",
    "Closed reduction under hematoma block restored alignment; post-reduction films were "
    "satisfactory and a sugar-tong splint was applied.",
    symptoms=("joint pain",),
    lateral=True,
    ages=(5, 95),
    panel=False,
    meds=(med("acetaminophen", "1,000 mg", "PO", "once", child="15 mg/kg"),),
    imaging=Imaging(
        "{Side} wrist radiographs, 3 views",
        "Transverse fracture of the distal "
        "{side} radial metaphysis with 15 degrees of dorsal angulation. Ulnar "
        "styloid intact.",
        "Distal {side} radius fracture.",
    ),
)

MIGRAINE = _ed(
    "migraine",
    "Migraine without aura, not intractable, without status migrainosus",
    "Headache",
    "reports a throbbing unilateral headache for {days} days with photophobia and nausea, "
    "similar to prior migraines",
    "Neurologically intact; no meningismus; fundi without papilledema.",
    "Headache diary; sumatriptan at onset; primary care follow-up.",
    "Headache resolved after IV metoclopramide, diphenhydramine and fluids. No imaging "
    "was indicated given a normal neurologic examination.",
    symptoms=("headache", "nausea"),
    ages=(12, 70),
    panel=False,
    meds=(
        med("metoclopramide", "10 mg", "IV", "once"),
        med("diphenhydramine", "25 mg", "IV", "once"),
    ),
)

BACK_PAIN = _ed(
    "back_pain",
    "Low back pain, unspecified",
    "Low back pain",
    "strained {poss} back lifting boxes {days} days ago; pain is worse with bending and "
    "without radiation",
    "Paraspinal lumbar tenderness; negative straight leg raise; strength and reflexes normal.",
    "Heat, activity as tolerated, short course of NSAIDs; return for weakness or incontinence.",
    "Pain improved after ketorolac. {Subj} denies saddle anesthesia or bowel or bladder "
    "incontinence.",
    ages=(20, 85),
    panel=False,
    meds=(med("ketorolac", "15 mg", "IM", "once"),),
)

OTITIS = _ed(
    "otitis",
    "Acute suppurative otitis media without spontaneous rupture of ear drum, {side} ear",
    "{Side} ear pain and fever",
    "has had {days} days of {side} ear pain, tugging at the ear and fevers after a cold",
    "{Side} tympanic membrane bulging and erythematous with poor mobility.",
    "Amoxicillin for 10 days; antipyretics; pediatric follow-up in 2-3 days if not improving.",
    "Fever responded to ibuprofen; {subj} was tolerating fluids at discharge.",
    symptoms=("fever",),
    lateral=True,
    ages=(0, 10),
    panel=False,
    meds=(
        either(
            med("amoxicillin", "45 mg/kg", "PO", "twice daily", "penicillin"),
            med("azithromycin", "10 mg/kg", "PO", "daily"),
        ),
    ),
)

URI = _ed(
    "uri",
    "Acute upper respiratory infection, unspecified",
    "Cough and congestion",
    "reports {days} days of nasal congestion, sore throat and dry cough",
    "Clear rhinorrhea; mild pharyngeal erythema without exudate; lungs clear.",
    "Supportive care, fluids and rest; return for difficulty breathing.",
    "Well-appearing with normal oxygen saturation; no antibiotics were indicated.",
    symptoms=("cough",),
    ages=(0, 120),
    panel=False,
)

UTI_ED = _ed(
    "uti_ed",
    "Urinary tract infection, site not specified",
    "Painful urination",
    "reports {days} days of dysuria and urinary frequency",
    "Mild suprapubic tenderness; no costovertebral angle tenderness.",
    "Complete the antibiotic course; follow up on the urine culture.",
    "Urinalysis showed pyuria and nitrites; urine culture sent. First antibiotic dose given.",
    symptoms=("dysuria",),
    ages=(12, 120),
    labs=(LabEffect("6690-2", (11.3, 12.8), (11.3, 12.8)),),
    meds=(med("nitrofurantoin", "100 mg", "PO", "twice daily for 5 days"),),
)

CELLULITIS_ED = _ed(
    "cellulitis_ed",
    CELLULITIS.diagnosis,
    CELLULITIS.complaint,
    CELLULITIS.story[0],
    CELLULITIS.exam,
    "Oral antibiotics, elevation, recheck in 48 hours.",
    "The erythema border was marked and the first antibiotic dose given.",
    symptoms=CELLULITIS.symptoms,
    lateral=True,
    ages=(5, 120),
    panel=False,
    meds=(
        either(
            med("cephalexin", "500 mg", "PO", "four times daily", "penicillin"),
            med("clindamycin", "300 mg", "PO", "four times daily"),
        ),
    ),
)

COPD_ED = _ed(
    "copd_ed",
    "Chronic obstructive pulmonary disease with (acute) exacerbation",
    "Shortness of breath",
    "reports {days} days of increased wheezing and cough",
    "Scattered expiratory wheezes, improved after nebulizers; no accessory muscle use.",
    "Prednisone 40 mg daily for 5 days; continue inhalers; pulmonary follow-up.",
    "Improved after three ipratropium-albuterol nebulizers; ambulatory saturation 93%.",
    symptoms=("shortness of breath", "cough"),
    history="chronic obstructive pulmonary disease",
    ages=(40, 120),
    meds=(med("prednisone", "40 mg", "PO", "daily for 5 days"),),
)

EMERGENCY_CONDITIONS = (
    CHEST_PAIN,
    ANKLE_SPRAIN,
    WRIST_FRACTURE,
    MIGRAINE,
    BACK_PAIN,
    OTITIS,
    URI,
    UTI_ED,
    CELLULITIS_ED,
    COPD_ED,
)

SYNCOPE = _ed(
    "syncope",
    "Syncope and collapse",
    "Passed out",
    "lost consciousness for a few seconds after standing up quickly; no incontinence, tongue "
    "biting or postictal confusion",
    "Orthostatic vital signs positive; no murmur; neurologically intact.",
    "Telemetry monitoring, orthostatic vital signs, echocardiogram; hold antihypertensives.",
    "Telemetry showed no arrhythmia and the echocardiogram was normal. Symptoms resolved "
    "with hydration.",
    symptoms=("dizziness",),
    ages=(18, 120),
    imaging=_HEAD_CT,
)

CHEST_PAIN_OBS = _ed(
    "chest_pain_obs",
    "Chest pain, unspecified",
    "Chest pain",
    "reports {days} days of intermittent chest tightness at rest",
    "Regular rhythm without murmur; lungs clear; chest wall nontender.",
    "Serial troponins and ECGs; coronary CT angiography.",
    "Serial troponins were negative and coronary CT angiography showed no coronary disease.",
    symptoms=("chest pain",),
    ages=(30, 120),
    tests=("10839-9",),
    meds=(ASPIRIN,),
    imaging=Imaging(
        "CT angiography coronary arteries",
        "No coronary artery stenosis or plaque. Coronary artery calcium score 0.",
        "No evidence of coronary artery disease.",
    ),
)

TIA = _ed(
    "tia",
    "Transient cerebral ischemic attack, unspecified",
    "Transient speech difficulty",
    "had 20 minutes of word-finding difficulty that fully resolved before arrival",
    "Neurologically intact; no carotid bruits.",
    "Aspirin and statin; MRI brain; carotid duplex; echocardiogram; telemetry.",
    "MRI showed no acute infarct, carotid duplex showed no significant stenosis and "
    "telemetry captured no atrial fibrillation.",
    symptoms=("focal weakness",),
    ages=(45, 120),
    meds=(ASPIRIN, ATORVASTATIN),
    imaging=Imaging(
        "MRI brain without contrast",
        "No restricted diffusion. Mild chronic small vessel ischemic change.",
        "No acute infarct.",
    ),
)

DEHYDRATION = _ed(
    "dehydration",
    "Dehydration",
    "Vomiting and diarrhea",
    "reports {days} days of vomiting and watery diarrhea with poor oral intake",
    "Dry mucous membranes; mild diffuse abdominal tenderness without guarding.",
    "IV fluids, antiemetics, advance diet as tolerated.",
    "Tolerating oral fluids after IV hydration and ondansetron.",
    symptoms=("vomiting", "diarrhea", "nausea", "abdominal pain"),
    ages=(0, 120),
    meds=(
        med("lactated Ringer's", "1,000 mL", "IV", "once as a bolus", child="20 mL/kg"),
        med("ondansetron", "4 mg", "IV", "every 6 hours as needed for nausea", child="0.1 mg/kg"),
    ),
)

CELLULITIS_OBS = replace(
    CELLULITIS,
    key="cellulitis_obs",
    course="Erythema began to recede from the marked border within 24 hours of IV antibiotics "
    "and {subj} was discharged on oral therapy to complete 7 days.",
)

OBSERVATION_CONDITIONS = (SYNCOPE, CHEST_PAIN_OBS, TIA, DEHYDRATION, CELLULITIS_OBS)
