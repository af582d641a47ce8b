"""The code systems and value maps between himdesk's record and FHIR R4, both ways.

The outbound mapping writes these; the inbound reader should read the same codes back, so that
an import -> export -> import round trip keeps everything the record holds. Where FHIR has no
element for something the record keeps (the UB-04 discharge status, the time a document was
signed), himdesk writes a standard code system beside the HL7 one or a himdesk extension.

Terminology: https://hl7.org/fhir/R4/terminologies-systems.html
"""

from __future__ import annotations

from himdesk.domain.records import (
    AbnormalFlag,
    AdministrativeSex,
    DischargeDisposition,
    DocumentStatus,
    DocumentType,
    EncounterClass,
    EncounterStatus,
)
from himdesk.domain.sensitivity import SensitiveCategory

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10PCS = "http://www.cms.gov/Medicare/Coding/ICD10"
CPT = "http://www.ama-assn.org/go/cpt"
UCUM = "http://unitsofmeasure.org"
NPI = "http://hl7.org/fhir/sid/us-npi"
US_SSN = "http://hl7.org/fhir/sid/us-ssn"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
HL7_DISCHARGE = "http://terminology.hl7.org/CodeSystem/discharge-disposition"
# UB-04 patient discharge status (NUBC), as the CARIN Blue Button IG names it: lossless.
NUBC_DISCHARGE = "https://www.nubc.org/CodeSystem/PatDischargeStatus"

# himdesk's own systems: the hospital MRN (per facility), account numbers, document kinds.
HIMDESK_MRN_PREFIX = "urn:himdesk:mrn:"
HIMDESK_ACCOUNT_PREFIX = "urn:himdesk:account:"
HIMDESK_DOCUMENT_TYPE = "urn:himdesk:document-type"
EXTENSION_SIGNED_AT = "urn:himdesk:fhir:extension:signed-at"
EXTENSION_SPECIALTY = "urn:himdesk:fhir:extension:specialty"
# An allergy severity in the record's own words ("moderate to severe"), beyond FHIR's codes.
EXTENSION_ALLERGY_SEVERITY = "urn:himdesk:fhir:extension:allergy-severity"


def mrn_system(facility: str) -> str:
    return f"{HIMDESK_MRN_PREFIX}{facility}"


def account_system(facility: str) -> str:
    return f"{HIMDESK_ACCOUNT_PREFIX}{facility}"


# https://hl7.org/fhir/R4/v3/ActEncounterCode/vs.html
ENCOUNTER_CLASS_CODES = {
    EncounterClass.INPATIENT: ("IMP", "inpatient encounter"),
    EncounterClass.OUTPATIENT: ("AMB", "ambulatory"),
    EncounterClass.EMERGENCY: ("EMER", "emergency"),
    EncounterClass.OBSERVATION: ("OBSENC", "observation encounter"),
}

# https://hl7.org/fhir/R4/valueset-encounter-status.html
ENCOUNTER_STATUS_CODES = {
    EncounterStatus.PLANNED: "planned",
    EncounterStatus.IN_PROGRESS: "in-progress",
    EncounterStatus.DISCHARGED: "finished",
    EncounterStatus.CANCELLED: "cancelled",
}

# UB-04 status -> the nearest code of https://hl7.org/fhir/R4/codesystem-discharge-disposition.html
HL7_DISCHARGE_CODES = {
    DischargeDisposition.HOME: "home",
    DischargeDisposition.SKILLED_NURSING: "snf",
    DischargeDisposition.HOME_HEALTH: "home",
    DischargeDisposition.LEFT_AMA: "aadvice",
    DischargeDisposition.EXPIRED: "exp",
    DischargeDisposition.HOSPICE_HOME: "hosp",  # "hosp" is hospice in this code system
    DischargeDisposition.SHORT_TERM_HOSPITAL: "other-hcf",
    DischargeDisposition.REHAB: "rehab",
}

