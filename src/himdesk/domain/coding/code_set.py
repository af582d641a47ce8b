"""Code-set releases by fiscal year, and which one applies to an encounter.

A release is one code system for one fiscal year (ICD-10-CM FY2026, ICD-10-PCS FY2026),
made of the official files it was loaded from. Files may be of another year than the
release (this copy's index is FY2025, its tabular FY2026): each keeps its own year, and
index codes the release's tabular does not have are flagged, never offered as valid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from himdesk.domain.coding.alphabetic_index import AlphabeticIndex, IndexKind
from himdesk.domain.coding.codes import (
    CodeSystem,
    fiscal_year_end,
    fiscal_year_of,
    fiscal_year_start,
)
from himdesk.domain.coding.pcs import PcsTables
from himdesk.domain.coding.tabular import Tabular


@dataclass(frozen=True, slots=True)
class SourceFile:
    name: str  # file name as loaded, e.g. "icd10cm_index_2025_flat.csv"
    part: str  # "tabular", "index:diseases", "pcs_tables", "pcs_definitions" ...
    fiscal_year: int  # the year the file itself is for
    sha256: str
    entries: int  # how many codes / index lines / tables it gave


@dataclass(frozen=True, slots=True)
class CodeSetRelease:
    system: CodeSystem
    fiscal_year: int
    effective_from: date
    effective_to: date
    sources: tuple[SourceFile, ...] = ()
    id: int | None = None

    @classmethod
    def for_fiscal_year(
        cls, system: CodeSystem, fiscal_year: int, sources: tuple[SourceFile, ...] = ()
    ) -> CodeSetRelease:
        return cls(
            system,
            fiscal_year,
            fiscal_year_start(fiscal_year),
            fiscal_year_end(fiscal_year),
            sources,
        )

    def covers(self, day: date) -> bool:
        return self.effective_from <= day <= self.effective_to

    @property
    def label(self) -> str:
        return f"{self.system.value} FY{self.fiscal_year}"


@dataclass(frozen=True, slots=True)
class DiagnosisCodeSet:
    """ICD-10-CM for one fiscal year: the tabular and whichever indexes were loaded."""

    release: CodeSetRelease
    tabular: Tabular
    indexes: Mapping[IndexKind, AlphabeticIndex] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ProcedureCodeSet:
    release: CodeSetRelease
    tables: PcsTables


@dataclass(frozen=True, slots=True)
class CodeSetChoice:
    """The release used for a date, and why, when it is not the one valid on that date."""

    fiscal_year: int
    exact: bool  # True when the release's effective dates cover the date
    note: str = ""  # e.g. "FY2027 is not loaded: coded against FY2026, the nearest loaded"


@dataclass(frozen=True, slots=True)
class CodeSetLibrary:
    """Every loaded release, newest first per system."""

    diagnoses: Sequence[DiagnosisCodeSet] = ()
    procedures: Sequence[ProcedureCodeSet] = ()

    def diagnosis_set_for(self, day: date) -> tuple[DiagnosisCodeSet, CodeSetChoice] | None:
        return _choose(self.diagnoses, day, CodeSystem.ICD10CM)

    def procedure_set_for(self, day: date) -> tuple[ProcedureCodeSet, CodeSetChoice] | None:
        return _choose(self.procedures, day, CodeSystem.ICD10PCS)

    @property
    def latest_diagnoses(self) -> DiagnosisCodeSet | None:
        return max(self.diagnoses, key=lambda s: s.release.fiscal_year, default=None)

    @property
    def latest_procedures(self) -> ProcedureCodeSet | None:
        return max(self.procedures, key=lambda s: s.release.fiscal_year, default=None)


S = TypeVar("S", DiagnosisCodeSet, ProcedureCodeSet)


def _choose(sets: Sequence[S], day: date, system: CodeSystem) -> tuple[S, CodeSetChoice] | None:
    if not sets:
        return None
    for code_set in sets:
        if code_set.release.covers(day):
            return code_set, CodeSetChoice(code_set.release.fiscal_year, exact=True)
    nearest = min(sets, key=lambda s: abs((s.release.effective_from - day).days))
    wanted = fiscal_year_of(day)
    note = (
        f"{system.value} FY{wanted} is not loaded: coded against "
        f"FY{nearest.release.fiscal_year}, the nearest loaded release"
    )
    return nearest, CodeSetChoice(nearest.release.fiscal_year, exact=False, note=note)
