"""What services need from storage, as protocols; `storage` implements them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from himdesk.domain.access import Role
from himdesk.domain.access_review import AccessFlag, Disposition
from himdesk.domain.amendments import AmendmentRequest, AmendmentTarget
from himdesk.domain.audit import AuditEntry, ChainWalk, SealedAuditEvent
from himdesk.domain.audit_checkpoints import AuditCheckpoint, CheckpointSigner
from himdesk.domain.chart_review import ChartReview, ChartStatus, Resolution, TrackedDeficiency
from himdesk.domain.completeness import Deficiency, EncounterRecord
from himdesk.domain.delinquency import ClinicianDelinquency, ServiceDelinquency
from himdesk.domain.queries import PhysicianQuery, QueryStatus
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
from himdesk.domain.restrictions import AccessGrant
from himdesk.domain.rule_book import RuleBook
from himdesk.domain.sensitivity import SensitiveCategory
from himdesk.domain.sign_in import SessionStage
from himdesk.domain.versions import RecordVersion

Clock = Callable[[], datetime]
PatientsById = Callable[[set[int]], dict[int, Patient]]
NewDeficiency = tuple[int, int, Deficiency]  # encounter id, patient id, what was found


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role
    password_hash: str
    active: bool = True
    clinician_id: int | None = None
    # Consecutive failed logins and the pause they earned (domain/sign_in.py).
    failed_logins: int = 0
    paused_until: datetime | None = None


@dataclass(frozen=True)
class WebSession:
    id: int
    user_id: int
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    stage: SessionStage = SessionStage.ACTIVE


@dataclass(frozen=True)
class Authenticator:
    """A user's TOTP authenticator (RFC 6238); `enrolled_at` None until they confirm a code."""

    user_id: int
    secret: str
    enrolled_at: datetime | None
    last_used_step: int | None


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
    sensitivity: SensitiveCategory | None = None


class PatientRepository(Protocol):
    def add(self, patient: Patient) -> Patient: ...
    def get(self, patient_id: int) -> Patient: ...
    def get_many(self, patient_ids: set[int]) -> dict[int, Patient]: ...
    def find_by_mrn(self, mrn: str) -> Patient | None: ...
    def mrns_of(self, patient_ids: set[int]) -> dict[int, str]: ...
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
    def discharged_encounters(
        self, encounter_id: int | None = None, *, after: int = 0, limit: int | None = None
    ) -> Sequence[Encounter]:
        """In id order: one, all, or a page of `limit` with ids above `after`."""
        ...

    def encounter_documents(self, encounter_id: int) -> Sequence[ClinicalDocument]: ...
    def encounter_procedures(self, encounter_id: int) -> Sequence[Procedure]: ...
    def encounter_records(
        self, encounters: Sequence[Encounter], patients: PatientsById
    ) -> list[EncounterRecord]:
        """Each encounter with everything chart analysis reads, loaded in a few queries."""
        ...

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


class ChartReviewRepository(Protocol):
    def tracked(self, encounter_ids: Collection[int]) -> dict[int, list[TrackedDeficiency]]:
        """Open deficiencies and those closed for good (answered, waived), per encounter."""
        ...

    def history(self, encounter_id: int) -> Sequence[TrackedDeficiency]: ...
    def find(self, deficiency_id: int) -> TrackedDeficiency | None: ...
    def add(self, found: Sequence[NewDeficiency], at: datetime, by: str) -> None: ...
    def clear(
        self, ids: Collection[int], at: datetime, by: str, resolution: Resolution, note: str = ""
    ) -> int:
        """Close the open ones among `ids`; how many were still open."""
        ...

    def blocking_count(self, encounter_id: int) -> int:
        """Open deficiencies that keep the chart from completing."""
        ...

    def reviews(self, encounter_ids: Collection[int]) -> dict[int, ChartReview]: ...
    def save_reviews(self, reviews: Sequence[ChartReview], existing: Collection[int]) -> None: ...
    def open_for_assignee(self, clinician_id: int) -> Sequence[TrackedDeficiency]:
        """The clinician's open deficiencies, the soonest due first (their inbox)."""
        ...


@dataclass(frozen=True)
class QueryListing:
    """A physician query with what its worklists show beside it."""

    query: PhysicianQuery
    mrn: str
    patient_name: str
    account_number: str
    attending_id: int | None


