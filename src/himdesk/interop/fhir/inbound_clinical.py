"""FHIR R4 Encounter, Condition, Procedure and AllergyIntolerance into incoming record parts.

Each mapper returns the part, or None after counting the resource as not held (a refuted
condition, a procedure not done): such resources are valid, but not part of the record.
"""

from __future__ import annotations

from himdesk.domain.identifiers import is_valid_mrn
from himdesk.domain.incoming import (
    IncomingAllergy,
    IncomingDiagnosis,
    IncomingEncounter,
    IncomingProcedure,
    SourceRef,
    shortened,
)
from himdesk.domain.records import DischargeDisposition, EncounterClass, EncounterStatus
from himdesk.interop.fhir.fhir_values import (
    ICD10CM,
    RXNORM,
    SNOMED,
    Coded,
    Located,
    codes_of,
    concept_in,
    concept_of,
    extension_flag,
    extension_text,
    moment_of,
    object_of,
    objects_of,
    period_start_of,
    text_of,
    within,
)
from himdesk.interop.fhir.inbound_qualifiers import (
    is_principal,
    laterality_of,
    note_principal_diagnoses,
)
from himdesk.interop.fhir.inbound_references import Reading
from himdesk.interop.fhir.vocabulary import EXTENSION_TISSUE_REMOVED

# https://terminology.hl7.org/ValueSet-v3-ActEncounterCode.html
_CLASSES = {
    "AMB": EncounterClass.OUTPATIENT,
    "IMP": EncounterClass.INPATIENT,
    "ACUTE": EncounterClass.INPATIENT,
    "NONAC": EncounterClass.INPATIENT,
    "EMER": EncounterClass.EMERGENCY,
    "OBSENC": EncounterClass.OBSERVATION,
    "SS": EncounterClass.OBSERVATION,  # short stay: a hospital stay shorter than an admission
    "HH": EncounterClass.OUTPATIENT,
    "VR": EncounterClass.OUTPATIENT,
    "FLD": EncounterClass.OUTPATIENT,
    "PRENC": EncounterClass.OUTPATIENT,
}
# https://hl7.org/fhir/R4/valueset-encounter-status.html
_STATUSES = {
    "planned": EncounterStatus.PLANNED,
    "arrived": EncounterStatus.IN_PROGRESS,
    "triaged": EncounterStatus.IN_PROGRESS,
    "in-progress": EncounterStatus.IN_PROGRESS,
    "onleave": EncounterStatus.IN_PROGRESS,
    "finished": EncounterStatus.DISCHARGED,
    "cancelled": EncounterStatus.CANCELLED,
}
# https://terminology.hl7.org/CodeSystem-discharge-disposition.html; NUBC codes map to themselves.
_DISPOSITIONS = {
    "home": DischargeDisposition.HOME,
    "snf": DischargeDisposition.SKILLED_NURSING,
    "aadvice": DischargeDisposition.LEFT_AMA,
    "exp": DischargeDisposition.EXPIRED,
    "hosp": DischargeDisposition.HOSPICE_HOME,
    "rehab": DischargeDisposition.REHAB,
    **{d.value: d for d in DischargeDisposition},
}
_ICD10PCS = "http://www.cms.gov/Medicare/Coding/ICD10"
_CPT = "http://www.ama-assn.org/go/cpt"
_NOT_CONFIRMED = {"refuted", "entered-in-error"}
# A severity in the record's own words ("moderate to severe"), which FHIR's codes cannot carry.
EXTENSION_ALLERGY_SEVERITY = "urn:himdesk:fhir:extension:allergy-severity"


