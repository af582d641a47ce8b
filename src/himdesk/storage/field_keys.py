"""The encrypted columns, counted by key id and re-encrypted to the current key in batches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Connection,
    LargeBinary,
    Table,
    case,
    func,
    literal,
    literal_column,
    select,
    update,
)

from himdesk.services.ports import KeyCount, RotatedBatch
from himdesk.storage.authenticators import SECRET_CONTEXT
from himdesk.storage.crypto import (
    KEYED_FORMAT,
    PREFIX_BYTES,
    FieldCipher,
    FieldKeyError,
    key_id_of_prefix,
)
from himdesk.storage.import_reviews import HOLD_CONTEXT, REJECTION_CONTEXT
from himdesk.storage.patients import SSN_CONTEXT
from himdesk.storage.tables import authenticators, import_holds, interface_rejections, patients


@dataclass(frozen=True)
class EncryptedColumn:
    """A column of FieldCipher values in a table keyed by an integer `id`."""

    table: Table
    column: str
    context: bytes

    @property
    def name(self) -> str:
        return f"{self.table.name}.{self.column}"


# Every column holding encrypted values: register a new one here and `himdesk keys rotate`
# and `himdesk keys status` cover it. Bulk-export file parts (export_files) are left out on
# purpose: they expire after 24 hours and are megabytes each, so retire an old key a day after
# rotating instead of re-encrypting them.
ENCRYPTED_COLUMNS: tuple[EncryptedColumn, ...] = (
    EncryptedColumn(patients, "ssn_encrypted", SSN_CONTEXT),
    EncryptedColumn(authenticators, "secret_encrypted", SECRET_CONTEXT),
    EncryptedColumn(import_holds, "payload_encrypted", HOLD_CONTEXT),
    EncryptedColumn(interface_rejections, "payload_encrypted", REJECTION_CONTEXT),
)


class SqlFieldKeyRepository:
    def __init__(
        self,
        connection: Connection,
        cipher: FieldCipher,
        columns: Sequence[EncryptedColumn] = ENCRYPTED_COLUMNS,
    ) -> None:
        self._db = connection
        self._cipher = cipher
        self._columns = {c.name: c for c in columns}

    @property
    def current_key_id(self) -> str:
        return self._cipher.current_key_id

    @property
    def key_ids(self) -> Sequence[str]:
        return self._cipher.key_ids

    def columns(self) -> Sequence[str]:
        return list(self._columns)

    def census(self) -> Sequence[KeyCount]:
        counts = []
        for encrypted in self._columns.values():
            value = encrypted.table.c[encrypted.column]
            # Keyed values are named by their first bytes; legacy ones by the format byte.
            length = case((_first_byte(value) == _bytes(KEYED_FORMAT), PREFIX_BYTES), else_=1)
            prefix = func.substr(value, 1, length, type_=LargeBinary).label("prefix")
            query = (
                select(prefix, func.count().label("n"))
                .where(value.is_not(None))
                .group_by(literal_column("prefix"))
            )
            for row in self._db.execute(query):
                counts.append(KeyCount(encrypted.name, _key_name(bytes(row.prefix)), row.n))
        return sorted(counts, key=lambda c: (c.column, c.key_id))

    def rotate_batch(self, column: str, after_id: int, limit: int) -> RotatedBatch:
        """Re-encrypt the next values (by id) not under the current key; skip changed rows."""
        encrypted = self._columns[column]
        table = encrypted.table
        value, row_id = table.c[encrypted.column], table.c.id
        rows = self._db.execute(
            select(row_id, value)
            .where(row_id > after_id, value.is_not(None), _prefix(value) != self._current())
            .order_by(row_id)
            .limit(limit)
        ).all()
        rotated = 0
        for found_id, sealed in rows:
            plaintext = self._open(encrypted, found_id, bytes(sealed))
            result = self._db.execute(
                # Written only if unchanged since read: a correction saved meanwhile already
                # used the current key, and must not be overwritten with the older value.
                update(table)
                .where(row_id == found_id, value == _bytes(bytes(sealed)))
                .values({encrypted.column: self._cipher.encrypt(plaintext, encrypted.context)})
            )
            rotated += result.rowcount
        return RotatedBatch(rotated, rows[-1][0] if rows else None)

    def _open(self, encrypted: EncryptedColumn, row_id: int, sealed: bytes) -> str:
        try:
            return self._cipher.decrypt(sealed, encrypted.context)
        except FieldKeyError as err:
            raise FieldKeyError(f"{encrypted.name} of row {row_id}: {err}") from None

    def _current(self) -> ColumnElement[bytes]:
        return _bytes(self._cipher.current_prefix)


def _bytes(value: bytes) -> ColumnElement[bytes]:
    return literal(value, LargeBinary)


def _first_byte(value: ColumnElement[bytes]) -> ColumnElement[bytes]:
    return func.substr(value, 1, 1, type_=LargeBinary)


def _prefix(value: ColumnElement[bytes]) -> ColumnElement[bytes]:
    return func.substr(value, 1, PREFIX_BYTES, type_=LargeBinary)


def _key_name(prefix: bytes) -> str:
    try:
        return key_id_of_prefix(prefix)
    except FieldKeyError:
        return f"unknown-format-{prefix[:1].hex()}"
