"""The C-CDA header: the patient, the document's kind, authors and the encompassing encounter.

C-CDA R2.1 Vol. 2, 1.1 "US Realm Header (V3)" (2.16.840.1.113883.10.20.22.1.1): recordTarget,
author, legalAuthenticator and componentOf/encompassingEncounter.
"""

from __future__ import annotations

from datetime import datetime

from himdesk.domain.demographics import US_STATES
from himdesk.domain.identifiers import normalize_phone, normalize_ssn
from himdesk.domain.incoming import (
    IdentifierKind,
    IncomingEncounter,
    IncomingPatient,
    PatientIdentifier,
    Rejected,
    SourceRef,
    text_within,
)
from himdesk.domain.records import (
    Address,
    AdministrativeSex,
    DischargeDisposition,
    DocumentType,
    EncounterClass,
    EncounterStatus,
)
from himdesk.interop.ccda.document import ReceivedDocument, person_name
from himdesk.interop.ccda.values import (
    SSN_ROOT,
    Element,
    attr,
    child,
    children,
    date_value,
    ref_of,
    shortened,
    system_uri,
    text_of,
)

PATIENT_ROLE = "ClinicalDocument/recordTarget/patientRole"
US_SSN = "http://hl7.org/fhir/sid/us-ssn"

# LOINC document type codes (C-CDA R2.1 document templates) -> the record's document types.
DOCUMENT_TYPES = {
    "34133-9": (DocumentType.CLINICAL_NOTE, "CCD"),
    "18842-5": (DocumentType.DISCHARGE_SUMMARY, "Discharge Summary"),
    "34105-7": (DocumentType.DISCHARGE_SUMMARY, "Discharge Summary"),
    "34117-2": (DocumentType.HISTORY_AND_PHYSICAL, "History and Physical"),
    "11506-3": (DocumentType.PROGRESS_NOTE, "Progress Note"),
    "11488-4": (DocumentType.CONSULTATION, "Consultation Note"),
    "11504-8": (DocumentType.OPERATIVE_REPORT, "Operative Note"),
    "28570-0": (DocumentType.CLINICAL_NOTE, "Procedure Note"),
    "18748-4": (DocumentType.RADIOLOGY_REPORT, "Diagnostic Imaging Report"),
    "11526-1": (DocumentType.PATHOLOGY_REPORT, "Pathology Report"),
    "34111-5": (DocumentType.ED_NOTE, "Emergency Department Note"),
    "57133-1": (DocumentType.CLINICAL_NOTE, "Referral Note"),
    "18761-7": (DocumentType.CLINICAL_NOTE, "Transfer Summary"),
    "18776-5": (DocumentType.CLINICAL_NOTE, "Care Plan"),
}

# HL7 v3 ActEncounterCode (and a few SNOMED CT codes senders use) -> encounter class.
_ACT_ENCOUNTER = {
    "IMP": EncounterClass.INPATIENT,
    "ACUTE": EncounterClass.INPATIENT,
    "NONAC": EncounterClass.INPATIENT,
    "EMER": EncounterClass.EMERGENCY,
    "OBSENC": EncounterClass.OBSERVATION,
    "SS": EncounterClass.OBSERVATION,
    "AMB": EncounterClass.OUTPATIENT,
    "HH": EncounterClass.OUTPATIENT,
    "FLD": EncounterClass.OUTPATIENT,
    "VR": EncounterClass.OUTPATIENT,
    "32485007": EncounterClass.INPATIENT,  # hospital admission
    "183452005": EncounterClass.EMERGENCY,  # emergency hospital admission
    "50849002": EncounterClass.EMERGENCY,  # emergency room admission
    "4525004": EncounterClass.EMERGENCY,  # emergency department patient visit
}


def document_kind(code: Element | None) -> tuple[DocumentType, str, str]:
    """(document type, LOINC type code, message type) of ClinicalDocument/code."""
    loinc = attr(code, "code")
    kind, name = DOCUMENT_TYPES.get(loinc, (DocumentType.CLINICAL_NOTE, ""))
    name = name or shortened(attr(code, "displayName") or "C-CDA document", 40)
    return kind, text_within(loinc, 20, "ClinicalDocument/code/@code"), name


