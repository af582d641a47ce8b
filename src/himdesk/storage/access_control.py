"""Restrictions on sensitive records, access grants (break-the-glass) and review flags."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, func, insert, select, update

from himdesk.domain.access_review import AccessFlag, Disposition, FlagRule
from himdesk.domain.restrictions import AccessGrant, AccessKind
from himdesk.domain.sensitivity import SensitiveCategory
from himdesk.storage import tables as t

CHART_READS = ("chart.read", "document.read")


def _flag(m: Any) -> AccessFlag:
    return AccessFlag(
        audit_sequence=m["audit_sequence"], user_id=m["user_id"], username=m["username"],
        patient_id=m["patient_id"], rule=FlagRule(m["rule"]), flagged_at=m["flagged_at"],
        id=m["id"], disposition=Disposition(m["disposition"]) if m["disposition"] else None,
        reviewed_by=m["reviewed_by"], reviewed_at=m["reviewed_at"], note=m["note"],
    )  # fmt: skip


class SqlAccessRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection
        # One chart opening asks several times (decision, banner, review flags): read once.
        self._known: dict[int, frozenset[SensitiveCategory]] = {}
        self._treats: dict[tuple[int, int], bool] = {}

    def restrictions(self, patient_id: int) -> frozenset[SensitiveCategory]:
        if patient_id not in self._known:
            self._known[patient_id] = self.restrictions_of({patient_id}).get(
                patient_id, frozenset()
            )
        return self._known[patient_id]

    def restrictions_of(self, patient_ids: set[int]) -> dict[int, frozenset[SensitiveCategory]]:
        if not patient_ids:
            return {}
        r = t.patient_restrictions.c
        found: dict[int, set[SensitiveCategory]] = {}
        rows = self._db.execute(
            select(r.patient_id, r.category).where(r.patient_id.in_(sorted(patient_ids)))
        )
        for patient_id, category in rows:
            found.setdefault(patient_id, set()).add(SensitiveCategory(category))
        return {pid: frozenset(categories) for pid, categories in found.items()}

    def add_restriction(
        self, patient_id: int, category: SensitiveCategory, reason: str, by: str, at: datetime
    ) -> None:
        self._known.pop(patient_id, None)
        self._db.execute(
            insert(t.patient_restrictions).values(
                patient_id=patient_id, category=category.value, reason=reason, set_by=by, set_at=at
            )
        )

    def active_grant(self, user_id: int, patient_id: int, now: datetime) -> AccessGrant | None:
        g = t.access_grants.c
        row = self._db.execute(
            select(t.access_grants)
            .where(g.user_id == user_id, g.patient_id == patient_id, g.expires_at > now)
            .order_by(g.expires_at.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        m = row._mapping
        return AccessGrant(m["user_id"], m["patient_id"], AccessKind(m["kind"]), m["reason"],
                           m["granted_at"], m["expires_at"], m["id"])  # fmt: skip

    def add_grant(self, grant: AccessGrant) -> AccessGrant:
        new_id = self._db.execute(
            insert(t.access_grants)
            .values(user_id=grant.user_id, patient_id=grant.patient_id, kind=grant.kind.value,
                    reason=grant.reason, granted_at=grant.granted_at, expires_at=grant.expires_at)
            .returning(t.access_grants.c.id)
        ).scalar_one()  # fmt: skip
        return AccessGrant(grant.user_id, grant.patient_id, grant.kind, grant.reason,
                           grant.granted_at, grant.expires_at, new_id)  # fmt: skip

    def treatment_relationship(self, clinician_id: int, patient_id: int) -> bool:
        """Attending of an encounter, author of a document or operator of a procedure."""
        key = (clinician_id, patient_id)
        if key not in self._treats:
            self._treats[key] = self._find_relationship(clinician_id, patient_id)
        return self._treats[key]

    def _find_relationship(self, clinician_id: int, patient_id: int) -> bool:
        ties = [
            exists().where(and_(t.encounters.c.patient_id == patient_id,
                                t.encounters.c.attending_id == clinician_id)),
            exists().where(and_(t.documents.c.patient_id == patient_id,
                                t.documents.c.author_id == clinician_id)),
            exists().where(and_(t.procedures.c.patient_id == patient_id,
                                t.procedures.c.performed_by_id == clinician_id)),
        ]  # fmt: skip
        return any(self._db.execute(select(tie)).scalar_one() for tie in ties)

    def charts_opened_since(self, user_id: int, since: datetime) -> int:
        a = t.audit_events.c
        query = select(func.count(func.distinct(a.patient_id))).where(
            a.user_id == user_id, a.occurred_at >= since, a.action.in_(CHART_READS),
            a.outcome == "success",
        )  # fmt: skip
        return int(self._db.execute(query).scalar_one())

    def add_flag(self, flag: AccessFlag) -> None:
        self._db.execute(
            insert(t.access_flags).values(
                audit_sequence=flag.audit_sequence, user_id=flag.user_id, username=flag.username,
                patient_id=flag.patient_id, rule=flag.rule.value, flagged_at=flag.flagged_at,
                disposition=None, reviewed_by="", reviewed_at=None, note="",
            )
        )  # fmt: skip

    def open_flags(self, limit: int) -> Sequence[AccessFlag]:
        f = t.access_flags.c
        query = select(t.access_flags).where(f.disposition.is_(None))
        rows = self._db.execute(query.order_by(f.flagged_at, f.id).limit(limit))
        return [_flag(r._mapping) for r in rows]

    def find_flag(self, flag_id: int) -> AccessFlag | None:
        row = self._db.execute(select(t.access_flags).where(t.access_flags.c.id == flag_id)).first()
        return _flag(row._mapping) if row else None

    def close_flag(
        self, flag_id: int, disposition: Disposition, by: str, at: datetime, note: str
    ) -> bool:
        """False when someone else closed it first (their review is never overwritten)."""
        f = t.access_flags.c
        closed = self._db.execute(
            update(t.access_flags)
            .where(f.id == flag_id, f.disposition.is_(None))
            .values(disposition=disposition.value, reviewed_by=by, reviewed_at=at, note=note)
        )
        return closed.rowcount == 1
