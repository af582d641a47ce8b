"""The walk behind `audit verify`: rows in stretches, joined, name what one walk names."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from tests.fakes import audit_entry, sealed_chain

from himdesk.domain.audit import (
    GENESIS_HASH,
    AuditEntry,
    ChainBreak,
    SealedAuditEvent,
    event_hash,
    join_stretches,
    seal,
    sealed_row,
    verify_chain,
    walk_stretch,
)

WRITTEN_AT = datetime(2026, 3, 2, 14, 30, 0, 250_000, tzinfo=UTC)


def _entry(n: int, **changes: object) -> AuditEntry:
    return audit_entry(n, WRITTEN_AT, **changes)


_seal_all = sealed_chain


def _chain(length: int) -> list[SealedAuditEvent]:
    return _seal_all([_entry(n) for n in range(1, length + 1)])


_texts = st.text(max_size=12)
_ids = st.none() | st.integers(min_value=0, max_value=2**31)
_entries = st.builds(
    AuditEntry,
    occurred_at=st.datetimes(timezones=st.just(UTC)),
    user_id=_ids,
    username=_texts,
    role=_texts,
    action=_texts,
    outcome=_texts,
    patient_id=_ids,
    object_type=_texts,
    object_id=_texts,
    client_address=_texts,
    purpose=_texts,
)


def test_the_canonical_form_is_the_compact_ascii_json_it_always_was() -> None:
    # Pinned so that events sealed before the fast walk existed still verify.
    entry = _entry(1, username="José", object_id='a "quoted" id')
    canonical = json.dumps(
        [1, GENESIS_HASH, entry.occurred_at.isoformat(timespec="microseconds"), 7, "José",
         "hit", "chart.read", "success", 101, "patient", 'a "quoted" id', "10.0.0.5", "HOPERAT"],
        separators=(",", ":"),
        ensure_ascii=True,
    )  # fmt: skip
    assert event_hash(entry, 1, GENESIS_HASH) == hashlib.sha256(canonical.encode()).hexdigest()


def test_a_stretch_that_does_not_follow_the_one_before_is_named_where_it_starts() -> None:
    rows = [sealed_row(event) for event in _chain(6)]
    forged_start = seal(_entry(99), 4, "f" * 64)

    walk = join_stretches([walk_stretch(rows[:3]), walk_stretch([sealed_row(forged_start)])])

    assert walk.checked == 3
    assert walk.first_break is not None
    assert walk.first_break.sequence == 4
    assert "does not follow" in walk.first_break.reason


def test_an_intact_walk_ends_at_the_last_event_and_its_hash() -> None:
    events = _chain(4)
    walk = join_stretches([walk_stretch(sealed_row(event) for event in events)])
    assert (walk.checked, walk.last_sequence, walk.last_hash) == (4, 4, events[-1].event_hash)


def test_empty_stretches_are_passed_over_when_joining() -> None:
    rows = [sealed_row(event) for event in _chain(4)]
    stretches = [walk_stretch(rows[:2]), walk_stretch([]), walk_stretch(rows[2:])]
    assert join_stretches(stretches) == join_stretches([walk_stretch(rows)])


@given(st.lists(_entries, min_size=1, max_size=8), st.data())
def test_walking_in_stretches_finds_what_one_walk_finds(
    entries: list[AuditEntry], data: st.DataObject
) -> None:
    events = _seal_all(entries)
    if data.draw(st.booleans(), label="tamper"):
        index = data.draw(st.integers(min_value=0, max_value=len(events) - 1), label="index")
        how = data.draw(st.sampled_from(["change", "remove", "swap"]), label="how")
        if how == "change":
            events[index] = replace(events[index], entry=replace(events[index].entry, role="x"))
        elif how == "remove":
            del events[index]
        elif index + 1 < len(events):
            events[index], events[index + 1] = events[index + 1], events[index]
    rows = [sealed_row(event) for event in events]
    cuts = sorted(data.draw(st.lists(st.integers(0, len(rows)), max_size=3), label="cuts"))
    pieces = [rows[a:b] for a, b in zip([0, *cuts], [*cuts, len(rows)], strict=True)]

    walked = join_stretches(walk_stretch(piece) for piece in pieces)

    assert (walked.checked, walked.first_break) == _one_event_at_a_time(events)
    assert verify_chain(events) == _one_event_at_a_time(events)


def _one_event_at_a_time(events: list[SealedAuditEvent]) -> tuple[int, ChainBreak | None]:
    """The walk as it was first written: the reference the fast walk must agree with."""
    expected_previous, expected_sequence = GENESIS_HASH, 1
    for checked, event in enumerate(events):
        if event.sequence != expected_sequence:
            reason = (
                f"event {event.sequence} comes where event {expected_sequence} should: "
                "events were removed, duplicated or reordered"
            )
            return checked, ChainBreak(event.sequence, reason)
        if event.previous_hash != expected_previous:
            reason = "does not follow the event before it: an event was removed or inserted"
            return checked, ChainBreak(event.sequence, reason)
        if event_hash(event.entry, event.sequence, event.previous_hash) != event.event_hash:
            return checked, ChainBreak(
                event.sequence, "its contents were changed after it was written"
            )
        expected_previous, expected_sequence = event.event_hash, expected_sequence + 1
    return len(events), None


def test_a_value_of_a_type_no_writer_stores_is_named_as_a_change() -> None:
    rows = [sealed_row(event) for event in _chain(3)]
    rows[1] = (*rows[1][:5], b"jdoe", *rows[1][6:])  # a BLOB where the username belongs

    walk = join_stretches([walk_stretch(rows)])

    assert walk.checked == 1
    assert walk.first_break == ChainBreak(2, "its contents were changed after it was written")
