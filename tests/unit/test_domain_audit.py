"""The audit trail is a hash chain: any change, removal, insertion or reordering is named."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from tests.fakes import audit_entry, sealed_chain

from himdesk.domain.audit import (
    GENESIS_HASH,
    AuditEntry,
    SealedAuditEvent,
    event_hash,
    seal,
    verify_chain,
)

WRITTEN_AT = datetime(2026, 3, 2, 14, 30, 0, tzinfo=UTC)


def _entry(n: int, **changes: object) -> AuditEntry:
    return audit_entry(n, WRITTEN_AT, **changes)


_seal_all = sealed_chain


def _chain(length: int = 5) -> list[SealedAuditEvent]:
    return _seal_all([_entry(n) for n in range(1, length + 1)])


def test_an_untouched_chain_verifies_every_event() -> None:
    assert verify_chain(_chain(5)) == (5, None)


def test_an_empty_chain_verifies_with_nothing_checked() -> None:
    assert verify_chain([]) == (0, None)


def test_the_first_event_seals_onto_the_genesis_hash() -> None:
    first = _chain(1)[0]
    assert first.previous_hash == GENESIS_HASH
    assert first.event_hash == event_hash(first.entry, 1, GENESIS_HASH)


def test_each_event_seals_the_one_before_it() -> None:
    events = _chain(3)
    assert events[1].previous_hash == events[0].event_hash
    assert events[2].previous_hash == events[1].event_hash


def test_the_same_entry_sealed_after_a_different_event_gets_a_different_hash() -> None:
    entry = _entry(1)
    assert event_hash(entry, 2, "a" * 64) != event_hash(entry, 2, "b" * 64)


def test_changing_an_audit_event_breaks_the_chain_at_that_event() -> None:
    events = _chain(5)
    events[2] = replace(events[2], entry=replace(events[2].entry, action="patient.ssn.read"))

    checked, first_break = verify_chain(events)

    assert checked == 2
    assert first_break is not None
    assert first_break.sequence == 3
    assert "changed" in first_break.reason


def test_changing_only_the_time_by_a_microsecond_is_detected() -> None:
    events = _chain(3)
    moved = events[1].entry.occurred_at + timedelta(microseconds=1)
    events[1] = replace(events[1], entry=replace(events[1].entry, occurred_at=moved))

    _, first_break = verify_chain(events)

    assert first_break is not None
    assert first_break.sequence == 2


def test_resealing_a_changed_event_breaks_the_chain_at_the_next_event() -> None:
    events = _chain(5)
    forged_entry = replace(events[2].entry, username="someone_else")
    events[2] = seal(forged_entry, 3, events[2].previous_hash)

    checked, first_break = verify_chain(events)

    assert checked == 3
    assert first_break is not None
    assert first_break.sequence == 4
    assert "does not follow" in first_break.reason


def test_removing_an_event_is_named_as_the_first_break() -> None:
    events = _chain(5)
    del events[2]

    checked, first_break = verify_chain(events)

    assert checked == 2
    assert first_break is not None
    assert first_break.sequence == 4
    assert "event 4 comes where event 3 should" in first_break.reason
    assert "removed" in first_break.reason


def test_removing_the_first_event_is_detected() -> None:
    events = _chain(3)[1:]

    checked, first_break = verify_chain(events)

    assert checked == 0
    assert first_break is not None
    assert first_break.sequence == 2


def test_removing_an_event_and_renumbering_the_rest_is_detected() -> None:
    events = _chain(5)
    del events[2]
    events = [replace(e, sequence=n) for n, e in enumerate(events, start=1)]

    checked, first_break = verify_chain(events)

    assert checked == 2
    assert first_break is not None
    assert first_break.sequence == 3


def test_inserting_an_event_is_detected() -> None:
    events = _chain(5)
    forged = seal(_entry(99, action="chart.read"), 3, events[1].event_hash)
    events.insert(2, forged)
    renumbered = [replace(e, sequence=n) for n, e in enumerate(events, start=1)]

    checked, first_break = verify_chain(renumbered)

    assert checked == 3
    assert first_break is not None
    assert first_break.sequence == 4
    assert "inserted" in first_break.reason


def test_inserting_an_event_without_renumbering_is_detected() -> None:
    events = _chain(5)
    events.insert(2, seal(_entry(99), 3, events[1].event_hash))

    _, first_break = verify_chain(events)

    assert first_break is not None
    assert first_break.sequence == 3


def test_reordering_events_is_detected() -> None:
    events = _chain(5)
    events[1], events[2] = events[2], events[1]

    checked, first_break = verify_chain(events)

    assert checked == 1
    assert first_break is not None
    assert first_break.sequence == 3
    assert "reordered" in first_break.reason


def test_reordering_events_and_renumbering_them_is_detected() -> None:
    events = _chain(5)
    events[1], events[2] = events[2], events[1]
    renumbered = [replace(e, sequence=n) for n, e in enumerate(events, start=1)]

    checked, first_break = verify_chain(renumbered)

    assert checked == 1
    assert first_break is not None
    assert first_break.sequence == 2


def test_only_the_earliest_of_several_breaks_is_named() -> None:
    events = _chain(6)
    events[4] = replace(events[4], entry=replace(events[4].entry, outcome="denied"))
    events[1] = replace(events[1], entry=replace(events[1].entry, outcome="denied"))

    checked, first_break = verify_chain(events)

    assert checked == 1
    assert first_break is not None
    assert first_break.sequence == 2


# --- properties -------------------------------------------------------------------------------

_texts = st.text(max_size=12)
_ids = st.none() | st.integers(min_value=0, max_value=2**31)
_times = st.datetimes(timezones=st.just(UTC))
_FIELD_VALUES: dict[str, st.SearchStrategy[object]] = {
    "occurred_at": _times,
    "user_id": _ids,
    "username": _texts,
    "role": _texts,
    "action": _texts,
    "outcome": _texts,
    "patient_id": _ids,
    "object_type": _texts,
    "object_id": _texts,
    "client_address": _texts,
    "purpose": _texts,
}
_entries = st.builds(AuditEntry, **_FIELD_VALUES)  # type: ignore[arg-type]


@given(st.lists(_entries, max_size=10))
def test_any_list_of_entries_seals_into_a_chain_that_verifies(entries: list[AuditEntry]) -> None:
    assert verify_chain(_seal_all(entries)) == (len(entries), None)


@given(st.lists(_entries, min_size=1, max_size=8), st.data())
def test_any_single_field_change_breaks_the_chain_at_that_event(
    entries: list[AuditEntry], data: st.DataObject
) -> None:
    events = _seal_all(entries)
    index = data.draw(st.integers(min_value=0, max_value=len(events) - 1), label="index")
    field = data.draw(st.sampled_from(sorted(_FIELD_VALUES)), label="field")
    old = getattr(events[index].entry, field)
    new = data.draw(_FIELD_VALUES[field].filter(lambda value: value != old), label="new value")
    changed = replace(events[index].entry, **{field: new})
    events[index] = replace(events[index], entry=changed)

    checked, first_break = verify_chain(events)

    assert checked == index
    assert first_break is not None
    assert first_break.sequence == index + 1
