"""Code-set releases: one row per system and fiscal year (its source files, digest and load
findings as JSON) and its parts, each a compressed payload (`codesets.code_set_codec`).

A release is replaced whole inside the caller's transaction: readers see the old release or
the new one, never a mix. `load_library` reads every release at once for the process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from himdesk.codesets.code_set_codec import (
    collection_paused,
    decode_code_set,
    decode_sources,
    encode_parts,
    encode_sources,
)
from himdesk.domain.coding.code_set import (
    CodeSetLibrary,
    CodeSetRelease,
    DiagnosisCodeSet,
    ProcedureCodeSet,
)
from himdesk.domain.coding.codes import CodeSystem
from himdesk.services.ports import StoredRelease
from himdesk.storage import tables as t
from himdesk.storage.database import READ_ONLY

_releases = t.code_set_releases
_parts = t.code_set_parts


def _stored(row: Any) -> StoredRelease:
    sources = row["sources"]
    release = CodeSetRelease(
        CodeSystem(row["code_system"]),
        row["fiscal_year"],
        row["effective_from"],
        row["effective_to"],
        decode_sources(sources["files"]),
        row["id"],
    )
    return StoredRelease(
        release,
        row["loaded_at"],
        row["loaded_by"],
        sources["digest"],
        sources.get("absent_count", 0),
        tuple(sources.get("absent_codes", ())),
    )


def _row(stored: StoredRelease) -> dict[str, Any]:
    release = stored.release
    return {
        "code_system": release.system.value,
        "fiscal_year": release.fiscal_year,
        "effective_from": release.effective_from,
        "effective_to": release.effective_to,
        "sources": {
            "digest": stored.digest,
            "files": encode_sources(release.sources),
            "absent_count": stored.absent_count,
            "absent_codes": list(stored.absent_codes),
        },
        "loaded_at": stored.loaded_at,
        "loaded_by": stored.loaded_by,
    }


class SqlCodeSetRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def find_by_digest(self, system: CodeSystem, digest: str) -> StoredRelease | None:
        rows = self._db.execute(select(_releases).where(_releases.c.code_system == system.value))
        found = (_stored(row) for row in rows.mappings())
        return next((stored for stored in found if stored.digest == digest), None)

    def save(
        self, code_set: DiagnosisCodeSet | ProcedureCodeSet, stored: StoredRelease
    ) -> StoredRelease:
        release = stored.release
        existing = self._db.execute(
            select(_releases.c.id).where(
                _releases.c.code_system == release.system.value,
                _releases.c.fiscal_year == release.fiscal_year,
            )
        ).scalar_one_or_none()
        if existing is None:
            release_id = self._db.execute(
                insert(_releases).values(_row(stored)).returning(_releases.c.id)
            ).scalar_one()
        else:
            release_id = existing
            self._db.execute(delete(_parts).where(_parts.c.release_id == release_id))
            self._db.execute(
                update(_releases).where(_releases.c.id == release_id).values(_row(stored))
            )
        self._db.execute(
            insert(_parts),
            [
                {"release_id": release_id, "name": name, "payload": payload}
                for name, payload in encode_parts(code_set)
            ],
        )
        return replace(stored, release=replace(release, id=release_id))

    def list_releases(self) -> Sequence[StoredRelease]:
        rows = self._db.execute(
            select(_releases).order_by(_releases.c.code_system, _releases.c.fiscal_year.desc())
        )
        return [_stored(row) for row in rows.mappings()]


def load_library(engine: Engine) -> CodeSetLibrary:
    """Every stored release, decoded: what the process codes against until the next load."""
    with _snapshot(engine) as connection:
        releases = SqlCodeSetRepository(connection).list_releases()
        parts: dict[int, dict[str, bytes]] = {}
        for release_id, name, payload in connection.execute(
            select(_parts.c.release_id, _parts.c.name, _parts.c.payload)
        ):
            parts.setdefault(release_id, {})[name] = bytes(payload)
    with collection_paused():
        code_sets = [decode_code_set(s.release, parts.get(s.release.id or 0, {})) for s in releases]
    return CodeSetLibrary(
        tuple(c for c in code_sets if isinstance(c, DiagnosisCodeSet)),
        tuple(c for c in code_sets if isinstance(c, ProcedureCodeSet)),
    )


def _snapshot(engine: Engine) -> Connection:
    """A connection whose statements all see one state: a release replaced between reading
    the releases and their parts must not mix. SQLite's read transaction is a snapshot
    already (WAL); PostgreSQL needs repeatable read for that."""
    options: dict[str, Any] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    return engine.connect().execution_options(**options)


def releases_stamp(engine: Engine) -> tuple[tuple[int, str], ...]:
    """What changes when any release is loaded or replaced: a cheap check for other processes."""
    with engine.connect().execution_options(**{READ_ONLY: True}) as connection:
        rows = connection.execute(
            select(_releases.c.id, _releases.c.loaded_at).order_by(_releases.c.id)
        )
        return tuple((row.id, row.loaded_at.isoformat()) for row in rows)