class PhysicianQueryRepository(Protocol):
    def add(self, query: PhysicianQuery) -> PhysicianQuery: ...
    def find(self, query_id: int) -> PhysicianQuery | None: ...
    def record_answer(self, query: PhysicianQuery) -> bool:
        """Store the answer unless the query was answered or changed meanwhile (then False)."""
        ...

    def escalate(self, query: PhysicianQuery) -> bool:
        """Mark it escalated unless it was answered or escalated meanwhile (then False)."""
        ...

    def listed(
        self,
        statuses: Collection[QueryStatus] = (),
        limit: int = 500,
        addressee_id: int | None = None,
    ) -> Sequence[QueryListing]: ...
    def due_for_escalation(self, now: datetime) -> Sequence[QueryListing]: ...
    def all_queries(self) -> Sequence[PhysicianQuery]: ...
    def waiting_about(self, deficiency_id: int) -> PhysicianQuery | None:
        """An unanswered (open or escalated) query about this deficiency, if any."""
        ...


@dataclass(frozen=True)
class ChartWorkItem:
    """A discharged chart on the completeness worklist, with its patient and attending."""

    encounter_id: int
    patient_id: int
    mrn: str
    patient_name: str  # "" when the chart is hidden from this user (VIP, employee)
    account_number: str
    encounter_class: str
    discharged_at: datetime
    attending: str
    service: str
    status: ChartStatus
    open_deficiencies: int
    restricted: bool = False


@dataclass(frozen=True)
class ChartList:
    """The first charts of a worklist and how many there are in all."""

    charts: Sequence[ChartWorkItem]
    total: int

    @property
    def not_shown(self) -> int:
        return self.total - len(self.charts)


class WorklistRepository(Protocol):
    def charts(self, status: ChartStatus, limit: int) -> ChartList:
        """Charts in this status, the oldest discharge first."""
        ...

    def open_by_age(self, today: date) -> dict[tuple[str, int], int]:
        """Open deficiencies per (kind, index in domain.delinquency.AGE_BANDS)."""
        ...

    def delinquency_by_service(self, today: date, start: date) -> Sequence[ServiceDelinquency]:
        """Every service with discharges in the 12 months or delinquent records now."""
        ...

    def delinquency_by_clinician(self, today: date) -> Sequence[ClinicianDelinquency]: ...


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
    def append_many(self, entries: Sequence[AuditEntry]) -> list[SealedAuditEvent]:
        """Seal the entries onto the chain in order, together (one tip read, one insert)."""
        ...

    def iterate(self, batch_size: int = 10_000) -> Iterator[SealedAuditEvent]: ...
    def list_for_patient(self, patient_id: int, limit: int) -> Sequence[SealedAuditEvent]: ...
    def list_for_user(self, username: str, limit: int) -> Sequence[SealedAuditEvent]: ...
    def count(self) -> int: ...
    def checkpoint_now(self) -> AuditCheckpoint | None:
        """Sign a checkpoint at the chain's tip, unless the latest one is there already."""
        ...

    def list_checkpoints(self) -> Sequence[AuditCheckpoint]: ...
    def last_sequence(self) -> int: ...
    def hashes_at(self, sequences: Collection[int]) -> Mapping[int, str]: ...
    def walk_chain(self, through: int) -> ChainWalk:
        """Check every event numbered up to `through`: numbering, links, own hashes."""
        ...


class UserRepository(Protocol):
    def add(self, user: User) -> User: ...
    def find_by_username(self, username: str) -> User | None: ...
    def find(self, user_id: int) -> User | None: ...
    def update_password(self, user_id: int, password_hash: str) -> None: ...
    def count_failed_login(self, user_id: int) -> int:
        """Add one consecutive failure and return the new count (atomic)."""
        ...

    def pause(self, user_id: int, until: datetime) -> None: ...
    def clear_failed_logins(self, user_id: int) -> None: ...


class AuthenticatorRepository(Protocol):
    def find(self, user_id: int) -> Authenticator | None: ...
    def start_enrollment(self, user_id: int, secret: str) -> None: ...
    def enroll(self, user_id: int, secret: str, now: datetime) -> None: ...
    def confirm(self, user_id: int, now: datetime) -> None: ...
    def claim_step(self, user_id: int, step: int) -> bool:
        """Mark a TOTP time step used; False when it (or a later one) was used already."""
        ...

    def replace_recovery_codes(self, user_id: int, digests: Sequence[str]) -> None: ...
    def use_recovery_code(self, user_id: int, digest: str, now: datetime) -> bool:
        """Spend an unused recovery code; False when unknown or already spent."""
        ...

    def remove(self, user_id: int) -> None:
        """Forget the user's authenticator and recovery codes (they enroll again)."""
        ...


