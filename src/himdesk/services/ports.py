"""What services need from storage, as protocols; `storage` implements them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Any, Protocol, Self

from himdesk.domain.access import Role
from himdesk.domain.access_review import AccessFlag, Disposition
from himdesk.domain.amendments import AmendmentRequest, AmendmentTarget
from himdesk.domain.api_clients import ApiClient, ApiToken, Scope
from himdesk.domain.audit import AuditEntry, ChainWalk, SealedAuditEvent
from himdesk.domain.audit_checkpoints import AuditCheckpoint, CheckpointSigner
from himdesk.domain.chart_review import ChartReview, ChartStatus, Resolution, TrackedDeficiency
from himdesk.domain.client_keys import ClientKey
from himdesk.domain.coding.abstract import AbstractStatus, CodingAbstract, CodingVersion
from himdesk.domain.coding.code_set import CodeSetRelease, DiagnosisCodeSet, ProcedureCodeSet
from himdesk.domain.coding.codes import CodeSystem
from himdesk.domain.coding.coding_work import CodingWorkItem, FinalCoding, WorklistCriteria
from himdesk.domain.completeness import Deficiency, EncounterRecord
from himdesk.domain.delinquency import ClinicianDelinquency, ServiceDelinquency
from himdesk.domain.export_jobs import ExportFile, ExportJob, ExportStatus
from himdesk.domain.import_records import (
    HoldCandidate,
    ImportHold,
    ImportReceipt,
    InterfaceRejection,
    LinkKey,
    NewSourceLink,
    PartKind,
    QueueStatus,
    SourceLink,
)
from himdesk.domain.incoming import IncomingClinician, PatientIdentifier, Submission
from himdesk.domain.patient_matching import Candidate as MatchCandidate
from himdesk.domain.patient_matching import IdentifierKey, PatientProfile
from himdesk.domain.patient_merges import PatientMerge
from himdesk.domain.patient_record import PatientRecord
from himdesk.domain.queries import PhysicianQuery, QueryStatus
from himdesk.domain.record_search import Page, RecordCriteria, RecordKind
from himdesk.domain.record_sources import ReceivedPart
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
        """In id order: one, all, or a page of `limit` with ids above `after`; only those
        analysed here (domain.record_sources.analysed_here)."""
        ...

    def received_parts(self, patient_id: int) -> Sequence[ReceivedPart]:
        """The chart's parts an import wrote, with their senders (one query)."""
        ...

    def senders_of(self, kind: PartKind, entity_id: int) -> Sequence[str]: ...
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


class PatientRecordRepository(Protocol):
    """Whole records (export, FHIR `$everything`), read in a few queries per batch."""

    def whole_record(self, patient_id: int) -> PatientRecord: ...
    def identifiers_of(self, ids: Collection[int]) -> dict[int, list[PatientIdentifier]]: ...
    def whole_records(self, patient_ids: Sequence[int]) -> list[PatientRecord]:
        """The records of the patients that exist, in the order asked for."""
        ...


@dataclass(frozen=True)
class Found:
    """One page of a search, and how many match in all."""

    total: int
    items: Sequence[Any]


class RecordSearchRepository(Protocol):
    """Searches for the FHIR API; VIP/employee charts and labelled documents never match."""

    def patients(self, criteria: RecordCriteria, page: Page) -> Found: ...
    def parts(self, kind: RecordKind, criteria: RecordCriteria, page: Page) -> Found: ...
    def part(self, kind: RecordKind, part_id: int) -> Any | None: ...
    def facilities(self, patient_ids: set[int]) -> dict[int, str]: ...
    def principal_diagnoses(self, encounter_ids: set[int]) -> dict[int, int]: ...


class ApiClientRepository(Protocol):
    def add(self, client: ApiClient) -> ApiClient: ...
    def find(self, client_id: str) -> ApiClient | None: ...
    def list_all(self) -> Sequence[ApiClient]: ...
    def deactivate(self, client_id: str) -> bool:
        """Deactivate and forget its tokens; False when there is no such active client."""
        ...

    def add_token(
        self, token_hash: str, client: ApiClient, scopes: Sequence[Scope], issued_at: datetime,
        expires_at: datetime,
    ) -> None: ...  # fmt: skip
    def find_token(self, token_hash: str) -> ApiToken | None: ...
    def replace_keys(self, client_id: str, keys: Sequence[ClientKey]) -> bool: ...
    def record_assertion(
        self, client: ApiClient, jti: str, remembered_until: datetime, now: datetime
    ) -> bool:
        """Remember a client assertion's id; False when this client already used it."""
        ...


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


