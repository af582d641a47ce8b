"""Code-set releases through the database, on each backend: a load stores a release whole,
`load_library` gives it back equal, loading the same files again changes nothing, and a
release of the same system and fiscal year is replaced in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, PermissionDenied, Role
from himdesk.domain.coding.code_set import (
    CodeSetLibrary,
    CodeSetRelease,
    DiagnosisCodeSet,
    ProcedureCodeSet,
)
from himdesk.domain.coding.codes import CodeSystem
from himdesk.services.code_sets import (
    CodeSetFileError,
    LoadSummary,
    index_codes_absent,
    list_code_sets,
    load_code_sets,
)
from himdesk.storage import tables as t
from himdesk.storage.code_sets import load_library, releases_stamp

ADMIN = Actor(user_id=1, username="root", role=Role.ADMIN)
CODER = Actor(user_id=2, username="cora", role=Role.CODER)
CodeSet = DiagnosisCodeSet | ProcedureCodeSet


@dataclass
class FakeReleaseSource:
    """Release files already read: the session's code sets, with a digest per system."""

    code_sets: dict[CodeSystem, CodeSet]
    digests: dict[CodeSystem, str]
    ignored: tuple[str, ...] = ()
    reads: list[CodeSystem] = field(default_factory=list)

    @property
    def systems(self) -> tuple[CodeSystem, ...]:
        return tuple(self.code_sets)

    def digest(self, system: CodeSystem) -> str:
        return self.digests[system]

    def read(self, system: CodeSystem) -> CodeSet:
        self.reads.append(system)
        return self.code_sets[system]


def _source(library: CodeSetLibrary, digest: str = "first") -> FakeReleaseSource:
    assert library.latest_diagnoses and library.latest_procedures
    return FakeReleaseSource(
        {
            CodeSystem.ICD10CM: library.latest_diagnoses,
            CodeSystem.ICD10PCS: library.latest_procedures,
        },
        {CodeSystem.ICD10CM: f"cm-{digest}", CodeSystem.ICD10PCS: f"pcs-{digest}"},
    )


def _load(himdesk: Himdesk, source: FakeReleaseSource, actor: Actor = ADMIN) -> LoadSummary:
    with himdesk.unit_of_work() as uow:
        return load_code_sets(actor, uow, Path("/releases"), lambda _directory: source)


def _load_actions(himdesk: Himdesk) -> list[str]:
    with himdesk.engine.connect() as c:
        return list(
            c.execute(
                select(t.audit_events.c.object_id).where(t.audit_events.c.action == "codeset.load")
            ).scalars()
        )


def test_a_loaded_library_comes_back_equal_from_the_database(
    himdesk: Himdesk, code_set_library: CodeSetLibrary
) -> None:
    summary = _load(himdesk, _source(code_set_library))
    assert [loaded.outcome for loaded in summary.releases] == ["loaded", "loaded"]
    stored = load_library(himdesk.engine)
    assert stored.diagnoses[0].tabular == code_set_library.diagnoses[0].tabular
    assert stored.diagnoses[0].indexes == code_set_library.diagnoses[0].indexes
    assert stored.procedures[0].tables == code_set_library.procedures[0].tables
    release = stored.diagnoses[0].release
    assert release.sources == code_set_library.diagnoses[0].release.sources
    assert release.id is not None and release.fiscal_year == 2026


def test_code_sets_are_read_while_another_transaction_writes(
    himdesk: Himdesk, code_set_library: CodeSetLibrary
) -> None:
    # The web app first reads the code sets inside a request that already writes (its
    # audit event); on SQLite a reader taking the write lock would wait for itself.
    _load(himdesk, _source(code_set_library))
    with himdesk.engine.begin() as writing:
        writing.execute(select(t.code_set_releases.c.id))
        stored = load_library(himdesk.engine)
        stamp = releases_stamp(himdesk.engine)
    assert stored.diagnoses[0].release.fiscal_year == 2026
    assert len(stamp) == 2


