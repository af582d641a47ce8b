"""The parts of the legal medical record, as plain values.

Each part carries its identity and a `version` so that corrections can be recorded as
new versions rather than silent overwrites (see `domain.versions`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from himdesk.domain.sensitivity import SensitiveCategory


class AdministrativeSex(enum.StrEnum):
    FEMALE = "F"
    MALE = "M"
    OTHER = "O"
    UNKNOWN = "U"

    @property
    def label(self) -> str:
        return {"F": "Female", "M": "Male", "O": "Other", "U": "Unknown"}[self.value]


class EncounterClass(enum.StrEnum):
    INPATIENT = "inpatient"
    OUTPATIENT = "outpatient"
    EMERGENCY = "emergency"
    OBSERVATION = "observation"


class EncounterStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in-progress"
    DISCHARGED = "discharged"
    CANCELLED = "cancelled"


class DischargeDisposition(enum.StrEnum):
    """UB-04 patient discharge status codes most seen by HIM departments."""

    HOME = "01"
    SKILLED_NURSING = "03"
    HOME_HEALTH = "06"
    LEFT_AMA = "07"
    EXPIRED = "20"
    HOSPICE_HOME = "50"
    SHORT_TERM_HOSPITAL = "02"
    REHAB = "62"

    @property
    def label(self) -> str:
        return _DISPOSITION_LABELS[self]


_DISPOSITION_LABELS = {
    DischargeDisposition.HOME: "Home or self-care",
    DischargeDisposition.SKILLED_NURSING: "Skilled nursing facility",
    DischargeDisposition.HOME_HEALTH: "Home with home health",
    DischargeDisposition.LEFT_AMA: "Left against medical advice",
    DischargeDisposition.EXPIRED: "Expired",
    DischargeDisposition.HOSPICE_HOME: "Hospice, home",
    DischargeDisposition.SHORT_TERM_HOSPITAL: "Short-term acute hospital",
    DischargeDisposition.REHAB: "Inpatient rehabilitation facility",
}


class DocumentType(enum.StrEnum):
    HISTORY_AND_PHYSICAL = "history_and_physical"
    PROGRESS_NOTE = "progress_note"
    CONSULTATION = "consultation"
    OPERATIVE_REPORT = "operative_report"
    DISCHARGE_SUMMARY = "discharge_summary"
    PATHOLOGY_REPORT = "pathology_report"
    RADIOLOGY_REPORT = "radiology_report"
    ED_NOTE = "ed_note"
    ADDENDUM = "addendum"  # e.g. a clinician's signed answer to a physician query
    # A document from another system whose type maps to none of the above (type_code keeps it).
    CLINICAL_NOTE = "clinical_note"

    @property
    def label(self) -> str:
        return _DOCUMENT_LABELS[self]


_DOCUMENT_LABELS = {
    DocumentType.HISTORY_AND_PHYSICAL: "History and physical",
    DocumentType.PROGRESS_NOTE: "Progress note",
    DocumentType.CONSULTATION: "Consultation",
    DocumentType.OPERATIVE_REPORT: "Operative report",
    DocumentType.DISCHARGE_SUMMARY: "Discharge summary",
    DocumentType.PATHOLOGY_REPORT: "Pathology report",
    DocumentType.RADIOLOGY_REPORT: "Radiology report",
    DocumentType.ED_NOTE: "Emergency department note",
    DocumentType.ADDENDUM: "Addendum",
    DocumentType.CLINICAL_NOTE: "Clinical note",
}


class DocumentStatus(enum.StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    AMENDED = "amended"


class AbnormalFlag(enum.StrEnum):
    """HL7 v2 table 0078 interpretation codes used on results."""

    NORMAL = "N"
    LOW = "L"
    HIGH = "H"
    CRITICAL_LOW = "LL"
    CRITICAL_HIGH = "HH"

    @property
    def is_abnormal(self) -> bool:
        return self is not AbnormalFlag.NORMAL


@dataclass(frozen=True)
class Address:
    line: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""

    def one_line(self) -> str:
        parts = [self.line, self.city, f"{self.state} {self.postal_code}".strip()]
        return ", ".join(p for p in parts if p)

    def city_and_state(self) -> str:
        """What roles without a need for the full address see (minimum necessary)."""
        return ", ".join(p for p in (self.city, self.state) if p)


@dataclass
class Patient:
    facility: str
    mrn: str
    family_name: str
    given_name: str
    birth_on: date
    sex: AdministrativeSex
    middle_name: str = ""
    address: Address = field(default_factory=Address)
    phone: str = ""
    ssn: str = ""
    id: int | None = None
    version: int = 1

    @property
    def display_name(self) -> str:
        middle = f" {self.middle_name[:1]}." if self.middle_name else ""
        return f"{self.family_name}, {self.given_name}{middle}"

    def age_on(self, day: date) -> int:
        before_birthday = (day.month, day.day) < (self.birth_on.month, self.birth_on.day)
        return day.year - self.birth_on.year - int(before_birthday)


@dataclass(frozen=True)
class Clinician:
    id: int
    npi: str
    family_name: str
    given_name: str
    credentials: str
    specialty: str
    is_resident: bool = False

    @property
    def display_name(self) -> str:
        name = f"{self.given_name} {self.family_name}"
        # Clinicians received from other systems often come without credentials.
        return f"{name}, {self.credentials}" if self.credentials else name


@dataclass
class Encounter:
    patient_id: int
    encounter_class: EncounterClass
    admitted_at: datetime
    account_number: str
    status: EncounterStatus = EncounterStatus.IN_PROGRESS
    discharged_at: datetime | None = None
    attending_id: int | None = None
    discharge_disposition: DischargeDisposition | None = None
    service: str = ""
    id: int | None = None
    version: int = 1


@dataclass
class ClinicalDocument:
    patient_id: int
    encounter_id: int | None
    document_type: DocumentType
    # None only for documents received from another system that did not name the author.
    author_id: int | None
    authored_at: datetime
    title: str
    text: str
    status: DocumentStatus = DocumentStatus.DRAFT
    signed_by_id: int | None = None
    signed_at: datetime | None = None
    requires_cosignature: bool = False
    cosigned_by_id: int | None = None
    cosigned_at: datetime | None = None
    sensitivity: SensitiveCategory | None = None
    type_code: str = ""  # LOINC document type when the document came from another system
    id: int | None = None
    version: int = 1


@dataclass
class Observation:
    patient_id: int
    encounter_id: int | None
    code: str
    display: str
    value: Decimal
    unit: str
    observed_at: datetime
    reference_low: Decimal | None = None
    reference_high: Decimal | None = None
    flag: AbnormalFlag = AbnormalFlag.NORMAL
    code_system: str = ""  # e.g. http://loinc.org; "" for the hospital's own result codes
    id: int | None = None

    @property
    def reference_range(self) -> str:
        if self.reference_low is None and self.reference_high is None:
            return ""
        return f"{_plain(self.reference_low)}–{_plain(self.reference_high)}"


def _plain(value: Decimal | None) -> str:
    """135.000 -> '135', 0.040 -> '0.04' (stored scale is not clinical precision)."""
    return "" if value is None else f"{value.normalize():f}"


@dataclass
class Diagnosis:
    """A condition as documented by a clinician; coding comes later."""

    patient_id: int
    encounter_id: int | None
    description: str
    documented_by_id: int | None
    documented_at: datetime
    is_principal: bool = False
    laterality: str = ""
    code: str = ""  # the coded concept when the source gave one (SNOMED CT, ICD-10-CM ...)
    code_system: str = ""
    id: int | None = None


@dataclass
class Procedure:
    patient_id: int
    encounter_id: int | None
    description: str
    performed_by_id: int | None
    performed_at: datetime
    laterality: str = ""
    tissue_removed: bool = False
    code: str = ""  # the coded concept when the source gave one (SNOMED CT, ICD-10-CM ...)
    code_system: str = ""
    id: int | None = None


@dataclass
class Medication:
    patient_id: int
    encounter_id: int | None
    name: str
    dose: str
    route: str
    frequency: str
    started_on: date
    ended_on: date | None = None
    code: str = ""  # the coded concept when the source gave one (RxNorm ...)
    code_system: str = ""
    id: int | None = None


@dataclass
class Allergy:
    patient_id: int
    substance: str
    reaction: str
    severity: str
    recorded_on: date
    code: str = ""  # the coded concept when the source gave one (RxNorm, SNOMED CT ...)
    code_system: str = ""
    id: int | None = None
