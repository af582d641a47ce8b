"""The record as FHIR R4 resources (JSON objects): pure functions, no I/O.

`record_resources` turns a whole `PatientRecord` into resources in a fixed order (Patient,
Practitioner, Encounter, Condition, Procedure, Observation, MedicationRequest,
AllergyIntolerance, DocumentReference). Resource ids are himdesk's record ids, so a resource
read through the API and one in an export are the same. References are relative
("Patient/12") unless a `base` is given, then absolute ("https://host/fhir/R4/Patient/12").

What the record holds but FHIR has no element for is written so the inbound reader gets it
back (see `vocabulary`). What the caller may not see (the SSN, labelled documents) is decided
in the service before the record reaches here (services/record_exchange.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from himdesk.domain.incoming import PatientIdentifier
from himdesk.domain.patient_record import PatientRecord
from himdesk.domain.records import Clinician, Diagnosis, Encounter, Patient, Procedure
from himdesk.interop.fhir import vocabulary as v
from himdesk.interop.fhir.outbound_clinical import (
    allergy_resource,
    document_resource,
    medication_resource,
    observation_resource,
)
from himdesk.interop.fhir.outbound_types import Json, concept, instant, reference

__all__ = [
    "Json",
    "allergy_resource",
    "condition_resource",
    "document_resource",
    "encounter_resource",
    "medication_resource",
    "observation_resource",
    "patient_resource",
    "practitioner_resource",
    "procedure_resource",
    "record_resources",
]


def record_resources(record: PatientRecord, base: str = "") -> list[Json]:
    """Every resource of the record, the Patient first."""
    pid = _id(record.patient.id)
    principal = {d.encounter_id: d.id for d in record.diagnoses if d.is_principal}
    resources = [patient_resource(record.patient, record.identifiers, base)]
    resources += [practitioner_resource(c) for c in record.clinicians]
    resources += [
        encounter_resource(e, record.patient.facility, base, principal.get(e.id))
        for e in record.encounters
    ]
    resources += [condition_resource(d, pid, base) for d in record.diagnoses]
    resources += [procedure_resource(p, pid, base) for p in record.procedures]
    resources += [observation_resource(o, pid, base) for o in record.observations]
    resources += [medication_resource(m, pid, base) for m in record.medications]
    resources += [allergy_resource(a, pid, base) for a in record.allergies]
    resources += [document_resource(d, pid, base) for d in record.documents]
    return resources


def _id(value: int | None) -> int:
    if value is None:
        raise ValueError("only stored record parts (with ids) can be written as FHIR")
    return value


def patient_resource(
    patient: Patient,
    identifiers: Iterable[PatientIdentifier] = (),
    base: str = "",
    replaced_by: int | None = None,
) -> Json:
    """https://hl7.org/fhir/R4/patient.html — the hospital MRN first, then other systems' ids.

    The SSN is written when the patient value holds one; the service blanks it for callers who
    may not read it. A patient merged into another (`replaced_by`) is inactive and links to
    the survivor (https://hl7.org/fhir/R4/patient.html#links).
    """
    ids: list[Json] = [_identifier(v.mrn_system(patient.facility), patient.mrn, "MR")]
    for known in identifiers:
        ids.append(_identifier(known.system, known.value, known.kind.value))
    if patient.ssn:
        ids.append(_identifier(v.US_SSN, patient.ssn, "SS"))
    given = [n for n in (patient.given_name, patient.middle_name) if n]
    resource: Json = {
        "resourceType": "Patient",
        "id": str(_id(patient.id)),
        "meta": {"versionId": str(patient.version)},
        "identifier": ids,
        "active": True,
        "name": [{"use": "official", "family": patient.family_name, "given": given}],
        "gender": v.GENDER_CODES[patient.sex],
        "birthDate": patient.birth_on.isoformat(),
    }
    if patient.phone:
        resource["telecom"] = [{"system": "phone", "value": patient.phone}]
    address = _address(patient)
    if address:
        resource["address"] = [address]
    if replaced_by is not None:
        resource["active"] = False
        survivor = {"reference": f"Patient/{replaced_by}"}
        resource["link"] = [{"other": survivor, "type": "replaced-by"}]
    return resource


def _identifier(system: str, value: str, kind: str) -> Json:
    """An identifier typed from v2 table 0203: MR, SS, or U (unspecified) for any other kind."""
    identifier: Json = {"system": system, "value": value} if system else {"value": value}
    type_code = kind if kind in ("MR", "SS") else "U"
    identifier["type"] = {"coding": [{"system": v.IDENTIFIER_TYPE, "code": type_code}]}
    return identifier


def _address(patient: Patient) -> Json:
    a = patient.address
    parts: Json = {"line": [a.line] if a.line else None, "city": a.city, "state": a.state,
                   "postalCode": a.postal_code}  # fmt: skip
    return {k: value for k, value in parts.items() if value}


def practitioner_resource(clinician: Clinician) -> Json:
    """https://hl7.org/fhir/R4/practitioner.html — NPI when the clinician has one; the
    specialty and whether a resident as himdesk extensions."""
    resource: Json = {
        "resourceType": "Practitioner",
        "id": str(clinician.id),
        "active": True,
        "name": [{"family": clinician.family_name, "given": [clinician.given_name]}],
    }
    if clinician.npi:
        resource["identifier"] = [{"system": v.NPI, "value": clinician.npi}]
    if clinician.credentials:
        resource["name"][0]["suffix"] = [clinician.credentials]
        resource["qualification"] = [{"code": {"text": clinician.credentials}}]
    extensions: list[Json] = []
    if clinician.specialty:
        extensions.append({"url": v.EXTENSION_SPECIALTY, "valueString": clinician.specialty})
    if clinician.is_resident:
        extensions.append({"url": v.EXTENSION_RESIDENT, "valueBoolean": True})
    if extensions:
        resource["extension"] = extensions
    return resource


def encounter_resource(
    encounter: Encounter, facility: str, base: str = "", principal_diagnosis: int | None = None
) -> Json:
    """https://hl7.org/fhir/R4/encounter.html — class from v3 ActCode, the attending as ATND,
    the UB-04 discharge status beside the HL7 disposition, the account number as identifier."""
    code, display = v.ENCOUNTER_CLASS_CODES[encounter.encounter_class]
    period: Json = {"start": instant(encounter.admitted_at)}
    if encounter.discharged_at:
        period["end"] = instant(encounter.discharged_at)
    resource: Json = {
        "resourceType": "Encounter",
        "id": str(_id(encounter.id)),
        "meta": {"versionId": str(encounter.version)},
        "identifier": [
            {
                "system": v.account_system(facility),
                "value": encounter.account_number,
                "type": {"coding": [{"system": v.IDENTIFIER_TYPE, "code": "VN"}]},
            }
        ],
        "status": v.ENCOUNTER_STATUS_CODES[encounter.status],
        "class": {"system": v.ACT_CODE, "code": code, "display": display},
        "subject": reference("Patient", encounter.patient_id, base),
        "period": period,
    }
    if encounter.service:
        resource["serviceType"] = {"text": encounter.service}
    if encounter.attending_id:
        resource["participant"] = [_attending(encounter.attending_id, base)]
    if principal_diagnosis is not None:
        condition = reference("Condition", principal_diagnosis, base)
        resource["diagnosis"] = [{"condition": condition, "rank": 1}]
    if encounter.discharge_disposition:
        resource["hospitalization"] = {"dischargeDisposition": _disposition(encounter)}
    return resource


def _attending(clinician_id: int, base: str) -> Json:
    role = {"system": v.PARTICIPATION_TYPE, "code": "ATND", "display": "attender"}
    return {
        "type": [{"coding": [role]}],
        "individual": reference("Practitioner", clinician_id, base),
    }


def _disposition(encounter: Encounter) -> Json:
    status = encounter.discharge_disposition
    assert status is not None  # noqa: S101 - checked by the caller
    return {
        "coding": [
            {"system": v.NUBC_DISCHARGE, "code": status.value, "display": status.label},
            {"system": v.HL7_DISCHARGE, "code": v.HL7_DISCHARGE_CODES[status]},
        ],
        "text": status.label,
    }


def condition_resource(diagnosis: Diagnosis, patient_id: int, base: str = "") -> Json:
    """https://hl7.org/fhir/R4/condition.html — a diagnosis as documented (code when held);
    the side in bodySite, a principal diagnosis marked (beside Encounter.diagnosis rank 1)."""
    category = "encounter-diagnosis" if diagnosis.encounter_id else "problem-list-item"
    resource: Json = {
        "resourceType": "Condition",
        "id": str(_id(diagnosis.id)),
        "clinicalStatus": {"coding": [{"system": v.CONDITION_CLINICAL, "code": "active"}]},
        "category": [{"coding": [{"system": v.CONDITION_CATEGORY, "code": category}]}],
        "code": concept(diagnosis.code, diagnosis.code_system, diagnosis.description),
        "subject": reference("Patient", patient_id, base),
        "recordedDate": instant(diagnosis.documented_at),
    }
    _refer(resource, "encounter", "Encounter", diagnosis.encounter_id, base)
    _refer(resource, "recorder", "Practitioner", diagnosis.documented_by_id, base)
    if diagnosis.laterality:
        resource["bodySite"] = [body_side(diagnosis.laterality)]
    if diagnosis.is_principal:
        resource["extension"] = [{"url": v.EXTENSION_PRINCIPAL_DIAGNOSIS, "valueBoolean": True}]
    return resource


def procedure_resource(procedure: Procedure, patient_id: int, base: str = "") -> Json:
    """https://hl7.org/fhir/R4/procedure.html — the side in bodySite; tissue sent to
    pathology as a himdesk extension."""
    resource: Json = {
        "resourceType": "Procedure",
        "id": str(_id(procedure.id)),
        "status": "completed",
        "code": concept(procedure.code, procedure.code_system, procedure.description),
        "subject": reference("Patient", patient_id, base),
        "performedDateTime": instant(procedure.performed_at),
    }
    _refer(resource, "encounter", "Encounter", procedure.encounter_id, base)
    if procedure.performed_by_id:
        performer = reference("Practitioner", procedure.performed_by_id, base)
        resource["performer"] = [{"actor": performer}]
    if procedure.laterality:
        resource["bodySite"] = [body_side(procedure.laterality)]
    if procedure.tissue_removed:
        resource["extension"] = [{"url": v.EXTENSION_TISSUE_REMOVED, "valueBoolean": True}]
    return resource


def body_side(laterality: str) -> Json:
    """A bodySite holding only the side: the laterality qualifier, coded in SNOMED CT when the
    record's word names a side, its text the record's word as written (so it comes back)."""
    side: Json = {"text": laterality}
    known = v.side_of(laterality)
    if known:
        code, display = v.LATERALITY_CODES[known]
        side["coding"] = [{"system": v.SNOMED, "code": code, "display": display}]
    return {"extension": [{"url": v.LATERALITY_QUALIFIER, "valueCodeableConcept": side}],
            "text": laterality}  # fmt: skip


def _refer(resource: Json, key: str, kind: str, target: int | None, base: str) -> None:
    if target is not None:
        resource[key] = reference(kind, target, base)


def by_type(resources: Iterable[Json]) -> Mapping[str, list[Json]]:
    """Resources grouped by resourceType, in their order (for NDJSON files per type)."""
    grouped: dict[str, list[Json]] = {}
    for resource in resources:
        grouped.setdefault(resource["resourceType"], []).append(resource)
    return grouped
