"""Add login throttling, TOTP authenticators, recovery codes and session stages.

Users get a count of consecutive failed logins and the time logins pause until; each user
may have one TOTP authenticator (its secret encrypted like SSNs) and one-time recovery codes
(stored as digests only); a web session records whether the second factor is still due.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import himdesk.storage.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC_TIME = himdesk.storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    # Adding nullable or defaulted columns needs no table copy on SQLite (batch does ALTER).
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("paused_until", UTC_TIME, nullable=True))
    with op.batch_alter_table("web_sessions") as batch_op:
        batch_op.add_column(
            sa.Column("stage", sa.String(length=20), nullable=False, server_default="active")
        )
    op.create_table(
        "authenticators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("enrolled_at", UTC_TIME, nullable=True),
        sa.Column("last_used_step", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_authenticators_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authenticators")),
        sa.UniqueConstraint("user_id", name=op.f("uq_authenticators_user_id")),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("used_at", UTC_TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
        sa.UniqueConstraint("code_digest", name=op.f("uq_recovery_codes_code_digest")),
    )
    op.create_index(op.f("ix_recovery_codes_user_id"), "recovery_codes", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_recovery_codes_user_id"), table_name="recovery_codes")
    op.drop_table("recovery_codes")
    op.drop_table("authenticators")
    with op.batch_alter_table("web_sessions") as batch_op:
        batch_op.drop_column("stage")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("paused_until")
        batch_op.drop_column("failed_logins")
