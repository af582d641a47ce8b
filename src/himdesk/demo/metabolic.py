"""Medical admissions and the comorbidities that ride along with other stays.

AKI, hyponatremia, anemia and diabetes are what make a result abnormal; each is also a
diagnosis that explains it (see `labs.EXPLANATIONS`).
"""

from __future__ import annotations

from himdesk.demo.conditions import (
    ATORVASTATIN,
    CEFAZOLIN,
    CEFTRIAXONE,
    Condition,
    Imaging,
    med,
)
from himdesk.demo.labs import LabEffect
from himdesk.demo.surgical import ACUTE_BLOOD_LOSS

STROKE = Condition(
    key="stroke",
    diagnosis="Cerebral infarction due to thrombosis of {side} middle cerebral artery",
    complaint="Sudden weakness and slurred speech",
    story=(
        "developed sudden slurred speech and weakness of the contralateral arm and leg "
        "while eating breakfast, and arrived by ambulance two hours after last known well",
        "was found by family with a facial droop and difficulty finding words; last known "
        "well was the previous evening, outside the window for thrombolysis",
    ),
    exam="Dysarthria and facial droop; contralateral hemiparesis consistent with a {side} "
    "hemispheric lesion; NIH Stroke Scale 7.",
    plan=(
        "Aspirin and high-intensity statin; permissive hypertension for 24 hours; telemetry, "
        "echocardiogram and carotid imaging; swallow screen before oral intake.",
    ),
    course="MRI confirmed an acute infarct in the {side} MCA territory. Echocardiogram and "
    "carotid imaging showed no embolic source. Deficits improved with physical, "
    "occupational and speech therapy.",
    symptoms=("focal weakness",),
    progress_exam="Speech clearer; contralateral strength improving to 4/5.",
    service="Neurology",
    lateral=True,
    ages=(40, 120),
    meds=(med("aspirin", "325 mg", "PO", "daily"), ATORVASTATIN),
    imaging=Imaging(
        "MRI brain without contrast",
        "Restricted diffusion in the {side} middle cerebral artery territory involving the "
        "insula and frontal operculum. No hemorrhage or mass effect.",
        "Acute infarct in the {side} MCA territory.",
    ),
    los=(3, 6),
)

CELLULITIS = Condition(
    key="cellulitis",
    diagnosis="Cellulitis of {side} lower limb",
    complaint="Redness and swelling of the {side} leg",
    story=(
        "noticed a small abrasion on the {side} shin {days} days ago followed by spreading "
        "redness, warmth and pain",
        "reports {days} days of a painful, expanding red area on the {side} calf that did "
        "not improve with oral antibiotics from urgent care",
    ),
    exam="{Side} lower leg with a 12 x 9 cm area of erythema, warmth and tenderness with a "
    "demarcated border; no fluctuance or crepitus.",
    plan=(
        "IV antibiotics, leg elevation and marking of the erythema border; venous duplex to "
        "exclude DVT.",
    ),
    course="Erythema receded from the marked border within 48 hours of IV antibiotics and "
    "{subj} was transitioned to oral therapy to complete 7 days.",
    symptoms=("rash", "leg swelling"),
    progress_exam="Erythema of the {side} leg receding inside the marked border.",
    lateral=True,
    ages=(1, 120),
    labs=(LabEffect("6690-2", (11.6, 15.5), (7.0, 10.0)),),
    meds=(CEFAZOLIN,),
    imaging=Imaging(
        "Venous duplex ultrasound, {side} lower extremity",
        "Normal compressibility and flow of the {side} common femoral, femoral and popliteal "
        "veins. Subcutaneous edema of the calf.",
        "No evidence of deep venous thrombosis in the {side} lower extremity.",
    ),
    los=(2, 4),
)

UTI = Condition(
    key="uti",
    diagnosis="Urinary tract infection, site not specified",
    complaint="Painful urination and fever",
    story=(
        "reports {days} days of dysuria, urinary frequency and suprapubic discomfort",
        "describes burning with urination and cloudy urine for {days} days with new flank "
        "discomfort",
    ),
    exam="Suprapubic tenderness; no costovertebral angle tenderness.",
    plan=("Ceftriaxone pending urine culture; oral hydration.",),
    course="Urine culture grew pan-sensitive E. coli; {subj} improved on IV antibiotics and "
    "was changed to an oral agent.",
    symptoms=("dysuria",),
    ages=(0, 120),
    labs=(LabEffect("6690-2", (11.4, 14.6), (6.8, 9.9)),),
    meds=(CEFTRIAXONE,),
    los=(2, 3),
)

