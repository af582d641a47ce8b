"""Results, medications, allergies and documents as FHIR R4 resources (pure functions)."""

from __future__ import annotations

import base64
import re
from decimal import Decimal, InvalidOperation

from himdesk.domain.records import Allergy, ClinicalDocument, Medication, Observation
from himdesk.interop.fhir import vocabulary as v
from himdesk.interop.fhir.outbound_types import Json, concept, instant, number, reference

# A unit written the way UCUM writes units (no spaces): "mmol/L", "10*3/uL", "%".
_UCUM_LIKE = re.compile(r"[A-Za-z0-9%*/.\[\]{}'^()-]+")
_DOSE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z%][A-Za-z0-9%/.]*)\s*")
_SEVERITIES = ("mild", "moderate", "severe")
_CRITICALITIES = ("low", "high", "unable-to-assess")


def _stored_id(value: int | None) -> str:
    if value is None:
        raise ValueError("only stored record parts (with ids) can be written as FHIR")
    return str(value)


def quantity(value: Decimal, unit: str) -> Json:
    """A Quantity; coded in UCUM when the unit is written as UCUM writes units."""
    result: Json = {"value": number(value)}
    if unit:
        result["unit"] = unit
        if _UCUM_LIKE.fullmatch(unit):
            result |= {"system": v.UCUM, "code": unit}
    return result


def observation_resource(observation: Observation, patient_id: int, base: str = "") -> Json:
    """https://hl7.org/fhir/R4/observation.html — a numeric laboratory result."""
    o = observation
    resource: Json = {
        "resourceType": "Observation",
        "id": _stored_id(o.id),
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": v.OBSERVATION_CATEGORY,
                        "code": "laboratory",
                        "display": "Laboratory",
                    }
                ]
            }
        ],  # fmt: skip
        "code": concept(o.code, o.code_system, o.display),
        "subject": reference("Patient", patient_id, base),
        "effectiveDateTime": instant(o.observed_at),
        "valueQuantity": quantity(o.value, o.unit),
        "interpretation": [
            {
                "coding": [
                    {
                        "system": v.INTERPRETATION,
                        "code": o.flag.value,
                        "display": v.INTERPRETATION_DISPLAY[o.flag],
                    }
                ],
            }
        ],  # fmt: skip
    }
    if o.encounter_id is not None:
        resource["encounter"] = reference("Encounter", o.encounter_id, base)
    bounds: Json = {}
    if o.reference_low is not None:
        bounds["low"] = quantity(o.reference_low, o.unit)
    if o.reference_high is not None:
        bounds["high"] = quantity(o.reference_high, o.unit)
    if bounds:
        resource["referenceRange"] = [bounds]
    return resource


def medication_resource(medication: Medication, patient_id: int, base: str = "") -> Json:
    """https://hl7.org/fhir/R4/medicationrequest.html — active until it has an end date.

    authoredOn is the start day; start and end are also the dosage's bounds. The dose is a
    Quantity when it reads as "<number> <unit>" (the text then reads the whole instruction),
    else the dosage text is the dose as written, so a reader gets each part back.
    """
    m = medication
    dosage: Json = {}
    dose = _dose_quantity(m.dose)
    if dose:
        dosage["text"] = " ".join(p for p in (m.dose, m.route, m.frequency) if p)
        dosage["doseAndRate"] = [{"doseQuantity": dose}]
    elif m.dose:
        dosage["text"] = m.dose
    bounds: Json = {"start": m.started_on.isoformat()}
    if m.ended_on:
        bounds["end"] = m.ended_on.isoformat()
    dosage["timing"] = {"repeat": {"boundsPeriod": bounds}}
    if m.frequency:
        dosage["timing"]["code"] = {"text": m.frequency}
    if m.route:
        dosage["route"] = {"text": m.route}
    resource: Json = {
        "resourceType": "MedicationRequest",
        "id": _stored_id(m.id),
        "status": "completed" if m.ended_on else "active",
        "intent": "order",
        "medicationCodeableConcept": concept(m.code, m.code_system, m.name),
        "subject": reference("Patient", patient_id, base),
        "authoredOn": m.started_on.isoformat(),
        "dosageInstruction": [dosage],
    }
    if m.encounter_id is not None:
        resource["encounter"] = reference("Encounter", m.encounter_id, base)
    return resource


def _dose_quantity(dose: str) -> Json | None:
    match = _DOSE.fullmatch(dose)
    if match is None:
        return None
    try:
        value = Decimal(match.group(1))
    except InvalidOperation:  # pragma: no cover - the pattern only matches numbers
        return None
    return quantity(value, match.group(2))


