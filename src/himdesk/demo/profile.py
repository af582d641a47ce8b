"""A patient's standing history: problem list, home medications, family and social
history, allergies and how notes refer to the patient. Fixed for the whole chart, so every
note tells the same story.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from himdesk.domain.records import AdministrativeSex, Patient

# (problem, youngest age, chance, sex or "", home medication)
_CHRONIC = (
    ("hypertension", 30, 0.42, "", "lisinopril 10 mg daily"),
    ("hyperlipidemia", 30, 0.34, "", "atorvastatin 40 mg nightly"),
    ("type 2 diabetes mellitus", 30, 0.24, "", "metformin 1,000 mg twice daily"),
    ("coronary artery disease", 45, 0.12, "", "aspirin 81 mg daily"),
    ("congestive heart failure", 50, 0.13, "", "carvedilol 12.5 mg twice daily"),
    ("chronic obstructive pulmonary disease", 45, 0.13, "", "tiotropium 18 mcg inhaled daily"),
    ("atrial fibrillation", 55, 0.09, "", "apixaban 5 mg twice daily"),
    ("hypothyroidism", 20, 0.08, "", "levothyroxine 75 mcg daily"),
    ("gastroesophageal reflux disease", 20, 0.12, "", "omeprazole 20 mg daily"),
    ("osteoarthritis", 50, 0.18, "", "acetaminophen 650 mg as needed"),
    ("depression", 16, 0.10, "", "sertraline 50 mg daily"),
    ("asthma", 3, 0.07, "", "albuterol inhaler as needed"),
    ("obstructive sleep apnea", 30, 0.06, "", "CPAP nightly"),
    ("benign prostatic hyperplasia", 50, 0.22, "M", "tamsulosin 0.4 mg nightly"),
)
_SURGERIES = (
    ("tonsillectomy", 8, ""),
    ("cesarean section", 20, "F"),
    ("hysterectomy", 40, "F"),
    ("inguinal hernia repair", 20, ""),
    ("cataract extraction", 60, ""),
    ("lumbar laminectomy", 40, ""),
    ("thyroidectomy", 30, ""),
)
# (substance, reaction, severity, tag used to avoid drugs, chance)
_ALLERGIES = (
    ("Penicillin", "Hives", "moderate", "penicillin", 0.10),
    ("Sulfonamide antibiotics", "Rash", "mild", "sulfa", 0.06),
    ("Peanuts", "Anaphylaxis", "severe", "", 0.02),
    ("Codeine", "Nausea and vomiting", "mild", "codeine", 0.03),
    ("Latex", "Contact dermatitis", "moderate", "latex", 0.02),
    ("Shellfish", "Hives", "moderate", "", 0.02),
    ("Iodinated contrast media", "Hives", "moderate", "contrast", 0.02),
    ("Morphine", "Pruritus", "mild", "morphine", 0.02),
    ("Bee venom", "Anaphylaxis", "severe", "", 0.01),
)
_DRUG_ALLERGY_TAGS = frozenset({"penicillin", "sulfa", "codeine", "morphine", "contrast"})
_FAMILY_DISEASES = (
    "coronary artery disease",
    "type 2 diabetes",
    "breast cancer",
    "colon cancer",
    "hypertension",
    "stroke",
    "Alzheimer disease",
    "lung cancer",
    "rheumatoid arthritis",
)
_RELATIVES = (
    "mother",
    "father",
    "sister",
    "brother",
    "maternal grandmother",
    "paternal grandfather",
    "maternal uncle",
)
_JOBS = (
    "teacher",
    "nurse",
    "electrician",
    "accountant",
    "truck driver",
    "cashier",
    "software engineer",
    "machinist",
    "home health aide",
    "mail carrier",
    "chef",
    "police officer",
    "bank teller",
    "carpenter",
    "graduate student",
    "hair stylist",
)


@dataclass(frozen=True)
class AllergySpec:
    substance: str
    reaction: str
    severity: str
    tag: str


@dataclass(frozen=True)
class PatientProfile:
    chronic: tuple[str, ...]
    home_meds: tuple[str, ...]
    surgeries: tuple[str, ...]
    allergies: tuple[AllergySpec, ...]
    family_history: str
    social_history: str
    words: dict[str, str]

    @property
    def allergy_tags(self) -> frozenset[str]:
        return frozenset(a.tag for a in self.allergies if a.tag)

    @property
    def drug_allergies(self) -> list[AllergySpec]:
        return [a for a in self.allergies if a.tag in _DRUG_ALLERGY_TAGS]

    def allergy_text(self) -> str:
        drugs = self.drug_allergies
        others = [a for a in self.allergies if a.tag not in _DRUG_ALLERGY_TAGS]
        listed = "; ".join(f"{a.substance} ({a.reaction.lower()})" for a in drugs + others)
        if not drugs:
            return f"No known drug allergies. {listed}." if others else "NKDA."
        return f"{listed}."


def make_profile(rng: random.Random, patient: Patient, today: date) -> PatientProfile:
    age = patient.age_on(today)
    sex = patient.sex.value
    scale = 1.6 if age >= 65 else (0.5 if age < 45 else 1.0)
    chronic = [
        c for c in _CHRONIC if age >= c[1] and c[3] in ("", sex) and rng.random() < c[2] * scale
    ]
    surgeries = tuple(
        s[0] for s in _SURGERIES if age >= s[1] and s[2] in ("", sex) and rng.random() < 0.06
    )
    allergies = tuple(AllergySpec(*a[:4]) for a in _ALLERGIES if rng.random() < a[4])
    words = patient_words(patient.sex)
    smoker = any(c[0] == "chronic obstructive pulmonary disease" for c in chronic)
    return PatientProfile(
        chronic=tuple(c[0] for c in chronic),
        home_meds=tuple(c[4] for c in chronic),
        surgeries=surgeries,
        allergies=allergies,
        family_history=_family_history(rng, words),
        social_history=_social_history(rng, age, words, patient.address.city, smoker=smoker),
        words=words,
    )


def patient_words(sex: AdministrativeSex) -> dict[str, str]:
    if sex is AdministrativeSex.FEMALE:
        subj, poss, obj = "she", "her", "her"
    elif sex is AdministrativeSex.MALE:
        subj, poss, obj = "he", "his", "him"
    else:
        subj, poss, obj = "the patient", "their", "them"
    return {
        "subj": subj,
        "Subj": subj[0].upper() + subj[1:],
        "poss": poss,
        "Poss": poss.capitalize(),
        "obj": obj,
    }


def _family_history(rng: random.Random, words: dict[str, str]) -> str:
    roll = rng.random()
    if roll < 0.1:
        return "Family history is noncontributory."
    first, second = rng.sample(_FAMILY_DISEASES, 2)
    relative, other = rng.sample(_RELATIVES, 2)
    if roll < 0.45:
        return f"Family history is notable for {first} in {words['poss']} {relative}."
    if roll < 0.75:
        return f"{relative.capitalize()} with {first}; {other} with {second}."
    return (
        f"Family history is notable for {first} in {words['poss']} {relative}. "
        f"No family history of {second}."
    )


def _social_history(
    rng: random.Random, age: int, words: dict[str, str], city: str, *, smoker: bool
) -> str:
    if age < 12:
        return "Lives at home with parents and attends school or daycare. No smoke exposure."
    if age < 18:
        return (
            "Lives with family and attends high school. Denies tobacco, vaping, alcohol "
            "or drug use."
        )
    homes = [f"Lives alone in an apartment in {city}.", f"Lives with roommates in {city}."]
    if age >= 25:
        homes = [f"Lives with {words['poss']} spouse in {city}.", homes[0]]
    if age >= 50:
        homes.append(f"Lives with {words['poss']} adult children in {city}.")
    if age >= 75:
        homes.append("Resides at an assisted living facility.")
    home = rng.choice(homes)
    job = rng.choice(_JOBS)
    work = f"Retired {job}." if age >= 66 else f"Works as a {job}."
    smoking = rng.choice(
        (() if smoker else ("Never smoker.", "Never smoker."))
        + (
            f"Former smoker, quit {rng.randint(2, 30)} years ago with a {rng.randint(5, 40)} "
            "pack-year history.",
            "Current smoker, about one pack per day.",
        )
    )
    drinking = rng.choice(
        (
            "Drinks alcohol socially.",
            "Denies alcohol or illicit drug use.",
            "Drinks 2-3 beers on weekends; no drug use.",
        )
    )
    return f"{home} {work} {smoking} {drinking}"