class ExportJobRepository(Protocol):
    """Bulk export jobs and their encrypted NDJSON file parts."""

    def add(self, job: ExportJob) -> ExportJob: ...
    def find(self, token: str) -> ExportJob | None: ...
    def update(self, job: ExportJob, when: Collection[ExportStatus]) -> bool:
        """Save the status only while the stored one is still in `when`."""
        ...

    def add_file(self, job_id: int, resource_type: str, count: int, ndjson: str) -> int: ...
    def files(self, job_id: int) -> Sequence[ExportFile]: ...
    def count_files(self, job_id: int) -> int: ...
    def file_content(self, job_id: int, file_id: int) -> str | None: ...
    def remove_files(self, job_id: int) -> int: ...
    def remove_files_before(self, cutoff: datetime) -> int: ...
    def patient_ids_after(self, after_id: int, limit: int) -> Sequence[int]: ...


RecordPart = (
    Encounter | ClinicalDocument | Observation | Diagnosis | Procedure | Medication | Allergy
)


@dataclass(frozen=True)
class PriorImport:
    """Before an import: the receipt of the same bytes (imported before), an open hold
    waiting with them, the links of the parts it names, and which linked patients (by
    the links' patient and entity ids) were merged into another patient."""

    receipt: ImportReceipt | None
    hold_id: int | None
    links: dict[LinkKey, SourceLink]
    merged: frozenset[int]


class ImportRepository(Protocol):
    """What an import writes: receipts, links to the senders' parts, parts in batches."""

    def prior(self, fingerprint: str, keys: Collection[LinkKey]) -> PriorImport:
        """What is known of a submission before it is applied (see PriorImport)."""
        ...

    def add_receipt(self, receipt: ImportReceipt) -> int: ...
    def links(self, keys: Collection[LinkKey]) -> dict[LinkKey, SourceLink]: ...
    def add_links(self, links: Sequence[NewSourceLink]) -> None: ...
    def change_links(self, changes: Sequence[NewSourceLink]) -> None: ...
    def add_parts(self, kind: PartKind, parts: Sequence[RecordPart]) -> list[int]:
        """Insert with one statement; sets and returns the new ids, in order."""
        ...

    def update_parts(self, kind: PartKind, parts: Sequence[RecordPart]) -> None: ...
    def parts(self, kind: PartKind, ids: Collection[int]) -> dict[int, Any]: ...
    def clinicians_by_npi(self, npis: Collection[str]) -> dict[str, int]: ...
    def add_clinicians(self, clinicians: Sequence[IncomingClinician]) -> list[int]: ...
    def account_holders(self, numbers: Collection[str]) -> dict[str, int]:
        """The encounter id that carries each of these account numbers."""
        ...

    def new_account_number(self) -> str: ...
    def home_facility(self) -> str | None: ...
    def new_mrn(self) -> str: ...


class PatientIndexRepository(Protocol):
    """Identifiers other systems use for patients, and candidates for patient matching."""

    def identifier_keys(self, identifiers: Sequence[PatientIdentifier]) -> frozenset[IdentifierKey]:
        """As matching compares them (an SSN as its keyed digest)."""
        ...

    def patients_with(self, keys: Collection[IdentifierKey]) -> dict[IdentifierKey, set[int]]: ...
    def add_identifiers(self, patient_id: int, identifiers: Sequence[PatientIdentifier]) -> int: ...
    def candidates(
        self, profile: PatientProfile, extra_ids: Collection[int] = ()
    ) -> list[MatchCandidate]: ...
    def profiles(self, patient_ids: Collection[int]) -> list[MatchCandidate]: ...
    def survivors(self, patient_ids: Collection[int]) -> dict[int, int]:
        """Each patient id, or the id of the patient it was merged into."""
        ...


