"""Heart and lung admissions: heart failure, pneumonia, COPD, sepsis, NSTEMI."""

from __future__ import annotations

from himdesk.demo.conditions import (
    ASPIRIN,
    ATORVASTATIN,
    CEFTRIAXONE,
    CHEST_XRAY,
    WBC_UP,
    Condition,
    Imaging,
    Operation,
    either,
    med,
)
from himdesk.demo.labs import LabEffect

CHF = Condition(
    key="chf",
    diagnosis="Acute on chronic systolic (congestive) heart failure",
    complaint="Shortness of breath and leg swelling",
    story=(
        "reports {days} days of worsening dyspnea on exertion, three-pillow orthopnea and "
        "increasing swelling of both legs after running out of {poss} diuretic",
        "describes a 4 kg weight gain over the past week with paroxysmal nocturnal dyspnea "
        "and progressive ankle edema despite taking {poss} medications as prescribed",
        "notes {days} days of breathlessness walking across the room and new abdominal "
        "fullness after a salty holiday meal",
    ),
    exam="Jugular venous distension to the angle of the jaw. Bibasilar crackles. "
    "2+ pitting edema of both lower extremities to the knees.",
    plan=(
        "IV furosemide with strict intake and output, daily weights and a 1.5 L fluid "
        "restriction; continue carvedilol; echocardiogram ordered.",
        "Diurese with IV loop diuretic to a net negative 1-2 L daily; low-sodium diet; "
        "continue beta-blocker and ACE inhibitor as blood pressure allows.",
    ),
    course="{Subj} was diuresed with IV loop diuretic to a net negative 4.5 L with marked "
    "improvement in dyspnea and edema. Echocardiogram showed an ejection fraction of 30%. "
    "{Subj} was transitioned to an oral diuretic and reached a dry weight before discharge.",
    symptoms=("shortness of breath", "leg swelling"),
    progress_exam="Jugular venous pressure lower; faint bibasilar crackles; edema now 1+.",
    history="congestive heart failure",
    ages=(45, 120),
    labs=(LabEffect("33762-6", (2400, 9800), (900, 3800)),),
    tests=("33762-6",),
    meds=(
        either(
            med("furosemide", "40 mg", "IV", "twice daily", "sulfa"),
            med("ethacrynic acid", "50 mg", "IV", "twice daily"),
        ),
        med("carvedilol", "6.25 mg", "PO", "twice daily"),
        med("lisinopril", "5 mg", "PO", "daily"),
    ),
    imaging=Imaging(
        CHEST_XRAY,
        "Cardiomegaly with pulmonary vascular congestion and small bilateral pleural "
        "effusions. No focal consolidation. No pneumothorax.",
        "Findings consistent with congestive heart failure. No evidence of pneumonia.",
    ),
    consult="Cardiology",
    los=(3, 6),
)

PNEUMONIA = Condition(
    key="pneumonia",
    diagnosis="Community-acquired pneumonia, {side} lower lobe",
    complaint="Cough and fever",
    story=(
        "reports {days} days of productive cough with rust-colored sputum, fevers to 39 C "
        "and pleuritic pain on the {side} side",
        "describes {days} days of fevers, shaking chills and a cough productive of green "
        "sputum, with dyspnea on minimal exertion",
    ),
    exam="Crackles and bronchial breath sounds at the {side} base with dullness to percussion.",
    plan=(
        "Ceftriaxone and azithromycin; blood and sputum cultures; incentive spirometry; "
        "supplemental oxygen to keep saturation above 92%.",
        "Community-acquired pneumonia coverage per guideline; wean oxygen as tolerated; "
        "follow cultures.",
    ),
    course="{Subj} was treated with IV antibiotics with defervescence within 48 hours. "
    "Blood cultures remained negative. Oxygen was weaned to room air and {subj} was "
    "changed to oral antibiotics to complete a 5-day course.",
    symptoms=("cough", "fever", "chills", "shortness of breath", "chest pain"),
    progress_exam="Crackles at the {side} base improving; afebrile overnight.",
    ages=(0, 120),
    labs=(WBC_UP,),
    meds=(CEFTRIAXONE, med("azithromycin", "500 mg", "PO", "daily", child="10 mg/kg")),
    imaging=Imaging(
        CHEST_XRAY,
        "Airspace consolidation in the {side} lower lobe with air bronchograms. No pleural "
        "effusion or pneumothorax. Heart size is normal.",
        "{Side} lower lobe pneumonia.",
    ),
    consult="Infectious Disease",
    los=(2, 5),
)

