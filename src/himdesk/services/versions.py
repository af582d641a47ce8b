"""Keeping the versions of a corrected record part (legal-record rule: nothing overwritten)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from himdesk.domain.versions import RecordVersion
from himdesk.services.ports import UnitOfWork


@dataclass(frozen=True)
class VersionOf:
    """One version of a record part, as the history keeps it."""

    version: int
    snapshot: dict[str, Any]


def keep_correction(
    uow: UnitOfWork,
    entity: tuple[str, int],
    patient_id: int,
    before: VersionOf,
    after: VersionOf,
    changed_by: str,
    reason: str,
    original_label: tuple[str, str],
) -> None:
    """Store the corrected version; the first correction also stores the original.

    Originals are stored lazily, at their first correction, so loading a hospital does not
    double every row; `original_label` is (who, why) to show for that original.
    """
    entity_type, entity_id = entity
    if not uow.versions.list_for(entity_type, entity_id):
        _keep(uow, entity, patient_id, before, *original_label)
    _keep(uow, entity, patient_id, after, changed_by, reason)


def _keep(
    uow: UnitOfWork, entity: tuple[str, int], patient_id: int, v: VersionOf, by: str, why: str
) -> None:
    uow.versions.add(
        RecordVersion(
            entity_type=entity[0],
            entity_id=entity[1],
            version=v.version,
            patient_id=patient_id,
            snapshot=v.snapshot,
            changed_by=by,
            changed_at=uow.clock(),
            reason=why,
        )
    )