class ImportReviewRepository(Protocol):
    """Holds (unsure patient matches) and interface rejections, payloads encrypted."""

    def add_hold(
        self,
        submission: Submission,
        reason: str,
        candidates: Sequence[HoldCandidate],
        held: tuple[datetime, str],
    ) -> int: ...
    def open_hold_for(self, fingerprint: str) -> int | None: ...
    def holds(self, status: QueueStatus, limit: int) -> Sequence[ImportHold]: ...
    def find_hold(self, hold_id: int) -> ImportHold | None: ...
    def close_hold(
        self, hold_id: int, status: QueueStatus, closed: tuple[datetime, str], patient: int | None
    ) -> bool: ...
    def add_rejection(self, rejection: InterfaceRejection, payload: bytes) -> int: ...
    def rejections(self, status: QueueStatus, limit: int) -> Sequence[InterfaceRejection]: ...
    def count_open(self) -> tuple[int, int]: ...
    def find_rejection(self, rejection_id: int) -> InterfaceRejection | None: ...
    def close_rejection(
        self, rejection_id: int, closed: tuple[datetime, str], note: str
    ) -> bool: ...


class PatientMergeRepository(Protocol):
    """Moving a merged patient's chart to the survivor, and exactly those rows back."""

    def move_rows(self, from_id: int, to_id: int) -> dict[str, tuple[int, ...]]: ...
    def move_back(self, merge: PatientMerge) -> None: ...
    def strays(self, merge: PatientMerge) -> dict[str, int]:
        """What an undo would tear apart: "left:<table>" moved rows no longer with the
        survivor, "added:<table>" rows filed since to moved encounters; counts."""
        ...

    def set_merged_into(self, patient_id: int, into_id: int | None) -> None: ...
    def merged_into(self, patient_ids: Sequence[int]) -> dict[int, int | None]: ...
    def merged_into_mrn(self, patient_id: int) -> str | None: ...
    def add(self, merge: PatientMerge) -> PatientMerge: ...
    def find(self, merge_id: int) -> PatientMerge | None: ...
    def active_merge(self, merged_id: int) -> PatientMerge | None: ...
    def recent(self, limit: int) -> Sequence[PatientMerge]: ...
    def mark_undone(self, merge_id: int, at: datetime, by: str, reason: str) -> bool:
        """Record the undo unless the merge was undone meanwhile (then False)."""
        ...


class CodingAbstractRepository(Protocol):
    """Coding abstracts with their coded diagnoses and procedures, and their versions."""

    def find(self, encounter_id: int) -> CodingAbstract | None: ...
    def find_for_change(self, encounter_id: int) -> CodingAbstract | None:
        """The abstract, held against other changes until the transaction ends."""
        ...

    def add(self, abstract: CodingAbstract) -> None: ...
    def update(self, abstract: CodingAbstract, expected: AbstractStatus) -> bool:
        """Store the abstract unless its status changed meanwhile from `expected` (False)."""
        ...

    def add_version(self, version: CodingVersion) -> None: ...
    def versions(self, encounter_id: int) -> Sequence[CodingVersion]: ...
    def worklist(self, criteria: WorklistCriteria) -> tuple[list[CodingWorkItem], int]: ...
    def final_codings(self, start: datetime, end: datetime) -> Sequence[FinalCoding]: ...


@dataclass(frozen=True)
class StoredRelease:
    """A stored code-set release, who loaded it, and the index codes its tabular lacks."""

    release: CodeSetRelease
    loaded_at: datetime
    loaded_by: str
    digest: str  # over the files' digests: the same files give the same digest
    absent_count: int = 0
    absent_codes: tuple[str, ...] = ()  # the first few, as printed in the index


class CodeSetRepository(Protocol):
    def find_by_digest(self, system: CodeSystem, digest: str) -> StoredRelease | None: ...
    def save(
        self, code_set: DiagnosisCodeSet | ProcedureCodeSet, stored: StoredRelease
    ) -> StoredRelease:
        """Store the release whole, replacing one of the same system and fiscal year."""
        ...

    def list_releases(self) -> Sequence[StoredRelease]: ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the block without `commit()` rolls everything back."""

    @property
    def patients(self) -> PatientRepository: ...
    @property
    def chart(self) -> ChartRepository: ...
    @property
    def records(self) -> PatientRecordRepository: ...
    @property
    def api_clients(self) -> ApiClientRepository: ...
    @property
    def record_search(self) -> RecordSearchRepository: ...
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
    def export_jobs(self) -> ExportJobRepository: ...
    @property
    def imports(self) -> ImportRepository: ...
    @property
    def patient_index(self) -> PatientIndexRepository: ...
    @property
    def import_reviews(self) -> ImportReviewRepository: ...
    @property
    def patient_merges(self) -> PatientMergeRepository: ...
    @property
    def coding_abstracts(self) -> CodingAbstractRepository: ...
    @property
    def code_sets(self) -> CodeSetRepository: ...
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
