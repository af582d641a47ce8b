"""Add tracked deficiencies, chart completion status and physician queries.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import himdesk.storage.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC_TIME = himdesk.storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "deficiencies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("encounter_id", sa.Integer(), sa.ForeignKey("encounters.id"), nullable=False),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("finding_key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("rule", sa.String(60), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("message", sa.String(1000), nullable=False),
        sa.Column("assignee_id", sa.Integer(), sa.ForeignKey("clinicians.id"), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("found_at", UTC_TIME, nullable=False),
        sa.Column("found_by", sa.String(60), nullable=False),
        sa.Column("cleared_at", UTC_TIME, nullable=True),
        sa.Column("cleared_by", sa.String(60), nullable=False),
        sa.Column("resolution", sa.String(20), nullable=True),
        sa.Column("resolution_note", sa.String(500), nullable=False),
    )
    op.create_index("ix_deficiencies_encounter_id", "deficiencies", ["encounter_id"])
    op.create_index("ix_deficiencies_assignee_id", "deficiencies", ["assignee_id"])
    op.create_index("ix_deficiencies_open", "deficiencies", ["cleared_at", "due_on"])
    op.create_table(
        "chart_reviews",
        sa.Column("encounter_id", sa.Integer(), sa.ForeignKey("encounters.id"), primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("analyzed_at", UTC_TIME, nullable=False),
        sa.Column("reviewed_by", sa.String(60), nullable=False),
        sa.Column("reviewed_at", UTC_TIME, nullable=True),
        sa.Column("completed_at", UTC_TIME, nullable=True),
    )
    op.create_index("ix_chart_reviews_status", "chart_reviews", ["status"])
    op.create_table(
        "physician_queries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("encounter_id", sa.Integer(), sa.ForeignKey("encounters.id"), nullable=False),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("deficiency_id", sa.Integer(), sa.ForeignKey("deficiencies.id"), nullable=True),
        sa.Column("addressee_id", sa.Integer(), sa.ForeignKey("clinicians.id"), nullable=False),
        sa.Column("asked_by", sa.String(60), nullable=False),
        sa.Column("asked_at", UTC_TIME, nullable=False),
        sa.Column("due_at", UTC_TIME, nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("escalated_at", UTC_TIME, nullable=True),
        sa.Column("answer_option", sa.String(200), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_by", sa.String(60), nullable=False),
        sa.Column("answered_at", UTC_TIME, nullable=True),
        sa.Column("addendum_id", sa.Integer(), sa.ForeignKey("documents.id"), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("coding_changed", sa.Boolean(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_physician_queries_encounter_id", "physician_queries", ["encounter_id"])
    op.create_index("ix_physician_queries_addressee_id", "physician_queries", ["addressee_id"])
    op.create_index("ix_physician_queries_open", "physician_queries", ["status", "due_at"])


def downgrade() -> None:
    op.drop_table("physician_queries")
    op.drop_table("chart_reviews")
    op.drop_table("deficiencies")
