"""A release directory as the code-set service sees it: which systems it holds, a digest of
each system's files (so an unchanged release is recognised before anything is parsed) and,
on demand, the parsed code set.

ICD-10-CM is always there: without a tabular in the directory, the FY2026 tabular shipped in
the `simple-icd-10-cm` wheel is used. The release's fiscal year is its tabular's; every
other file keeps its own year in the release's sources.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from himdesk.codesets.cm_index_flat import read_flat_index
from himdesk.codesets.cm_index_xml import read_index_xml
from himdesk.codesets.cm_tabular import read_tabular, wheel_tabular
from himdesk.codesets.pcs_definitions import read_pcs_definitions
from himdesk.codesets.pcs_tables import read_pcs_tables
from himdesk.codesets.release_files import FileKind, release_files
from himdesk.domain.coding.alphabetic_index import AlphabeticIndex, IndexKind
from himdesk.domain.coding.code_set import (
    CodeSetLibrary,
    CodeSetRelease,
    DiagnosisCodeSet,
    ProcedureCodeSet,
    SourceFile,
)
from himdesk.domain.coding.codes import CodeSystem
from himdesk.domain.coding.pcs import PcsTables
from himdesk.domain.coding.tabular import TabularLevel
from himdesk.services.code_sets import CodeSetFileError

Progress = Callable[[str], None]  # called with a file's name before it is parsed
_CM_KINDS = {FileKind.TABULAR, FileKind.INDEX, FileKind.FLAT_INDEX}


@dataclass(frozen=True)
class _File:
    name: str
    kind: FileKind
    content: bytes
    sha256: str


def _file(name: str, kind: FileKind, content: bytes) -> _File:
    return _File(name, kind, content, hashlib.sha256(content).hexdigest())


class ReleaseDirectory:
    """The release files of one directory (or none: the wheel's tabular alone)."""

    def __init__(self, directory: Path | None, progress: Progress | None = None) -> None:
        self._progress = progress or (lambda _name: None)
        found, ignored = release_files(directory) if directory is not None else ([], [])
        self.ignored = tuple(ignored)
        files = [_file(f.path.name, f.kind, f.path.read_bytes()) for f in found]
        if not any(f.kind is FileKind.TABULAR for f in files):
            name, content = wheel_tabular()
            files.insert(0, _file(name, FileKind.TABULAR, content))
        self._files = {
            CodeSystem.ICD10CM: [f for f in files if f.kind in _CM_KINDS],
            CodeSystem.ICD10PCS: [f for f in files if f.kind not in _CM_KINDS],
        }
        _one_each(self._files, (FileKind.TABULAR, FileKind.PCS_TABLES, FileKind.PCS_DEFINITIONS))
        pcs = self._files[CodeSystem.ICD10PCS]
        if pcs and not any(f.kind is FileKind.PCS_TABLES for f in pcs):
            raise CodeSetFileError(pcs[0].name, "ICD-10-PCS definitions without the PCS tables")

    @property
    def systems(self) -> tuple[CodeSystem, ...]:
        return tuple(system for system, files in self._files.items() if files)

    @property
    def file_count(self) -> int:
        return sum(len(files) for files in self._files.values())

    def digest(self, system: CodeSystem) -> str:
        text = "\n".join(sorted(f"{f.kind}:{f.sha256}" for f in self._files[system]))
        return hashlib.sha256(text.encode()).hexdigest()

    def read(self, system: CodeSystem) -> DiagnosisCodeSet | ProcedureCodeSet:
        if system is CodeSystem.ICD10CM:
            return self.read_diagnoses()
        return self.read_procedures()

    def read_diagnoses(self) -> DiagnosisCodeSet:
        sources: list[SourceFile] = []
        indexes: dict[IndexKind, AlphabeticIndex] = {}
        tabular = None
        for file in self._files[CodeSystem.ICD10CM]:
            self._progress(file.name)
            if file.kind is FileKind.TABULAR:
                tabular = read_tabular(file.content, file.name)
                codes = sum(n.level not in _GROUPS for n in tabular.nodes.values())
                sources.append(_source(file, "tabular", tabular.fiscal_year, codes))
                continue
            reader = read_flat_index if file.kind is FileKind.FLAT_INDEX else read_index_xml
            index = reader(file.content, file.name)
            if index.kind in indexes:
                raise CodeSetFileError(file.name, f"a second {index.kind.value} index")
            indexes[index.kind] = index
            sources.append(
                _source(file, f"index:{index.kind.value}", index.fiscal_year, len(index.entries))
            )
        assert tabular is not None  # noqa: S101 - the wheel's tabular is added when missing
        release = CodeSetRelease.for_fiscal_year(
            CodeSystem.ICD10CM, tabular.fiscal_year, tuple(sources)
        )
        in_order = {kind: indexes[kind] for kind in IndexKind if kind in indexes}
        return DiagnosisCodeSet(release, tabular, in_order)

    def read_procedures(self) -> ProcedureCodeSet:
        files = sorted(self._files[CodeSystem.ICD10PCS], key=lambda f: f.kind is not _TABLES)
        sources: list[SourceFile] = []
        tables: PcsTables | None = None
        for file in files:
            self._progress(file.name)
            if file.kind is FileKind.PCS_TABLES:
                tables = read_pcs_tables(file.content, file.name)
                sources.append(_source(file, "pcs_tables", tables.fiscal_year, len(tables.tables)))
            elif tables is not None:
                year, definitions = read_pcs_definitions(file.content, file.name)
                tables = PcsTables(tables.fiscal_year, tables.tables, definitions)
                sources.append(_source(file, "pcs_definitions", year, len(definitions)))
        assert tables is not None  # noqa: S101 - checked when the files were found
        release = CodeSetRelease.for_fiscal_year(
            CodeSystem.ICD10PCS, tables.fiscal_year, tuple(sources)
        )
        return ProcedureCodeSet(release, tables)


_GROUPS = {TabularLevel.CHAPTER, TabularLevel.SECTION}
_TABLES = FileKind.PCS_TABLES


def _source(file: _File, part: str, fiscal_year: int, entries: int) -> SourceFile:
    return SourceFile(file.name, part, fiscal_year, file.sha256, entries)


def _one_each(files: dict[CodeSystem, list[_File]], kinds: tuple[FileKind, ...]) -> None:
    for kind in kinds:
        names = [f.name for group in files.values() for f in group if f.kind is kind]
        if len(names) > 1:
            raise CodeSetFileError(
                names[1], f"a second {kind.value.replace('_', ' ')} file (besides {names[0]})"
            )


def read_library(directory: Path | None) -> CodeSetLibrary:
    """Every code set in a directory, read straight from the files (no database)."""
    release = ReleaseDirectory(directory)
    procedures = (release.read_procedures(),) if CodeSystem.ICD10PCS in release.systems else ()
    return CodeSetLibrary((release.read_diagnoses(),), procedures)