COPD = Condition(
    key="copd",
    diagnosis="Chronic obstructive pulmonary disease with (acute) exacerbation",
    complaint="Worsening shortness of breath",
    story=(
        "reports {days} days of increased dyspnea, wheezing and cough productive of yellow "
        "sputum after a viral illness at home",
        "has needed {poss} rescue inhaler every two hours for {days} days and can no longer "
        "climb one flight of stairs",
    ),
    exam="Diffuse expiratory wheezes with a prolonged expiratory phase; speaking in short "
    "sentences; accessory muscle use.",
    plan=(
        "Prednisone 40 mg daily for 5 days, scheduled nebulized bronchodilators and "
        "azithromycin; titrate oxygen to a saturation of 88-92%.",
        "Systemic steroids, nebulizers every 4 hours and a macrolide; smoking cessation "
        "counseling; pulmonary rehabilitation referral.",
    ),
    course="{Subj} improved with systemic steroids, scheduled bronchodilators and "
    "azithromycin, and was weaned back to {poss} baseline oxygen requirement.",
    symptoms=("shortness of breath", "cough"),
    progress_exam="Fewer wheezes with improved air movement; speaking in full sentences.",
    history="chronic obstructive pulmonary disease",
    ages=(40, 120),
    meds=(
        med("prednisone", "40 mg", "PO", "daily"),
        med("ipratropium-albuterol", "0.5-2.5 mg/3 mL", "nebulized", "every 4 hours"),
        med("azithromycin", "500 mg", "PO", "daily"),
    ),
    imaging=Imaging(
        CHEST_XRAY,
        "Hyperinflated lungs with flattened hemidiaphragms. No focal consolidation, pleural "
        "effusion or pneumothorax.",
        "Hyperinflation without acute process. No evidence of pneumonia.",
    ),
    consult="Pulmonology",
    los=(2, 5),
)

SEPSIS = Condition(
    key="sepsis",
    diagnosis="Sepsis, unspecified organism",
    complaint="Fever and confusion",
    story=(
        "reports {days} days of fevers, rigors and generalized weakness, and was "
        "hypotensive to 84/50 in triage",
        "was brought in by family for {days} days of fevers and new confusion; in triage "
        "{subj} was tachycardic to 124 and hypotensive",
    ),
    exam="Ill-appearing; warm extremities; capillary refill 3 seconds; tachycardic with a "
    "regular rhythm.",
    plan=(
        "30 mL/kg crystalloid bolus, blood cultures before broad-spectrum antibiotics, "
        "repeat lactate in 4 hours; source control as indicated.",
        "Sepsis bundle completed; broad-spectrum antibiotics narrowed by culture results; "
        "monitor mean arterial pressure and urine output.",
    ),
    course="{Subj} met sepsis criteria on arrival and was resuscitated with IV fluids and "
    "broad-spectrum antibiotics. Lactate cleared within 24 hours and antibiotics were "
    "narrowed once cultures resulted.",
    symptoms=("fever", "chills"),
    labs=(
        LabEffect("6690-2", (16.0, 24.0), (8.6, 11.8)),
        LabEffect("2524-7", (2.6, 4.6), (0.9, 1.9)),
    ),
    tests=("2524-7",),
    meds=(
        either(
            med("piperacillin-tazobactam", "4.5 g", "IV", "every 8 hours", "penicillin"),
            med("aztreonam", "2 g", "IV", "every 8 hours"),
        ),
        med("vancomycin", "1,250 mg", "IV", "every 12 hours"),
        med("lactated Ringer's", "30 mL/kg", "IV", "once as a bolus"),
    ),
    consult="Infectious Disease",
    los=(4, 8),
)

NSTEMI = Condition(
    key="nstemi",
    diagnosis="Non-ST elevation (NSTEMI) myocardial infarction",
    complaint="Chest pain",
    story=(
        "reports substernal chest pressure radiating to the jaw that began at rest this "
        "morning and lasted 40 minutes, with diaphoresis and nausea",
        "describes {days} days of exertional chest tightness that became constant this "
        "morning; the ECG in the emergency department showed lateral ST depressions",
    ),
    exam="Regular rate and rhythm without murmur, rub or gallop. Lungs clear. No edema.",
    plan=(
        "Aspirin, heparin infusion per ACS nomogram, high-intensity statin and beta-blocker; "
        "trend troponin; cardiac catheterization.",
        "Dual antiplatelet therapy and anticoagulation; serial ECGs and troponins; plan for "
        "coronary angiography.",
    ),
    course="Troponin peaked on hospital day 2. Cardiac catheterization showed a culprit "
    "lesion in the proximal LAD, treated with a drug-eluting stent. {Subj} remained "
    "chest-pain free on dual antiplatelet therapy.",
    symptoms=("chest pain", "nausea"),
    service="Cardiology",
    ages=(35, 120),
    labs=(LabEffect("10839-9", (0.09, 0.35), (0.6, 3.5)),),
    tests=("10839-9",),
    meds=(
        ASPIRIN,
        med("heparin", "per ACS nomogram", "IV", "continuous infusion"),
        ATORVASTATIN,
        med("metoprolol tartrate", "25 mg", "PO", "twice daily"),
    ),
    imaging=Imaging(
        CHEST_XRAY,
        "Heart size is normal. Lungs are clear. No pleural effusion or pneumothorax.",
        "No acute cardiopulmonary process. No evidence of pneumonia.",
    ),
    operation=Operation(
        name="Coronary angiography with drug-eluting stent to the proximal LAD",
        specialty="Cardiology",
        title="Cardiac Catheterization Report",
        anesthesia="Moderate sedation",
        findings="90% stenosis of the proximal LAD with TIMI 2 flow; nonobstructive disease "
        "elsewhere.",
        technique="Radial artery access under ultrasound guidance. Selective coronary "
        "angiography was performed. The LAD lesion was predilated and treated with a "
        "3.0 x 18 mm drug-eluting stent with 0% residual stenosis and TIMI 3 flow.",
        rate=0.7,
        recovery="Dual antiplatelet therapy; radial access site checks; cardiac "
        "rehabilitation referral.",
    ),
    los=(2, 4),
)
