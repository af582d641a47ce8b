"""What qualifies a diagnosis, procedure or document beyond its core elements, read back.

himdesk's export writes these (see `vocabulary`), and other senders may say the same things
with the same standard elements:

- the body side: the laterality qualifier on `bodySite`, or a `bodySite` coded as a side
  (https://hl7.org/fhir/us/mcode/StructureDefinition-mcode-laterality-qualifier.html);
- the principal diagnosis: `Encounter.diagnosis` ranked 1, or himdesk's extension on the
  Condition (https://hl7.org/fhir/R4/encounter-definitions.html#Encounter.diagnosis);
- tissue removed, co-signatures: himdesk extensions;
- the signer: `DocumentReference.authenticator`;
- sensitivity labels: v3 ActCode information-sensitivity codes in `meta.security` or
  `DocumentReference.securityLabel` (https://hl7.org/fhir/R4/security-labels.html).
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from himdesk.domain.incoming import SourceRef
from himdesk.domain.sensitivity import SensitiveCategory
from himdesk.interop.fhir import vocabulary as v
from himdesk.interop.fhir.fhir_values import (
    Json,
    Located,
    codes_of,
    extension_flag,
    extension_of,
    moment,
    object_of,
    objects_of,
    text_of,
    within,
    wrong,
)
from himdesk.interop.fhir.inbound_references import Reading

LATERALITY = 10  # diagnoses.laterality, procedures.laterality
# Encounter.diagnosis.use (https://hl7.org/fhir/R4/valueset-diagnosis-role.html) of a
# diagnosis ranked first, in the order one is taken as the principal diagnosis: the
# discharge diagnosis, the billing one, one of no stated role, the admission diagnosis.
# A chief complaint, comorbidity or pre-/post-op diagnosis ranked first is not principal.
_PRINCIPAL_ROLES = ("DD", "billing", "", "AD")


class Attestation(NamedTuple):
    """Who signed a document and when, and its co-signature."""

    signed_by: SourceRef | None
    signed_at: datetime | None
    requires_cosignature: bool
    cosigned_by: SourceRef | None
    cosigned_at: datetime | None


def _extension_moment(obj: Json, url: str, at: Located) -> datetime | None:
    found = extension_of(obj, url, at)
    if found is None:
        return None
    extension, path = found
    value = text_of(extension, "valueDateTime", at, path)
    return moment(value, at, f"{path}.valueDateTime") if value else None


def laterality_of(at: Located) -> str:
    """The side the first bodySite naming one gives: its laterality qualifier (the text as
    the sender wrote it, else the word for its SNOMED CT code), or a bodySite coded as a side.
    A body site that only says where ("Left knee" as text) is not read as a side."""
    for index, site in enumerate(objects_of(at.resource, "bodySite", at)):
        path = f"bodySite[{index}]"
        found = extension_of(site, v.LATERALITY_QUALIFIER, at, path)
        if found is not None:
            extension, where = found
            concept = object_of(extension, "valueCodeableConcept", at, where)
            side = _side(concept or {}, at, f"{where}.valueCodeableConcept", written=True)
        else:
            side = _side(site, at, path, written=False)
        if side:
            return side
    return ""


def _side(concept: Json, at: Located, path: str, *, written: bool) -> str:
    coded = ""
    for index, coding in enumerate(objects_of(concept, "coding", at, path)):
        where = f"{path}.coding[{index}]"
        if text_of(coding, "system", at, where) == v.SNOMED:
            coded = v.LATERALITY_BY_CODE.get(text_of(coding, "code", at, where), "")
            if coded:
                break
    text = text_of(concept, "text", at, path) if written else ""
    if text and (len(text) <= LATERALITY or not coded):
        return within(text, LATERALITY, at, f"{path}.text")
    return coded


def note_principal_diagnoses(at: Located, reading: Reading) -> None:
    """Remember which Conditions an Encounter ranks first, for when they are mapped."""
    ranked: dict[str, list[SourceRef]] = {}
    for index, entry in enumerate(objects_of(at.resource, "diagnosis", at)):
        path = f"diagnosis[{index}]"
        rank = entry.get("rank")
        if rank is not None and (type(rank) is not int or rank < 1):
            wrong(at, f"{path}.rank", "a positive integer", rank)
        condition = object_of(entry, "condition", at, path)
        if rank != 1 or condition is None:
            continue
        roles = codes_of(object_of(entry, "use", at, path), at, f"{path}.use")
        role = next((r for r in _PRINCIPAL_ROLES if r in roles), None if roles else "")
        target = reading.resolve(condition, at, f"{path}.condition", "Condition")
        if role is not None and target is not None and target.kind == "Condition":
            ranked.setdefault(role, []).append(target.source)
    chosen = next((ranked[role] for role in _PRINCIPAL_ROLES if role in ranked), [])
    reading.principal_conditions.update(chosen)


def is_principal(at: Located, reading: Reading) -> bool:
    return at.source in reading.principal_conditions or extension_flag(
        at.resource, v.EXTENSION_PRINCIPAL_DIAGNOSIS, at
    )


def attestation_of(at: Located, reading: Reading) -> Attestation:
    """The signer (authenticator), the signature time and the co-signature of a document."""
    document = at.resource
    authenticator = document.get("authenticator")
    signer = None
    if authenticator is not None:
        signer = reading.clinician_of(authenticator, at, "authenticator")
    cosigner = None
    found = extension_of(document, v.EXTENSION_COSIGNED_BY, at)
    if found is not None:
        extension, path = found
        reference = extension.get("valueReference")
        if reference is not None:
            cosigner = reading.clinician_of(reference, at, f"{path}.valueReference")
    return Attestation(
        signed_by=signer,
        signed_at=_extension_moment(document, v.EXTENSION_SIGNED_AT, at),
        requires_cosignature=extension_flag(document, v.EXTENSION_COSIGNATURE_REQUIRED, at),
        cosigned_by=cosigner,
        cosigned_at=_extension_moment(document, v.EXTENSION_COSIGNED_AT, at),
    )


def sensitivity_of(at: Located) -> SensitiveCategory | None:
    """The category of the resource's sensitivity labels (the strictest, when several).

    Confidentiality codes (R, V) say how tightly, not what about, and name no category;
    sensitivity codes the record has no category for are not read.
    """
    meta = object_of(at.resource, "meta", at) or {}
    security = objects_of(meta, "security", at, "meta")
    labels = [(coding, f"meta.security[{i}]") for i, coding in enumerate(security)]
    for index, concept in enumerate(objects_of(at.resource, "securityLabel", at)):
        path = f"securityLabel[{index}]"
        codings = objects_of(concept, "coding", at, path)
        labels += [(coding, f"{path}.coding[{i}]") for i, coding in enumerate(codings)]
    found = set()
    for coding, path in labels:
        if text_of(coding, "system", at, path) in v.ACT_CODE_SYSTEMS:
            category = v.SENSITIVITY_BY_CODE.get(text_of(coding, "code", at, path))
            if category is not None:
                found.add(category)
    return next((c for c in v.SENSITIVITY_PRECEDENCE if c in found), None)
