"""Add code-set releases (official ICD-10-CM/PCS files by fiscal year, kept as compressed
parts) and the coding abstract of an encounter: coded diagnoses with POA, coded procedures,
the DRG, final coding, and a version of the abstract kept at each final coding or reopening.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import himdesk.storage.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UTC_TIME = himdesk.storage.types.UTCDateTime(timezone=True)


def _text(name: str, length: int) -> sa.Column[str]:
    return sa.Column(name, sa.String(length), nullable=False, server_default="")


def upgrade() -> None:
    op.create_table(
        "code_set_releases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code_system", sa.String(12), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("loaded_at", UTC_TIME, nullable=False),
        sa.Column("loaded_by", sa.String(60), nullable=False),
        sa.UniqueConstraint("code_system", "fiscal_year", name="uq_code_set_releases_year"),
    )
    op.create_table(
        "code_set_parts",
        sa.Column(
            "release_id", sa.Integer(), sa.ForeignKey("code_set_releases.id"), primary_key=True
        ),
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
    )
    _create_abstracts()


def _create_abstracts() -> None:
    op.create_table(
        "coding_abstracts",
        sa.Column("encounter_id", sa.Integer(), sa.ForeignKey("encounters.id"), primary_key=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("discharge_disposition", sa.String(2), nullable=True),
        sa.Column("code_set_year", sa.Integer(), nullable=True),
        _text("drg", 3),
        sa.Column("drg_version", sa.Integer(), nullable=True),
        sa.Column("drg_weight", sa.Numeric(8, 4), nullable=True),
        sa.Column("started_at", UTC_TIME, nullable=False),
        sa.Column("started_by", sa.String(60), nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.Column("updated_by", sa.String(60), nullable=False),
        sa.Column("finalized_at", UTC_TIME, nullable=True),
        _text("finalized_by", 60),
    )
    op.create_index("ix_coding_abstracts_status", "coding_abstracts", ["status"])
    op.create_index("ix_coding_abstracts_finalized_at", "coding_abstracts", ["finalized_at"])
    op.create_table(
        "coded_diagnoses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("encounter_id", sa.Integer(), sa.ForeignKey("encounters.id"), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(8), nullable=False),
        _text("poa", 1),
        sa.UniqueConstraint("encounter_id", "sequence", name="uq_coded_diagnoses_sequence"),
    )
    op.create_index("ix_coded_diagnoses_encounter_id", "coded_diagnoses", ["encounter_id"])
    op.create_table(
        "coded_procedures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("encounter_id", sa.Integer(), sa.ForeignKey("encounters.id"), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(7), nullable=False),
        sa.Column("performed_on", sa.Date(), nullable=True),
        sa.Column("operator_id", sa.Integer(), sa.ForeignKey("clinicians.id"), nullable=True),
        sa.UniqueConstraint("encounter_id", "sequence", name="uq_coded_procedures_sequence"),
    )
    op.create_index("ix_coded_procedures_encounter_id", "coded_procedures", ["encounter_id"])
    op.create_table(
        "coding_abstract_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("encounter_id", sa.Integer(), sa.ForeignKey("encounters.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UTC_TIME, nullable=False),
        sa.Column("recorded_by", sa.String(60), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.UniqueConstraint("encounter_id", "version", name="uq_coding_abstract_versions_version"),
    )
    op.create_index(
        "ix_coding_abstract_versions_encounter_id", "coding_abstract_versions", ["encounter_id"]
    )


def downgrade() -> None:
    for table in (
        "coding_abstract_versions",
        "coded_procedures",
        "coded_diagnoses",
        "coding_abstracts",
        "code_set_parts",
        "code_set_releases",
    ):
        op.drop_table(table)
