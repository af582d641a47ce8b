"""Signed checkpoints of the audit chain: what the hash chain alone cannot show.

The hash chain shows an event that was changed, removed, inserted or reordered, but not
that the newest events were cut off the end, nor that someone with database access changed
events and re-sealed the whole chain after them (the hashes are public arithmetic). A
checkpoint records how far the chain reached (last sequence, its event hash, the event
count, when) signed with HMAC-SHA256 under a key kept in the application's settings, never
in the database: whoever can rewrite the tables still cannot sign a checkpoint that matches
their rewritten chain, nor hide that events a checkpoint vouches for are gone.

What remains beyond reach is removing the newest checkpoints together with the events
after the checkpoint before them; only a copy of the latest checkpoint kept elsewhere
(its number and signature are printed by `himdesk audit checkpoint`) shows that.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from himdesk.domain.audit import ChainBreak, ChainWalk

# Part of the signed payload, so that a later format can never be mistaken for this one.
CHECKPOINT_FORMAT = "himdesk-audit-checkpoint/1"
_KEY_PURPOSE = b"himdesk audit checkpoint signing key v1"


@dataclass(frozen=True)
class AuditCheckpoint:
    number: int
    sequence: int
    event_hash: str
    event_count: int
    created_at: datetime
    signature: str


def checkpoint_payload(
    number: int, sequence: int, event_hash: str, event_count: int, created_at: datetime
) -> bytes:
    fields = [
        CHECKPOINT_FORMAT,
        number,
        sequence,
        event_hash,
        event_count,
        created_at.astimezone(UTC).isoformat(timespec="microseconds"),
    ]
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=True).encode()


@dataclass(frozen=True)
class CheckpointSigner:
    """Signs and checks checkpoints; one is due every `every` events."""

    key: bytes = field(repr=False)
    every: int = 1000

    def __post_init__(self) -> None:
        if len(self.key) < 32:
            raise ValueError("the audit checkpoint key must be at least 32 bytes")
        if self.every < 1:
            raise ValueError("checkpoints must come every 1 or more events")

    @classmethod
    def from_secret(cls, secret: str, every: int = 1000) -> CheckpointSigner:
        """Derives the signing key from the configured secret (a random value or passphrase)."""
        if not secret:
            raise ValueError("the audit checkpoint key is empty")
        return cls(hmac.new(secret.encode(), _KEY_PURPOSE, hashlib.sha256).digest(), every)

    def is_due(self, sequence: int) -> bool:
        return sequence % self.every == 0

    def sign(
        self, number: int, sequence: int, event_hash: str, created_at: datetime
    ) -> AuditCheckpoint:
        # In an unbroken chain numbered from 1, event `sequence` is also the event count.
        created_at = created_at.astimezone(UTC)
        signature = self._signature(number, sequence, event_hash, sequence, created_at)
        return AuditCheckpoint(number, sequence, event_hash, sequence, created_at, signature)

    def is_genuine(self, checkpoint: AuditCheckpoint) -> bool:
        expected = self._signature(
            checkpoint.number,
            checkpoint.sequence,
            checkpoint.event_hash,
            checkpoint.event_count,
            checkpoint.created_at,
        )
        return hmac.compare_digest(expected, checkpoint.signature)

    def _signature(
        self, number: int, sequence: int, event_hash: str, count: int, created_at: datetime
    ) -> str:
        payload = checkpoint_payload(number, sequence, event_hash, count, created_at)
        return hmac.new(self.key, payload, hashlib.sha256).hexdigest()


def review_checkpoints(
    signer: CheckpointSigner,
    checkpoints: Sequence[AuditCheckpoint],
    walk: ChainWalk,
    chain_hashes: Mapping[int, str],
) -> tuple[int, ChainBreak | None]:
    """Check checkpoints (in number order) against their signatures and the walked chain.

    `chain_hashes` maps each checkpoint's sequence to the event hash stored there. Returns
    how many checkpoints were checked and the earliest problem in the trail: a checkpoint
    at or beyond the walk's first break cannot be compared, and that break comes first.
    """
    stop_at = walk.first_break.sequence if walk.first_break else None
    checked = 0
    for expected_number, checkpoint in enumerate(checkpoints, start=1):
        if stop_at is not None and checkpoint.sequence >= stop_at:
            break
        problem = _problem(signer, checkpoint, expected_number, walk, chain_hashes)
        if problem:
            return checked, problem
        checked += 1
    return checked, walk.first_break


def _problem(
    signer: CheckpointSigner,
    checkpoint: AuditCheckpoint,
    expected_number: int,
    walk: ChainWalk,
    chain_hashes: Mapping[int, str],
) -> ChainBreak | None:
    number, sequence = checkpoint.number, checkpoint.sequence
    if number != expected_number:
        reason = f"checkpoint {expected_number} is missing: signed checkpoints were removed"
        return ChainBreak(sequence, reason, expected_number)
    if not signer.is_genuine(checkpoint):
        reason = (
            f"checkpoint {number} is not genuine: its signature does not match "
            "(forged, altered, or signed with another HIMDESK_AUDIT_KEY)"
        )
        return ChainBreak(sequence, reason, number)
    if sequence > walk.last_sequence:
        removed = f"events after {walk.last_sequence}" if walk.last_sequence else "all events"
        reason = (
            f"{removed} were removed: "
            f"checkpoint {number} vouches for {checkpoint.event_count} events"
        )
        return ChainBreak(walk.last_sequence + 1, reason, number)
    if chain_hashes.get(sequence) != checkpoint.event_hash or checkpoint.event_count != sequence:
        reason = (
            f"checkpoint {number} does not match the chain at event {sequence}: "
            "events up to it were changed and the chain re-sealed"
        )
        return ChainBreak(sequence, reason, number)
    return None
