"""Add what health information exchange needs: codes on record parts, patient identifiers,
source links for idempotent imports, import receipts, match holds, interface rejections,
reversible patient merges, API clients (a secret or a public JWK Set each), their tokens and
the client assertions already used, and bulk export jobs.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import himdesk.storage.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UTC_TIME = himdesk.storage.types.UTCDateTime(timezone=True)
CODED_TABLES = ("diagnoses", "procedures", "medications", "allergies")


def _text(name: str, length: int) -> sa.Column[str]:
    return sa.Column(name, sa.String(length), nullable=False, server_default="")


def upgrade() -> None:
    _add_record_columns()
    op.create_table(
        "patient_identifiers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("kind", sa.String(2), nullable=False),
        sa.Column("system", sa.String(200), nullable=False),
        sa.Column("value", sa.String(100), nullable=False),
        sa.UniqueConstraint("system", "value", "kind", name="uq_patient_identifiers_system"),
    )
    op.create_index("ix_patient_identifiers_patient_id", "patient_identifiers", ["patient_id"])
    op.create_table(
        "source_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source_system", sa.String(200), nullable=False),
        sa.Column("source_id", sa.String(200), nullable=False),
        sa.Column("entity_type", sa.String(30), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patients.id"), nullable=True),
        sa.Column("content_digest", sa.String(64), nullable=False),
        sa.UniqueConstraint(
            "source_system", "source_id", "entity_type", name="uq_source_links_source"
        ),
    )
    op.create_index("ix_source_links_patient_id", "source_links", ["patient_id"])
    op.create_index("ix_source_links_entity", "source_links", ["entity_type", "entity_id"])
    op.create_table(
        "import_receipts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("message_type", sa.String(40), nullable=False),
        sa.Column("control_id", sa.String(100), nullable=False),
        sa.Column("imported_at", UTC_TIME, nullable=False),
        sa.Column("imported_by", sa.String(60), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
    )
    _create_review_queues()
    _create_merges()
    _create_api_and_exports()


def _add_record_columns() -> None:
    with op.batch_alter_table("clinicians") as batch:
        batch.alter_column("npi", existing_type=sa.String(10), nullable=True)
    with op.batch_alter_table("patients") as batch:
        batch.add_column(
            sa.Column(
                "merged_into_id",
                sa.Integer(),
                sa.ForeignKey("patients.id", name="fk_patients_merged_into_id_patients"),
                nullable=True,
            )
        )
    with op.batch_alter_table("documents") as batch:
        batch.alter_column("author_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(_text("type_code", 20))
    with op.batch_alter_table("observations") as batch:
        batch.add_column(_text("code_system", 100))
    for table in CODED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(_text("code", 20))
            batch.add_column(_text("code_system", 100))


def _create_review_queues() -> None:
    op.create_table(
        "import_holds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("payload_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("held_at", UTC_TIME, nullable=False),
        sa.Column("held_by", sa.String(60), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        _text("resolved_by", 60),
        sa.Column("resolved_at", UTC_TIME, nullable=True),
        sa.Column("resolved_patient_id", sa.Integer(), sa.ForeignKey("patients.id"), nullable=True),
    )
    op.create_index("ix_import_holds_fingerprint", "import_holds", ["fingerprint"])
    op.create_index("ix_import_holds_status", "import_holds", ["status", "held_at"])
    op.create_table(
        "interface_rejections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("message_type", sa.String(40), nullable=False),
        sa.Column("control_id", sa.String(100), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=False),
        sa.Column("payload_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", UTC_TIME, nullable=False),
        sa.Column("received_by", sa.String(60), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        _text("resolved_by", 60),
        sa.Column("resolved_at", UTC_TIME, nullable=True),
        _text("note", 500),
    )
    op.create_index(
        "ix_interface_rejections_status", "interface_rejections", ["status", "received_at"]
    )


def _create_merges() -> None:
    op.create_table(
        "patient_merges",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "surviving_patient_id", sa.Integer(), sa.ForeignKey("patients.id"), nullable=False
        ),
        sa.Column("merged_patient_id", sa.Integer(), sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("merged_at", UTC_TIME, nullable=False),
        sa.Column("merged_by", sa.String(60), nullable=False),
        sa.Column("undone_at", UTC_TIME, nullable=True),
        _text("undone_by", 60),
        _text("undo_reason", 500),
    )
    op.create_index("ix_patient_merges_merged_patient_id", "patient_merges", ["merged_patient_id"])


def _create_api_and_exports() -> None:
    op.create_table(
        "api_clients",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client_id", sa.String(60), nullable=False, unique=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("secret_hash", sa.String(200), nullable=True),
        sa.Column("jwks", sa.JSON(), nullable=True),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("created_by", sa.String(60), nullable=False),
        sa.CheckConstraint(
            "(secret_hash IS NULL) <> (jwks IS NULL)", name="ck_api_clients_one_credential"
        ),
    )
    op.create_table(
        "api_client_assertions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client_pk", sa.Integer(), sa.ForeignKey("api_clients.id"), nullable=False),
        sa.Column("jti", sa.String(200), nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("client_pk", "jti", name="uq_api_client_assertions_client_pk"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("client_pk", sa.Integer(), sa.ForeignKey("api_clients.id"), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("issued_at", UTC_TIME, nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_api_tokens_client_pk", "api_tokens", ["client_pk"])
    op.create_table(
        "export_jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patients.id"), nullable=True),
        sa.Column("resource_types", sa.JSON(), nullable=False),
        sa.Column("since", UTC_TIME, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("requested_by", sa.String(60), nullable=False),
        sa.Column("requested_at", UTC_TIME, nullable=False),
        sa.Column("request_url", sa.String(1000), nullable=False),
        sa.Column("completed_at", UTC_TIME, nullable=True),
        _text("error", 1000),
    )
    op.create_index("ix_export_jobs_status", "export_jobs", ["status"])
    op.create_table(
        "export_files",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("job_id", sa.Integer(), sa.ForeignKey("export_jobs.id"), nullable=False),
        sa.Column("resource_type", sa.String(40), nullable=False),
        sa.Column("resource_count", sa.Integer(), nullable=False),
        sa.Column("content_encrypted", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_export_files_job_id", "export_files", ["job_id"])


def downgrade() -> None:
    for table in (
        "export_files",
        "export_jobs",
        "api_tokens",
        "api_client_assertions",
        "api_clients",
        "patient_merges",
        "interface_rejections",
        "import_holds",
        "import_receipts",
        "source_links",
        "patient_identifiers",
    ):
        op.drop_table(table)
    for table in CODED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("code_system")
            batch.drop_column("code")
    with op.batch_alter_table("observations") as batch:
        batch.drop_column("code_system")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("type_code")
        batch.alter_column("author_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("patients") as batch:
        batch.drop_column("merged_into_id")
    with op.batch_alter_table("clinicians") as batch:
        batch.alter_column("npi", existing_type=sa.String(10), nullable=False)
