"""What services need from storage, as protocols; `storage` implements them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from himdesk.domain.access import Role
from himdesk.domain.audit import AuditEntry, SealedAuditEvent
from himdesk.domain.records import (
    Allergy,
    ClinicalDocument,
    Clinician,
    Diagnosis,
    DocumentStatus,
    DocumentType,
    Encounter,
    Medication,
    Observation,
    Patient,
    Procedure,
)
from himdesk.domain.versions import RecordVersion

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role
    password_hash: str
    active: bool = True
    clinician_id: int | None = None


@dataclass(frozen=True)
class WebSession:
    id: int
    user_id: int
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class NameCriteria:
    """A name to find, with its normalised form, sound key and near spellings."""

    norm: str
    sound: str


@dataclass(frozen=True)
class PatientCandidate:
    id: int
    mrn: str
    family_name: str
    given_name: str
    middle_name: str
    birth_on: date
    sex: str
    family_norm: str
    given_norm: str


@dataclass(frozen=True)
class DocumentHeader:
    """A document in the chart's list, without its text (read when opened)."""

    id: int
    encounter_id: int | None
    document_type: DocumentType
    title: str
    authored_at: datetime
    author_id: int
    status: DocumentStatus
    signed_at: datetime | None
    version: int


class PatientRepository(Protocol):
    def add(self, patient: Patient) -> Patient: ...
    def get(self, patient_id: int) -> Patient: ...
    def find_by_mrn(self, mrn: str) -> Patient | None: ...
    def update(self, patient: Patient) -> None: ...
    def candidates_by_mrn(self, mrn: str) -> Sequence[PatientCandidate]: ...
    def candidates_by_name(
        self, family: NameCriteria, near_spellings: Sequence[str], birth_on: date | None, limit: int
    ) -> Sequence[PatientCandidate]: ...
    def candidates_by_birth_date(
        self, birth_on: date, limit: int
    ) -> Sequence[PatientCandidate]: ...
    def known_names(self) -> Sequence[str]: ...


class ChartRepository(Protocol):
    def encounters(self, patient_id: int) -> Sequence[Encounter]: ...
    def encounter(self, encounter_id: int) -> Encounter | None: ...
    def document_headers(self, patient_id: int) -> Sequence[DocumentHeader]: ...
    def document(self, document_id: int) -> ClinicalDocument | None: ...
    def observations(self, patient_id: int) -> Sequence[Observation]: ...
    def diagnoses(self, patient_id: int) -> Sequence[Diagnosis]: ...
    def procedures(self, patient_id: int) -> Sequence[Procedure]: ...
    def medications(self, patient_id: int) -> Sequence[Medication]: ...
    def allergies(self, patient_id: int) -> Sequence[Allergy]: ...
    def add_encounter(self, encounter: Encounter) -> Encounter: ...
    def add_document(self, document: ClinicalDocument) -> ClinicalDocument: ...
    def update_document(self, document: ClinicalDocument) -> None: ...
    def add_observation(self, observation: Observation) -> Observation: ...
    def add_diagnosis(self, diagnosis: Diagnosis) -> Diagnosis: ...
    def add_procedure(self, procedure: Procedure) -> Procedure: ...
    def add_medication(self, medication: Medication) -> Medication: ...
    def add_allergy(self, allergy: Allergy) -> Allergy: ...


class ClinicianRepository(Protocol):
    def add(self, clinician: Clinician) -> Clinician: ...
    def get_many(self, ids: set[int]) -> dict[int, Clinician]: ...
    def list_all(self) -> Sequence[Clinician]: ...


class VersionRepository(Protocol):
    def add(self, version: RecordVersion) -> None: ...
    def list_for_patient(self, patient_id: int) -> Sequence[RecordVersion]: ...
    def list_for(self, entity_type: str, entity_id: int) -> Sequence[RecordVersion]: ...


class AuditRepository(Protocol):
    def append(self, entry: AuditEntry) -> SealedAuditEvent: ...
    def iterate(self, batch_size: int = 10_000) -> Iterator[SealedAuditEvent]: ...
    def list_for_patient(self, patient_id: int, limit: int) -> Sequence[SealedAuditEvent]: ...
    def count(self) -> int: ...


class UserRepository(Protocol):
    def add(self, user: User) -> User: ...
    def find_by_username(self, username: str) -> User | None: ...
    def find(self, user_id: int) -> User | None: ...
    def update_password(self, user_id: int, password_hash: str) -> None: ...


class SessionRepository(Protocol):
    def add(
        self, token_hash: str, user_id: int, csrf_token: str, now: datetime, client: str
    ) -> None: ...
    def find(self, token_hash: str) -> WebSession | None: ...
    def touch(self, session_id: int, now: datetime) -> None: ...
    def remove(self, session_id: int) -> None: ...
    def remove_idle_since(self, cutoff: datetime) -> int: ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the block without `commit()` rolls everything back."""

    @property
    def patients(self) -> PatientRepository: ...
    @property
    def chart(self) -> ChartRepository: ...
    @property
    def clinicians(self) -> ClinicianRepository: ...
    @property
    def versions(self) -> VersionRepository: ...
    @property
    def audit(self) -> AuditRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def sessions(self) -> SessionRepository: ...
    @property
    def clock(self) -> Clock: ...

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
