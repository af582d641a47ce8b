"""Signed checkpoints reveal what the hash chain cannot: a cut-off tail and a re-sealed chain."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from himdesk.domain.audit import (
    GENESIS_HASH,
    AuditEntry,
    ChainBreak,
    SealedAuditEvent,
    join_stretches,
    seal,
    sealed_row,
    walk_stretch,
)
from himdesk.domain.audit_checkpoints import (
    AuditCheckpoint,
    CheckpointSigner,
    review_checkpoints,
)

SIGNED_AT = datetime(2026, 3, 2, 15, 0, 0, 250_000, tzinfo=UTC)
SIGNER = CheckpointSigner.from_secret("the hospital's audit key", every=3)


def _chain(length: int, username: str = "jdoe") -> list[SealedAuditEvent]:
    events, previous = [], GENESIS_HASH
    for sequence in range(1, length + 1):
        entry = AuditEntry(
            occurred_at=SIGNED_AT - timedelta(minutes=length - sequence),
            user_id=7,
            username=username if sequence == 2 else "jdoe",
            role="hit",
            action="chart.read",
            patient_id=100 + sequence,
        )
        events.append(seal(entry, sequence, previous))
        previous = events[-1].event_hash
    return events


def _checkpoints(events: list[SealedAuditEvent]) -> list[AuditCheckpoint]:
    due = [event for event in events if SIGNER.is_due(event.sequence)]
    return [
        SIGNER.sign(number, event.sequence, event.event_hash, SIGNED_AT)
        for number, event in enumerate(due, start=1)
    ]


def _review(
    events: list[SealedAuditEvent], checkpoints: list[AuditCheckpoint]
) -> tuple[int, ChainBreak | None]:
    walk = join_stretches([walk_stretch(sealed_row(event) for event in events)])
    hashes = {event.sequence: event.event_hash for event in events}
    return review_checkpoints(SIGNER, checkpoints, walk, hashes)


def test_a_checkpoint_is_due_every_n_events() -> None:
    assert [n for n in range(1, 10) if SIGNER.is_due(n)] == [3, 6, 9]


def test_a_signed_checkpoint_is_genuine_and_counts_the_events_it_vouches_for() -> None:
    checkpoint = SIGNER.sign(1, 3, "a" * 64, SIGNED_AT)
    assert SIGNER.is_genuine(checkpoint)
    assert (checkpoint.sequence, checkpoint.event_count) == (3, 3)


@pytest.mark.parametrize(
    "change",
    [
        {"number": 2},
        {"sequence": 4},
        {"event_hash": "b" * 64},
        {"event_count": 2},
        {"created_at": SIGNED_AT + timedelta(microseconds=1)},
        {"signature": "0" * 64},
    ],
)
def test_changing_any_part_of_a_checkpoint_makes_it_not_genuine(change: dict[str, object]) -> None:
    checkpoint = SIGNER.sign(1, 3, "a" * 64, SIGNED_AT)
    assert not SIGNER.is_genuine(replace(checkpoint, **change))  # type: ignore[arg-type]


def test_a_checkpoint_signed_under_another_key_is_not_genuine() -> None:
    forger = CheckpointSigner.from_secret("a guess at the key", every=3)
    assert not SIGNER.is_genuine(forger.sign(1, 3, "a" * 64, SIGNED_AT))


def test_the_time_zone_a_checkpoint_is_signed_in_does_not_matter() -> None:
    elsewhere = SIGNED_AT.astimezone(timezone(timedelta(hours=-5)))
    checkpoint = SIGNER.sign(1, 3, "a" * 64, elsewhere)
    assert SIGNER.is_genuine(replace(checkpoint, created_at=SIGNED_AT))


def test_the_key_never_shows_in_the_signers_repr() -> None:
    assert repr(SIGNER.key) not in repr(SIGNER)
    assert SIGNER.key.hex() not in repr(SIGNER)


def test_an_empty_key_and_checkpoints_every_zero_events_are_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        CheckpointSigner.from_secret("")
    with pytest.raises(ValueError, match="every 1 or more"):
        CheckpointSigner.from_secret("key", every=0)


def test_an_untouched_chain_holds_against_every_checkpoint() -> None:
    events = _chain(8)
    assert _review(events, _checkpoints(events)) == (2, None)


def test_removing_the_newest_events_below_a_checkpoint_is_named() -> None:
    events = _chain(8)
    checkpoints = _checkpoints(events)

    checked, problem = _review(events[:4], checkpoints)

    assert checked == 1
    assert problem is not None
    assert problem.sequence == 5
    assert problem.reason == "events after 4 were removed: checkpoint 2 vouches for 6 events"
    assert problem.checkpoint == 2


def test_removing_every_event_is_named() -> None:
    events = _chain(4)
    _, problem = _review([], _checkpoints(events))
    assert problem is not None
    assert "all events were removed" in problem.reason


def test_a_re_sealed_chain_is_named_at_the_first_checkpoint_it_no_longer_matches() -> None:
    events = _chain(8)
    checkpoints = _checkpoints(events)
    resealed = _chain(8, username="someone_else")  # event 2 changed, every hash recomputed

    checked, problem = _review(resealed, checkpoints)

    assert checked == 0
    assert problem is not None
    assert problem.sequence == 3
    assert problem.reason.startswith("checkpoint 1 does not match the chain at event 3")


def test_a_forged_checkpoint_is_named() -> None:
    events = _chain(8)
    forger = CheckpointSigner.from_secret("a guess at the key", every=3)
    forged = [*_checkpoints(events)[:1], forger.sign(2, 6, events[5].event_hash, SIGNED_AT)]

    checked, problem = _review(events, forged)

    assert checked == 1
    assert problem is not None
    assert "checkpoint 2 is not genuine" in problem.reason


def test_a_removed_checkpoint_is_named() -> None:
    events = _chain(10)
    checkpoints = _checkpoints(events)
    del checkpoints[1]

    _, problem = _review(events, checkpoints)

    assert problem is not None
    assert "checkpoint 2 is missing" in problem.reason


def test_a_chain_break_before_any_checkpoint_problem_is_named_first() -> None:
    events = _chain(8)
    checkpoints = _checkpoints(events)
    events[1] = replace(events[1], entry=replace(events[1].entry, outcome="denied"))

    checked, problem = _review(events, checkpoints)

    assert checked == 0
    assert problem is not None
    assert problem.sequence == 2
    assert problem.checkpoint is None


def test_a_checkpoint_problem_before_a_chain_break_is_named_first() -> None:
    events = _chain(8)
    forger = CheckpointSigner.from_secret("a guess at the key", every=3)
    checkpoints = [forger.sign(1, 3, events[2].event_hash, SIGNED_AT)]
    events[6] = replace(events[6], entry=replace(events[6].entry, outcome="denied"))

    _, problem = _review(events, checkpoints)

    assert problem is not None
    assert problem.sequence == 3
    assert problem.checkpoint == 1
