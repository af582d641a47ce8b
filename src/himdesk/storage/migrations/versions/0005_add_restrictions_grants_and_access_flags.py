"""Add sensitive-record restrictions, break-the-glass grants and access-review flags.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import himdesk.storage.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UTC_TIME = himdesk.storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    # Plain ADD COLUMN and CREATE INDEX: a batch copy of audit_events would drop its
    # append-only triggers on SQLite.
    op.add_column("documents", sa.Column("sensitivity", sa.String(30), nullable=True))
    op.create_index("ix_audit_events_user_time", "audit_events", ["user_id", "occurred_at"])
    op.create_table(
        "patient_restrictions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("set_by", sa.String(60), nullable=False),
        sa.Column("set_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("patient_id", "category", name="uq_patient_restrictions_category"),
    )
    op.create_index("ix_patient_restrictions_patient_id", "patient_restrictions", ["patient_id"])
    op.create_table(
        "access_grants",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("granted_at", UTC_TIME, nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_access_grants_user_patient", "access_grants", ["user_id", "patient_id"])
    op.create_table(
        "access_flags",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("audit_sequence", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(60), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(30), nullable=False),
        sa.Column("flagged_at", UTC_TIME, nullable=False),
        sa.Column("disposition", sa.String(30), nullable=True),
        sa.Column("reviewed_by", sa.String(60), nullable=False),
        sa.Column("reviewed_at", UTC_TIME, nullable=True),
        sa.Column("note", sa.String(1000), nullable=False),
    )
    op.create_index("ix_access_flags_patient_id", "access_flags", ["patient_id"])
    op.create_index("ix_access_flags_open", "access_flags", ["disposition", "flagged_at"])


def downgrade() -> None:
    op.drop_table("access_flags")
    op.drop_table("access_grants")
    op.drop_table("patient_restrictions")
    op.drop_index("ix_audit_events_user_time", "audit_events")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("sensitivity")
