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
# Practitioner: a resident or student, whose notes need an attending's co-signature.
EXTENSION_RESIDENT = "urn:himdesk:fhir:extension:resident"
# An allergy severity in the record's own words ("moderate to severe"), beyond FHIR's codes.
EXTENSION_ALLERGY_SEVERITY = "urn:himdesk:fhir:extension:allergy-severity"
# Condition: the encounter's principal diagnosis (also Encounter.diagnosis rank 1), so that a
# Condition read without its Encounter (NDJSON by type) still says so.
EXTENSION_PRINCIPAL_DIAGNOSIS = "urn:himdesk:fhir:extension:principal-diagnosis"
# Procedure: tissue went to pathology (the record then expects a pathology report).
EXTENSION_TISSUE_REMOVED = "urn:himdesk:fhir:extension:tissue-removed"
# DocumentReference: a resident's or student's note awaiting, or with, an attending's
# co-signature (the signer is DocumentReference.authenticator, who co-signed and when here).
EXTENSION_COSIGNATURE_REQUIRED = "urn:himdesk:fhir:extension:cosignature-required"
EXTENSION_COSIGNED_BY = "urn:himdesk:fhir:extension:cosigned-by"
EXTENSION_COSIGNED_AT = "urn:himdesk:fhir:extension:cosigned-at"
# The side of the body on Condition.bodySite / Procedure.bodySite: mCODE's laterality
# qualifier (HL7 US Realm, R4), for a body site whose side is known but not its SNOMED code.
# https://hl7.org/fhir/us/mcode/StructureDefinition-mcode-laterality-qualifier.html
LATERALITY_QUALIFIER = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier"


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

# SNOMED CT laterality qualifier values (the record keeps the side as a word, at most 10
# characters: "left", "right", "bilateral" as the workstation and the demo write it).
LATERALITY_CODES = {
    "left": ("7771000", "Left"),
    "right": ("24028007", "Right"),
    "bilateral": ("51440002", "Right and left"),
}
_SIDE_WORDS = {"l": "left", "lt": "left", "r": "right", "rt": "right", "both": "bilateral",
               "b": "bilateral", "bilat": "bilateral"}  # fmt: skip
LATERALITY_BY_CODE = {code: side for side, (code, _display) in LATERALITY_CODES.items()}


def side_of(laterality: str) -> str:
    """The side a laterality names ("left", "right", "bilateral"), or "" when it names none."""
    word = laterality.strip().lower().rstrip(".")
    word = _SIDE_WORDS.get(word, word)
    return word if word in LATERALITY_CODES else ""


# v3 ActCode information-sensitivity codes for labelled documents (meta.security), with the
# v3 Confidentiality code R (restricted) beside them; one code per category of
# domain/sensitivity.py (the workstation's "Restricted document (<label>)").
# https://terminology.hl7.org/ValueSet-v3-InformationSensitivityPolicy.html
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
# What other senders label documents with, read back as the nearest category the record
# has: every category's own code, and the codes of the same policies by other names (PSY
# psychiatry, PSYTHPN psychotherapy note, SUD substance use disorder, the 42 CFR Part 2
# policy code, STD sexually transmitted disease).
SENSITIVITY_BY_CODE = {
    **{code: category for category, (code, _display) in SENSITIVITY_CODES.items()},
    "PSY": SensitiveCategory.BEHAVIORAL_HEALTH,
    "PSYTHPN": SensitiveCategory.BEHAVIORAL_HEALTH,
    "SUD": SensitiveCategory.SUBSTANCE_USE,
    "42CFRPart2": SensitiveCategory.SUBSTANCE_USE,
    "STD": SensitiveCategory.HIV_STI,
}
# One document, several labels: the record keeps one, the one whose law is strictest first.
SENSITIVITY_PRECEDENCE = (
    SensitiveCategory.SUBSTANCE_USE,
    SensitiveCategory.HIV_STI,
    SensitiveCategory.BEHAVIORAL_HEALTH,
    SensitiveCategory.REPRODUCTIVE_HEALTH,
    SensitiveCategory.EMPLOYEE,
    SensitiveCategory.VIP,
)
# The v3 ActCode system as R4 names it, as earlier FHIR versions named it, and as an OID.
ACT_CODE_SYSTEMS = frozenset(
    {ACT_CODE, "http://hl7.org/fhir/v3/ActCode", "urn:oid:2.16.840.1.113883.5.4"}
)

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