def test_a_load_counts_the_index_codes_its_tabular_lacks(
    himdesk: Himdesk, code_set_library: CodeSetLibrary, cm_code_set: DiagnosisCodeSet
) -> None:
    summary = _load(himdesk, _source(code_set_library))
    absent = index_codes_absent(cm_code_set)
    cm = summary.releases[0].stored
    assert (cm.absent_count, cm.absent_codes) == (len(absent), tuple(absent[:20]))
    with himdesk.unit_of_work() as uow:
        listed = list_code_sets(ADMIN, uow)
    assert listed[0].absent_count == len(absent) and listed[1].absent_count == 0


def test_loading_the_same_files_again_reads_nothing_and_changes_nothing(
    himdesk: Himdesk, code_set_library: CodeSetLibrary
) -> None:
    _load(himdesk, _source(code_set_library))
    again = _source(code_set_library)
    summary = _load(himdesk, again)
    assert [loaded.outcome for loaded in summary.releases] == ["unchanged", "unchanged"]
    assert not summary.changed and again.reads == []
    assert _load_actions(himdesk) == ["ICD-10-CM FY2026", "ICD-10-PCS FY2026"]


def test_other_files_for_the_same_year_replace_the_release_whole(
    himdesk: Himdesk, code_set_library: CodeSetLibrary, cm_code_set: DiagnosisCodeSet
) -> None:
    _load(himdesk, _source(code_set_library))
    tabular_only = DiagnosisCodeSet(
        CodeSetRelease.for_fiscal_year(CodeSystem.ICD10CM, 2026, cm_code_set.release.sources[:1]),
        cm_code_set.tabular,
    )
    source = FakeReleaseSource({CodeSystem.ICD10CM: tabular_only}, {CodeSystem.ICD10CM: "other"})
    summary = _load(himdesk, source)
    assert [loaded.outcome for loaded in summary.releases] == ["replaced"]
    stored = load_library(himdesk.engine)
    assert len(stored.diagnoses) == 1 and stored.diagnoses[0].indexes == {}
    assert [s.part for s in stored.diagnoses[0].release.sources] == ["tabular"]
    with himdesk.engine.connect() as c:
        parts = c.execute(
            select(t.code_set_parts.c.name).where(
                t.code_set_parts.c.release_id == stored.diagnoses[0].release.id
            )
        )
        assert parts.scalars().all() == ["tabular"]
        assert len(c.execute(select(t.code_set_releases.c.id)).all()) == 2


def test_a_file_that_cannot_be_read_stores_nothing(
    himdesk: Himdesk, code_set_library: CodeSetLibrary
) -> None:
    @dataclass
    class BrokenPcs(FakeReleaseSource):
        def read(self, system: CodeSystem) -> CodeSet:
            if system is CodeSystem.ICD10PCS:
                raise CodeSetFileError("pcs.xml", "not well-formed XML", 12)
            return super().read(system)

    good = _source(code_set_library)
    with pytest.raises(CodeSetFileError, match="pcs.xml, line 12"):
        _load(himdesk, BrokenPcs(good.code_sets, good.digests))
    assert load_library(himdesk.engine) == CodeSetLibrary()
    assert _load_actions(himdesk) == []


def test_only_an_administrator_or_him_manager_loads_code_sets(
    himdesk: Himdesk, code_set_library: CodeSetLibrary
) -> None:
    source = _source(code_set_library)
    with pytest.raises(PermissionDenied):
        _load(himdesk, source, CODER)
    assert source.reads == []
    manager = Actor(user_id=3, username="mia", role=Role.HIM_MANAGER)
    assert _load(himdesk, source, manager).changed


def test_a_coder_lists_the_loaded_releases_newest_first(
    himdesk: Himdesk, code_set_library: CodeSetLibrary
) -> None:
    _load(himdesk, _source(code_set_library))
    with himdesk.unit_of_work() as uow:
        listed = list_code_sets(CODER, uow)
    assert [(s.release.system, s.release.fiscal_year) for s in listed] == [
        (CodeSystem.ICD10CM, 2026), (CodeSystem.ICD10PCS, 2026),
    ]  # fmt: skip
    assert listed[0].loaded_by == "root" and listed[0].digest == "cm-first"
