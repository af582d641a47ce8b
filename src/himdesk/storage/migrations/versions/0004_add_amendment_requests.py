"""Add patients' requests to amend their record (HIPAA 45 CFR 164.526).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import himdesk.storage.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UTC_TIME = himdesk.storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "amendment_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("requested_change", sa.Text(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("received_by", sa.String(length=60), nullable=False),
        sa.Column("recorded_at", UTC_TIME, nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.String(length=60), nullable=False),
        sa.Column("decided_at", UTC_TIME, nullable=True),
        sa.Column("amended_version", sa.Integer(), nullable=True),
        sa.Column("amendment_text", sa.Text(), nullable=False),
        sa.Column("denial_ground", sa.String(length=40), nullable=True),
        sa.Column("denial_explanation", sa.Text(), nullable=False),
        sa.Column("disagreement", sa.Text(), nullable=False),
        sa.Column("rebuttal", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_amendment_requests_patient_id_patients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amendment_requests")),
    )
    op.create_index(
        "ix_amendment_requests_patient_id", "amendment_requests", ["patient_id"], unique=False
    )
    op.create_index(
        "ix_amendment_requests_open", "amendment_requests", ["status", "due_on"], unique=False
    )
    op.create_index(
        "ix_amendment_requests_target", "amendment_requests", ["target", "target_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_amendment_requests_target", table_name="amendment_requests")
    op.drop_index("ix_amendment_requests_open", table_name="amendment_requests")
    op.drop_index("ix_amendment_requests_patient_id", table_name="amendment_requests")
    op.drop_table("amendment_requests")
