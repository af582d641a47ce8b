"""Add signed audit checkpoints, append-only like the audit trail they vouch for.

Each checkpoint records how far the audit chain reached (last sequence, its event hash,
the event count, when), signed with HMAC-SHA256 under HIMDESK_AUDIT_KEY. Triggers refuse
UPDATE and DELETE on SQLite and PostgreSQL alike. A trail that predates this migration is
vouched for from its first checkpoint on: run `himdesk audit checkpoint` after upgrading.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import himdesk.storage.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLE = "audit_checkpoints"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("event_hash", sa.String(length=64), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("created_at", himdesk.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_audit_checkpoints")),
    )
    _make_append_only()


def downgrade() -> None:
    op.drop_table(TABLE)  # its triggers go with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION {TABLE}_refuse_change()")


def _make_append_only() -> None:
    # The same guard as 0001 gives audit_events, repeated here so this migration stands alone.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION {TABLE}_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{TABLE} is append-only';
            END $$;
            CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
                FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse_change();
            """
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only'); END"
        )
