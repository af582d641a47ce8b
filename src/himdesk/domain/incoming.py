"""What arrives from another system, before it is matched and written into the record.

Every reader (FHIR R4 JSON, HL7 v2, C-CDA) turns one bundle, message or document into one
`Submission`; the import service applies a submission in one transaction or not at all.
Readers are pure: they never look at the database, so a parse either yields a complete
submission or raises `Rejected` naming where the input is wrong and what was expected.

Each incoming part carries a `SourceRef`: the sending system's identity for it. Re-importing
the same part finds it by that reference and changes nothing when nothing changed, which is
what makes imports idempotent.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from himdesk.domain.records import (
    AbnormalFlag,
    Address,
    AdministrativeSex,
    DischargeDisposition,
    DocumentStatus,
    DocumentType,
    EncounterClass,
    EncounterStatus,
)
from himdesk.domain.sensitivity import SensitiveCategory


class SourceFormat(enum.StrEnum):
    FHIR = "fhir"
    HL7V2 = "hl7v2"
    CCDA = "ccda"


class Rejected(Exception):
    """Input that cannot be imported as a whole: where it is wrong and what was expected.

    `where` is as precise as the format allows: "entry 12 (Observation/abc) valueQuantity.value",
    "message 3, PID-7", "ClinicalDocument/recordTarget/patientRole/patient/birthTime".
    A reader that refuses one unit of a larger input (one HL7 message of a file) names it:
    `unit` ("message 3", as the unit's submission would be labelled), `payload` its exact
    bytes (None: the whole input is the unit), and the message type and control id when its
    header could be read, so the review queue keeps only what was refused.
    """

    def __init__(
        self,
        where: str,
        problem: str,
        *,
        unit: str = "",
        payload: bytes | None = None,
        message_type: str = "",
        control_id: str = "",
    ) -> None:
        super().__init__(f"{where}: {problem}" if where else problem)
        self.where = where
        self.problem = problem
        self.unit = unit
        self.payload = payload
        self.message_type = message_type
        self.control_id = control_id


@dataclass(frozen=True)
class SourceRef:
    """The sender's identity for one part: e.g. ("urn:fhir", "Encounter/123")."""

    system: str
    value: str

    def __str__(self) -> str:
        return f"{self.system}|{self.value}"


class IdentifierKind(enum.StrEnum):
    MRN = "MR"  # medical record number, scoped by its assigning authority
    SSN = "SS"
    OTHER = "OT"


@dataclass(frozen=True)
class PatientIdentifier:
    kind: IdentifierKind
    system: str  # assigning authority (HL7 CX.4) or FHIR identifier.system
    value: str


@dataclass(frozen=True)
class IncomingPatient:
    source: SourceRef
    family_name: str
    given_name: str
    birth_on: date
    sex: AdministrativeSex
    middle_name: str = ""
    identifiers: tuple[PatientIdentifier, ...] = ()
    address: Address = field(default_factory=Address)
    phone: str = ""

    @property
    def ssn(self) -> str:
        return next((i.value for i in self.identifiers if i.kind is IdentifierKind.SSN), "")


@dataclass(frozen=True)
class IncomingClinician:
    source: SourceRef
    family_name: str
    given_name: str
    npi: str = ""  # the National Provider Identifier when the sender gives one
    credentials: str = ""
    specialty: str = ""
    is_resident: bool = False  # a resident's or student's notes need a co-signature


@dataclass(frozen=True)
class IncomingEncounter:
    source: SourceRef
    encounter_class: EncounterClass
    admitted_at: datetime
    status: EncounterStatus
    account_number: str = ""  # visit number (PV1-19) when the sender has one
    discharged_at: datetime | None = None
    attending: SourceRef | None = None
    discharge_disposition: DischargeDisposition | None = None
    service: str = ""


@dataclass(frozen=True)
class IncomingDocument:
    source: SourceRef
    document_type: DocumentType
    authored_at: datetime
    title: str
    text: str
    encounter: SourceRef | None = None
    author: SourceRef | None = None  # None: the sender did not say who wrote it
    status: DocumentStatus = DocumentStatus.SIGNED
    signed_at: datetime | None = None
    type_code: str = ""  # the sender's LOINC document type, kept for the way back out
    signed_by: SourceRef | None = None  # None: signed (when signed) by its author
    requires_cosignature: bool = False  # a resident's or student's note an attending signs too
    cosigned_by: SourceRef | None = None
    cosigned_at: datetime | None = None
    # The sender's sensitivity label: the document opens only under an access grant here too.
    sensitivity: SensitiveCategory | None = None


@dataclass(frozen=True)
class IncomingObservation:
    source: SourceRef
    code: str
    display: str
    value: Decimal
    unit: str
    observed_at: datetime
    code_system: str = ""
    encounter: SourceRef | None = None
    reference_low: Decimal | None = None
    reference_high: Decimal | None = None
    flag: AbnormalFlag = AbnormalFlag.NORMAL


@dataclass(frozen=True)
class IncomingDiagnosis:
    source: SourceRef
    description: str
    documented_at: datetime
    code: str = ""
    code_system: str = ""
    encounter: SourceRef | None = None
    documented_by: SourceRef | None = None
    is_principal: bool = False
    laterality: str = ""  # the body side as the record writes it: "left", "right", "bilateral"


@dataclass(frozen=True)
class IncomingProcedure:
    source: SourceRef
    description: str
    performed_at: datetime
    code: str = ""
    code_system: str = ""
    encounter: SourceRef | None = None
    performed_by: SourceRef | None = None
    laterality: str = ""
    tissue_removed: bool = False  # a specimen went to pathology (a pathology report is due)


@dataclass(frozen=True)
class IncomingMedication:
    source: SourceRef
    name: str
    started_on: date
    code: str = ""
    code_system: str = ""
    encounter: SourceRef | None = None
    dose: str = ""
    route: str = ""
    frequency: str = ""
    ended_on: date | None = None


@dataclass(frozen=True)
class IncomingAllergy:
    source: SourceRef
    substance: str
    recorded_on: date
    code: str = ""
    code_system: str = ""
    reaction: str = ""
    severity: str = ""


@dataclass(frozen=True)
class IncomingChart:
    """One patient's part of a submission.

    `patient` is a `SourceRef` when the submission only refers to a patient an earlier import
    brought in (an Observation NDJSON file, an ORU for a known MRN); the import service resolves
    it through its source links and rejects the submission when it cannot.
    """

    patient: IncomingPatient | SourceRef
    encounters: tuple[IncomingEncounter, ...] = ()
    documents: tuple[IncomingDocument, ...] = ()
    observations: tuple[IncomingObservation, ...] = ()
    diagnoses: tuple[IncomingDiagnosis, ...] = ()
    procedures: tuple[IncomingProcedure, ...] = ()
    medications: tuple[IncomingMedication, ...] = ()
    allergies: tuple[IncomingAllergy, ...] = ()
    # HL7 A08 and similar: the sender states the demographics are a correction to apply.
    updates_demographics: bool = False


@dataclass(frozen=True)
class PatientMergeRequest:
    """HL7 ADT^A40: the patient known by `merged` is the same person as `surviving`."""

    surviving: IncomingPatient
    merged: tuple[PatientIdentifier, ...]


@dataclass(frozen=True)
class Submission:
    """One bundle, message or document: imported whole or not at all."""

    format: SourceFormat
    label: str  # where it came from: "a.json", "feed.hl7 message 3", "MLLP 10.0.0.5"
    fingerprint: str  # SHA-256 of the bytes received, so a repeat is recognised
    charts: tuple[IncomingChart, ...] = ()
    clinicians: tuple[IncomingClinician, ...] = ()
    merges: tuple[PatientMergeRequest, ...] = ()
    # Valid parts of kinds the record does not hold, counted by kind (never silently dropped):
    # e.g. {"Claim": 12, "Observation without a numeric value": 3}.
    not_held: tuple[tuple[str, int], ...] = ()
    message_type: str = ""  # "ADT^A03", "Bundle/transaction", "CCD"
    control_id: str = ""  # MSH-10 or Bundle.id: what the sender calls it


# Results and their reference ranges are NUMERIC(12, 3): kept rounded to thousandths, so from
# 999,999,999.9995 up a value rounds past what the column holds.
RESULT_LIMIT = Decimal("999999999.9995")


def result_fits(value: Decimal) -> bool:
    """Whether the record can keep this result value or range bound."""
    return value.is_finite() and abs(value) < RESULT_LIMIT


def shortened(value: str, limit: int) -> str:
    """Display text (titles, test names) cut cleanly to what the record keeps, with "…"."""
    value = value.strip()
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def text_within(value: str, limit: int, where: str) -> str:
    """`value` stripped, or a rejection naming `where` when it is longer than the record keeps."""
    value = value.strip()
    if len(value) > limit:
        raise Rejected(where, f"is {len(value)} characters; the record keeps at most {limit}")
    return value
