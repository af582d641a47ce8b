"""Amendment requests (45 CFR 164.526): recorded, decided once, listed with the record part."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any

from sqlalchemy import ColumnElement, Connection, insert, select, update

from himdesk.domain.amendments import (
    AmendmentRequest,
    AmendmentStatus,
    AmendmentTarget,
    DenialGround,
)
from himdesk.services.ports import AmendmentWorkItem
from himdesk.storage.tables import amendment_requests, patients

_FIELDS = tuple(f.name for f in fields(AmendmentRequest))
_DECISION = (
    "status",
    "decided_by",
    "decided_at",
    "amended_version",
    "amendment_text",
    "denial_ground",
    "denial_explanation",
    "disagreement",
    "rebuttal",
)


def _row(request: AmendmentRequest, names: Sequence[str]) -> dict[str, Any]:
    row = {name: getattr(request, name) for name in names}
    for name in ("target", "status", "denial_ground"):
        if name in row and row[name] is not None:
            row[name] = row[name].value
    return row


def _request(mapping: Any) -> AmendmentRequest:
    values = {name: mapping[name] for name in _FIELDS}
    values["target"] = AmendmentTarget(values["target"])
    values["status"] = AmendmentStatus(values["status"])
    ground = values["denial_ground"]
    values["denial_ground"] = DenialGround(ground) if ground else None
    return AmendmentRequest(**values)


class SqlAmendmentRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, request: AmendmentRequest) -> AmendmentRequest:
        row = _row(request, [n for n in _FIELDS if n != "id"])
        new_id = self._db.execute(
            insert(amendment_requests).values(row).returning(amendment_requests.c.id)
        ).scalar_one()
        return replace(request, id=new_id)

    def find(self, request_id: int) -> AmendmentRequest | None:
        found = self._select(amendment_requests.c.id == request_id)
        return found[0] if found else None

    def record_decision(self, request: AmendmentRequest) -> bool:
        # Only a request still open is decided: two managers deciding at once, one wins.
        c = amendment_requests.c
        result = self._db.execute(
            update(amendment_requests)
            .where(c.id == request.id, c.status == AmendmentStatus.REQUESTED.value)
            .values(_row(request, _DECISION))
        )
        return result.rowcount == 1

    def update_statements(self, request: AmendmentRequest) -> bool:
        """False when a statement was filed meanwhile (it is never overwritten)."""
        c = amendment_requests.c
        filed = self._db.execute(
            update(amendment_requests)
            .where(c.id == request.id, c.disagreement == "")
            .values(disagreement=request.disagreement, rebuttal=request.rebuttal)
        )
        return filed.rowcount == 1

    def list_open(self, limit: int) -> Sequence[AmendmentWorkItem]:
        c, p = amendment_requests.c, patients.c
        query = (
            select(amendment_requests, p.mrn, p.family_name, p.given_name)
            .join(patients, p.id == c.patient_id)
            .where(c.status == AmendmentStatus.REQUESTED.value)
            .order_by(c.due_on, c.id)
            .limit(limit)
        )
        return [
            AmendmentWorkItem(_request(r._mapping), r.mrn, f"{r.family_name}, {r.given_name}")
            for r in self._db.execute(query)
        ]

    def list_for_patient(self, patient_id: int) -> Sequence[AmendmentRequest]:
        return self._select(amendment_requests.c.patient_id == patient_id)

    def list_for_target(
        self, target: AmendmentTarget, target_id: int
    ) -> Sequence[AmendmentRequest]:
        c = amendment_requests.c
        return self._select((c.target == target.value) & (c.target_id == target_id))

    def _select(self, where: ColumnElement[bool]) -> list[AmendmentRequest]:
        query = select(amendment_requests).where(where).order_by(amendment_requests.c.id)
        return [_request(r._mapping) for r in self._db.execute(query)]
