"""Hand-built incoming submissions for import tests (what a reader would produce)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, Role
from himdesk.domain.incoming import (
    IdentifierKind,
    IncomingAllergy,
    IncomingChart,
    IncomingClinician,
    IncomingDiagnosis,
    IncomingDocument,
    IncomingEncounter,
    IncomingMedication,
    IncomingObservation,
    IncomingPatient,
    IncomingProcedure,
    PatientIdentifier,
    SourceFormat,
    SourceRef,
    Submission,
)
from himdesk.domain.records import (
    Address,
    AdministrativeSex,
    DocumentType,
    EncounterClass,
    EncounterStatus,
)

IMPORTER = Actor(user_id=41, username="ines", role=Role.HIM_MANAGER)
ADMITTED = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)
SSN_SYSTEM = "http://hl7.org/fhir/sid/us-ssn"


def ref(kind: str, value: str, system: str = "urn:fhir") -> SourceRef:
    return SourceRef(system, f"{kind}/{value}")


def a_patient(
    key: str = "p1",
    family: str = "Lindqvist",
    given: str = "Astrid",
    born: date = date(1958, 3, 14),
    mrn: str = "",
    ssn: str = "",
    sex: AdministrativeSex = AdministrativeSex.FEMALE,
    postal_code: str = "02139",
) -> IncomingPatient:
    identifiers = []
    if mrn:
        identifiers.append(PatientIdentifier(IdentifierKind.MRN, "urn:oid:2.16.840.1.99", mrn))
    if ssn:
        identifiers.append(PatientIdentifier(IdentifierKind.SSN, SSN_SYSTEM, ssn))
    return IncomingPatient(
        source=ref("Patient", key),
        family_name=family,
        given_name=given,
        birth_on=born,
        sex=sex,
        identifiers=tuple(identifiers),
        address=Address("4 Brattle St", "Cambridge", "MA", postal_code),
        phone="617-555-0142",
    )


def a_clinician(key: str = "d1", npi: str = "1234567893") -> IncomingClinician:
    return IncomingClinician(ref("Practitioner", key), "Okonkwo", "Ada", npi, "MD", "Medicine")


def a_chart(
    patient: IncomingPatient | SourceRef | None = None, visit: str = "e1", doctor: str = "d1"
) -> IncomingChart:
    """A discharged inpatient stay with one of every part."""
    encounter = ref("Encounter", visit)
    author = ref("Practitioner", doctor)
    return IncomingChart(
        patient=patient or a_patient(),
        encounters=(
            IncomingEncounter(
                encounter,
                EncounterClass.INPATIENT,
                ADMITTED,
                EncounterStatus.DISCHARGED,
                account_number=f"V-{visit}",
                discharged_at=ADMITTED + timedelta(days=3),
                attending=author,
                service="Medicine",
            ),
        ),
        documents=(
            IncomingDocument(
                ref("DocumentReference", f"{visit}-ds"),
                DocumentType.DISCHARGE_SUMMARY,
                ADMITTED + timedelta(days=3),
                "Discharge summary",
                "Pneumonia, treated, discharged home.",
                encounter=encounter,
                author=author,
                type_code="18842-5",
            ),
        ),
        observations=(
            IncomingObservation(
                ref("Observation", f"{visit}-na"),
                "2951-2",
                "Sodium",
                Decimal("138"),
                "mmol/L",
                ADMITTED,
                code_system="http://loinc.org",
                encounter=encounter,
            ),
        ),
        diagnoses=(
            IncomingDiagnosis(
                ref("Condition", f"{visit}-pna"),
                "Pneumonia",
                ADMITTED,
                code="233604007",
                code_system="http://snomed.info/sct",
                encounter=encounter,
                documented_by=author,
            ),
        ),
        procedures=(
            IncomingProcedure(
                ref("Procedure", f"{visit}-xr"),
                "Chest X-ray",
                ADMITTED,
                encounter=encounter,
                performed_by=author,
            ),
        ),
        medications=(
            IncomingMedication(
                ref("MedicationRequest", f"{visit}-amox"),
                "Amoxicillin",
                ADMITTED.date(),
                dose="500 mg",
                route="oral",
                frequency="three times daily",
                encounter=encounter,
            ),
        ),
        allergies=(
            IncomingAllergy(
                ref("AllergyIntolerance", f"{visit}-pcn"),
                "Penicillin",
                ADMITTED.date(),
                reaction="Hives",
                severity="moderate",
            ),
        ),
    )


def a_submission(
    *charts: IncomingChart,
    label: str = "bundle.json",
    clinicians: tuple[IncomingClinician, ...] | None = None,
    format: SourceFormat = SourceFormat.FHIR,  # noqa: A002
    fingerprint: str = "",
) -> Submission:
    charts = charts or (a_chart(),)
    submission = Submission(
        format=format,
        label=label,
        fingerprint="",
        charts=charts,
        clinicians=(a_clinician(),) if clinicians is None else clinicians,
        not_held=(("Claim", 2),),
        message_type="Bundle/transaction",
        control_id=label,
    )
    digest = fingerprint or hashlib.sha256(repr(submission).encode()).hexdigest()
    return replace(submission, fingerprint=digest)


def refingerprinted(submission: Submission, salt: str) -> Submission:
    """The same content as if it came in another file (other bytes, same parts)."""
    return replace(
        submission,
        label=salt,
        fingerprint=hashlib.sha256((submission.fingerprint + salt).encode()).hexdigest(),
    )


def queue_examples(himdesk: Himdesk) -> dict[str, str]:
    """One import held and one rejection queued, beside the web tests' seeded Nguyen, Linh
    (ids for the route tables): an incoming Nguyen, Mai of the same birth date is unsure."""
    from himdesk.services.imports import import_submission, record_rejection

    held = a_submission(
        a_chart(a_patient("nguyen", family="Nguyen", given="Mai", born=date(1961, 4, 9))),
        label="nguyen.json",
    )
    with himdesk.unit_of_work() as uow:
        outcome = import_submission(uow, IMPORTER, held)
        rejection_id = record_rejection(
            uow,
            IMPORTER,
            format="hl7v2",
            label="feed.hl7 message 1",
            channel="file",
            reason="message 1, PID-7: not a date",
            payload=b"MSH|^~\\&|LAB|X\rPID|1||1",
        )
    assert outcome.hold_id is not None, outcome
    return {"hold_id": str(outcome.hold_id), "rejection_id": str(rejection_id)}
