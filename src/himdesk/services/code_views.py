"""Reference views of the code sets: a code in the Tabular List, the Table of Neoplasms,
the Table of Drugs and Chemicals, and the ICD-10-PCS code builder.

They show code sets only, never patient data, so they check the permission to look up
codes (as the encoder does) but record no audit event. The searchable tables and the PCS
builder are prepared once per loaded release and kept until the release is replaced.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar, cast

from himdesk.domain.access import Actor
from himdesk.domain.coding.alphabetic_index import IndexKind
from himdesk.domain.coding.code_set import DiagnosisCodeSet, ProcedureCodeSet
from himdesk.domain.coding.index_tables import IndexTable, TableView
from himdesk.domain.coding.pcs_builder import PcsBuilder, PcsStep
from himdesk.domain.coding.tabular_view import TabularView, tabular_view
from himdesk.services.code_lookup import require_lookup
from himdesk.services.code_reference import CodeReference, CodeSetsNotLoaded

TABLE_NAMES = {
    IndexKind.NEOPLASMS: "Table of Neoplasms",
    IndexKind.DRUGS: "Table of Drugs and Chemicals",
}
Prepared = TypeVar("Prepared")
# (what it was built from, what was built), by (kind, fiscal year). The source is kept and
# compared by identity so that a reloaded release is prepared afresh.
_prepared: dict[tuple[str, int], tuple[object, object]] = {}
_preparing = threading.Lock()


def code_view(
    actor: Actor, reference: CodeReference, code: str, fiscal_year: int | None = None
) -> TabularView:
    """A code ("I21.4", "S72001A") or section ("I20-I25") as the Tabular List shows it.

    Raises UnreadableCode for text that is no code, UnknownCode (with the nearest code the
    release has) for a code the release lacks.
    """
    require_lookup(actor)
    return tabular_view(diagnosis_set(reference, fiscal_year).tabular, code)


def neoplasm_table(
    actor: Actor, reference: CodeReference, query: str, fiscal_year: int | None = None
) -> TableView:
    """Rows of the Table of Neoplasms whose site path mentions every word of the query."""
    require_lookup(actor)
    return _index_table(reference, IndexKind.NEOPLASMS, fiscal_year).search(query)


def drug_table(
    actor: Actor, reference: CodeReference, query: str, fiscal_year: int | None = None
) -> TableView:
    """Rows of the Table of Drugs and Chemicals whose substance mentions every query word."""
    require_lookup(actor)
    return _index_table(reference, IndexKind.DRUGS, fiscal_year).search(query)


def pcs_step(
    actor: Actor, reference: CodeReference, code: str = "", fiscal_year: int | None = None
) -> PcsStep:
    """The characters chosen so far and the values the tables allow next.

    Raises UnreadablePcsCode for characters no PCS code has, PcsCombinationNotAllowed
    (with the longest allowed start) for a combination the tables do not contain.
    """
    require_lookup(actor)
    procedures = procedure_set(reference, fiscal_year)
    builder = _prepare(("pcs", procedures.release.fiscal_year), procedures.tables, PcsBuilder)
    return builder.step(code)


def diagnosis_set(reference: CodeReference, fiscal_year: int | None) -> DiagnosisCodeSet:
    library = reference.library
    if fiscal_year is None:
        latest = library.latest_diagnoses
        if latest is None:
            raise CodeSetsNotLoaded(_not_loaded("ICD-10-CM", None, []))
        return latest
    found = next((s for s in library.diagnoses if s.release.fiscal_year == fiscal_year), None)
    if found is None:
        years = [s.release.fiscal_year for s in library.diagnoses]
        raise CodeSetsNotLoaded(_not_loaded("ICD-10-CM", fiscal_year, years))
    return found


def procedure_set(reference: CodeReference, fiscal_year: int | None) -> ProcedureCodeSet:
    library = reference.library
    if fiscal_year is None:
        latest = library.latest_procedures
        if latest is None:
            raise CodeSetsNotLoaded(_not_loaded("ICD-10-PCS", None, []))
        return latest
    found = next((s for s in library.procedures if s.release.fiscal_year == fiscal_year), None)
    if found is None:
        years = [s.release.fiscal_year for s in library.procedures]
        raise CodeSetsNotLoaded(_not_loaded("ICD-10-PCS", fiscal_year, years))
    return found


def _index_table(reference: CodeReference, kind: IndexKind, year: int | None) -> IndexTable:
    code_set = diagnosis_set(reference, year)
    index = code_set.indexes.get(kind)
    if index is None:
        raise CodeSetsNotLoaded(
            f"The {TABLE_NAMES[kind]} is not loaded for {code_set.release.label}: load the "
            "release's files with `himdesk codesets load DIR`."
        )
    key = (kind.value, code_set.release.fiscal_year)
    return _prepare(key, code_set, lambda s: IndexTable(index, s.tabular))


S = TypeVar("S")


def _prepare(key: tuple[str, int], source: S, build: Callable[[S], Prepared]) -> Prepared:
    with _preparing:
        cached = _prepared.get(key)
        if cached is None or cached[0] is not source:
            cached = (source, build(source))
            _prepared[key] = cached
        return cast(Prepared, cached[1])


def _not_loaded(system: str, year: int | None, loaded: list[int]) -> str:
    if year is None:
        return f"No {system} code set is loaded: load one with `himdesk codesets load DIR`."
    have = ", ".join(f"FY{y}" for y in sorted(loaded)) or "none"
    return f"{system} FY{year} is not loaded (loaded: {have})."