def allergy_resource(allergy: Allergy, patient_id: int, base: str = "") -> Json:
    """https://hl7.org/fhir/R4/allergyintolerance.html — a mild, moderate or severe reaction's
    severity on the reaction, with criticality high when severe, low otherwise; a severity kept
    as "<low|high> criticality" (how a criticality alone is filed) as the criticality; any
    other severity in the record's words as a himdesk extension."""
    a = allergy
    resource: Json = {
        "resourceType": "AllergyIntolerance",
        "id": _stored_id(a.id),
        "clinicalStatus": {"coding": [{"system": v.ALLERGY_CLINICAL, "code": "active"}]},
        "code": concept(a.code, a.code_system, a.substance),
        "patient": reference("Patient", patient_id, base),
        "recordedDate": a.recorded_on.isoformat(),
    }
    severity = a.severity.strip().lower()
    criticality = severity.removesuffix(" criticality")
    if severity in _SEVERITIES:
        resource["criticality"] = "high" if severity == "severe" else "low"
    elif severity.endswith(" criticality") and criticality in _CRITICALITIES:
        resource["criticality"] = criticality
    if a.reaction:
        reaction: Json = {"manifestation": [{"text": a.reaction}]}
        if severity in _SEVERITIES:
            reaction["severity"] = severity
        resource["reaction"] = [reaction]
    # Said exactly by the standard elements, or else in the record's own words.
    by_reaction = a.severity in _SEVERITIES and bool(a.reaction)
    by_criticality = a.severity == f"{criticality} criticality" and "criticality" in resource
    if a.severity and not (by_reaction or by_criticality):
        resource["extension"] = [{"url": v.EXTENSION_ALLERGY_SEVERITY, "valueString": a.severity}]
    return resource


def document_resource(document: ClinicalDocument, patient_id: int, base: str = "") -> Json:
    """https://hl7.org/fhir/R4/documentreference.html — the text as a base64 text/plain
    attachment; the LOINC type (the sender's own when it came from elsewhere) beside
    himdesk's document kind; the signer as authenticator, the signature time and the
    co-signature as extensions; labels as meta.security."""
    d = document
    loinc, display = v.DOCUMENT_LOINC[d.document_type]
    kind = {"system": v.HIMDESK_DOCUMENT_TYPE, "code": d.document_type.value,
            "display": d.document_type.label}  # fmt: skip
    type_coding: Json = {"system": v.LOINC, "code": d.type_code or loinc}
    if not d.type_code or d.type_code == loinc:
        type_coding["display"] = display
    content = base64.b64encode(d.text.encode("utf-8")).decode("ascii")
    resource: Json = {
        "resourceType": "DocumentReference",
        "id": _stored_id(d.id),
        "meta": {"versionId": str(d.version)},
        "status": "current",
        "docStatus": v.DOCUMENT_STATUS_CODES[d.status],
        "type": {"coding": [type_coding, kind], "text": d.document_type.label},
        "subject": reference("Patient", patient_id, base),
        "date": instant(d.authored_at),
        "description": d.title,
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "data": content,
                    "title": d.title,
                    "creation": instant(d.authored_at),
                },
            }
        ],  # fmt: skip
    }
    if d.author_id is not None:
        resource["author"] = [reference("Practitioner", d.author_id, base)]
    if d.signed_by_id is not None:
        resource["authenticator"] = reference("Practitioner", d.signed_by_id, base)
    extensions = _signature_extensions(d, base)
    if extensions:
        resource["extension"] = extensions
    if d.encounter_id is not None:
        resource["context"] = {"encounter": [reference("Encounter", d.encounter_id, base)]}
    if d.sensitivity is not None:
        code, label = v.SENSITIVITY_CODES[d.sensitivity]
        resource["meta"]["security"] = [
            {"system": v.CONFIDENTIALITY, "code": "R", "display": "restricted"},
            {"system": v.ACT_CODE, "code": code, "display": label},
        ]
    return resource


def _signature_extensions(document: ClinicalDocument, base: str) -> list[Json]:
    """When it was signed; whether it needs a co-signature, who co-signed and when."""
    d = document
    found: list[Json] = []
    if d.signed_at is not None:
        found.append({"url": v.EXTENSION_SIGNED_AT, "valueDateTime": instant(d.signed_at)})
    if d.requires_cosignature:
        found.append({"url": v.EXTENSION_COSIGNATURE_REQUIRED, "valueBoolean": True})
    if d.cosigned_by_id is not None:
        cosigner = reference("Practitioner", d.cosigned_by_id, base)
        found.append({"url": v.EXTENSION_COSIGNED_BY, "valueReference": cosigner})
    if d.cosigned_at is not None:
        found.append({"url": v.EXTENSION_COSIGNED_AT, "valueDateTime": instant(d.cosigned_at)})
    return found
