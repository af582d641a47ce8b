"""One database transaction, with the repositories that work inside it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from himdesk.domain.audit_checkpoints import CheckpointSigner
from himdesk.domain.rule_book import RuleBook
from himdesk.services.ports import Clock
from himdesk.storage.access_control import SqlAccessRepository
from himdesk.storage.accounts import SqlClinicianRepository, SqlSessionRepository, SqlUserRepository
from himdesk.storage.amendments import SqlAmendmentRepository
from himdesk.storage.api_clients import SqlApiClientRepository
from himdesk.storage.audit_log import SqlAuditRepository
from himdesk.storage.authenticators import SqlAuthenticatorRepository
from himdesk.storage.chart import SqlChartRepository
from himdesk.storage.chart_reviews import SqlChartReviewRepository
from himdesk.storage.code_sets import SqlCodeSetRepository
from himdesk.storage.coding_abstracts import SqlCodingAbstractRepository
from himdesk.storage.crypto import FieldCipher
from himdesk.storage.export_jobs import SqlExportJobRepository
from himdesk.storage.field_keys import SqlFieldKeyRepository
from himdesk.storage.import_reviews import SqlImportReviewRepository
from himdesk.storage.imports import SqlImportRepository
from himdesk.storage.patient_identifiers import SqlPatientIndexRepository
from himdesk.storage.patient_merges import SqlPatientMergeRepository
from himdesk.storage.patient_records import SqlPatientRecordRepository
from himdesk.storage.patients import SqlPatientRepository
from himdesk.storage.physician_queries import SqlPhysicianQueryRepository
from himdesk.storage.record_search import SqlRecordSearchRepository
from himdesk.storage.versions import SqlVersionRepository
from himdesk.storage.worklists import SqlWorklistRepository


class SqlUnitOfWork:
    def __init__(
        self,
        engine: Engine,
        cipher: FieldCipher,
        clock: Clock,
        *,
        checkpoint_signer: CheckpointSigner,
        completeness_rules: RuleBook | None = None,
    ) -> None:
        self._engine = engine
        self._cipher = cipher
        self.clock = clock
        self.checkpoint_signer = checkpoint_signer
        self.completeness_rules = completeness_rules or RuleBook()
        self._connection: Connection | None = None

    def __enter__(self) -> Self:
        # The transaction starts on first use (SQLAlchemy autobegin) and again after commit.
        connection = self._engine.connect()
        self._connection = connection
        self.patients = SqlPatientRepository(connection, self._cipher)
        self.chart = SqlChartRepository(connection)
        self.records = SqlPatientRecordRepository(connection, self._cipher)
        self.api_clients = SqlApiClientRepository(connection)
        self.record_search = SqlRecordSearchRepository(connection, self._cipher)
        self.chart_reviews = SqlChartReviewRepository(connection)
        self.clinicians = SqlClinicianRepository(connection)
        self.versions = SqlVersionRepository(connection)
        self.audit = SqlAuditRepository(connection, self.checkpoint_signer, self.clock)
        self.users = SqlUserRepository(connection, self.clock)
        self.sessions = SqlSessionRepository(connection)
        self.authenticators = SqlAuthenticatorRepository(connection, self._cipher)
        self.access = SqlAccessRepository(connection)
        self.amendments = SqlAmendmentRepository(connection)
        self.queries = SqlPhysicianQueryRepository(connection)
        self.worklists = SqlWorklistRepository(connection)
        self.field_keys = SqlFieldKeyRepository(connection, self._cipher)
        self.imports = SqlImportRepository(connection)
        self.patient_index = SqlPatientIndexRepository(connection, self._cipher)
        self.import_reviews = SqlImportReviewRepository(connection, self._cipher)
        self.patient_merges = SqlPatientMergeRepository(connection)
        self.export_jobs = SqlExportJobRepository(connection, self._cipher)
        self.coding_abstracts = SqlCodingAbstractRepository(connection)
        self.code_sets = SqlCodeSetRepository(connection)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._connection is not None  # noqa: S101
        if self._connection.in_transaction():
            self._connection.rollback()
        self._connection.close()
        self._connection = None

    def commit(self) -> None:
        assert self._connection is not None  # noqa: S101
        self._connection.commit()
