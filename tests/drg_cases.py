"""Realistic inpatient claims for the MS-DRG cross-check and benchmark, built deterministically.

Common principal diagnoses across the MDCs, each with the procedure that usually goes with
it, crossed with secondary-diagnosis profiles: none, comorbidities that are not CCs, a CC,
an MCC, a CC/MCC the principal excludes, a hospital-acquired condition not present on
admission, and death with an MCC that counts only for patients discharged alive. All codes
are FY2026 ICD-10-CM/PCS (tests/integration/test_drg_cross_check.py checks them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from himdesk.domain.coding.claims import Claim, ClaimDiagnosis, ClaimSex
from himdesk.domain.coding.codes import normalized_code


@dataclass(frozen=True)
class Scenario:
    label: str
    principal: str
    procedures: tuple[str, ...] = ()
    age: int = 70
    sex: str = "F"
    always: tuple[str, ...] = ()  # secondaries the principal needs (e.g. the outcome of delivery)
    excluded: str = ""  # a CC/MCC this principal excludes (CMS CC exclusion list)


@dataclass(frozen=True)
class DrgCase:
    label: str
    claim: Claim


SCENARIOS = (
    # MDC 01 nervous system
    Scenario("stroke", "I63.9", age=74, excluded="I63.511"),
    Scenario("stroke, thrombolytic", "I63.511", ("3E03317",), 68, "M"),
    Scenario("intracerebral hemorrhage", "I61.9", age=80, sex="M"),
    Scenario("TIA", "G45.9", age=66),
    Scenario("seizure", "G40.909", age=45, sex="M"),
    # MDC 03 ear, nose, mouth and throat
    Scenario("epistaxis", "R04.0", age=68, sex="M"),
    # MDC 04 respiratory
    Scenario("pneumonia", "J18.9", age=77, sex="M", excluded="J69.0"),
    Scenario("aspiration pneumonia", "J69.0", age=84),
    Scenario("COPD exacerbation", "J44.1", age=69),
    Scenario("pulmonary embolism", "I26.99", age=58),
    Scenario("respiratory failure", "J96.01", age=72, sex="M"),
    Scenario("respiratory failure, ventilated", "J96.01", ("5A1955Z",), 72, "M"),
    Scenario("asthma", "J45.901", age=34),
    # MDC 05 circulatory
    Scenario("systolic heart failure", "I50.23", age=81, excluded="I50.43"),
    Scenario("diastolic heart failure", "I50.33", age=76, sex="M", excluded="I50.23"),
    Scenario("hypertensive heart disease", "I11.0", age=79, always=("I50.9",)),
    Scenario("NSTEMI", "I21.4", age=71, sex="M", excluded="I21.09"),
    Scenario("NSTEMI, drug-eluting stent", "I21.4", ("027034Z",), 63, "M"),
    Scenario("STEMI, stent", "I21.09", ("02703DZ",), 59, "M"),
    Scenario("NSTEMI, cardiac catheterization", "I21.4", ("4A023N7",), 70),
    Scenario("atrial fibrillation", "I48.91", age=73),
    Scenario("chest pain", "R07.9", age=52, sex="M"),
    Scenario("syncope", "R55", age=79),
    Scenario("coronary bypass", "I25.10", ("021009W", "5A1221Z"), 66, "M"),
    Scenario("hypertensive urgency", "I16.0", age=60),
    # MDC 06 digestive
    Scenario("GI bleed", "K92.2", age=75, sex="M"),
    Scenario("GI bleed, endoscopy", "K92.2", ("0DJ08ZZ",), 75, "M"),
    Scenario("appendicitis, laparoscopic appendectomy", "K35.80", ("0DTJ4ZZ",), 24),
    Scenario("small bowel obstruction", "K56.609", age=67, sex="M"),
    Scenario("diverticulitis", "K57.32", age=61),
    Scenario("C. difficile colitis", "A04.72", age=78),
    # MDC 07 hepatobiliary
    Scenario("cholecystitis, laparoscopic cholecystectomy", "K80.00", ("0FT44ZZ",), 52),
    Scenario("acute pancreatitis", "K85.90", age=49, sex="M", excluded="K85.10"),
    Scenario("alcoholic cirrhosis with ascites", "K70.31", age=57, sex="M"),
    # MDC 08 musculoskeletal
    Scenario("hip fracture, hip replacement", "S72.001A", ("0SR9019",), 85),
    Scenario("intertrochanteric fracture, fixation", "S72.141A", ("0QS604Z",), 88),
    Scenario("hip osteoarthritis, total hip", "M16.11", ("0SR9019",), 66),
    Scenario("knee osteoarthritis, total knee", "M17.11", ("0SRC0J9",), 70, "M"),
    Scenario("low back pain", "M54.50", age=55),
    # MDC 09 skin
    Scenario("cellulitis of leg", "L03.115", age=62, sex="M", excluded="L03.116"),
    # MDC 10 endocrine
    Scenario("type 2 diabetic ketoacidosis", "E11.10", age=44),
    Scenario("type 1 diabetic ketoacidosis", "E10.10", age=23, sex="M"),
    Scenario("hyponatremia", "E87.1", age=82, excluded="E87.0"),
    Scenario("dehydration", "E86.0", age=88, sex="M"),
    # MDC 11 kidney and urinary tract
    Scenario("acute kidney injury", "N17.9", age=74, sex="M", excluded="N17.0"),
    Scenario("urinary tract infection", "N39.0", age=81),
    Scenario("pyelonephritis", "N10", age=36),
    Scenario("kidney stone", "N20.0", age=45, sex="M"),
    # MDC 12 male reproductive
    Scenario("BPH, transurethral prostatectomy", "N40.1", ("0VT08ZZ",), 71, "M"),
    # MDC 13 female reproductive
    Scenario("uterine fibroids, hysterectomy", "D25.9", ("0UT90ZZ",), 45),
    # MDC 14 pregnancy
    Scenario("vaginal delivery", "O80", ("10E0XZZ",), 28, always=("Z37.0",)),
    Scenario("repeat cesarean", "O34.211", ("10D00Z1",), 32, always=("Z37.0",)),
    # MDC 15 newborns (only the newborn profiles apply)
    Scenario("newborn", "Z38.00", age=0, sex="M"),
    Scenario("newborn with jaundice", "Z38.00", age=0, always=("P59.9",)),
    # MDC 16 blood
    Scenario("iron deficiency anemia", "D50.0", age=67),
    Scenario("sickle-cell crisis", "D57.00", age=22, sex="M", excluded="D57.01"),
    # MDC 17 lymphomas and leukemias
    Scenario("follicular lymphoma", "C82.90", age=64, sex="M"),
    # MDC 18 infections
    Scenario("sepsis", "A41.9", age=76, sex="M", excluded="A41.51"),
    Scenario("E. coli sepsis", "A41.51", age=70, always=("N39.0",)),
    Scenario("sepsis, ventilated", "A41.9", ("5A1955Z",), 71, "M"),
    # MDC 19 and 20 mental health and substance use
    Scenario("alcohol withdrawal", "F10.230", age=50, sex="M"),
    Scenario("schizophrenia", "F20.9", age=35, sex="M"),
    Scenario("major depression", "F33.2", age=41),
    # MDC 21 injuries and poisonings
    Scenario("opioid poisoning", "T40.2X1A", age=38),
    # MDC 23 factors influencing health status
    Scenario("weakness", "R53.1", age=86),
    # MDC 25 HIV
    Scenario("HIV disease", "B20", age=40, sex="M"),
)

# name: (secondary diagnoses with POA, discharge status)
PROFILES: dict[str, tuple[tuple[tuple[str, str], ...], int]] = {
    "alone": ((), 1),
    "comorbidities": ((("E78.5", "Y"), ("E11.9", "Y"), ("Z87.891", "1")), 1),
    "CC kidney injury": ((("N17.9", "Y"), ("E78.5", "Y")), 3),
    "CC hyponatremia": ((("E87.1", "Y"), ("I48.91", "Y")), 1),
    "CC blood-loss anemia": ((("D62", "Y"), ("E11.9", "Y")), 6),
    "MCC respiratory failure": ((("J96.01", "Y"), ("E11.9", "Y")), 1),
    "MCC malnutrition": ((("E43", "Y"), ("N17.9", "Y")), 3),
    "MCC encephalopathy": ((("G93.41", "Y"), ("E87.1", "Y")), 6),
    "fall in hospital (HAC)": ((("S72.001A", "N"), ("E11.9", "Y")), 1),
    "died, cardiac arrest": ((("I46.9", "Y"), ("E78.5", "Y")), 20),
}
EXCLUDED = "CC/MCC excluded by the principal"
HOSPITAL_ACQUIRED = "fall in hospital (HAC)"
DIED = "died, cardiac arrest"
# Discharges alternate between v43.1 (from 2026-04-01) and v43.0 across scenarios and profiles.
DISCHARGE_DATES = (date(2026, 5, 15), date(2025, 11, 20))


def drg_cases() -> list[DrgCase]:
    cases = []
    for number, scenario in enumerate(SCENARIOS):
        for turn, (profile, (secondaries, status)) in enumerate(_profiles_of(scenario)):
            if _clashes(scenario, profile, secondaries):
                continue
            claim = _claim(scenario, secondaries, status, DISCHARGE_DATES[(number + turn) % 2])
            cases.append(DrgCase(f"{scenario.label} / {profile}", claim))
    return cases


def _profiles_of(scenario: Scenario) -> list[tuple[str, tuple[tuple[tuple[str, str], ...], int]]]:
    profiles = list(PROFILES.items())
    if scenario.excluded:
        profiles.append((EXCLUDED, (((scenario.excluded, "Y"), ("E78.5", "Y")), 1)))
    return profiles


def _clashes(scenario: Scenario, profile: str, secondaries: tuple[tuple[str, str], ...]) -> bool:
    """A profile that would repeat the principal's category, or is implausible for it."""
    if profile == EXCLUDED:
        return False
    category = normalized_code(scenario.principal)[:3]
    if any(normalized_code(code)[:3] == category for code, _poa in secondaries):
        return True
    if scenario.age == 0:
        return profile != "alone"  # adult comorbidities do not fit a newborn
    young = scenario.age < 18 or scenario.principal.startswith("O")
    return young and profile in (HOSPITAL_ACQUIRED, DIED)


def _claim(
    scenario: Scenario, secondaries: tuple[tuple[str, str], ...], status: int, discharged: date
) -> Claim:
    always = tuple(ClaimDiagnosis(normalized_code(code), "Y") for code in scenario.always)
    if any(code.startswith("Z37") for code in scenario.always):
        always = tuple(ClaimDiagnosis(d.code, "1") for d in always)  # outcome codes are exempt
    return Claim(
        diagnoses=(
            ClaimDiagnosis(normalized_code(scenario.principal), "Y"),
            *always,
            *(ClaimDiagnosis(normalized_code(code), poa) for code, poa in secondaries),
        ),
        procedures=scenario.procedures,
        age=scenario.age,
        sex=ClaimSex(scenario.sex),
        discharged_on=discharged,
        discharge_status=status,
    )
