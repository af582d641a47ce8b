"""The migrations build exactly the schema that `storage/tables.py` describes, and undo it."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from himdesk.bootstrap import Himdesk
from himdesk.storage.migrate import MIGRATIONS, alembic_config, upgrade
from himdesk.storage.tables import metadata


def test_the_migrations_form_one_line_of_history() -> None:
    script = ScriptDirectory(str(MIGRATIONS))
    assert len(script.get_heads()) == 1
    assert [r.revision for r in script.walk_revisions()][-1] == "0001"


def test_the_migrated_schema_matches_the_table_definitions(himdesk: Himdesk) -> None:
    with himdesk.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_every_migration_can_be_undone_and_redone(himdesk: Himdesk) -> None:
    config = alembic_config(himdesk.engine)
    command.downgrade(config, "0001")
    upgrade(himdesk.engine)
    with himdesk.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
