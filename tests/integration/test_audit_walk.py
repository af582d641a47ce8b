"""The fast chain walk: worker processes and keyset pages find what one plain walk finds."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, Role
from himdesk.domain.audit import ChainWalk
from himdesk.services.audit import record
from himdesk.storage.audit_walk import walk_chain
from tests.fakes import FakeClock

CLERK = Actor(user_id=1, username="hana", role=Role.HIT, client_address="10.1.1.1")
EVENTS = 30
ALWAYS, NEVER = 1, 10**9


@pytest.fixture
def thirty_events(himdesk: Himdesk, clock: FakeClock) -> None:
    with himdesk.unit_of_work() as uow:
        for n in range(EVENTS):
            clock.advance(seconds=7, microseconds=n * 10_001)
            record(uow, CLERK, "chart.read", patient_id=n + 1, object_type="chart", object_id=n)
        uow.commit()


def _walk(himdesk: Himdesk, parallel_from: int, page_size: int = 20_000) -> ChainWalk:
    with himdesk.engine.connect() as c:
        return walk_chain(c, EVENTS, parallel_from, page_size)


def _tamper(himdesk: Himdesk, statement: str) -> None:
    with himdesk.engine.begin() as c:
        if c.dialect.name == "postgresql":
            c.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
        else:
            c.execute(text("DROP TRIGGER audit_events_no_update"))
            c.execute(text("DROP TRIGGER audit_events_no_delete"))
        c.execute(text(statement))


def test_a_chain_walked_by_worker_processes_is_intact_end_to_end(
    himdesk: Himdesk, thirty_events: None
) -> None:
    walk = _walk(himdesk, ALWAYS)
    assert (walk.checked, walk.first_break, walk.last_sequence) == (EVENTS, None, EVENTS)


def test_a_chain_read_in_small_pages_is_intact_end_to_end(
    himdesk: Himdesk, thirty_events: None
) -> None:
    walk = _walk(himdesk, NEVER, page_size=4)
    assert (walk.checked, walk.first_break, walk.last_sequence) == (EVENTS, None, EVENTS)


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM audit_events WHERE sequence = 1",
        "DELETE FROM audit_events WHERE sequence = 15",
        "DELETE FROM audit_events WHERE sequence = 16",
        "UPDATE audit_events SET outcome = 'denied' WHERE sequence = 16",
        "UPDATE audit_events SET sequence = -1 WHERE sequence = 8",
        "DELETE FROM audit_events WHERE sequence BETWEEN 10 AND 22",
    ],
)
def test_workers_and_pages_name_the_same_break_as_one_walk(
    himdesk: Himdesk, thirty_events: None, statement: str
) -> None:
    _tamper(himdesk, statement)

    one_walk = _walk(himdesk, NEVER)

    assert one_walk.first_break is not None
    assert _walk(himdesk, ALWAYS) == one_walk
    assert _walk(himdesk, NEVER, page_size=4) == one_walk
