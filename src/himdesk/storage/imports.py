"""Writing imported parts in batches: source links, receipts, record parts, new numbers.

An import writes each kind of part with one statement (`INSERT ... RETURNING id` over many
rows, in order) and reads the links of all of a submission's parts with a query or two, so a
Synthea bundle of ~450 resources costs a couple of dozen round trips, not a thousand.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, update

from himdesk.domain.import_records import (
    ImportReceipt,
    LinkKey,
    NewSourceLink,
    PartKind,
    SourceLink,
)
from himdesk.domain.incoming import IncomingClinician, SourceFormat
from himdesk.domain.records import (
    Allergy,
    ClinicalDocument,
    Diagnosis,
    Encounter,
    Medication,
    Observation,
    Procedure,
)
from himdesk.services.ports import RecordPart
from himdesk.storage import tables as t
from himdesk.storage.record_rows import build_records, record_row

_CHUNK = 500  # bound parameters per IN list, well inside every backend's limit
PART_TABLES: dict[PartKind, tuple[Table, type]] = {
    PartKind.ENCOUNTER: (t.encounters, Encounter),
    PartKind.DOCUMENT: (t.documents, ClinicalDocument),
    PartKind.OBSERVATION: (t.observations, Observation),
    PartKind.DIAGNOSIS: (t.diagnoses, Diagnosis),
    PartKind.PROCEDURE: (t.procedures, Procedure),
    PartKind.MEDICATION: (t.medications, Medication),
    PartKind.ALLERGY: (t.allergies, Allergy),
}
MRN_PREFIX, MRN_DIGITS = "M", 7  # the hospital's MRNs: 'M' + 7 digits (as the demo's)
ACCOUNT_PREFIX, ACCOUNT_DIGITS = "I", 9  # accounts numbered here for imported encounters


class SqlImportRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection
        self._next: dict[str, int] = {}
        self._issued: dict[str, set[int]] = {}

    def find_receipt(self, fingerprint: str) -> ImportReceipt | None:
        r = t.import_receipts.c
        row = self._db.execute(
            select(t.import_receipts).where(r.fingerprint == fingerprint)
        ).first()
        if row is None:
            return None
        return ImportReceipt(row.fingerprint, SourceFormat(row.format), row.label,
                             row.message_type, row.control_id, row.imported_at, row.imported_by,
                             row.summary, row.id)  # fmt: skip

    def add_receipt(self, receipt: ImportReceipt) -> int:
        values = {
            "fingerprint": receipt.fingerprint, "format": receipt.format.value,
            "label": receipt.label[:300], "message_type": receipt.message_type[:40],
            "control_id": receipt.control_id[:100], "imported_at": receipt.imported_at,
            "imported_by": receipt.imported_by[:60], "summary": dict(receipt.summary),
        }  # fmt: skip
        result = self._db.execute(
            insert(t.import_receipts).values(values).returning(t.import_receipts.c.id)
        )
        return int(result.scalar_one())

    def links(self, keys: Collection[LinkKey]) -> dict[LinkKey, SourceLink]:
        """The links of these parts, read by system and id (the unique index's prefix)."""
        wanted = set(keys)
        found: dict[LinkKey, SourceLink] = {}
        s = t.source_links.c
        systems = sorted({k[0] for k in wanted})
        ids = sorted({k[1] for k in wanted})
        for start in range(0, len(ids), _CHUNK):
            query = select(s.source_system, s.source_id, s.entity_type, s.entity_id,
                           s.patient_id, s.content_digest).where(
                s.source_system.in_(systems), s.source_id.in_(ids[start : start + _CHUNK])
            )  # fmt: skip
            for system, source_id, kind, entity_id, patient_id, digest in self._db.execute(query):
                if (system, source_id, kind) in wanted:
                    found[(system, source_id, kind)] = SourceLink(entity_id, patient_id, digest)
        return found

    def add_links(self, links: Sequence[NewSourceLink]) -> None:
        if links:
            self._db.execute(insert(t.source_links), [
                {"source_system": n.key[0], "source_id": n.key[1], "entity_type": n.key[2],
                 "entity_id": n.entity_id, "patient_id": n.patient_id,
                 "content_digest": n.content_digest}
                for n in links
            ])  # fmt: skip

    def change_links(self, changes: Sequence[NewSourceLink]) -> None:
        """Point links at (possibly other) parts and patients, with the digest just received."""
        s = t.source_links.c
        for n in changes:
            self._db.execute(
                update(t.source_links)
                .where(s.source_system == n.key[0], s.source_id == n.key[1],
                       s.entity_type == n.key[2])
                .values(entity_id=n.entity_id, patient_id=n.patient_id,
                        content_digest=n.content_digest)
            )  # fmt: skip

    def add_parts(self, kind: PartKind, parts: Sequence[RecordPart]) -> list[int]:
        """Insert the parts with one statement; their new ids, in order."""
        if not parts:
            return []
        table = PART_TABLES[kind][0]
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids = list(self._db.execute(statement, [record_row(p) for p in parts]).scalars())
        for part, new_id in zip(parts, ids, strict=True):
            part.id = new_id
        return ids

    def update_parts(self, kind: PartKind, parts: Sequence[RecordPart]) -> None:
        table = PART_TABLES[kind][0]
        for part in parts:  # corrections from a sender are few; one statement each is fine
            row = record_row(part)
            self._db.execute(update(table).where(table.c.id == part.id).values(row))

    def parts(self, kind: PartKind, ids: Collection[int]) -> dict[int, Any]:
        table, cls = PART_TABLES[kind]
        found: dict[int, Any] = {}
        ordered = sorted(ids)
        for start in range(0, len(ordered), _CHUNK):
            query = select(table).where(table.c.id.in_(ordered[start : start + _CHUNK]))
            parts: list[Any] = list(build_records(cls, table, self._db.execute(query)))
            found.update((p.id, p) for p in parts)
        return found

    def clinicians_by_npi(self, npis: Collection[str]) -> dict[str, int]:
        wanted = sorted(n for n in npis if n)
        if not wanted:
            return {}
        c = t.clinicians.c
        return dict(self._db.execute(select(c.npi, c.id).where(c.npi.in_(wanted))).all())

    def add_clinicians(self, clinicians: Sequence[IncomingClinician]) -> list[int]:
        if not clinicians:
            return []
        rows = [{"npi": c.npi or None, "family_name": c.family_name, "given_name": c.given_name,
                 "credentials": c.credentials, "specialty": c.specialty,
                 "is_resident": c.is_resident}
                for c in clinicians]  # fmt: skip
        statement = insert(t.clinicians).returning(t.clinicians.c.id, sort_by_parameter_order=True)
        return list(self._db.execute(statement, rows).scalars())

    def account_holders(self, numbers: Collection[str]) -> dict[str, int]:
        """The encounter that already carries each of these account numbers."""
        e = t.encounters.c
        wanted = sorted(set(numbers))
        found: dict[str, int] = {}
        for start in range(0, len(wanted), _CHUNK):
            query = select(e.account_number, e.id).where(
                e.account_number.in_(wanted[start : start + _CHUNK])
            )
            found.update(self._db.execute(query).all())
        return found

    def new_account_number(self) -> str:
        return self._take(t.encounters.c.account_number, ACCOUNT_PREFIX, ACCOUNT_DIGITS)

    def home_facility(self) -> str | None:
        """The facility the hospital's own patients are registered under."""
        p = t.patients.c
        query = select(p.facility).where(p.mrn.like(f"{MRN_PREFIX}%")).order_by(p.id).limit(1)
        return self._db.execute(query).scalar_one_or_none()

    def new_mrn(self) -> str:
        """The next free hospital MRN ('M' + 7 digits); the unique index guards races."""
        return self._take(t.patients.c.mrn, MRN_PREFIX, MRN_DIGITS)

    def _take(self, column: Any, prefix: str, digits: int) -> str:
        key = column.table.name
        issued = self._issued.setdefault(key, set())
        if key not in self._next:
            self._next[key] = self._highest(column, prefix, digits) + 1
        number = self._next[key]
        if number >= 10**digits:
            number = self._first_gap(column, prefix, digits, issued)
        self._next[key] = number + 1
        issued.add(number)
        return f"{prefix}{number:0{digits}d}"

    def _highest(self, column: Any, prefix: str, digits: int) -> int:
        low, high = prefix + "0" * digits, prefix + "9" * digits
        query = select(func.max(column)).where(
            column.between(low, high), func.length(column) == len(low)
        )
        highest = self._db.execute(query).scalar_one_or_none()
        return int(highest[len(prefix) :]) if highest and highest[len(prefix) :].isdigit() else 0

    def _first_gap(self, column: Any, prefix: str, digits: int, issued: set[int]) -> int:
        """When numbering reached the top (scattered demo MRNs), the lowest unused number."""
        low, high = prefix + "0" * digits, prefix + "9" * digits
        query = select(column).where(column.between(low, high), func.length(column) == len(low))
        used = {int(v[len(prefix) :]) for v in self._db.execute(query).scalars()
                if v[len(prefix) :].isdigit()} | issued  # fmt: skip
        return next(n for n in range(1, 10**digits) if n not in used)
