"""Rotating the field-encryption key: every encrypted value moved to the current key.

The work is done in small batches, each its own short transaction with its own audit event,
so the workstation keeps serving while it runs; a run that stops part-way is simply run
again (values already under the current key are skipped).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from himdesk.domain.access import Action, Actor
from himdesk.domain.demographics import InvalidInput
from himdesk.services import audit
from himdesk.services.ports import KeyCount, UnitOfWork, UnitOfWorkFactory

LEGACY_KEY_ID = "legacy"  # values from before key ids; see storage.crypto
MAX_BATCH = 100_000


@dataclass(frozen=True)
class KeyStatus:
    current_key_id: str
    readable_key_ids: Sequence[str]
    counts: Sequence[KeyCount]

    @property
    def to_rotate(self) -> int:
        return sum(c.values for c in self.counts if c.key_id != self.current_key_id)

    @property
    def unreadable_key_ids(self) -> list[str]:
        """Key ids that values name but the configured ring cannot open."""
        known = {*self.readable_key_ids, LEGACY_KEY_ID}
        return sorted({c.key_id for c in self.counts if c.key_id not in known})


@dataclass(frozen=True)
class RotationReport:
    key_id: str
    rotated: int
    batches: int


def key_status(uow: UnitOfWork, actor: Actor) -> KeyStatus:
    """How many encrypted values each key id holds (counts only; nothing is decrypted)."""
    audit.require(uow, actor, Action.MANAGE_FIELD_KEYS)
    keys = uow.field_keys
    status = KeyStatus(keys.current_key_id, list(keys.key_ids), list(keys.census()))
    audit.record(uow, actor, "keys.status", object_type="field-key", object_id=keys.current_key_id)
    uow.commit()
    return status


def rotate_field_keys(
    uows: UnitOfWorkFactory,
    actor: Actor,
    batch_size: int = 1000,
    on_batch: Callable[[int], None] = lambda _n: None,
) -> RotationReport:
    """Re-encrypt every value not under the current key, one committed batch at a time."""
    if not 1 <= batch_size <= MAX_BATCH:
        raise InvalidInput({"batch": f"The batch size must be between 1 and {MAX_BATCH}."})
    with uows() as uow:
        audit.require(uow, actor, Action.MANAGE_FIELD_KEYS)
        key_id, columns = uow.field_keys.current_key_id, list(uow.field_keys.columns())
    rotated = batches = 0
    for column in columns:
        after: int | None = 0
        while after is not None:
            with uows() as uow:
                batch = uow.field_keys.rotate_batch(column, after, batch_size)
                after = batch.last_id
                if after is None:
                    break
                audit.record(uow, actor, "keys.rotate.batch", object_type=column[:30],
                             object_id=f"{batch.rotated} to {key_id}")  # fmt: skip
                uow.commit()
            rotated, batches = rotated + batch.rotated, batches + 1
            on_batch(batch.rotated)
    with uows() as uow:
        audit.record(uow, actor, "keys.rotate", object_type="field-key",
                     object_id=f"{rotated} to {key_id}")  # fmt: skip
        uow.commit()
    return RotationReport(key_id, rotated, batches)
