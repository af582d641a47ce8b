"""The audit trail as a hash chain: each event seals the one before it.

Changing, removing, inserting or reordering any event breaks the chain at that event, which
`verify_chain` names. Events carry identifiers only, never clinical text or identifiers
such as SSNs (HIPAA minimum necessary applies to the log too).

The walk works on plain rows in the canonical field order (`SealedRow`), so that storage can
feed it tuples straight from a database cursor, and on contiguous stretches of the chain
(`walk_stretch`) that `join_stretches` links together, so that the stretches can be walked
in parallel. `verify_chain` is the same walk over sealed events.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any

GENESIS_HASH = "0" * 64

# The canonical form is the compact, ASCII-only JSON array of `canonical_fields`; one
# encoder made once is several times faster than `json.dumps` per event, byte for byte equal.
_encode_canonical = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True).encode

# (event_hash, sequence, previous_hash, occurred_at ISO, user_id, username, role, action,
#  outcome, patient_id, object_type, object_id, client_address, purpose): the stored hash,
# then the canonical fields it seals.
SealedRow = Sequence[Any]


@dataclass(frozen=True)
class AuditEntry:
    """What happened, before it is sealed into the chain."""

    occurred_at: datetime
    user_id: int | None
    username: str
    role: str
    action: str
    outcome: str = "success"
    patient_id: int | None = None
    object_type: str = ""
    object_id: str = ""
    client_address: str = ""
    purpose: str = ""


@dataclass(frozen=True)
class SealedAuditEvent:
    sequence: int
    entry: AuditEntry
    previous_hash: str
    event_hash: str


def seal(entry: AuditEntry, sequence: int, previous_hash: str) -> SealedAuditEvent:
    return SealedAuditEvent(
        sequence, entry, previous_hash, event_hash(entry, sequence, previous_hash)
    )


def canonical_fields(entry: AuditEntry, sequence: int, previous_hash: str) -> tuple[Any, ...]:
    return (
        sequence,
        previous_hash,
        entry.occurred_at.isoformat(timespec="microseconds"),
        entry.user_id,
        entry.username,
        entry.role,
        entry.action,
        entry.outcome,
        entry.patient_id,
        entry.object_type,
        entry.object_id,
        entry.client_address,
        entry.purpose,
    )


def hash_canonical(fields: Sequence[Any]) -> str:
    """The event hash of canonical fields (sequence first, purpose last)."""
    return hashlib.sha256(_encode_canonical(fields).encode()).hexdigest()


def event_hash(entry: AuditEntry, sequence: int, previous_hash: str) -> str:
    return hash_canonical(canonical_fields(entry, sequence, previous_hash))


def sealed_row(event: SealedAuditEvent) -> tuple[Any, ...]:
    return (event.event_hash, *canonical_fields(event.entry, event.sequence, event.previous_hash))


@dataclass(frozen=True)
class ChainBreak:
    sequence: int
    reason: str
    checkpoint: int | None = None  # the signed checkpoint that revealed it, if one did


@dataclass(frozen=True)
class ChainStretch:
    """What a walk over consecutive events found; its first link is checked on joining."""

    first_sequence: int | None  # None: the stretch held no events
    first_previous_hash: str = GENESIS_HASH
    last_sequence: int = 0
    last_hash: str = GENESIS_HASH
    checked: int = 0
    first_break: ChainBreak | None = None


@dataclass(frozen=True)
class ChainWalk:
    """The whole chain walked: events checked, the first break, and where it ended."""

    checked: int
    first_break: ChainBreak | None
    last_sequence: int
    last_hash: str


def _out_of_place(sequence: int, expected: int) -> str:
    return (
        f"event {sequence} comes where event {expected} should: "
        "events were removed, duplicated or reordered"
    )


_NOT_FOLLOWING = "does not follow the event before it: an event was removed or inserted"
_CHANGED = "its contents were changed after it was written"


def walk_stretch(rows: Iterable[SealedRow]) -> ChainStretch:
    """Check rows in sequence order: numbering, links and each event's own hash.

    This loop is the cost of `audit verify` on millions of events, so it stays flat: no
    objects per row, one slice, one encode and one SHA-256 each.
    """
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return ChainStretch(first_sequence=None)
    # The first row's number and link are checked when stretches are joined.
    start, expected, previous, row = first[1], first[1], first[2], first
    found: ChainBreak | None = None
    sha256, encode = hashlib.sha256, _encode_canonical
    try:
        for row in chain((first,), rows):
            if row[1] != expected:
                found = ChainBreak(row[1], _out_of_place(row[1], expected))
            elif row[2] != previous:
                found = ChainBreak(row[1], _NOT_FOLLOWING)
            elif sha256(encode(row[1:]).encode()).hexdigest() != row[0]:
                found = ChainBreak(row[1], _CHANGED)
            if found:
                break
            previous = row[0]
            expected += 1
    except TypeError:  # a value of a type no writer stores, such as a BLOB where text belongs
        found = ChainBreak(row[1], _CHANGED)
    return ChainStretch(start, first[2], expected - 1, previous, expected - start, found)


def join_stretches(stretches: Iterable[ChainStretch]) -> ChainWalk:
    """Link consecutive stretches (in sequence order) into one walk from the genesis hash."""
    checked, last_sequence, last_hash = 0, 0, GENESIS_HASH
    for stretch in stretches:
        if stretch.first_sequence is None:
            continue
        if stretch.first_sequence != last_sequence + 1:
            found = ChainBreak(
                stretch.first_sequence, _out_of_place(stretch.first_sequence, last_sequence + 1)
            )
            return ChainWalk(checked, found, last_sequence, last_hash)
        if stretch.first_previous_hash != last_hash:
            found = ChainBreak(stretch.first_sequence, _NOT_FOLLOWING)
            return ChainWalk(checked, found, last_sequence, last_hash)
        checked += stretch.checked
        if stretch.checked:
            last_sequence, last_hash = stretch.last_sequence, stretch.last_hash
        if stretch.first_break:
            return ChainWalk(checked, stretch.first_break, last_sequence, last_hash)
    return ChainWalk(checked, None, last_sequence, last_hash)


def verify_chain(events: Iterable[SealedAuditEvent]) -> tuple[int, ChainBreak | None]:
    """Walk events in sequence order; return how many were checked and the first break."""
    walk = join_stretches([walk_stretch(sealed_row(event) for event in events)])
    return walk.checked, walk.first_break