class SessionRepository(Protocol):
    def add(
        self,
        token_hash: str,
        user_id: int,
        csrf_token: str,
        now: datetime,
        client: str,
        stage: SessionStage = SessionStage.ACTIVE,
    ) -> None: ...
    def find(self, token_hash: str) -> WebSession | None: ...
    def touch(self, session_id: int, now: datetime) -> None: ...
    def remove(self, session_id: int) -> None: ...
    def remove_idle_since(self, cutoff: datetime) -> int: ...


class AccessRepository(Protocol):
    def restrictions(self, patient_id: int) -> frozenset[SensitiveCategory]: ...
    def restrictions_of(self, patient_ids: set[int]) -> dict[int, frozenset[SensitiveCategory]]: ...
    def add_restriction(
        self, patient_id: int, category: SensitiveCategory, reason: str, by: str, at: datetime
    ) -> None: ...
    def active_grant(self, user_id: int, patient_id: int, now: datetime) -> AccessGrant | None: ...
    def add_grant(self, grant: AccessGrant) -> AccessGrant: ...
    def treatment_relationship(self, clinician_id: int, patient_id: int) -> bool: ...
    def charts_opened_since(self, user_id: int, since: datetime) -> int: ...
    def add_flag(self, flag: AccessFlag) -> None: ...
    def open_flags(self, limit: int) -> Sequence[AccessFlag]: ...
    def find_flag(self, flag_id: int) -> AccessFlag | None: ...
    def close_flag(
        self, flag_id: int, disposition: Disposition, by: str, at: datetime, note: str
    ) -> bool: ...


@dataclass(frozen=True)
class AmendmentWorkItem:
    """An open amendment request with the patient it is for, for the HIM manager's worklist."""

    request: AmendmentRequest
    mrn: str
    patient_name: str


class AmendmentRepository(Protocol):
    def add(self, request: AmendmentRequest) -> AmendmentRequest: ...
    def find(self, request_id: int) -> AmendmentRequest | None: ...
    def record_decision(self, request: AmendmentRequest) -> bool:
        """Store the decision unless the request was decided meanwhile (then False)."""
        ...

    def update_statements(self, request: AmendmentRequest) -> bool: ...
    def list_open(self, limit: int) -> Sequence[AmendmentWorkItem]: ...
    def list_for_patient(self, patient_id: int) -> Sequence[AmendmentRequest]: ...
    def list_for_target(
        self, target: AmendmentTarget, target_id: int
    ) -> Sequence[AmendmentRequest]: ...


@dataclass(frozen=True)
class KeyCount:
    """How many values of one encrypted column are sealed under one key id."""

    column: str
    key_id: str
    values: int


@dataclass(frozen=True)
class RotatedBatch:
    """One committed step of a key rotation; `last_id` None means the column is done."""

    rotated: int
    last_id: int | None


class FieldKeyRepository(Protocol):
    """The encrypted columns, re-encrypted to the current key in small batches."""

    @property
    def current_key_id(self) -> str: ...
    @property
    def key_ids(self) -> Sequence[str]: ...
    def columns(self) -> Sequence[str]: ...
    def census(self) -> Sequence[KeyCount]: ...
    def rotate_batch(self, column: str, after_id: int, limit: int) -> RotatedBatch: ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the block without `commit()` rolls everything back."""

    @property
    def patients(self) -> PatientRepository: ...
    @property
    def chart(self) -> ChartRepository: ...
    @property
    def chart_reviews(self) -> ChartReviewRepository: ...
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
    def authenticators(self) -> AuthenticatorRepository: ...
    @property
    def access(self) -> AccessRepository: ...
    @property
    def amendments(self) -> AmendmentRepository: ...
    @property
    def queries(self) -> PhysicianQueryRepository: ...
    @property
    def worklists(self) -> WorklistRepository: ...
    @property
    def field_keys(self) -> FieldKeyRepository: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def checkpoint_signer(self) -> CheckpointSigner: ...
    @property
    def completeness_rules(self) -> RuleBook: ...

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
