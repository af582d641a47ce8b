"""Writing imported parts in batches: source links, receipts, record parts, new numbers.

An import writes each kind of part with one statement (`INSERT ... RETURNING id` over many
rows, in order) and reads the links of all of a submission's parts with a query or two, so a
Synthea bundle of ~450 resources costs a couple of dozen round trips, not a thousand.

The statements are built once per process, their values bound as parameters (lists as
expanding parameters): an interface feed imports hundreds of small messages a second, and
building and cache-keying a fresh statement costs more than SQLite takes to run it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    Insert,
    Select,
    Table,
    bindparam,
    func,
    insert,
    literal_column,
    null,
    select,
    union_all,
    update,
)

from himdesk.domain.import_records import (
    ImportReceipt,
    LinkKey,
    NewSourceLink,
    PartKind,
    QueueStatus,
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
from himdesk.services.ports import PriorImport, RecordPart
from himdesk.storage import tables as t
from himdesk.storage.import_numbers import HospitalNumbers
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

_r, _h, _s = t.import_receipts.c, t.import_holds.c, t.source_links.c
_LINK_COLUMNS = (_s.source_system, _s.source_id, _s.entity_type, _s.entity_id, _s.patient_id,
                 _s.content_digest)  # fmt: skip
_LINKS = select(*_LINK_COLUMNS).where(
    _s.source_system.in_(bindparam("systems", expanding=True)),
    _s.source_id.in_(bindparam("ids", expanding=True)),
)
# Before an import: its receipt and open hold (one row tagged 0), then the links of its
# parts (tagged 1), each with the merge of the patient it belongs to (or is), if any.
_owner, _linked = t.patients.alias("owner"), t.patients.alias("linked")
_RECEIPT_ID = select(_r.id).where(_r.fingerprint == bindparam("fingerprint"))
_HOLD_ID = select(_h.id).where(_h.fingerprint == bindparam("fingerprint"),
                               _h.status == QueueStatus.OPEN).limit(1)  # fmt: skip
_SEEN = select(
    literal_column("0"), null(), null(), null(),
    _RECEIPT_ID.scalar_subquery(), _HOLD_ID.scalar_subquery(), null(), null(),
)  # fmt: skip
_LINKS_MERGED = (
    select(literal_column("1"), *_LINK_COLUMNS,
           func.coalesce(_owner.c.merged_into_id, _linked.c.merged_into_id))
    .select_from(
        t.source_links.outerjoin(_owner, _owner.c.id == _s.patient_id).outerjoin(
            _linked, (_s.entity_type == PartKind.PATIENT.value) & (_linked.c.id == _s.entity_id)
        )
    )
    .where(_s.source_system.in_(bindparam("systems", expanding=True)),
           _s.source_id.in_(bindparam("ids", expanding=True)))
)  # fmt: skip
_PRIOR = union_all(_SEEN, _LINKS_MERGED)
_RECEIPT = select(t.import_receipts).where(_r.id == bindparam("id"))
_ADD_RECEIPT = insert(t.import_receipts).returning(_r.id)
_ADD_LINKS = insert(t.source_links)
_CHANGE_LINK = (
    update(t.source_links)
    .where(_s.source_system == bindparam("b_system"), _s.source_id == bindparam("b_id"),
           _s.entity_type == bindparam("b_type"))
    .values(entity_id=bindparam("entity_id"), patient_id=bindparam("patient_id"),
            content_digest=bindparam("content_digest"))
)  # fmt: skip
_CLINICIANS_BY_NPI = select(t.clinicians.c.npi, t.clinicians.c.id).where(
    t.clinicians.c.npi.in_(bindparam("npis", expanding=True))
)
_ADD_CLINICIANS = insert(t.clinicians).returning(t.clinicians.c.id, sort_by_parameter_order=True)
_ACCOUNT_HOLDERS = select(t.encounters.c.account_number, t.encounters.c.id).where(
    t.encounters.c.account_number.in_(bindparam("numbers", expanding=True))
)
_ADD_PARTS: dict[PartKind, Insert] = {
    kind: insert(table).returning(table.c.id, sort_by_parameter_order=True)
    for kind, (table, _) in PART_TABLES.items()
}
_UPDATE_PARTS = {
    kind: update(table).where(table.c.id == bindparam("b_id"))
    for kind, (table, _) in PART_TABLES.items()
}
_PARTS: dict[PartKind, Select[Any]] = {
    kind: select(table).where(table.c.id.in_(bindparam("ids", expanding=True)))
    for kind, (table, _) in PART_TABLES.items()
}


class SqlImportRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection
        self._numbers = HospitalNumbers(connection)

    def prior(self, fingerprint: str, keys: Collection[LinkKey]) -> PriorImport:
        """One statement for what every message of a feed asks first (the links of a big
        bundle take one more per 500 ids)."""
        wanted = set(keys)
        systems, ids = sorted({k[0] for k in wanted}), sorted({k[1] for k in wanted})
        receipt_id = hold_id = None
        links: dict[LinkKey, SourceLink] = {}
        merged: set[int] = set()
        for start in range(0, max(len(ids), 1), _CHUNK):
            params = {"fingerprint": fingerprint, "systems": systems,
                      "ids": ids[start : start + _CHUNK]}  # fmt: skip
            rows = self._db.execute(_PRIOR if start == 0 else _LINKS_MERGED, params)
            for tag, system, source_id, kind, entity_id, patient_id, digest, into in rows:
                if not tag:
                    receipt_id, hold_id = entity_id, patient_id
                elif (system, source_id, kind) in wanted:
                    links[(system, source_id, kind)] = SourceLink(entity_id, patient_id, digest)
                    if into is not None:
                        merged.add(entity_id if kind == PartKind.PATIENT else patient_id)
        return PriorImport(self._receipt(receipt_id), hold_id, links, frozenset(merged))

    def _receipt(self, receipt_id: int | None) -> ImportReceipt | None:
        if receipt_id is None:
            return None
        row = self._db.execute(_RECEIPT, {"id": receipt_id}).one()
        return ImportReceipt(row.fingerprint, SourceFormat(row.format), row.label,
                             row.message_type, row.control_id, row.imported_at,
                             row.imported_by, row.summary, row.id)  # fmt: skip

    def add_receipt(self, receipt: ImportReceipt) -> int:
        values = {
            "fingerprint": receipt.fingerprint, "format": receipt.format.value,
            "label": receipt.label[:300], "message_type": receipt.message_type[:40],
            "control_id": receipt.control_id[:100], "imported_at": receipt.imported_at,
            "imported_by": receipt.imported_by[:60], "summary": dict(receipt.summary),
        }  # fmt: skip
        return int(self._db.execute(_ADD_RECEIPT, values).scalar_one())

    def links(self, keys: Collection[LinkKey]) -> dict[LinkKey, SourceLink]:
        """The links of these parts, read by system and id (the unique index's prefix)."""
        wanted = set(keys)
        found: dict[LinkKey, SourceLink] = {}
        systems = sorted({k[0] for k in wanted})
        ids = sorted({k[1] for k in wanted})
        for start in range(0, len(ids), _CHUNK):
            chunk = {"systems": systems, "ids": ids[start : start + _CHUNK]}
            rows = self._db.execute(_LINKS, chunk)
            for system, source_id, kind, entity_id, patient_id, digest in rows:
                if (system, source_id, kind) in wanted:
                    found[(system, source_id, kind)] = SourceLink(entity_id, patient_id, digest)
        return found

    def add_links(self, links: Sequence[NewSourceLink]) -> None:
        if links:
            self._db.execute(_ADD_LINKS, [_link_row(n, _KEY_COLUMNS) for n in links])

    def change_links(self, changes: Sequence[NewSourceLink]) -> None:
        """Point links at (possibly other) parts and patients, with the digest just received."""
        if changes:
            self._db.execute(_CHANGE_LINK, [_link_row(n, _KEY_PARAMETERS) for n in changes])

    def add_parts(self, kind: PartKind, parts: Sequence[RecordPart]) -> list[int]:
        """Insert the parts with one statement; their new ids, in order."""
        if not parts:
            return []
        rows = [record_row(p) for p in parts]
        ids = list(self._db.execute(_ADD_PARTS[kind], rows).scalars())
        for part, new_id in zip(parts, ids, strict=True):
            part.id = new_id
        return ids

    def update_parts(self, kind: PartKind, parts: Sequence[RecordPart]) -> None:
        if parts:  # every row of a kind has the same columns: one statement for all
            rows = [{**record_row(part), "b_id": part.id} for part in parts]
            self._db.execute(_UPDATE_PARTS[kind], rows)

    def parts(self, kind: PartKind, ids: Collection[int]) -> dict[int, Any]:
        table, cls = PART_TABLES[kind]
        found: dict[int, Any] = {}
        ordered = sorted(ids)
        for start in range(0, len(ordered), _CHUNK):
            rows = self._db.execute(_PARTS[kind], {"ids": ordered[start : start + _CHUNK]})
            parts: list[Any] = list(build_records(cls, table, rows))
            found.update((p.id, p) for p in parts)
        return found

    def clinicians_by_npi(self, npis: Collection[str]) -> dict[str, int]:
        wanted = sorted(n for n in npis if n)
        if not wanted:
            return {}
        return dict(self._db.execute(_CLINICIANS_BY_NPI, {"npis": wanted}).all())

    def add_clinicians(self, clinicians: Sequence[IncomingClinician]) -> list[int]:
        if not clinicians:
            return []
        rows = [{"npi": c.npi or None, "family_name": c.family_name, "given_name": c.given_name,
                 "credentials": c.credentials, "specialty": c.specialty,
                 "is_resident": c.is_resident}
                for c in clinicians]  # fmt: skip
        return list(self._db.execute(_ADD_CLINICIANS, rows).scalars())

    def account_holders(self, numbers: Collection[str]) -> dict[str, int]:
        """The encounter that already carries each of these account numbers."""
        wanted = sorted(set(numbers))
        found: dict[str, int] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = {"numbers": wanted[start : start + _CHUNK]}
            found.update(self._db.execute(_ACCOUNT_HOLDERS, chunk).all())
        return found

    def new_account_number(self) -> str:
        return self._numbers.new_account_number()

    def home_facility(self) -> str | None:
        return self._numbers.home_facility()

    def new_mrn(self) -> str:
        """The next free hospital MRN ('M' + 7 digits), safe against concurrent imports."""
        return self._numbers.new_mrn()


_KEY_COLUMNS = ("source_system", "source_id", "entity_type")
_KEY_PARAMETERS = ("b_system", "b_id", "b_type")  # the key in _CHANGE_LINK's WHERE


def _link_row(link: NewSourceLink, key_names: tuple[str, str, str]) -> dict[str, Any]:
    return dict(zip(key_names, link.key, strict=True)) | {
        "entity_id": link.entity_id, "patient_id": link.patient_id,
        "content_digest": link.content_digest,
    }  # fmt: skip
