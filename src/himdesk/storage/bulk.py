"""Fast batch inserts for loading a whole hospital (the demo, benchmarks).

Ids are assigned here, counting on from the largest id in each table, so that one
executemany per table per batch is enough; PostgreSQL sequences are moved past them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import Engine, Table, func, insert, select, text

from himdesk.demo.model import DemoChart
from himdesk.domain.records import Clinician
from himdesk.storage import tables as t
from himdesk.storage.crypto import FieldCipher
from himdesk.storage.patients import patient_row, remember_names
from himdesk.storage.record_rows import record_row

_ID_TABLES = (
    t.patients,
    t.encounters,
    t.documents,
    t.observations,
    t.diagnoses,
    t.procedures,
    t.medications,
    t.allergies,
)


class SqlBulkWriter:
    def __init__(self, engine: Engine, cipher: FieldCipher) -> None:
        self._engine = engine
        self._cipher = cipher
        self._next_id: dict[str, int] = {}

    def count_patients(self) -> int:
        with self._engine.connect() as c:
            return int(c.execute(select(func.count()).select_from(t.patients)).scalar_one())

    def write_clinicians(self, clinicians: Sequence[Clinician]) -> None:
        with self._engine.begin() as c:
            existing = set(c.execute(select(t.clinicians.c.id)).scalars())
            rows = [asdict(x) for x in clinicians if x.id not in existing]
            if rows:
                c.execute(insert(t.clinicians), rows)
            self._advance_sequence(c, t.clinicians)

    def write_charts(self, charts: Sequence[DemoChart]) -> int:
        """Insert a batch of charts in one transaction; returns the number of documents."""
        rows: dict[str, list[dict[str, Any]]] = {table.name: [] for table in _ID_TABLES}
        rows["patient_restrictions"] = []
        with self._engine.begin() as c:
            if not self._next_id:
                self._next_id = {tb.name: self._max_id(c, tb) + 1 for tb in _ID_TABLES}
            for chart in charts:
                self._collect(chart, rows)
            for table in _ID_TABLES:
                if rows[table.name]:
                    c.execute(insert(table), rows[table.name])
                self._advance_sequence(c, table)
            if rows["patient_restrictions"]:
                c.execute(insert(t.patient_restrictions), rows["patient_restrictions"])
            remember_names(c, {r["family_norm"] for r in rows["patients"]})
        return len(rows["documents"])

    def _collect(self, chart: DemoChart, rows: dict[str, list[dict[str, Any]]]) -> None:
        patient_id = self._take("patients")
        rows["patients"].append({"id": patient_id, **patient_row(chart.patient, self._cipher)})
        for category in chart.restrictions:
            rows["patient_restrictions"].append({
                "patient_id": patient_id, "category": category.value, "set_by": "demo",
                "reason": f"Demo hospital: {category.label}",
                "set_at": chart.encounters[0].encounter.admitted_at,
            })  # fmt: skip
        for allergy in chart.allergies:
            rows["allergies"].append(self._part("allergies", allergy, patient_id))
        for stay in chart.encounters:
            encounter_id = self._take("encounters")
            rows["encounters"].append(
                {**record_row(stay.encounter), "id": encounter_id, "patient_id": patient_id}
            )
            for name, parts in (
                ("documents", stay.documents),
                ("observations", stay.observations),
                ("diagnoses", stay.diagnoses),
                ("procedures", stay.procedures),
                ("medications", stay.medications),
            ):
                for part in parts:
                    rows[name].append(self._part(name, part, patient_id, encounter_id))

    def _part(
        self, table: str, part: Any, patient_id: int, encounter_id: int | None = None
    ) -> dict[str, Any]:
        row = {**record_row(part), "id": self._take(table), "patient_id": patient_id}
        if encounter_id is not None:
            row["encounter_id"] = encounter_id
        return row

    def _take(self, table: str) -> int:
        value = self._next_id[table]
        self._next_id[table] = value + 1
        return value

    @staticmethod
    def _max_id(connection: Any, table: Table) -> int:
        return int(connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())

    @staticmethod
    def _advance_sequence(connection: Any, table: Table) -> None:
        if connection.dialect.name != "postgresql":
            return
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
        )