# LOINC document ontology codes for the record's document types.
DOCUMENT_LOINC = {
    DocumentType.HISTORY_AND_PHYSICAL: ("34117-2", "History and physical note"),
    DocumentType.PROGRESS_NOTE: ("11506-3", "Progress note"),
    DocumentType.CONSULTATION: ("11488-4", "Consult note"),
    DocumentType.OPERATIVE_REPORT: ("11504-8", "Surgical operation note"),
    DocumentType.DISCHARGE_SUMMARY: ("18842-5", "Discharge summary"),
    DocumentType.PATHOLOGY_REPORT: ("11526-1", "Pathology study"),
    DocumentType.RADIOLOGY_REPORT: ("18748-4", "Diagnostic imaging study"),
    DocumentType.ED_NOTE: ("34111-5", "Emergency department note"),
    DocumentType.ADDENDUM: ("55107-7", "Addendum document"),
    DocumentType.CLINICAL_NOTE: ("34109-9", "Note"),
}

# https://hl7.org/fhir/R4/valueset-composition-status.html (DocumentReference.docStatus)
DOCUMENT_STATUS_CODES = {
    DocumentStatus.DRAFT: "preliminary",
    DocumentStatus.SIGNED: "final",
    DocumentStatus.AMENDED: "amended",
}

# v3 ActCode information-sensitivity codes for labelled documents (meta.security).
SENSITIVITY_CODES = {
    SensitiveCategory.BEHAVIORAL_HEALTH: ("BH", "behavioral health information sensitivity"),
    SensitiveCategory.SUBSTANCE_USE: ("ETH", "substance abuse information sensitivity"),
    SensitiveCategory.HIV_STI: ("HIV", "HIV/AIDS information sensitivity"),
    SensitiveCategory.REPRODUCTIVE_HEALTH: (
        "SEX",
        "sexuality and reproductive health information sensitivity",
    ),
    SensitiveCategory.VIP: ("CEL", "celebrity information sensitivity"),
    SensitiveCategory.EMPLOYEE: ("EMP", "employee information sensitivity"),
}

GENDER_CODES = {
    AdministrativeSex.FEMALE: "female",
    AdministrativeSex.MALE: "male",
    AdministrativeSex.OTHER: "other",
    AdministrativeSex.UNKNOWN: "unknown",
}

# HL7 v2 table 0078 and the v3 interpretation codes share these codes.
INTERPRETATION_DISPLAY = {
    AbnormalFlag.NORMAL: "Normal",
    AbnormalFlag.LOW: "Low",
    AbnormalFlag.HIGH: "High",
    AbnormalFlag.CRITICAL_LOW: "Critical low",
    AbnormalFlag.CRITICAL_HIGH: "Critical high",
}

# Code systems as other formats name them (C-CDA OIDs, HL7 v2 coding system ids) -> FHIR URIs.
_SYSTEM_URIS = {
    "2.16.840.1.113883.6.1": LOINC,
    "2.16.840.1.113883.6.96": SNOMED,
    "2.16.840.1.113883.6.88": RXNORM,
    "2.16.840.1.113883.6.90": ICD10CM,
    "2.16.840.1.113883.6.4": ICD10PCS,
    "2.16.840.1.113883.6.12": CPT,
    "LN": LOINC,
    "SCT": SNOMED,
    "SNM": SNOMED,
    "RXNORM": RXNORM,
    "I10": ICD10CM,
    "I10C": ICD10CM,
    "ICD10CM": ICD10CM,
    "I10P": ICD10PCS,
    "CPT": CPT,
    "C4": CPT,
}


def system_uri(code_system: str) -> str:
    """The FHIR URI of a code system the record names: URIs as they are, known OIDs and HL7 v2
    names by their canonical URI, other OIDs as `urn:oid:`; "" for the hospital's own codes."""
    code_system = code_system.strip()
    if not code_system or ":" in code_system:
        return code_system
    known = _SYSTEM_URIS.get(code_system) or _SYSTEM_URIS.get(code_system.upper())
    if known:
        return known
    if code_system.replace(".", "").isdigit():
        return f"urn:oid:{code_system}"
    return f"urn:himdesk:code-system:{code_system}"


def system_names(uri: str) -> tuple[str, ...]:
    """Every way the record may hold a code system a search names by URI (the inverse of
    `system_uri`): "" is the hospital's own codes."""
    if not uri:
        return ("",)
    names = [uri, *(name for name, known in _SYSTEM_URIS.items() if known == uri)]
    if uri.startswith("urn:oid:"):
        names.append(uri.removeprefix("urn:oid:"))
    return tuple(dict.fromkeys(names))
