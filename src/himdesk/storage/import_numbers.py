"""Numbers the hospital gives what an import registers: MRNs for new patients, account
numbers for encounters whose sender's number cannot be kept.

Each is the highest number of its shape in use plus one, read once per transaction and
counted on from there. Concurrent importers (the MLLP listener and a web upload) cannot
take the same number:

- SQLite: every transaction begins IMMEDIATE, so one writer at a time reads and takes.
- PostgreSQL: a transaction-scoped advisory lock, taken before the first read of the
  highest number and held to the commit, makes a second importer wait, then read the
  numbers the first one took (READ COMMITTED reads them at its next statement). Imports
  take it before the audit chain's lock (their audit events are appended after the records
  are written), so the two locks cannot deadlock.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Connection, bindparam, func, null, select, text

from himdesk.storage import tables as t

MRN_PREFIX, MRN_DIGITS = "M", 7  # the hospital's MRNs: 'M' + 7 digits (as the demo's)
ACCOUNT_PREFIX, ACCOUNT_DIGITS = "I", 9  # accounts numbered here for imported encounters
_NUMBERING_LOCK = 727_002  # any constant shared by all importers (see the module docstring)
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def _highest(column: Column[Any]) -> Any:
    """The top number of the shape: walks the column's index down from the top (`max()`
    under these conditions read every number in range, 12 ms at 100,000 patients)."""
    size = func.length(column) == bindparam("size")
    between = column.between(bindparam("low"), bindparam("high"))
    return select(column).where(between, size).order_by(column.desc()).limit(1).scalar_subquery()


_HOME_FACILITY = (
    select(t.patients.c.facility)
    .where(t.patients.c.mrn.like(f"{MRN_PREFIX}%"))
    .order_by(t.patients.c.id)
    .limit(1)
    .scalar_subquery()
)
# The patients' top MRN comes with the home facility: a registration needs both.
_START = {
    "patients": select(_highest(t.patients.c.mrn), _HOME_FACILITY),
    "encounters": select(_highest(t.encounters.c.account_number), null()),
}
_SHAPES = {"patients": (MRN_PREFIX, MRN_DIGITS), "encounters": (ACCOUNT_PREFIX, ACCOUNT_DIGITS)}
_COLUMNS = {"patients": t.patients.c.mrn, "encounters": t.encounters.c.account_number}


class HospitalNumbers:
    """The numbering of one connection; what it read holds for one transaction."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection
        self._next: dict[str, int] = {}
        self._issued: dict[str, set[int]] = {}
        self._facility: tuple[str | None] | None = None  # read with the top MRN
        self._transaction: object = None  # the transaction the numbers above belong to

    def new_mrn(self) -> str:
        return self._take("patients")

    def new_account_number(self) -> str:
        return self._take("encounters")

    def home_facility(self) -> str | None:
        """The facility the hospital's own patients are registered under."""
        if self._facility is not None and self._current():
            return self._facility[0]
        facility: str | None = self._db.execute(select(_HOME_FACILITY)).scalar_one_or_none()
        return facility

    def _current(self) -> bool:
        transaction = self._db.get_transaction()
        return transaction is not None and transaction is self._transaction

    def _take(self, table: str) -> str:
        if not self._current():
            self._next.clear()  # numbers read in an earlier transaction may be taken by now
            self._issued.clear()
            self._facility = None
            if self._db.dialect.name == "postgresql":
                self._db.execute(_LOCK, {"key": _NUMBERING_LOCK})
        prefix, digits = _SHAPES[table]
        issued = self._issued.setdefault(table, set())
        if table not in self._next:
            self._next[table] = self._start(table, prefix, digits) + 1
            self._transaction = self._db.get_transaction()
        number = self._next[table]
        if number >= 10**digits:
            number = self._first_gap(table, prefix, digits, issued)
        self._next[table] = number + 1
        issued.add(number)
        return f"{prefix}{number:0{digits}d}"

    def _start(self, table: str, prefix: str, digits: int) -> int:
        shape = {"low": prefix + "0" * digits, "high": prefix + "9" * digits, "size": digits + 1}
        top, facility = self._db.execute(_START[table], shape).one()
        if table == "patients":
            self._facility = (facility,)
        if top is None:
            return 0
        if top[len(prefix) :].isdigit():
            return int(top[len(prefix) :])
        return max(self._in_use(table, prefix, digits), default=0)  # a stray like 'M12A4567'

    def _first_gap(self, table: str, prefix: str, digits: int, issued: set[int]) -> int:
        """When numbering reached the top (scattered demo MRNs), the lowest unused number."""
        used = self._in_use(table, prefix, digits) | issued
        return next(n for n in range(1, 10**digits) if n not in used)

    def _in_use(self, table: str, prefix: str, digits: int) -> set[int]:
        column = _COLUMNS[table]
        low, high = prefix + "0" * digits, prefix + "9" * digits
        query = select(column).where(column.between(low, high), func.length(column) == len(low))
        return {int(v[len(prefix) :]) for v in self._db.execute(query).scalars()
                if v[len(prefix) :].isdigit()}  # fmt: skip
