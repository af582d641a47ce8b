"""Code sets as stored: each part (the tabular, one index, the PCS tables, the PCS
definitions) is zlib-compressed orjson of compact lists, not of a dict per entry, so that a
whole library decodes in well under a second. Identical values (PCS axes and values, table
cells) are stored once and shared when decoded.

Parts start with a format tag; a part in an unknown format is refused by name, never
misread.
"""

from __future__ import annotations

import gc
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson

from himdesk.codesets.index_codec import decode_index, encode_index
from himdesk.codesets.pcs_codec import (
    decode_definitions,
    decode_tables,
    encode_definitions,
    encode_tables,
)
from himdesk.codesets.tabular_codec import decode_tabular, encode_tabular
from himdesk.domain.coding.alphabetic_index import IndexKind
from himdesk.domain.coding.code_set import (
    CodeSetRelease,
    DiagnosisCodeSet,
    ProcedureCodeSet,
    SourceFile,
)
from himdesk.domain.coding.codes import CodeSystem
from himdesk.domain.coding.pcs import PcsTables

FORMAT = b"himdesk-code-set-part/1\n"
TABULAR = "tabular"
PCS_TABLES = "pcs_tables"
PCS_DEFINITIONS = "pcs_definitions"
INDEX_PREFIX = "index:"


class UnreadablePart(Exception):
    """A stored part in a format this version cannot read: load the release again."""


@contextmanager
def collection_paused() -> Iterator[None]:
    """Decoding makes some 400,000 objects that all live on, none of them garbage: the
    cyclic collector would scan them again and again (a third of the decoding time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def pack(value: Any) -> bytes:
    return FORMAT + zlib.compress(orjson.dumps(value), 6)


def unpack(name: str, payload: bytes) -> Any:
    if not payload.startswith(FORMAT):
        raise UnreadablePart(f"code-set part {name} is not in {FORMAT.decode().strip()} format")
    return orjson.loads(zlib.decompress(payload[len(FORMAT) :]))


def encode_parts(code_set: DiagnosisCodeSet | ProcedureCodeSet) -> Iterator[tuple[str, bytes]]:
    """(part name, payload) for every part of a code set."""
    if isinstance(code_set, DiagnosisCodeSet):
        yield TABULAR, pack(encode_tabular(code_set.tabular))
        for kind, index in code_set.indexes.items():
            yield INDEX_PREFIX + kind.value, pack(encode_index(index))
        return
    yield PCS_TABLES, pack(encode_tables(code_set.tables))
    yield PCS_DEFINITIONS, pack(encode_definitions(code_set.tables.definitions))


def decode_diagnoses(release: CodeSetRelease, parts: dict[str, bytes]) -> DiagnosisCodeSet:
    if TABULAR not in parts:
        raise UnreadablePart(f"{release.label} has no stored tabular: load the release again")
    tabular = decode_tabular(unpack(TABULAR, parts[TABULAR]))
    indexes = {}
    for name, payload in parts.items():
        if name.startswith(INDEX_PREFIX):
            index = decode_index(unpack(name, payload))
            indexes[IndexKind(name.removeprefix(INDEX_PREFIX))] = index
    return DiagnosisCodeSet(release, tabular, indexes)


def decode_procedures(release: CodeSetRelease, parts: dict[str, bytes]) -> ProcedureCodeSet:
    if PCS_TABLES not in parts:
        raise UnreadablePart(f"{release.label} has no stored tables: load the release again")
    tables = decode_tables(unpack(PCS_TABLES, parts[PCS_TABLES]))
    if PCS_DEFINITIONS in parts:
        definitions = decode_definitions(unpack(PCS_DEFINITIONS, parts[PCS_DEFINITIONS]))
        tables = PcsTables(tables.fiscal_year, tables.tables, definitions)
    return ProcedureCodeSet(release, tables)


def encode_sources(sources: tuple[SourceFile, ...]) -> list[dict[str, Any]]:
    return [
        {"name": s.name, "part": s.part, "fiscal_year": s.fiscal_year, "sha256": s.sha256,
         "entries": s.entries}
        for s in sources
    ]  # fmt: skip


def decode_sources(stored: list[dict[str, Any]]) -> tuple[SourceFile, ...]:
    return tuple(
        SourceFile(s["name"], s["part"], s["fiscal_year"], s["sha256"], s["entries"])
        for s in stored
    )


def decode_code_set(
    release: CodeSetRelease, parts: dict[str, bytes]
) -> DiagnosisCodeSet | ProcedureCodeSet:
    if release.system is CodeSystem.ICD10CM:
        return decode_diagnoses(release, parts)
    return decode_procedures(release, parts)