AKI = Condition(
    key="aki",
    diagnosis="Acute kidney injury",
    complaint="Abnormal kidney function",
    story=(
        "was sent in by {poss} primary care physician for an elevated creatinine on routine "
        "labs after several days of poor oral intake and diarrhea",
        "reports {days} days of lightheadedness and decreased urine output while continuing "
        "{poss} diuretic and an NSAID for back pain",
    ),
    exam="Dry mucous membranes; flat neck veins.",
    plan=(
        "Hold nephrotoxins and diuretics; isotonic fluids; renal ultrasound; trend creatinine "
        "and urine output.",
        "Prerenal picture; volume resuscitation and avoidance of nephrotoxic agents.",
    ),
    course="Creatinine improved with IV fluids and holding of nephrotoxic medications.",
    symptoms=("diarrhea", "dizziness"),
    labs=(LabEffect("2160-0", (1.9, 3.4), (1.35, 1.75)),),
    meds=(med("lactated Ringer's", "100 mL/h", "IV", "continuous infusion"),),
    imaging=Imaging(
        "Ultrasound kidneys",
        "Both kidneys are normal in size and echogenicity without hydronephrosis or stones.",
        "No hydronephrosis.",
    ),
    consult="Nephrology",
    los=(2, 4),
)

HYPONATREMIA = Condition(
    key="hyponatremia",
    diagnosis="Hyponatremia",
    complaint="Fatigue and unsteady gait",
    story=(
        "presents with {days} days of fatigue, nausea and unsteady gait; {subj} recently "
        "started hydrochlorothiazide",
        "has had {days} days of confusion noted by family along with poor appetite and "
        "increased free water intake",
    ),
    exam="Mild inattention; unsteady tandem gait; no asterixis.",
    plan=(
        "Fluid restriction to 1.2 L, sodium chloride tablets, sodium checks every 6 hours "
        "with a correction goal under 8 mmol/L per day; hold thiazide.",
    ),
    course="Sodium corrected slowly with fluid restriction and salt tablets, within safe "
    "correction limits.",
    symptoms=("nausea", "dizziness"),
    ages=(30, 120),
    labs=(LabEffect("2951-2", (121.0, 128.0), (129.6, 133.4)),),
    meds=(med("sodium chloride", "1 g", "PO", "three times daily"),),
    consult="Nephrology",
    los=(2, 4),
)

ANEMIA_IRON = Condition(
    key="anemia_iron",
    diagnosis="Iron deficiency anemia secondary to chronic blood loss",
    complaint="Fatigue and dark stools",
    story=(
        "reports {days} weeks of fatigue, exertional dyspnea and intermittently dark stools",
        "was found to have a low hemoglobin at a routine visit after months of fatigue",
    ),
    exam="Conjunctival pallor; stool guaiac positive.",
    plan=(
        "Type and screen, transfuse for hemoglobin under 7, IV iron, pantoprazole; "
        "gastroenterology consult for endoscopy.",
    ),
    course="Hemoglobin remained stable after IV iron without transfusion. Endoscopy showed "
    "gastritis; {subj} was discharged on a proton pump inhibitor and oral iron.",
    symptoms=("blood in the stool", "fatigue"),
    labs=(LabEffect("718-7", (7.4, 9.2), (8.1, 9.8)),),
    meds=(
        med("iron sucrose", "200 mg", "IV", "daily for 3 doses"),
        med("pantoprazole", "40 mg", "IV", "twice daily"),
    ),
    consult="Gastroenterology",
    los=(2, 4),
)

ANEMIA_ACUTE = Condition(
    key="anemia_acute",
    diagnosis="Acute blood loss anemia",
    complaint="Postoperative anemia",
    story=("had an expected drop in hemoglobin after surgery",),
    exam="Mild pallor.",
    plan=("Serial hemoglobin; transfuse for hemoglobin under 7 or symptoms; oral iron.",),
    course="Hemoglobin nadired after surgery without the need for transfusion.",
    labs=(ACUTE_BLOOD_LOSS,),
    meds=(med("ferrous sulfate", "325 mg", "PO", "daily"),),
)

DIABETES = Condition(
    key="t2dm",
    diagnosis="Type 2 diabetes mellitus with hyperglycemia",
    complaint="High blood sugars",
    story=("reports {days} days of polyuria and polydipsia with home glucose readings above 300",),
    exam="Dry mucous membranes; monofilament sensation reduced in both feet.",
    plan=(
        "Hold metformin while inpatient; basal-bolus insulin with correction scale; "
        "diabetes education; HbA1c.",
        "Basal insulin with prandial correction; carbohydrate-controlled diet.",
    ),
    course="Glucose was controlled on basal-bolus insulin and {subj} received diabetes "
    "education before discharge.",
    symptoms=("increased thirst", "frequent urination"),
    history="type 2 diabetes mellitus",
    ages=(25, 120),
    labs=(
        LabEffect("2345-7", (190, 340), (142, 228)),
        LabEffect("4548-4", (7.4, 10.8), (7.4, 10.8)),
    ),
    tests=("4548-4",),
    meds=(
        med("insulin glargine", "18 units", "subcutaneous", "nightly"),
        med(
            "insulin lispro", "per correction scale", "subcutaneous", "before meals and at bedtime"
        ),
    ),
    consult="Endocrinology",
)