def read_patient(doc: ReceivedDocument) -> IncomingPatient:
    roles = children(doc.root, "recordTarget/patientRole")
    if len(roles) != 1:
        found = f"names {len(roles)} patients" if roles else "is missing"
        raise Rejected(PATIENT_ROLE, f"{found}; expected exactly one patient (recordTarget)")
    role = roles[0]
    patient = child(role, "patient")
    if patient is None:
        raise Rejected(f"{PATIENT_ROLE}/patient", "is missing; expected the patient's name")
    names = children(patient, "name")
    legal = next((n for n in names if "L" in attr(n, "use").split()), names[0] if names else None)
    given, middle, family, _ = person_name(legal)
    if not family or not given:
        raise Rejected(f"{PATIENT_ROLE}/patient/name", "expected a given and a family name")
    birth_on = date_value(child(patient, "birthTime"))
    if birth_on is None:
        raise Rejected(f"{PATIENT_ROLE}/patient/birthTime", "is missing; expected a birth date")
    identifiers = _identifiers(doc, role)
    mrn = next((i for i in children(role, "id") if _is_record_number(i)), None)
    return IncomingPatient(
        source=(ref_of(mrn, doc.where(mrn)) if mrn is not None else None)
        or doc.derived_ref("patient"),
        family_name=text_within(family, 60, f"{PATIENT_ROLE}/patient/name/family"),
        given_name=text_within(given, 60, f"{PATIENT_ROLE}/patient/name/given"),
        middle_name=text_within(middle, 60, f"{PATIENT_ROLE}/patient/name/given[2]"),
        birth_on=birth_on,
        sex=_sex(attr(child(patient, "administrativeGenderCode"), "code")),
        identifiers=identifiers,
        address=_address(role),
        phone=_phone(role),
    )


def _is_record_number(identifier: Element) -> bool:
    return bool(attr(identifier, "extension")) and attr(identifier, "root") not in {"", SSN_ROOT}


def _identifiers(doc: ReceivedDocument, role: Element) -> tuple[PatientIdentifier, ...]:
    """Record numbers by assigning authority (the id root), and the SSN when it is a real one.

    A masked or invalid SSN ("XXX-XX-1234") is left out rather than failing the document.
    """
    found: list[PatientIdentifier] = []
    for identifier in children(role, "id"):
        root, value = attr(identifier, "root"), attr(identifier, "extension")
        if root == SSN_ROOT:
            ssn = normalize_ssn(value)
            if ssn:
                found.append(PatientIdentifier(IdentifierKind.SSN, US_SSN, ssn))
        elif _is_record_number(identifier):
            where = doc.where(identifier)
            found.append(
                PatientIdentifier(
                    IdentifierKind.MRN,
                    text_within(system_uri(root), 200, f"{where}/@root"),
                    text_within(value, 100, f"{where}/@extension"),
                )
            )
    return tuple(dict.fromkeys(found))


def _sex(code: str) -> AdministrativeSex:
    return {
        "F": AdministrativeSex.FEMALE,
        "M": AdministrativeSex.MALE,
        "UN": AdministrativeSex.OTHER,
    }.get(code.upper(), AdministrativeSex.UNKNOWN)


def _preferred(elements: list[Element], uses: set[str]) -> Element | None:
    preferred = [e for e in elements if set(attr(e, "use").split()) & uses]
    return preferred[0] if preferred else (elements[0] if elements else None)


def _address(role: Element) -> Address:
    """The home address; parts the record cannot keep in its form (a state spelled out) left out."""
    addr = _preferred(children(role, "addr"), {"H", "HP"})
    if addr is None:
        return Address()
    lines = ", ".join(text_of(s) for s in children(addr, "streetAddressLine"))
    state = _part(addr, "state").upper()
    postal = _part(addr, "postalCode")
    return Address(
        line=shortened(lines.strip(", "), 120),
        city=shortened(_part(addr, "city"), 60),
        state=state if state in US_STATES else "",
        postal_code=postal if len(postal) <= 10 else "",
    )


