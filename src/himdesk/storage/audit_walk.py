"""Reading the audit chain fast enough to verify millions of events in seconds.

`audit verify` is bound by turning rows into bytes to hash, so rows come straight from the
database cursor as plain tuples already in canonical field order (the time rendered as
ISO 8601 by the database), with no ORM objects per row. On SQLite a long chain is cut into
one stretch per CPU core, each walked by its own worker process (`audit_stretch`) over its
own connection; the domain joins the stretches at their edges.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from himdesk.domain.audit import ChainStretch, ChainWalk, join_stretches, walk_stretch
from himdesk.storage.audit_stretch import stretch_from_json, walk_sqlite_stretch
from himdesk.storage.tables import audit_events

# Below this many events, starting worker processes costs more than it saves.
PARALLEL_FROM = 400_000
_MAX_WORKERS = 8
# Lower than any sequence, so that rows numbered 0 or below are walked (and named) too.
_BEFORE_ALL = -(2**31)
_POSTGRES_ROWS = (
    "SELECT event_hash, sequence, previous_hash, "
    "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') || '+00:00', "
    "user_id, username, role, action, outcome, patient_id, object_type, object_id, "
    "client_address, purpose FROM audit_events "
    "WHERE sequence > %s AND sequence <= %s ORDER BY sequence LIMIT %s"
)


def walk_chain(
    connection: Connection, through: int, parallel_from: int, page_size: int = 20_000
) -> ChainWalk:
    """Walk every event numbered up to `through` (events appended later are not read)."""
    if connection.dialect.name != "sqlite":
        return join_stretches([walk_stretch(_keyset_rows(connection, through, page_size))])
    database = connection.engine.url.database
    assert database  # noqa: S101 - make_engine refuses in-memory SQLite
    path = str(Path(database).resolve())
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workers = min(cores or 1, _MAX_WORKERS) if through >= parallel_from else 1
    if workers == 1:
        return join_stretches([walk_sqlite_stretch(path, _BEFORE_ALL, through)])
    return join_stretches(_walk_in_workers(path, through, workers))


def _walk_in_workers(path: str, through: int, workers: int) -> list[ChainStretch]:
    size = through // workers
    firsts = [_BEFORE_ALL] + [size * n + 1 for n in range(1, workers)]
    lasts = [size * n for n in range(1, workers)] + [through]
    command = [sys.executable, "-m", "himdesk.storage.audit_stretch", path]
    started = [
        subprocess.Popen(  # noqa: S603 - our own module, arguments are a path and numbers
            [*command, str(first), str(last)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for first, last in zip(firsts, lasts, strict=True)
    ]
    try:
        stretches = []
        for worker in started:
            out, err = worker.communicate()
            if worker.returncode:
                raise RuntimeError(f"an audit walk worker failed: {err.decode()[-2000:]}")
            stretches.append(stretch_from_json(out.decode()))
        return stretches
    finally:
        for worker in started:
            if worker.poll() is None:
                worker.kill()
                worker.wait()


def _keyset_rows(connection: Connection, through: int, page_size: int) -> Iterator[Any]:
    # Keyset pages keep memory flat: the driver would otherwise load the whole result.
    after = _BEFORE_ALL
    while rows := connection.exec_driver_sql(_POSTGRES_ROWS, (after, through, page_size)).all():
        yield from rows
        after = rows[-1][1]


def event_hashes_at(connection: Connection, sequences: Collection[int]) -> Mapping[int, str]:
    wanted, found = sorted(set(sequences)), {}
    for start in range(0, len(wanted), 500):
        query = select(audit_events.c.sequence, audit_events.c.event_hash).where(
            audit_events.c.sequence.in_(wanted[start : start + 500])
        )
        found.update({row.sequence: row.event_hash for row in connection.execute(query)})
    return found
