"""Loading official code-set releases into the database, and listing what is loaded.

Reading the files is an adapter's job (`himdesk.codesets`): the service is handed a
`ReleaseSource` that knows which systems a directory holds and a digest of each one's
files. A release whose files are already stored is left alone without being parsed;
otherwise it is parsed, checked against its own tabular and stored whole, replacing the
same system and fiscal year in the same transaction as its audit event. Code sets are not
patient data: loading is audited as an administrative change, listing is not audited.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from himdesk.domain.access import Action, Actor, is_permitted
from himdesk.domain.coding.code_set import DiagnosisCodeSet, ProcedureCodeSet
from himdesk.domain.coding.codes import CodeSystem, normalized_code
from himdesk.domain.coding.tabular import Tabular, TabularLevel
from himdesk.services import audit
from himdesk.services.ports import StoredRelease, UnitOfWork

ABSENT_SHOWN = 20  # absent index codes named in a load summary; all are counted


class CodeSetFileError(Exception):
    """A release file that cannot be read, with where it is wrong."""

    def __init__(self, file: str, problem: str, line: int | None = None) -> None:
        where = f"{file}, line {line}" if line else file
        super().__init__(f"{where}: {problem}")
        self.file = file
        self.problem = problem
        self.line = line


class NoCodeSetFiles(Exception):
    """The directory holds no file recognisable as an official code-set release file."""


class ReleaseSource(Protocol):
    """The release files of one directory, found but not yet parsed."""

    @property
    def systems(self) -> tuple[CodeSystem, ...]: ...
    @property
    def ignored(self) -> tuple[str, ...]: ...
    def digest(self, system: CodeSystem) -> str: ...
    def read(self, system: CodeSystem) -> DiagnosisCodeSet | ProcedureCodeSet: ...


OpenReleaseSource = Callable[[Path | None], ReleaseSource]


@dataclass(frozen=True)
class LoadedRelease:
    stored: StoredRelease
    outcome: str  # "loaded", "replaced" or "unchanged"


@dataclass(frozen=True)
class LoadSummary:
    directory: str  # "" when only the packaged tabular was loaded
    releases: tuple[LoadedRelease, ...]
    ignored: tuple[str, ...] = ()  # files in the directory that are not release files

    @property
    def changed(self) -> bool:
        return any(loaded.outcome != "unchanged" for loaded in self.releases)


def load_code_sets(
    actor: Actor, uow: UnitOfWork, directory: Path | None, open_source: OpenReleaseSource
) -> LoadSummary:
    """Store every code set found in `directory` (None: the packaged ICD-10-CM tabular only),
    each replacing the stored release of its system and fiscal year."""
    audit.require(uow, actor, Action.LOAD_CODE_SETS)
    source = open_source(directory)
    loaded = tuple(_load(actor, uow, source, system) for system in source.systems)
    uow.commit()
    return LoadSummary(str(directory or ""), loaded, source.ignored)


def _load(
    actor: Actor, uow: UnitOfWork, source: ReleaseSource, system: CodeSystem
) -> LoadedRelease:
    digest = source.digest(system)
    unchanged = uow.code_sets.find_by_digest(system, digest)
    if unchanged is not None:
        return LoadedRelease(unchanged, "unchanged")
    code_set = source.read(system)
    release = code_set.release
    absent = index_codes_absent(code_set) if isinstance(code_set, DiagnosisCodeSet) else []
    earlier = {(s.release.system, s.release.fiscal_year) for s in uow.code_sets.list_releases()}
    stored = uow.code_sets.save(
        code_set,
        StoredRelease(
            release, uow.clock(), actor.username, digest,
            len(absent), tuple(absent[:ABSENT_SHOWN]),
        ),
    )  # fmt: skip
    audit.record(
        uow, actor, "codeset.load", object_type="code-set-release", object_id=release.label
    )
    replaced = (release.system, release.fiscal_year) in earlier
    return LoadedRelease(stored, "replaced" if replaced else "loaded")


def index_codes_absent(code_set: DiagnosisCodeSet) -> list[str]:
    """Codes printed in the release's indexes and tables that its own tabular does not have
    as codes, in index order, each once: they must never be offered as valid."""
    seen: set[str] = set()
    absent: list[str] = []
    for index in code_set.indexes.values():
        for entry in index.entries:
            printed = [entry.code] if entry.code else []
            printed.extend(cell.code for cell in entry.cells)
            for code in printed:
                if code not in seen:
                    seen.add(code)
                    if not in_tabular(code_set.tabular, code):
                        absent.append(code)
    return absent


def in_tabular(tabular: Tabular, printed: str) -> bool:
    """An index code as printed is in the tabular when it names a code there (one that may
    still need its 7th character), or, printed incomplete ("S72.0-"), any node. A complete
    code the tabular has since expanded into subcodes is not: it is no longer a code."""
    code = normalized_code(printed)
    if code.endswith("-"):
        return code.rstrip("-") in tabular.nodes
    node = tabular.nodes.get(code)
    if node is not None:
        return not node.children and node.level is TabularLevel.CODE
    return len(code) == 7 and tabular.resolve_billable(code) is not None


def list_code_sets(actor: Actor, uow: UnitOfWork) -> Sequence[StoredRelease]:
    """Every stored release, newest fiscal year first per system. Code sets only: the
    permission (looking up codes, or loading them) is checked, nothing is audited."""
    if not is_permitted(actor.role, Action.LOAD_CODE_SETS):
        audit.require(uow, actor, Action.LOOKUP_CODES)
    return uow.code_sets.list_releases()
