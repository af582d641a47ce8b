"""Signed checkpoints: a cut-off tail, a forged checkpoint and a re-sealed chain are named."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, replace
from datetime import timedelta

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError

from himdesk.bootstrap import Himdesk
from himdesk.config import Settings
from himdesk.domain.access import Actor, PermissionDenied, Role
from himdesk.domain.audit import GENESIS_HASH, seal, verify_chain
from himdesk.domain.audit_checkpoints import CheckpointSigner
from himdesk.services.audit import (
    VerificationReport,
    record,
    record_many,
    verify,
    write_checkpoint,
)
from himdesk.storage.tables import audit_checkpoints
from tests.fakes import FakeClock

EVERY = 5
CLERK = Actor(user_id=1, username="hana", role=Role.HIT, client_address="10.1.1.1")
ADMIN = Actor(user_id=2, username="sysadmin", role=Role.ADMIN, client_address="cli")
CODER = Actor(user_id=3, username="cody", role=Role.CODER, client_address="10.1.1.2")


@pytest.fixture
def himdesk(database_url: str, clock: FakeClock) -> Iterator[Himdesk]:
    """A checkpoint every 5 events, so that a dozen events show two of them."""
    settings = Settings(database_url=database_url, demo_mode=True, audit_checkpoint_every=EVERY)
    app = Himdesk(settings, clock=clock)
    yield app
    app.close()


def _record(himdesk: Himdesk, count: int, clock: FakeClock | None = None) -> None:
    with himdesk.unit_of_work() as uow:
        for n in range(count):
            if clock:
                clock.advance(seconds=1, microseconds=n)
            record(uow, CLERK, "chart.read", patient_id=n + 1, object_type="chart", object_id=n)
        uow.commit()


def _verify(himdesk: Himdesk) -> VerificationReport:
    with himdesk.unit_of_work() as uow:
        return verify(uow)


def _drop_guards(himdesk: Himdesk) -> None:
    """What an attacker with database access would do first."""
    with himdesk.engine.begin() as c:
        for table in ("audit_events", "audit_checkpoints"):
            if c.dialect.name == "postgresql":
                c.execute(text(f"DROP TRIGGER {table}_append_only ON {table}"))
            else:
                c.execute(text(f"DROP TRIGGER {table}_no_update"))
                c.execute(text(f"DROP TRIGGER {table}_no_delete"))


def test_a_checkpoint_is_signed_every_n_events(himdesk: Himdesk, clock: FakeClock) -> None:
    _record(himdesk, 12)

    with himdesk.unit_of_work() as uow:
        checkpoints = uow.audit.list_checkpoints()
        hashes = uow.audit.hashes_at({5, 10})

    assert [(c.number, c.sequence, c.event_count) for c in checkpoints] == [(1, 5, 5), (2, 10, 10)]
    assert [c.event_hash for c in checkpoints] == [hashes[5], hashes[10]]
    assert all(himdesk.checkpoint_signer.is_genuine(c) for c in checkpoints)
    assert checkpoints[0].created_at == clock.now


def test_a_rolled_back_transaction_leaves_neither_its_events_nor_their_checkpoint(
    himdesk: Himdesk,
) -> None:
    with himdesk.unit_of_work() as uow:
        for n in range(EVERY):
            record(uow, CLERK, "chart.read", patient_id=n + 1)

    with himdesk.unit_of_work() as uow:
        assert (uow.audit.count(), uow.audit.list_checkpoints()) == (0, [])


def test_an_untouched_trail_holds_against_its_checkpoints(himdesk: Himdesk) -> None:
    _record(himdesk, 12)

    report = _verify(himdesk)

    assert report.intact
    assert (report.checked, report.total, report.checkpoints_checked) == (12, 12, 2)
    assert report.last_checkpoint is not None and report.last_checkpoint.sequence == 10


def test_removing_the_newest_events_below_a_checkpoint_is_named(himdesk: Himdesk) -> None:
    _record(himdesk, 12)
    _drop_guards(himdesk)
    with himdesk.engine.begin() as c:
        c.execute(text("DELETE FROM audit_events WHERE sequence > 7"))

    report = _verify(himdesk)

    assert report.first_break is not None
    assert report.first_break.sequence == 8
    assert report.first_break.checkpoint == 2
    assert report.first_break.reason == (
        "events after 7 were removed: checkpoint 2 vouches for 10 events"
    )


def test_events_after_the_last_checkpoint_are_still_chain_checked(himdesk: Himdesk) -> None:
    _record(himdesk, 12)
    _drop_guards(himdesk)
    with himdesk.engine.begin() as c:
        c.execute(text("UPDATE audit_events SET action = 'chart.print' WHERE sequence = 12"))

    report = _verify(himdesk)

    assert report.first_break is not None
    assert (report.first_break.sequence, report.checkpoints_checked) == (12, 2)
    assert "changed" in report.first_break.reason


def test_a_forged_checkpoint_is_named(himdesk: Himdesk, clock: FakeClock) -> None:
    _record(himdesk, 12)
    forger = CheckpointSigner.from_secret("a guess at the audit key", EVERY)
    with himdesk.unit_of_work() as uow:
        tip_hash = uow.audit.hashes_at({12})[12]
    forged = forger.sign(3, 12, tip_hash, clock.now)
    with himdesk.engine.begin() as c:  # appending needs no dropped guard
        c.execute(insert(audit_checkpoints).values(asdict(forged)))

    report = _verify(himdesk)

    assert report.first_break is not None
    assert (report.first_break.sequence, report.first_break.checkpoint) == (12, 3)
    assert "checkpoint 3 is not genuine" in report.first_break.reason


def test_re_sealing_the_whole_chain_is_caught_by_the_checkpoints(himdesk: Himdesk) -> None:
    _record(himdesk, 12)
    _drop_guards(himdesk)
    with himdesk.unit_of_work() as uow:
        events = list(uow.audit.iterate())
    previous = GENESIS_HASH
    with himdesk.engine.begin() as c:
        for event in events:
            entry = event.entry
            if event.sequence == 3:  # the change the attacker wants hidden
                entry = replace(entry, username="someone_else")
            resealed = seal(entry, event.sequence, previous)
            c.execute(
                text(
                    "UPDATE audit_events SET username = :username, previous_hash = :previous, "
                    "event_hash = :hash WHERE sequence = :sequence"
                ),
                {"username": entry.username, "previous": previous,
                 "hash": resealed.event_hash, "sequence": event.sequence},
            )  # fmt: skip
            previous = resealed.event_hash
    with himdesk.unit_of_work() as uow:
        assert verify_chain(uow.audit.iterate()) == (12, None)  # the chain alone is fooled

    report = _verify(himdesk)

    assert report.first_break is not None
    assert (report.first_break.sequence, report.first_break.checkpoint) == (5, 1)
    assert report.checked == 4  # only the events before the mismatch are vouched for
    assert report.first_break.reason.startswith("checkpoint 1 does not match the chain at event 5")


def test_the_database_refuses_to_update_or_delete_checkpoints(himdesk: Himdesk) -> None:
    _record(himdesk, EVERY)
    for statement in (
        "UPDATE audit_checkpoints SET sequence = 1",
        "DELETE FROM audit_checkpoints",
    ):
        with pytest.raises(DBAPIError, match="append-only"), himdesk.engine.begin() as c:
            c.execute(text(statement))


def test_an_operator_checkpoint_vouches_for_the_tip_and_its_own_audit_event(
    himdesk: Himdesk,
) -> None:
    _record(himdesk, 3)

    with himdesk.unit_of_work() as uow:
        checkpoint = write_checkpoint(uow, ADMIN)
    with himdesk.unit_of_work() as uow:
        (own_event,) = [e for e in uow.audit.iterate() if e.sequence == 4]

    assert (checkpoint.number, checkpoint.sequence) == (1, 4)
    assert (own_event.entry.action, own_event.entry.username) == ("audit.checkpoint", "sysadmin")
    assert _verify(himdesk).checkpoints_checked == 1


def test_a_checkpoint_already_at_the_tip_is_not_signed_again(himdesk: Himdesk) -> None:
    _record(himdesk, EVERY - 1)

    with himdesk.unit_of_work() as uow:
        checkpoint = write_checkpoint(uow, ADMIN)  # its own event is the 5th: one falls due
    with himdesk.unit_of_work() as uow:
        checkpoints = uow.audit.list_checkpoints()

    assert checkpoints == [checkpoint]


def test_a_role_without_audit_verification_may_not_write_checkpoints(himdesk: Himdesk) -> None:
    _record(himdesk, 2)

    with pytest.raises(PermissionDenied), himdesk.unit_of_work() as uow:
        write_checkpoint(uow, CODER)

    with himdesk.unit_of_work() as uow:
        refusal = list(uow.audit.iterate())[-1]
        assert uow.audit.list_checkpoints() == []
    assert (refusal.entry.username, refusal.entry.outcome) == ("cody", "denied")


def test_checkpoint_times_keep_their_microseconds(himdesk: Himdesk, clock: FakeClock) -> None:
    clock.advance(microseconds=123_457)
    _record(himdesk, EVERY * 2, clock)
    clock.advance(days=400, microseconds=1)

    report = _verify(himdesk)

    assert report.intact and report.checkpoints_checked == 2
    assert report.last_checkpoint is not None
    assert report.last_checkpoint.created_at.microsecond != 0
    assert report.last_checkpoint.created_at < clock.now - timedelta(days=399)


def test_events_appended_together_are_chained_and_checkpointed_like_single_ones(
    himdesk: Himdesk,
) -> None:
    _record(himdesk, 3)
    with himdesk.unit_of_work() as uow:
        assert record_many(uow, CLERK, "chart.analyze", []) == []
        charts = [(n, "encounter", n * 10) for n in range(1, 10)]
        events = record_many(uow, CLERK, "chart.analyze", charts)
        uow.commit()

    assert [e.sequence for e in events] == list(range(4, 13))
    assert [(e.entry.patient_id, e.entry.object_id) for e in events] == [
        (n, str(n * 10)) for n in range(1, 10)
    ]
    with himdesk.unit_of_work() as uow:
        assert [c.sequence for c in uow.audit.list_checkpoints()] == [5, 10]
    report = _verify(himdesk)
    assert report.intact and report.checked == 12 and report.checkpoints_checked == 2
