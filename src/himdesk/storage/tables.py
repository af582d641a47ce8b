"""The database schema. Migrations in `migrations/versions` create exactly this."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from himdesk.storage.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

clinicians = Table(
    "clinicians",
    metadata,
    Column("id", Integer, primary_key=True),
    # NULL for clinicians another system sent without an NPI (UNIQUE allows many NULLs).
    Column("npi", String(10), nullable=True, unique=True),
    Column("family_name", String(60), nullable=False),
    Column("given_name", String(60), nullable=False),
    Column("credentials", String(20), nullable=False),
    Column("specialty", String(60), nullable=False),
    Column("is_resident", Boolean, nullable=False, default=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(60), nullable=False, unique=True),
    Column("display_name", String(120), nullable=False),
    Column("role", String(30), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("clinician_id", Integer, ForeignKey("clinicians.id"), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("failed_logins", Integer, nullable=False, default=0, server_default="0"),
    Column("paused_until", UTCDateTime, nullable=True),
)

authenticators = Table(
    "authenticators",
    metadata,
    # An integer id like every table of encrypted values, so key rotation can walk it in batches.
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, unique=True),
    Column("secret_encrypted", LargeBinary, nullable=False),
    Column("enrolled_at", UTCDateTime, nullable=True),
    Column("last_used_step", Integer, nullable=True),
)

recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("code_digest", String(64), nullable=False, unique=True),
    Column("used_at", UTCDateTime, nullable=True),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("client_address", String(64), nullable=False, default=""),
    Column("stage", String(20), nullable=False, default="active", server_default="active"),
)

patients = Table(
    "patients",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("facility", String(20), nullable=False),
    Column("mrn", String(20), nullable=False),
    Column("family_name", String(60), nullable=False),
    Column("given_name", String(60), nullable=False),
    Column("middle_name", String(60), nullable=False, default=""),
    Column("family_norm", String(60), nullable=False, index=True),
    Column("given_norm", String(60), nullable=False, index=True),
    Column("family_sound", String(20), nullable=False, index=True),
    Column("given_sound", String(20), nullable=False),
    Column("birth_on", Date, nullable=False, index=True),
    Column("sex", String(1), nullable=False),
    Column("address_line", String(120), nullable=False, default=""),
    Column("city", String(60), nullable=False, default=""),
    Column("state", String(2), nullable=False, default=""),
    Column("postal_code", String(10), nullable=False, default=""),
    Column("phone", String(20), nullable=False, default=""),
    Column("ssn_encrypted", LargeBinary, nullable=True),
    Column("version", Integer, nullable=False, default=1),
    # Set when an HL7 A40 (or a reviewer) merged this patient into another; undone on unmerge.
    Column("merged_into_id", Integer, ForeignKey("patients.id"), nullable=True),
    UniqueConstraint("facility", "mrn", name="uq_patients_facility_mrn"),
    Index("ix_patients_mrn", "mrn"),
)

patient_names = Table(
    "patient_names",
    metadata,
    Column("norm", String(60), primary_key=True),
)

encounters = Table(
    "encounters",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", Integer, ForeignKey("patients.id"), nullable=False, index=True),
    Column("account_number", String(20), nullable=False, unique=True),
    Column("encounter_class", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("admitted_at", UTCDateTime, nullable=False),
    Column("discharged_at", UTCDateTime, nullable=True),
    Column("attending_id", Integer, ForeignKey("clinicians.id"), nullable=True),
    Column("discharge_disposition", String(2), nullable=True),
    Column("service", String(40), nullable=False, default=""),
    Column("version", Integer, nullable=False, default=1),
)

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", Integer, ForeignKey("patients.id"), nullable=False, index=True),
    Column("encounter_id", Integer, ForeignKey("encounters.id"), nullable=True, index=True),
    Column("document_type", String(30), nullable=False),
    Column("author_id", Integer, ForeignKey("clinicians.id"), nullable=True),
    Column("authored_at", UTCDateTime, nullable=False),
    Column("title", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("status", String(10), nullable=False),
    Column("signed_by_id", Integer, ForeignKey("clinicians.id"), nullable=True),
    Column("signed_at", UTCDateTime, nullable=True),
    Column("requires_cosignature", Boolean, nullable=False, default=False),
    Column("cosigned_by_id", Integer, ForeignKey("clinicians.id"), nullable=True),
    Column("cosigned_at", UTCDateTime, nullable=True),
    Column("version", Integer, nullable=False, default=1),
    Column("sensitivity", String(30), nullable=True),
    Column("type_code", String(20), nullable=False, default="", server_default=""),
)

observations = Table(
    "observations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", Integer, ForeignKey("patients.id"), nullable=False, index=True),
    Column("encounter_id", Integer, ForeignKey("encounters.id"), nullable=True),
    Column("code", String(20), nullable=False),
    Column("display", String(120), nullable=False),
    Column("value", Numeric(12, 3), nullable=False),
    Column("unit", String(20), nullable=False),
    Column("reference_low", Numeric(12, 3), nullable=True),
    Column("reference_high", Numeric(12, 3), nullable=True),
    Column("flag", String(2), nullable=False),
    Column("observed_at", UTCDateTime, nullable=False),
    Column("code_system", String(100), nullable=False, default="", server_default=""),
)

diagnoses = Table(
    "diagnoses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", Integer, ForeignKey("patients.id"), nullable=False, index=True),
    Column("encounter_id", Integer, ForeignKey("encounters.id"), nullable=True),
    Column("description", String(200), nullable=False),
    Column("documented_by_id", Integer, ForeignKey("clinicians.id"), nullable=True),
    Column("documented_at", UTCDateTime, nullable=False),
    Column("is_principal", Boolean, nullable=False, default=False),
    Column("laterality", String(10), nullable=False, default=""),
    Column("code", String(20), nullable=False, default="", server_default=""),
    Column("code_system", String(100), nullable=False, default="", server_default=""),
)

procedures = Table(
    "procedures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", Integer, ForeignKey("patients.id"), nullable=False, index=True),
    Column("encounter_id", Integer, ForeignKey("encounters.id"), nullable=True),
    Column("description", String(200), nullable=False),
    Column("performed_by_id", Integer, ForeignKey("clinicians.id"), nullable=True),
    Column("performed_at", UTCDateTime, nullable=False),
    Column("laterality", String(10), nullable=False, default=""),
    Column("tissue_removed", Boolean, nullable=False, default=False),
    Column("code", String(20), nullable=False, default="", server_default=""),
    Column("code_system", String(100), nullable=False, default="", server_default=""),
)

medications = Table(
    "medications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", Integer, ForeignKey("patients.id"), nullable=False, index=True),
    Column("encounter_id", Integer, ForeignKey("encounters.id"), nullable=True),
    Column("name", String(120), nullable=False),
    Column("dose", String(40), nullable=False),
    Column("route", String(20), nullable=False),
    Column("frequency", String(40), nullable=False),
    Column("started_on", Date, nullable=False),
    Column("ended_on", Date, nullable=True),
    Column("code", String(20), nullable=False, default="", server_default=""),
    Column("code_system", String(100), nullable=False, default="", server_default=""),
)

allergies = Table(
    "allergies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", Integer, ForeignKey("patients.id"), nullable=False, index=True),
    Column("substance", String(120), nullable=False),
    Column("reaction", String(120), nullable=False),
    Column("severity", String(20), nullable=False),
    Column("recorded_on", Date, nullable=False),
    Column("code", String(20), nullable=False, default="", server_default=""),
    Column("code_system", String(100), nullable=False, default="", server_default=""),
)

record_versions = Table(
    "record_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("entity_type", String(30), nullable=False),
    Column("entity_id", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("patient_id", Integer, ForeignKey("patients.id"), nullable=False, index=True),
    Column("snapshot", JSON, nullable=False),
    Column("changed_by", String(60), nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),
    Column("reason", String(500), nullable=False),
    UniqueConstraint("entity_type", "entity_id", "version", name="uq_record_versions_entity"),
)

amendment_requests = Table(
    "amendment_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", Integer, ForeignKey("patients.id"), nullable=False, index=True),
    Column("target", String(20), nullable=False),
    Column("target_id", Integer, nullable=False),
    Column("requested_change", Text, nullable=False),
    Column("received_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("received_by", String(60), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("status", String(10), nullable=False),
    Column("decided_by", String(60), nullable=False, default=""),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("amended_version", Integer, nullable=True),
    Column("amendment_text", Text, nullable=False, default=""),
    Column("denial_ground", String(40), nullable=True),
    Column("denial_explanation", Text, nullable=False, default=""),
    Column("disagreement", Text, nullable=False, default=""),
    Column("rebuttal", Text, nullable=False, default=""),
    Index("ix_amendment_requests_open", "status", "due_on"),
    Index("ix_amendment_requests_target", "target", "target_id"),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("sequence", Integer, primary_key=True, autoincrement=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("user_id", Integer, nullable=True),
    Column("username", String(60), nullable=False),
    Column("role", String(30), nullable=False),
    Column("action", String(60), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("patient_id", Integer, nullable=True, index=True),
    Column("object_type", String(30), nullable=False),
    Column("object_id", String(40), nullable=False),
    Column("client_address", String(64), nullable=False),
    Column("purpose", String(20), nullable=False),
    Column("previous_hash", String(64), nullable=False),
    Column("event_hash", String(64), nullable=False),
    Index("ix_audit_events_user_time", "user_id", "occurred_at"),
)

audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("sequence", Integer, nullable=False),
    Column("event_hash", String(64), nullable=False),
    Column("event_count", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("signature", String(64), nullable=False),
)

patient_restrictions = Table(
    "patient_restrictions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", Integer, ForeignKey("patients.id"), nullable=False, index=True),
    Column("category", String(30), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("set_by", String(60), nullable=False),
    Column("set_at", UTCDateTime, nullable=False),
    UniqueConstraint("patient_id", "category", name="uq_patient_restrictions_category"),
)

access_grants = Table(
    "access_grants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, nullable=False),
    Column("patient_id", Integer, ForeignKey("patients.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("granted_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index("ix_access_grants_user_patient", "user_id", "patient_id"),
)

access_flags = Table(
    "access_flags",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("audit_sequence", Integer, nullable=False),
    Column("user_id", Integer, nullable=False),
    Column("username", String(60), nullable=False),
    Column("patient_id", Integer, nullable=False, index=True),
    Column("rule", String(30), nullable=False),
    Column("flagged_at", UTCDateTime, nullable=False),
    Column("disposition", String(30), nullable=True),
    Column("reviewed_by", String(60), nullable=False, default=""),
    Column("reviewed_at", UTCDateTime, nullable=True),
    Column("note", String(1000), nullable=False, default=""),
    Index("ix_access_flags_open", "disposition", "flagged_at"),
)

deficiencies = Table(
    "deficiencies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("encounter_id", Integer, ForeignKey("encounters.id"), nullable=False, index=True),
    Column("patient_id", Integer, ForeignKey("patients.id"), nullable=False),
    Column("finding_key", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("rule", String(60), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("message", String(1000), nullable=False),
    Column("assignee_id", Integer, ForeignKey("clinicians.id"), nullable=True, index=True),
    Column("due_on", Date, nullable=False),
    Column("document_id", Integer, nullable=True),
    Column("evidence", JSON, nullable=False),
    Column("found_at", UTCDateTime, nullable=False),
    Column("found_by", String(60), nullable=False),
    Column("cleared_at", UTCDateTime, nullable=True),
    Column("cleared_by", String(60), nullable=False, default=""),
    Column("resolution", String(20), nullable=True),
    Column("resolution_note", String(500), nullable=False, default=""),
    Index("ix_deficiencies_open", "cleared_at", "due_on"),
)

chart_reviews = Table(
    "chart_reviews",
    metadata,
    Column("encounter_id", Integer, ForeignKey("encounters.id"), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("analyzed_at", UTCDateTime, nullable=False),
    Column("reviewed_by", String(60), nullable=False, default=""),
    Column("reviewed_at", UTCDateTime, nullable=True),
    Column("completed_at", UTCDateTime, nullable=True),
    Index("ix_chart_reviews_status", "status"),
)

physician_queries = Table(
    "physician_queries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("encounter_id", Integer, ForeignKey("encounters.id"), nullable=False, index=True),
    Column("patient_id", Integer, ForeignKey("patients.id"), nullable=False),
    Column("deficiency_id", Integer, ForeignKey("deficiencies.id"), nullable=True),
    Column("addressee_id", Integer, ForeignKey("clinicians.id"), nullable=False, index=True),
    Column("asked_by", String(60), nullable=False),
    Column("asked_at", UTCDateTime, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("question", Text, nullable=False),
    Column("indicators", JSON, nullable=False),
    Column("options", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("escalated_at", UTCDateTime, nullable=True),
    Column("answer_option", String(200), nullable=False, default=""),
    Column("answer", Text, nullable=False, default=""),
    Column("answered_by", String(60), nullable=False, default=""),
    Column("answered_at", UTCDateTime, nullable=True),
    Column("addendum_id", Integer, ForeignKey("documents.id"), nullable=True),
    Column("outcome", String(20), nullable=True),
    Column("coding_changed", Boolean, nullable=True),
    Column("version", Integer, nullable=False, default=1),
    Index("ix_physician_queries_open", "status", "due_at"),
)

# --- Health information exchange (migration 0007) ---

patient_identifiers = Table(
    "patient_identifiers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", Integer, ForeignKey("patients.id"), nullable=False, index=True),
    Column("kind", String(2), nullable=False),
    # The assigning authority; for SSNs a keyed digest is stored as the value, never the number.
    Column("system", String(200), nullable=False),
    Column("value", String(100), nullable=False),
    UniqueConstraint("system", "value", "kind", name="uq_patient_identifiers_system"),
)

source_links = Table(
    "source_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_system", String(200), nullable=False),
    Column("source_id", String(200), nullable=False),
    Column("entity_type", String(30), nullable=False),
    Column("entity_id", Integer, nullable=False),
    Column("patient_id", Integer, ForeignKey("patients.id"), nullable=True, index=True),
    # Digest of the part as last received: an unchanged repeat is skipped without a compare.
    Column("content_digest", String(64), nullable=False),
    UniqueConstraint("source_system", "source_id", "entity_type", name="uq_source_links_source"),
    Index("ix_source_links_entity", "entity_type", "entity_id"),
)

import_receipts = Table(
    "import_receipts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("fingerprint", String(64), nullable=False, unique=True),
    Column("format", String(10), nullable=False),
    Column("label", String(300), nullable=False),
    Column("message_type", String(40), nullable=False),
    Column("control_id", String(100), nullable=False),
    Column("imported_at", UTCDateTime, nullable=False),
    Column("imported_by", String(60), nullable=False),
    Column("summary", JSON, nullable=False),
)

import_holds = Table(
    "import_holds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("format", String(10), nullable=False),
    Column("label", String(300), nullable=False),
    Column("fingerprint", String(64), nullable=False, index=True),
    Column("payload_encrypted", LargeBinary, nullable=False),
    Column("reason", String(1000), nullable=False),
    Column("candidates", JSON, nullable=False),
    Column("held_at", UTCDateTime, nullable=False),
    Column("held_by", String(60), nullable=False),
    Column("status", String(20), nullable=False),
    Column("resolved_by", String(60), nullable=False, default="", server_default=""),
    Column("resolved_at", UTCDateTime, nullable=True),
    Column("resolved_patient_id", Integer, ForeignKey("patients.id"), nullable=True),
    Index("ix_import_holds_status", "status", "held_at"),
)

interface_rejections = Table(
    "interface_rejections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("format", String(10), nullable=False),
    Column("label", String(300), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("message_type", String(40), nullable=False),
    Column("control_id", String(100), nullable=False),
    Column("reason", String(2000), nullable=False),
    Column("payload_encrypted", LargeBinary, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("received_by", String(60), nullable=False),
    Column("status", String(20), nullable=False),
    Column("resolved_by", String(60), nullable=False, default="", server_default=""),
    Column("resolved_at", UTCDateTime, nullable=True),
    Column("note", String(500), nullable=False, default="", server_default=""),
    Index("ix_interface_rejections_status", "status", "received_at"),
)

patient_merges = Table(
    "patient_merges",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("surviving_patient_id", Integer, ForeignKey("patients.id"), nullable=False),
    Column("merged_patient_id", Integer, ForeignKey("patients.id"), nullable=False, index=True),
    Column("moved", JSON, nullable=False),
    Column("source", String(300), nullable=False),
    Column("merged_at", UTCDateTime, nullable=False),
    Column("merged_by", String(60), nullable=False),
    Column("undone_at", UTCDateTime, nullable=True),
    Column("undone_by", String(60), nullable=False, default="", server_default=""),
    Column("undo_reason", String(500), nullable=False, default="", server_default=""),
)

api_clients = Table(
    "api_clients",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", String(60), nullable=False, unique=True),
    Column("name", String(120), nullable=False),
    # Exactly one credential: an Argon2 hash of a secret, or a public JWK Set (private_key_jwt).
    Column("secret_hash", String(200), nullable=True),
    Column("jwks", JSON(none_as_null=True), nullable=True),
    Column("scopes", JSON, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(60), nullable=False),
    CheckConstraint(
        "(secret_hash IS NULL) <> (jwks IS NULL)", name="ck_api_clients_one_credential"
    ),
)

# The `jti` of each client assertion accepted, kept until it expires, so none is used twice.
api_client_assertions = Table(
    "api_client_assertions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("client_pk", Integer, ForeignKey("api_clients.id"), nullable=False),
    Column("jti", String(200), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    UniqueConstraint("client_pk", "jti", name="uq_api_client_assertions_client_pk"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("client_pk", Integer, ForeignKey("api_clients.id"), nullable=False, index=True),
    Column("scopes", JSON, nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

export_jobs = Table(
    "export_jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("kind", String(10), nullable=False),
    Column("patient_id", Integer, ForeignKey("patients.id"), nullable=True),
    Column("resource_types", JSON, nullable=False),
    Column("since", UTCDateTime, nullable=True),
    Column("status", String(20), nullable=False),
    Column("requested_by", String(60), nullable=False),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("request_url", String(1000), nullable=False),
    Column("completed_at", UTCDateTime, nullable=True),
    Column("error", String(1000), nullable=False, default="", server_default=""),
    Index("ix_export_jobs_status", "status"),
)

export_files = Table(
    "export_files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("job_id", Integer, ForeignKey("export_jobs.id"), nullable=False, index=True),
    Column("resource_type", String(40), nullable=False),
    Column("resource_count", Integer, nullable=False),
    Column("content_encrypted", LargeBinary, nullable=False),
)

# Code sets are reference data read whole into memory (the encoder searches them there), so
# each release is kept as a few compressed parts rather than a row per code.
code_set_releases = Table(
    "code_set_releases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code_system", String(12), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("effective_to", Date, nullable=False),
    Column("sources", JSON, nullable=False),
    Column("loaded_at", UTCDateTime, nullable=False),
    Column("loaded_by", String(60), nullable=False),
    UniqueConstraint("code_system", "fiscal_year", name="uq_code_set_releases_year"),
)

code_set_parts = Table(
    "code_set_parts",
    metadata,
    Column("release_id", Integer, ForeignKey("code_set_releases.id"), primary_key=True),
    Column("name", String(40), primary_key=True),
    Column("payload", LargeBinary, nullable=False),
)

coding_abstracts = Table(
    "coding_abstracts",
    metadata,
    Column("encounter_id", Integer, ForeignKey("encounters.id"), primary_key=True),
    Column("status", String(12), nullable=False),
    Column("version", Integer, nullable=False),
    Column("discharge_disposition", String(2), nullable=True),
    Column("code_set_year", Integer, nullable=True),
    Column("drg", String(3), nullable=False, default="", server_default=""),
    Column("drg_version", Integer, nullable=True),
    Column("drg_weight", Numeric(8, 4), nullable=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("started_by", String(60), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(60), nullable=False),
    Column("finalized_at", UTCDateTime, nullable=True),
    Column("finalized_by", String(60), nullable=False, default="", server_default=""),
    Index("ix_coding_abstracts_status", "status"),
    Index("ix_coding_abstracts_finalized_at", "finalized_at"),
)

coded_diagnoses = Table(
    "coded_diagnoses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("encounter_id", Integer, ForeignKey("encounters.id"), nullable=False, index=True),
    Column("sequence", Integer, nullable=False),  # 1 = principal diagnosis
    Column("code", String(8), nullable=False),
    Column("poa", String(1), nullable=False, default="", server_default=""),
    UniqueConstraint("encounter_id", "sequence", name="uq_coded_diagnoses_sequence"),
)

coded_procedures = Table(
    "coded_procedures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("encounter_id", Integer, ForeignKey("encounters.id"), nullable=False, index=True),
    Column("sequence", Integer, nullable=False),  # 1 = principal procedure
    Column("code", String(7), nullable=False),
    Column("performed_on", Date, nullable=True),
    Column("operator_id", Integer, ForeignKey("clinicians.id"), nullable=True),
    UniqueConstraint("encounter_id", "sequence", name="uq_coded_procedures_sequence"),
)

coding_abstract_versions = Table(
    "coding_abstract_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("encounter_id", Integer, ForeignKey("encounters.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("recorded_by", String(60), nullable=False),
    Column("reason", Text, nullable=False, default="", server_default=""),
    Column("snapshot", JSON, nullable=False),
    UniqueConstraint("encounter_id", "version", name="uq_coding_abstract_versions_version"),
)
