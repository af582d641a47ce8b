"""The audit trail as a hash chain: each event seals the one before it.

Changing, removing, inserting or reordering any event breaks the chain at that event, which
`verify_chain` names. Events carry identifiers only, never clinical text or identifiers
such as SSNs (HIPAA minimum necessary applies to the log too).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

GENESIS_HASH = "0" * 64


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


def event_hash(entry: AuditEntry, sequence: int, previous_hash: str) -> str:
    canonical = json.dumps(
        [
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
        ],
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    sequence: int
    reason: str


def verify_chain(events: Iterable[SealedAuditEvent]) -> tuple[int, ChainBreak | None]:
    """Walk events in sequence order; return how many were checked and the first break."""
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for event in events:
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
        expected_previous = event.event_hash
        expected_sequence += 1
        checked += 1
    return checked, None