def _part(addr: Element, name: str) -> str:
    return text_of(child(addr, name))


def _phone(role: Element) -> str:
    phones = [t for t in children(role, "telecom") if attr(t, "value").lower().startswith("tel:")]
    telecom = _preferred(phones, {"HP", "H", "MC"})
    number = attr(telecom, "value")[4:].strip()
    return normalize_phone(number) or (number if len(number) <= 20 else "")


def document_author(doc: ReceivedDocument) -> SourceRef | None:
    """The first author who is a person (authoring devices are left out)."""
    for author in children(doc.root, "author"):
        ref = doc.clinician(child(author, "assignedAuthor"))
        if ref is not None:
            return ref
    return None


def signed_at(doc: ReceivedDocument) -> datetime | None:
    """When the document was legally authenticated (C-CDA R2.1 1.1.1.8 legalAuthenticator)."""
    return doc.time(child(doc.root, "legalAuthenticator/time"))


def signed_by(doc: ReceivedDocument) -> SourceRef | None:
    """Who legally authenticated the document, when a clinician the record can name."""
    return doc.clinician(child(doc.root, "legalAuthenticator/assignedEntity"))


def encounter_class(code: Element | None) -> EncounterClass | None:
    """The encounter class an encounter's code names: ActCode, CPT E/M range or SNOMED CT."""
    for coded in [code, *children(code, "translation")]:
        value = attr(coded, "code").upper()
        if value in _ACT_ENCOUNTER:
            return _ACT_ENCOUNTER[value]
        if value.isdigit() and len(value) == 5 and value.startswith("99"):
            return _evaluation_and_management(int(value))
    return None


def _evaluation_and_management(cpt: int) -> EncounterClass:
    if 99281 <= cpt <= 99288:
        return EncounterClass.EMERGENCY
    if 99217 <= cpt <= 99220 or 99224 <= cpt <= 99226 or 99234 <= cpt <= 99236:
        return EncounterClass.OBSERVATION
    if 99221 <= cpt <= 99239 or 99251 <= cpt <= 99255:
        return EncounterClass.INPATIENT
    return EncounterClass.OUTPATIENT


def discharge_disposition(code: Element | None) -> DischargeDisposition | None:
    """A NUBC patient discharge status ("01" home ...) when it is one the record knows."""
    value = attr(code, "code")
    if value.isdigit() and len(value) <= 2:
        try:
            return DischargeDisposition(value.zfill(2))
        except ValueError:
            return None
    return None


def read_encompassing_encounter(
    doc: ReceivedDocument, document_type: DocumentType
) -> IncomingEncounter | None:
    """componentOf/encompassingEncounter: the visit or stay the document belongs to."""
    encounter = child(doc.root, "componentOf/encompassingEncounter")
    if encounter is None:
        return None
    start, end = doc.span(child(encounter, "effectiveTime"))
    if start is None:
        doc.count("Encompassing encounter without a start time")
        return None
    identifier = child(encounter, "id")
    ref = ref_of(identifier, doc.where(encounter)) or doc.derived_ref("encounter")
    inpatient = document_type is DocumentType.DISCHARGE_SUMMARY
    default = EncounterClass.INPATIENT if inpatient else EncounterClass.OUTPATIENT
    participants = [
        p for p in children(encounter, "encounterParticipant") if attr(p, "typeCode") == "ATND"
    ]
    attending = doc.clinician(child(encounter, "responsibleParty/assignedEntity"))
    if attending is None and participants:
        attending = doc.clinician(child(participants[0], "assignedEntity"))
    return IncomingEncounter(
        source=ref,
        encounter_class=encounter_class(child(encounter, "code")) or default,
        admitted_at=start,
        status=EncounterStatus.DISCHARGED if end else EncounterStatus.IN_PROGRESS,
        discharged_at=end,
        attending=attending,
        discharge_disposition=discharge_disposition(child(encounter, "dischargeDispositionCode")),
    )