def map_encounter(at: Located, reading: Reading) -> IncomingEncounter | None:
    """https://hl7.org/fhir/R4/encounter.html: class, status, period, attending, disposition."""
    encounter = at.resource
    if (status_code := text_of(encounter, "status", at)) not in _STATUSES:
        at.reject("status", f"expected one of {', '.join(_STATUSES)}, found {status_code!r}")
    status = _STATUSES[status_code]
    encounter_class = object_of(encounter, "class", at)
    class_code = text_of(encounter_class, "code", at, "class") if encounter_class else ""
    if class_code not in _CLASSES:
        at.reject("class.code", f"expected one of {', '.join(_CLASSES)}, found {class_code!r}")
    admitted_at = period_start_of(encounter, "period", at)
    if admitted_at is None:
        at.reject("period.start", "is missing; the record needs when the encounter began")
    period = object_of(encounter, "period", at) or {}
    ended = moment_of(period, "end", at, "period")
    reading.encounter_starts[at.source] = admitted_at
    note_principal_diagnoses(at, reading)
    return IncomingEncounter(
        source=at.source,
        encounter_class=_CLASSES[class_code],
        admitted_at=admitted_at,
        status=status,
        account_number=_account_number(at),
        discharged_at=ended if status is EncounterStatus.DISCHARGED else None,
        attending=_attending(at, reading),
        discharge_disposition=_disposition(at),
        service=shortened(_service(at), 40),
    )


def _account_number(at: Located) -> str:
    """The first identifier shaped like a visit number the record can keep (else none)."""
    for index, identifier in enumerate(objects_of(at.resource, "identifier", at)):
        value = text_of(identifier, "value", at, f"identifier[{index}]")
        if is_valid_mrn(value):
            return value
    return ""


def _attending(at: Located, reading: Reading) -> SourceRef | None:
    """The ATND participant, else the primary performer, else the first Practitioner."""
    participants = objects_of(at.resource, "participant", at)
    ranks: list[int] = []
    for index, participant in enumerate(participants):
        path = f"participant[{index}]"
        codes: set[str] = set()
        for inner, concept in enumerate(objects_of(participant, "type", at, path)):
            codes |= codes_of(concept, at, f"{path}.type[{inner}]")
        ranks.append(0 if "ATND" in codes else 1 if "PPRF" in codes else 2)
    for index in sorted(range(len(participants)), key=ranks.__getitem__):
        individual = participants[index].get("individual")
        if individual is not None:
            found = reading.clinician_of(individual, at, f"participant[{index}].individual")
            if found:
                return found
    return None


def _disposition(at: Located) -> DischargeDisposition | None:
    hospitalization = object_of(at.resource, "hospitalization", at)
    if hospitalization is None:
        return None
    path = "hospitalization.dischargeDisposition"
    concept = object_of(hospitalization, "dischargeDisposition", at, "hospitalization")
    codes = codes_of(concept, at, path)
    return next((_DISPOSITIONS[c] for c in sorted(codes) if c in _DISPOSITIONS), None)


def _service(at: Located) -> str:
    service = concept_of(at.resource, "serviceType", at).text
    if service:
        return service
    types = objects_of(at.resource, "type", at)
    return concept_in(types[0], at, "type[0]").text if types else ""


def map_condition(at: Located, reading: Reading) -> IncomingDiagnosis | None:
    """https://hl7.org/fhir/R4/condition.html: code (ICD-10-CM, else SNOMED CT), when, by whom."""
    condition = at.resource
    if _unconfirmed(at, reading):
        return None
    coded = _coded(at, "code", (ICD10CM, SNOMED), "the condition")
    encounter = reading.encounter_of(at)
    documented_at = (
        moment_of(condition, "recordedDate", at)
        or moment_of(condition, "onsetDateTime", at)
        or period_start_of(condition, "onsetPeriod", at)
        or (reading.encounter_starts.get(encounter) if encounter else None)
    )
    if documented_at is None:
        at.reject("recordedDate", "is missing, and no onset or encounter says when it was noted")
    by = "recorder" if condition.get("recorder") is not None else "asserter"
    documenter = condition.get(by)
    return IncomingDiagnosis(
        source=at.source,
        description=shortened(coded.text or coded.code, 200),
        documented_at=documented_at,
        code=coded.code,
        code_system=coded.system,
        encounter=encounter,
        documented_by=None if documenter is None else reading.clinician_of(documenter, at, by),
        is_principal=is_principal(at, reading),
        laterality=laterality_of(at),
    )


