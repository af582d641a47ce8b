"""Clinic (outpatient) visit reasons: chronic-problem follow-ups and preventive visits.

`service` names the clinic; `history` ties a follow-up to the patient's problem list.
"""

from __future__ import annotations

from typing import Any

from himdesk.demo.conditions import Condition, Imaging, either, med
from himdesk.demo.labs import LabEffect


def _visit(
    key: str, diagnosis: str, clinic: str, story: str, exam: str, plan: str, **extra: Any
) -> Condition:
    extra.setdefault("panel", False)
    return Condition(
        key=key,
        diagnosis=diagnosis,
        complaint="Follow-up",
        story=(story,),
        exam=exam,
        plan=(plan,),
        course="",
        service=clinic,
        **extra,
    )


HYPERTENSION = _visit(
    "htn",
    "Essential (primary) hypertension",
    "Internal Medicine Clinic",
    "returns for blood pressure follow-up; home readings average 134/82 and {subj} reports "
    "taking lisinopril daily without side effects",
    "Blood pressure at goal on repeat measurement; regular rhythm; no edema.",
    "Continue lisinopril; home blood pressure log; low-sodium diet; recheck in 3 months.",
    history="hypertension",
    ages=(30, 120),
    meds=(med("lisinopril", "10 mg", "PO", "daily"),),
)

HYPERLIPIDEMIA = _visit(
    "hld",
    "Hyperlipidemia, unspecified",
    "Primary Care",
    "returns to review a fasting lipid panel; {subj} tolerates the statin without myalgias",
    "Well-appearing; no xanthomas; regular rhythm.",
    "Continue atorvastatin; diet and exercise counseling; repeat lipids in one year.",
    history="hyperlipidemia",
    ages=(30, 120),
    meds=(med("atorvastatin", "40 mg", "PO", "nightly"),),
)

DIABETES_VISIT = _visit(
    "t2dm_visit",
    "Type 2 diabetes mellitus with hyperglycemia",
    "Endocrinology Clinic",
    "returns for diabetes follow-up; fasting home glucose readings run 160-220 and {subj} "
    "admits to irregular meals",
    "Feet with intact pulses; monofilament sensation reduced at both great toes; no ulcers.",
    "Increase metformin; start a GLP-1 receptor agonist; dietitian referral; annual eye exam.",
    history="type 2 diabetes mellitus",
    ages=(25, 120),
    panel=True,
    labs=(LabEffect("2345-7", (150, 240), (150, 240)), LabEffect("4548-4", (7.2, 9.6), (7.2, 9.6))),
    tests=("4548-4",),
    meds=(med("metformin", "1,000 mg", "PO", "twice daily"),),
)

KNEE_VISIT = _visit(
    "knee_visit",
    "Unilateral primary osteoarthritis, {side} knee",
    "Orthopedics Clinic",
    "reports worsening {side} knee pain with stairs and prolonged standing despite "
    "acetaminophen and home exercises",
    "{Side} knee with medial joint line tenderness, crepitus and a small effusion; stable to "
    "varus and valgus stress.",
    "Corticosteroid injection to the {side} knee performed today; physical therapy; discuss "
    "arthroplasty if no improvement.",
    symptoms=("joint pain",),
    lateral=True,
    ages=(45, 95),
    meds=(med("meloxicam", "15 mg", "PO", "daily"),),
    imaging=Imaging(
        "{Side} knee radiographs, 3 views",
        "Moderate medial joint space narrowing with marginal osteophytes. No fracture.",
        "Moderate osteoarthritis of the {side} knee.",
    ),
)

COPD_VISIT = _visit(
    "copd_visit",
    "Chronic obstructive pulmonary disease, unspecified",
    "Pulmonary Clinic",
    "returns for COPD follow-up; {subj} uses the rescue inhaler twice a week and walks a "
    "mile slowly",
    "Mildly prolonged expiration without wheezes; no clubbing.",
    "Continue tiotropium; pneumococcal and influenza vaccines; pulmonary rehabilitation.",
    history="chronic obstructive pulmonary disease",
    ages=(40, 120),
    meds=(med("tiotropium", "18 mcg", "inhaled", "daily"),),
)

HEART_FAILURE_VISIT = _visit(
    "chf_visit",
    "Chronic systolic (congestive) heart failure",
    "Cardiology Clinic",
    "returns for heart failure follow-up; weight is stable and {subj} sleeps on one pillow",
    "No jugular venous distension; lungs clear; trace ankle edema.",
    "Continue guideline-directed therapy; daily weights; sodium restriction; recheck in 3 months.",
    history="congestive heart failure",
    ages=(45, 120),
    panel=True,
    labs=(LabEffect("33762-6", (380, 1400), (380, 1400)),),
    tests=("33762-6",),
    meds=(
        med("carvedilol", "12.5 mg", "PO", "twice daily"),
        either(
            med("furosemide", "20 mg", "PO", "daily", "sulfa"),
            med("ethacrynic acid", "25 mg", "PO", "daily"),
        ),
    ),
)

HYPOTHYROID_VISIT = _visit(
    "hypothyroid",
    "Hypothyroidism, unspecified",
    "Primary Care",
    "returns for thyroid follow-up; energy has improved on the current levothyroxine dose",
    "Thyroid not enlarged; normal reflexes.",
    "Continue levothyroxine; TSH in 6 months.",
    history="hypothyroidism",
    ages=(18, 120),
    meds=(med("levothyroxine", "75 mcg", "PO", "daily before breakfast"),),
)

ADULT_EXAM = _visit(
    "adult_exam",
    "Encounter for general adult medical examination without abnormal findings",
    "Primary Care",
    "presents for an annual examination and feels well; no new concerns",
    "Normal examination.",
    "Age-appropriate screening discussed and ordered; vaccines updated; return in one year.",
    ages=(18, 120),
    panel=True,
)

CHILD_EXAM = _visit(
    "child_exam",
    "Encounter for routine child health examination without abnormal findings",
    "Pediatric Clinic",
    "presents with a parent for a well-child visit; eating, sleeping and developing normally",
    "Normal growth parameters; normal examination.",
    "Anticipatory guidance given; immunizations per schedule; return for the next well visit.",
    ages=(0, 17),
)

FOLLOW_UPS = (
    HYPERTENSION,
    HYPERLIPIDEMIA,
    DIABETES_VISIT,
    COPD_VISIT,
    HEART_FAILURE_VISIT,
    HYPOTHYROID_VISIT,
)
