"""What the coder sees beside the abstract while coding: the code-set release of the
discharge date, the code edits, the MS-DRG, each code's title and what still keeps the
abstract from final coding.

Nothing here reads patient data or checks a permission: the callers (services.coding) do
both. When the code sets or the grouper are not available the review says so in words,
so the abstract screen still opens and the coder knows why there is no DRG.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from himdesk.domain.coding.abstract import AbstractEntries, DrgOnFile, final_coding_problems
from himdesk.domain.coding.abstract_draft import Releases, StayFacts, claim_of
from himdesk.domain.coding.claims import Claim, DrgAssignment
from himdesk.domain.coding.code_set import CodeSetChoice, CodeSetLibrary
from himdesk.domain.coding.edits import CodeEdit, EditSeverity
from himdesk.domain.coding.grouping import ClaimNotGroupable
from himdesk.services.code_edits import edits_for_claim
from himdesk.services.code_reference import CodeReference, CodeSetsNotLoaded

log = logging.getLogger("himdesk.coding")

NOT_LOADED = (
    "No ICD-10-CM code set is loaded, so codes cannot be checked, edited or grouped. "
    "An administrator loads one with `himdesk codesets load DIR`."
)


NOT_INPATIENT = "MS-DRGs group inpatient stays only: this encounter gets no DRG."
NO_PRINCIPAL = "Enter the principal diagnosis to see the MS-DRG."


@dataclass(frozen=True)
class CodingReview:
    release_label: str = ""  # "ICD-10-CM FY2026", "" when none is loaded
    code_set_note: str = ""  # why the release is not the one of the discharge date
    code_set_year: int | None = None
    edits: Sequence[CodeEdit] = ()
    drg: DrgAssignment | None = None
    drg_note: str = ""  # why there is no DRG, when there is none
    unavailable: Sequence[str] = ()  # what could not be done, and why
    titles: Mapping[str, str] = field(default_factory=dict)  # normalized code -> title
    problems: Sequence[str] = ()  # what keeps the entries from final coding

    @property
    def ready(self) -> bool:
        return not self.problems

    @property
    def errors(self) -> list[CodeEdit]:
        return [e for e in self.edits if e.severity is EditSeverity.ERROR]

    @property
    def drg_on_file(self) -> DrgOnFile:
        if self.drg is None:
            return DrgOnFile()
        return DrgOnFile(self.drg.drg, self.drg.grouper_version, self.drg.weight)


def code_sets_of(reference: CodeReference) -> CodeSetLibrary | None:
    """The loaded code sets, or None. Called before the unit of work reads anything: the
    first call loads them from the database on a connection of its own, which on SQLite
    must not wait behind the unit of work's open transaction."""
    try:
        return reference.library
    except CodeSetsNotLoaded:
        return None


def releases_for(
    library: CodeSetLibrary | None, stay: StayFacts
) -> tuple[Releases, CodeSetChoice] | None:
    """The ICD-10-CM and -PCS releases for the discharge date, or None when no ICD-10-CM
    release is loaded."""
    if library is None:
        return None
    chosen = library.diagnosis_set_for(stay.discharged_on)
    if chosen is None:
        return None
    diagnoses, choice = chosen
    procedures = library.procedure_set_for(stay.discharged_on)
    return Releases(diagnoses, procedures[0] if procedures else None), choice


def review_entries(
    reference: CodeReference,
    library: CodeSetLibrary | None,
    stay: StayFacts,
    entries: AbstractEntries,
) -> CodingReview:
    """The review of the entries; `library` is `code_sets_of(reference)`, read first."""
    found = releases_for(library, stay)
    if found is None:
        problems = [*final_coding_problems(entries, (), stay.inpatient), NOT_LOADED]
        return CodingReview(unavailable=[NOT_LOADED], problems=problems)
    releases, choice = found
    unavailable: list[str] = []
    claim = claim_of(entries, stay)
    edits = _edits(reference, claim, unavailable) if entries.principal else []
    grouped = stay.inpatient and entries.principal is not None
    drg = _drg(reference, claim, unavailable) if grouped else None
    problems = [*final_coding_problems(entries, edits, stay.inpatient), *unavailable]
    drg_note = "" if grouped else (NOT_INPATIENT if not stay.inpatient else NO_PRINCIPAL)
    return CodingReview(
        release_label=releases.diagnoses.release.label,
        code_set_note=choice.note,
        code_set_year=releases.diagnoses.release.fiscal_year,
        edits=edits,
        drg=drg,
        drg_note=drg_note,
        unavailable=unavailable,
        titles=code_titles(releases, entries),
        problems=problems,
    )


def _edits(reference: CodeReference, claim: Claim, unavailable: list[str]) -> list[CodeEdit]:
    try:
        return edits_for_claim(reference, claim)
    except CodeSetsNotLoaded as missing:
        unavailable.append(f"The code edits could not run: {missing}")
    except Exception as failure:  # the screen must open whatever the editor does
        # The type only: a message could carry codes of this patient.
        log.warning("code edits failed: %s", type(failure).__name__)
        unavailable.append("The code edits could not run on these codes; try again or tell "
                           "the system administrator.")  # fmt: skip
    return []


def _drg(reference: CodeReference, claim: Claim, unavailable: list[str]) -> DrgAssignment | None:
    try:
        return reference.grouper.group(claim)
    except ClaimNotGroupable as refused:
        unavailable.append(f"No MS-DRG: {refused}")
    except CodeSetsNotLoaded as missing:
        unavailable.append(f"The MS-DRG could not be computed: {missing}")
    except Exception as failure:  # the screen must open whatever the grouper does
        log.warning("MS-DRG grouping failed: %s", type(failure).__name__)
        unavailable.append("The MS-DRG grouper is not available, so no DRG was computed; "
                           "tell the system administrator.")  # fmt: skip
    return None


def code_titles(releases: Releases, entries: AbstractEntries) -> dict[str, str]:
    """The tabular title of each diagnosis code and the axis meanings of each PCS code."""
    titles = {d.code: _diagnosis_title(releases, d.code) for d in entries.diagnoses}
    titles |= {p.code: _procedure_title(releases, p.code) for p in entries.procedures}
    return {code: title for code, title in titles.items() if title}


def _diagnosis_title(releases: Releases, code: str) -> str:
    tabular = releases.diagnoses.tabular
    node = tabular.find(code)
    if node is not None:
        return node.title
    stem = tabular.resolve_billable(code)
    rule = tabular.seventh_rule(stem.key) if stem else None
    if stem is None or rule is None:
        return ""
    meaning = dict(rule.characters).get(code[-1], "")
    return f"{stem.title}, {meaning}" if meaning else stem.title


def _procedure_title(releases: Releases, code: str) -> str:
    pcs = releases.procedures
    table = pcs.tables.tables.get(code[:3]) if pcs else None
    row = next((r for r in table.rows if r.allows(code)), None) if table else None
    if table is None or row is None:
        return ""
    labels = [table.axes[2].values[0].label] if table.axes[2].values else []
    for axis in row.axes:
        value = next((v for v in axis.values if v.character == code[axis.position - 1]), None)
        if value is not None and not value.label.startswith("No "):
            labels.append(value.label)
    return ", ".join(labels)
