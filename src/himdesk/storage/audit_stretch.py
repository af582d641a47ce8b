"""One stretch of the audit chain walked from a SQLite file: a worker of `audit verify`.

`audit_walk` runs one of these per CPU core as `python -m himdesk.storage.audit_stretch
PATH FIRST LAST`; each prints what it found as one JSON line. Separate processes, because
hashing holds the GIL, and started afresh (not forked, not multiprocessing) so that they
inherit no open connections, threads or main-module side effects from their caller.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from dataclasses import asdict

from himdesk.domain.audit import ChainBreak, ChainStretch, walk_stretch

# Rows in canonical field order after the stored hash. SQLAlchemy keeps SQLite times as
# 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC; the ISO form the hash covers is rebuilt in SQL.
ROWS = (
    "SELECT event_hash, sequence, previous_hash, "
    "substr(occurred_at, 1, 10) || 'T' || substr(occurred_at, 12) || '+00:00', "
    "user_id, username, role, action, outcome, patient_id, object_type, object_id, "
    "client_address, purpose FROM audit_events "
    "WHERE sequence BETWEEN ? AND ? ORDER BY sequence"
)


def walk_sqlite_stretch(path: str, first: int, last: int) -> ChainStretch:
    connection = sqlite3.connect(path)
    try:
        # One SELECT reads one snapshot; in WAL mode it waits for no writer.
        return walk_stretch(connection.execute(ROWS, (first, last)))
    finally:
        connection.close()


def stretch_as_json(stretch: ChainStretch) -> str:
    return json.dumps(asdict(stretch))


def stretch_from_json(text: str) -> ChainStretch:
    fields = json.loads(text)
    found = fields.pop("first_break")
    return ChainStretch(**fields, first_break=ChainBreak(**found) if found else None)


if __name__ == "__main__":
    database, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    print(stretch_as_json(walk_sqlite_stretch(database, first, last)))