def map_procedure(at: Located, reading: Reading) -> IncomingProcedure | None:
    """https://hl7.org/fhir/R4/procedure.html: code (ICD-10-PCS, CPT, SNOMED CT), when, who."""
    procedure = at.resource
    if text_of(procedure, "status", at) == "not-done":
        reading.not_held["Procedure not done"] += 1
        return None
    coded = _coded(at, "code", (_ICD10PCS, _CPT, SNOMED), "the procedure")
    performed_at = moment_of(procedure, "performedDateTime", at) or period_start_of(
        procedure, "performedPeriod", at
    )
    if performed_at is None:
        at.reject("performed[x]", "expected performedDateTime or performedPeriod.start")
    performers = objects_of(procedure, "performer", at)
    return IncomingProcedure(
        source=at.source,
        description=shortened(coded.text or coded.code, 200),
        performed_at=performed_at,
        code=coded.code,
        code_system=coded.system,
        encounter=reading.encounter_of(at),
        performed_by=reading.first_clinician(performers, "actor", at, "performer"),
        laterality=laterality_of(at),
        tissue_removed=extension_flag(procedure, EXTENSION_TISSUE_REMOVED, at),
    )


def map_allergy(at: Located, reading: Reading) -> IncomingAllergy | None:
    """https://hl7.org/fhir/R4/allergyintolerance.html: substance, reactions, severity, when."""
    allergy = at.resource
    if _unconfirmed(at, reading):
        return None
    coded = _coded(at, "code", (RXNORM, SNOMED), "the substance")
    recorded = (
        moment_of(allergy, "recordedDate", at)
        or moment_of(allergy, "onsetDateTime", at)
        or period_start_of(allergy, "onsetPeriod", at)
        or moment_of(allergy, "lastOccurrence", at)
    )
    if recorded is None:
        at.reject("recordedDate", "is missing, and no onset or occurrence says when it was noted")
    manifestations: list[str] = []
    severities: list[str] = []
    for index, reaction in enumerate(objects_of(allergy, "reaction", at)):
        path = f"reaction[{index}]"
        for inner, concept in enumerate(objects_of(reaction, "manifestation", at, path)):
            manifestations.append(concept_in(concept, at, f"{path}.manifestation[{inner}]").text)
        severities.append(text_of(reaction, "severity", at, path))
    criticality = text_of(allergy, "criticality", at)
    severity = extension_text(allergy, EXTENSION_ALLERGY_SEVERITY, "valueString", at)
    severity = severity or next((s for s in severities if s), "")
    if not severity and criticality in {"low", "high"}:
        severity = f"{criticality} criticality"
    return IncomingAllergy(
        source=at.source,
        substance=shortened(coded.text or coded.code, 120),
        recorded_on=recorded.date(),
        code=coded.code,
        code_system=coded.system,
        reaction=shortened("; ".join(dict.fromkeys(m for m in manifestations if m)), 120),
        severity=shortened(severity, 20),
    )


def _unconfirmed(at: Located, reading: Reading) -> bool:
    """A refuted or mistaken condition or allergy: counted as such, not filed."""
    concept = object_of(at.resource, "verificationStatus", at)
    found = codes_of(concept, at, "verificationStatus") & _NOT_CONFIRMED
    if found:
        reading.not_held[f"{at.kind} {min(found)}"] += 1
    return bool(found)


def _coded(at: Located, key: str, preferred: tuple[str, ...], what: str) -> Coded:
    """A required CodeableConcept with its code and system checked against the record's columns."""
    coded = concept_of(at.resource, key, at, preferred)
    if not coded.code and not coded.text:
        at.reject(key, f"is missing; expected a code or text naming {what}")
    within(coded.code, 20, at, f"{key}.coding.code")
    within(coded.system, 100, at, f"{key}.coding.system")
    return coded
