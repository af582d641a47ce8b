"""Test doubles: a clock tests can set and move, and a small record builder."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from himdesk.domain.audit import GENESIS_HASH, AuditEntry, SealedAuditEvent, seal
from himdesk.domain.records import (
    AbnormalFlag,
    Address,
    AdministrativeSex,
    Allergy,
    ClinicalDocument,
    Clinician,
    DischargeDisposition,
    DocumentStatus,
    DocumentType,
    Encounter,
    EncounterClass,
    EncounterStatus,
    Observation,
    Patient,
)
from himdesk.domain.sensitivity import SensitiveCategory
from himdesk.services.ports import UnitOfWork

T0 = datetime(2026, 11, 2, 14, 30, tzinfo=UTC)


@dataclass
class FakeClock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class ChartBuilder:
    """Writes a small, known chart straight through the repositories (test set-up only)."""

    uow: UnitOfWork
    made: dict[str, int] = field(default_factory=dict)

    def clinician(
        self, family: str = "Osler", resident: bool = False, npi: str = "1000000001"
    ) -> Clinician:
        return self.uow.clinicians.add(
            Clinician(0, npi, family, "William", "MD", "Internal Medicine", is_resident=resident)
        )

    def patient(
        self,
        mrn: str = "M0000001",
        family: str = "Nguyen",
        given: str = "Linh",
        born: date = date(1961, 4, 9),
        ssn: str = "123-45-6789",
    ) -> Patient:
        return self.uow.patients.add(
            Patient(
                facility="HIMDESK-GENERAL",
                mrn=mrn,
                family_name=family,
                given_name=given,
                birth_on=born,
                sex=AdministrativeSex.FEMALE,
                middle_name="Thi",
                address=Address("12 Elm St", "Springfield", "MA", "01103"),
                phone="(555) 010-0199",
                ssn=ssn,
            )
        )

    def inpatient_stay(
        self, patient: Patient, attending: Clinician, account: str = "A1"
    ) -> Encounter:
        assert patient.id is not None
        return self.uow.chart.add_encounter(
            Encounter(
                patient_id=patient.id,
                encounter_class=EncounterClass.INPATIENT,
                admitted_at=T0 - timedelta(days=5),
                discharged_at=T0 - timedelta(days=1),
                account_number=account,
                status=EncounterStatus.DISCHARGED,
                attending_id=attending.id,
                discharge_disposition=DischargeDisposition.HOME,
                service="Medicine",
            )
        )

    def document(
        self,
        patient: Patient,
        encounter: Encounter,
        author: Clinician,
        kind: DocumentType = DocumentType.DISCHARGE_SUMMARY,
        signed: bool = True,
        text: str = "Discharge summary. The patient denies chest pain.",
        sensitivity: SensitiveCategory | None = None,
        at: datetime = T0 - timedelta(days=1),
    ) -> ClinicalDocument:
        """Written at `at`, signed four hours later unless `signed` is False."""
        assert patient.id is not None
        return self.uow.chart.add_document(
            ClinicalDocument(
                patient_id=patient.id,
                encounter_id=encounter.id,
                document_type=kind,
                author_id=author.id,
                authored_at=at,
                title=kind.label,
                text=text,
                status=DocumentStatus.SIGNED if signed else DocumentStatus.DRAFT,
                signed_by_id=author.id if signed else None,
                signed_at=at + timedelta(hours=4) if signed else None,
                sensitivity=sensitivity,
            )
        )

    def sodium(
        self, patient: Patient, encounter: Encounter, value: str, hours_ago: int
    ) -> Observation:
        assert patient.id is not None
        flag = AbnormalFlag.LOW if Decimal(value) < 135 else AbnormalFlag.NORMAL
        return self.uow.chart.add_observation(
            Observation(
                patient_id=patient.id,
                encounter_id=encounter.id,
                code="2951-2",
                display="Sodium",
                value=Decimal(value),
                unit="mmol/L",
                observed_at=T0 - timedelta(hours=hours_ago),
                reference_low=Decimal(135),
                reference_high=Decimal(145),
                flag=flag,
            )
        )

    def allergy(self, patient: Patient, substance: str = "Penicillin") -> Allergy:
        assert patient.id is not None
        return self.uow.chart.add_allergy(
            Allergy(
                patient_id=patient.id,
                substance=substance,
                reaction="Hives",
                severity="moderate",
                recorded_on=date(2020, 1, 5),
            )
        )


def audit_entry(n: int, start: datetime, **changes: object) -> AuditEntry:
    """The n-th of a run of chart reads by one technician, a minute apart from `start`."""
    entry = AuditEntry(
        occurred_at=start + timedelta(minutes=n), user_id=7, username="jdoe", role="hit",
        action="chart.read", patient_id=100 + n, object_type="patient", object_id=str(100 + n),
        client_address="10.0.0.5", purpose="HOPERAT",
    )  # fmt: skip
    return replace(entry, **changes)  # type: ignore[arg-type]


def sealed_chain(entries: list[AuditEntry]) -> list[SealedAuditEvent]:
    events: list[SealedAuditEvent] = []
    previous = GENESIS_HASH
    for sequence, entry in enumerate(entries, start=1):
        events.append(seal(entry, sequence, previous))
        previous = events[-1].event_hash
    return events
