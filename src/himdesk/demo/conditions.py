"""What a condition brings to a chart: wording, exam, labs, drugs, imaging, operation;
and the orders several conditions share. The conditions themselves live in
`cardiopulmonary`, `metabolic`, `surgical`, `ambulatory` and `clinic`.

Text fields are templates filled from the stay's words: {side} {Side} {subj} {Subj} {poss}
{obj} {days}. Only conditions marked `lateral` use {side}, except pneumonia's lobe.
"""

from __future__ import annotations

from dataclasses import dataclass

from himdesk.demo.labs import LabEffect


@dataclass(frozen=True)
class MedOption:
    name: str
    dose: str
    route: str
    frequency: str
    avoid: str = ""  # an allergy tag that rules this drug out
    child_dose: str = ""


@dataclass(frozen=True)
class Imaging:
    study: str
    findings: str
    impression: str


@dataclass(frozen=True)
class Operation:
    name: str
    specialty: str
    findings: str
    technique: str
    anesthesia: str = "General endotracheal anesthesia"
    title: str = "Operative Report"
    elective: bool = False
    rate: float = 1.0
    specimen: str = ""
    gross: str = ""
    microscopic: str = ""
    pathology: str = ""
    recovery: str = "Advance diet as tolerated; oral analgesics; ambulate; incentive spirometry."

    @property
    def tissue_removed(self) -> bool:
        return bool(self.specimen)


@dataclass(frozen=True, eq=False)
class Condition:
    key: str
    diagnosis: str
    complaint: str
    story: tuple[str, ...]
    exam: str
    plan: tuple[str, ...]
    course: str
    symptoms: tuple[str, ...] = ()
    service: str = "Medicine"
    history: str = ""
    lateral: bool = False
    ages: tuple[int, int] = (18, 120)
    labs: tuple[LabEffect, ...] = ()
    tests: tuple[str, ...] = ()
    meds: tuple[tuple[MedOption, ...], ...] = ()
    imaging: Imaging | None = None
    operation: Operation | None = None
    consult: str = ""
    los: tuple[int, int] = (2, 5)
    panel: bool = True  # outside a stay: whether the basic panel is drawn at the visit
    progress_exam: str = "Findings improved compared with admission."


def med(
    name: str, dose: str, route: str, frequency: str, avoid: str = "", child: str = ""
) -> tuple[MedOption, ...]:
    return (MedOption(name, dose, route, frequency, avoid, child),)


def either(*options: tuple[MedOption, ...]) -> tuple[MedOption, ...]:
    """Alternatives in order of preference; the first the patient may take is given."""
    return tuple(option[0] for option in options)


ROS_SYMPTOMS = (
    "chest pain",
    "shortness of breath",
    "fever",
    "chills",
    "cough",
    "nausea",
    "vomiting",
    "abdominal pain",
    "dysuria",
    "headache",
    "dizziness",
    "leg swelling",
    "palpitations",
    "diarrhea",
    "focal weakness",
    "rash",
    "joint pain",
    "blood in the stool",
)

CEFTRIAXONE = either(
    med("ceftriaxone", "1 g", "IV", "every 24 hours", "penicillin", "50 mg/kg"),
    med("levofloxacin", "750 mg", "IV", "every 24 hours"),
)
CEFAZOLIN = either(
    med("cefazolin", "2 g", "IV", "every 8 hours", "penicillin", "30 mg/kg"),
    med("vancomycin", "1,250 mg", "IV", "every 12 hours", child="15 mg/kg"),
)
OXYCODONE = med("oxycodone", "5 mg", "PO", "every 4 hours as needed for pain")
ACETAMINOPHEN = med("acetaminophen", "1,000 mg", "PO", "every 8 hours", child="15 mg/kg")
ENOXAPARIN = med("enoxaparin", "40 mg", "subcutaneous", "daily")
ASPIRIN = med("aspirin", "81 mg", "PO", "daily")
ATORVASTATIN = med("atorvastatin", "80 mg", "PO", "nightly")
WBC_UP = LabEffect("6690-2", (13.2, 19.5), (7.2, 10.4))
CHEST_XRAY = "Chest radiograph, portable AP"
SURGERY = "General Surgery"
ORTHO = "Orthopedic Surgery"
