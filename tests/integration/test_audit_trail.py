"""The audit trail: append-only in the database, and tampering is detected and located."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, Role
from himdesk.services.audit import record, verify
from tests.fakes import FakeClock

CLERK = Actor(user_id=1, username="hana", role=Role.HIT, client_address="10.1.1.1")


@pytest.fixture
def ten_events(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow:
        for n in range(10):
            record(uow, CLERK, "chart.read", patient_id=n + 1, object_type="chart", object_id=n + 1)
        uow.commit()


def _drop_guards(himdesk: Himdesk) -> None:
    """What an attacker with database access would do first."""
    with himdesk.engine.begin() as c:
        if c.dialect.name == "postgresql":
            c.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
        else:
            c.execute(text("DROP TRIGGER audit_events_no_update"))
            c.execute(text("DROP TRIGGER audit_events_no_delete"))


def _first_break(himdesk: Himdesk) -> int | None:
    with himdesk.unit_of_work() as uow:
        report = verify(uow)
    return report.first_break.sequence if report.first_break else None


def test_an_untouched_trail_verifies(himdesk: Himdesk, ten_events: None) -> None:
    with himdesk.unit_of_work() as uow:
        report = verify(uow)
    assert report.intact and report.checked == report.total == 10


def test_the_database_refuses_to_update_or_delete_audit_events(
    himdesk: Himdesk, ten_events: None
) -> None:
    for statement in ("UPDATE audit_events SET username = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), himdesk.engine.begin() as c:
            c.execute(text(statement))


def test_a_changed_event_is_named(himdesk: Himdesk, ten_events: None) -> None:
    _drop_guards(himdesk)
    with himdesk.engine.begin() as c:
        c.execute(text("UPDATE audit_events SET username = 'someone' WHERE sequence = 4"))
    assert _first_break(himdesk) == 4


def test_a_removed_event_is_named(himdesk: Himdesk, ten_events: None) -> None:
    _drop_guards(himdesk)
    with himdesk.engine.begin() as c:
        c.execute(text("DELETE FROM audit_events WHERE sequence = 6"))
    assert _first_break(himdesk) == 7


def test_an_inserted_event_is_named(himdesk: Himdesk, ten_events: None) -> None:
    _drop_guards(himdesk)
    with himdesk.engine.begin() as c:
        c.execute(text("UPDATE audit_events SET sequence = sequence + 100 WHERE sequence > 5"))
        c.execute(
            text(
                "INSERT INTO audit_events SELECT 6, occurred_at, user_id, username, role, action, "
                "outcome, patient_id, object_type, object_id, client_address, purpose, "
                "previous_hash, event_hash FROM audit_events WHERE sequence = 5"
            )
        )
        c.execute(text("UPDATE audit_events SET sequence = sequence - 99 WHERE sequence > 100"))
    assert _first_break(himdesk) == 6


def test_reordered_events_are_named(himdesk: Himdesk, ten_events: None) -> None:
    _drop_guards(himdesk)
    with himdesk.engine.begin() as c:
        c.execute(text("UPDATE audit_events SET sequence = -4 WHERE sequence = 4"))
        c.execute(text("UPDATE audit_events SET sequence = 4 WHERE sequence = 5"))
        c.execute(text("UPDATE audit_events SET sequence = 5 WHERE sequence = -4"))
    assert _first_break(himdesk) == 4


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 2, 14, 30, 0, 1, tzinfo=UTC),
        datetime(2028, 2, 29, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(1999, 12, 31, 0, 0, tzinfo=UTC),
    ],
)
def test_event_times_are_hashed_alike_on_every_backend(
    himdesk: Himdesk, clock: FakeClock, moment: datetime
) -> None:
    clock.now = moment
    with himdesk.unit_of_work() as uow:
        record(uow, CLERK, "chart.read", patient_id=1)
        uow.commit()
    assert _first_break(himdesk) is None
