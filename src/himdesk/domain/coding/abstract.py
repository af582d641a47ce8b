"""The coding abstract of one discharged encounter, and the rules of final coding.

The abstract holds what the coder assigns from the documentation: diagnoses in UHDDS order
(sequence 1 is the principal diagnosis, "the condition established after study to be chiefly
responsible for occasioning the admission"), each with its present-on-admission indicator;
procedures (sequence 1 the principal procedure) with date and operator; the discharge
disposition; the code-set year it was coded against and the MS-DRG it grouped to.

Final coding locks the abstract. A change after it needs the abstract reopened with a
reason, and every final coding and every reopening is kept as a version.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from himdesk.domain.coding.codes import dotted
from himdesk.domain.coding.edits import CodeEdit, EditSeverity
from himdesk.domain.demographics import InvalidInput

MAX_DIAGNOSES = 25  # the principal and 24 secondary diagnoses an 837I claim carries
MAX_PROCEDURES = 25
MAX_REASON = 500


class AbstractStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    FINAL = "final"


class PresentOnAdmission(enum.StrEnum):
    """CMS present-on-admission indicator (UB-04 / 837I), reported on inpatient claims."""

    YES = "Y"
    NO = "N"
    UNKNOWN = "U"  # documentation insufficient to determine
    UNDETERMINED = "W"  # the provider cannot clinically determine
    EXEMPT = "1"  # exempt from POA reporting, on older claim formats
    BLANK = ""  # a code on the CMS exempt list (5010 claims), or an outpatient claim

    @property
    def label(self) -> str:
        return _POA_LABELS[self]


_POA_LABELS = {
    PresentOnAdmission.YES: "Y — present at the time of inpatient admission",
    PresentOnAdmission.NO: "N — not present at the time of inpatient admission",
    PresentOnAdmission.UNKNOWN: "U — documentation insufficient to determine",
    PresentOnAdmission.UNDETERMINED: "W — clinically undetermined",
    PresentOnAdmission.EXEMPT: "1 — exempt from POA reporting (older claim formats)",
    PresentOnAdmission.BLANK: "blank — a code exempt from POA reporting, or not inpatient",
}


@dataclass(frozen=True, slots=True)
class CodedDiagnosis:
    code: str  # ICD-10-CM, normalized (no dot)
    poa: PresentOnAdmission = PresentOnAdmission.BLANK

    @property
    def shown(self) -> str:
        return dotted(self.code)


@dataclass(frozen=True, slots=True)
class CodedProcedure:
    code: str  # ICD-10-PCS, seven characters
    performed_on: date | None = None
    operator_id: int | None = None  # the clinician who performed it


@dataclass(frozen=True, slots=True)
class AbstractEntries:
    """What the coder enters on the abstract."""

    diagnoses: tuple[CodedDiagnosis, ...] = ()
    procedures: tuple[CodedProcedure, ...] = ()
    discharge_disposition: str | None = None  # UB-04 patient discharge status, e.g. "01"

    @property
    def principal(self) -> CodedDiagnosis | None:
        return self.diagnoses[0] if self.diagnoses else None


@dataclass(frozen=True, slots=True)
class DrgOnFile:
    """The MS-DRG the abstract grouped to when it was last saved or final-coded."""

    drg: str = ""
    grouper_version: int | None = None
    weight: Decimal | None = None


@dataclass(frozen=True, slots=True)
class CodingAbstract:
    encounter_id: int
    entries: AbstractEntries
    started_at: datetime
    started_by: str
    updated_at: datetime
    updated_by: str
    status: AbstractStatus = AbstractStatus.IN_PROGRESS
    version: int = 0  # how many times it was final-coded
    code_set_year: int | None = None
    drg: DrgOnFile = field(default_factory=DrgOnFile)
    finalized_at: datetime | None = None
    finalized_by: str = ""

    @property
    def is_final(self) -> bool:
        return self.status is AbstractStatus.FINAL

    @property
    def was_reopened(self) -> bool:
        """In progress again after a final coding."""
        return not self.is_final and self.version > 0

    @property
    def diagnoses(self) -> tuple[CodedDiagnosis, ...]:
        return self.entries.diagnoses

    @property
    def procedures(self) -> tuple[CodedProcedure, ...]:
        return self.entries.procedures


class AbstractLocked(Exception):
    """The abstract is final: reopen it, with a reason, to change it."""

    def __init__(self, encounter_id: int) -> None:
        super().__init__(
            f"The abstract of encounter {encounter_id} is final-coded: reopen it, stating "
            "the reason, before changing it."
        )


NO_ABSTRACT = "none"  # what a form opened before any abstract was saved carries


def fingerprint(abstract: CodingAbstract | None) -> str:
    """What a form carries of the abstract it was opened on, so a save over changes another
    coder made meanwhile is refused instead of silently undoing them."""
    if abstract is None:
        return NO_ABSTRACT
    shown = snapshot(abstract, "")
    text = json.dumps([shown, abstract.updated_by, abstract.status.value], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def start_abstract(encounter_id: int, at: datetime, by: str) -> CodingAbstract:
    return CodingAbstract(encounter_id, AbstractEntries(), at, by, at, by)


def revised(
    abstract: CodingAbstract,
    entries: AbstractEntries,
    code_set_year: int | None,
    drg: DrgOnFile,
    stamp: tuple[datetime, str],
) -> CodingAbstract:
    """The abstract with the coder's new entries; a final abstract is locked."""
    if abstract.is_final:
        raise AbstractLocked(abstract.encounter_id)
    at, by = stamp
    return replace(abstract, entries=entries, code_set_year=code_set_year, drg=drg,
                   updated_at=at, updated_by=by)  # fmt: skip


def finalized(
    abstract: CodingAbstract, drg: DrgOnFile, stamp: tuple[datetime, str]
) -> CodingAbstract:
    if abstract.is_final:
        raise AbstractLocked(abstract.encounter_id)
    at, by = stamp
    return replace(abstract, status=AbstractStatus.FINAL, version=abstract.version + 1, drg=drg,
                   updated_at=at, updated_by=by, finalized_at=at, finalized_by=by)  # fmt: skip


def reopened(abstract: CodingAbstract, stamp: tuple[datetime, str]) -> CodingAbstract:
    if not abstract.is_final:
        raise InvalidInput(
            {"reason": "The abstract is not final-coded: it can be changed as it is."}
        )
    at, by = stamp
    return replace(abstract, status=AbstractStatus.IN_PROGRESS, updated_at=at, updated_by=by)


def checked_reason(reason: str) -> str:
    """Why a final-coded abstract is reopened: required, one line, at most MAX_REASON."""
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise InvalidInput({"reason": "State why the final-coded abstract is reopened."})
    if len(cleaned) > MAX_REASON:
        raise InvalidInput(
            {"reason": f"The reason is {len(cleaned)} characters; keep it to {MAX_REASON}."}
        )
    return cleaned


def final_coding_problems(
    entries: AbstractEntries, edits: Sequence[CodeEdit], inpatient: bool
) -> list[str]:
    """What keeps these entries from final coding; none means they are ready."""
    problems = []
    if entries.principal is None:
        problems.append("There is no principal diagnosis.")
    if inpatient:
        problems.extend(_inpatient_problems(entries))
    problems.extend(
        f"{e.code or 'Encounter'}: {e.message}" for e in edits if e.severity is EditSeverity.ERROR
    )
    return problems


def _inpatient_problems(entries: AbstractEntries) -> list[str]:
    # A missing POA indicator is the code edits' to judge (an error edit), because a code on
    # the CMS exempt list is left blank on purpose.
    problems = []
    if not entries.discharge_disposition:
        problems.append("Choose the discharge disposition: the MS-DRG depends on it.")
    problems.extend(
        f"{p.code}: enter the date the procedure was performed."
        for p in entries.procedures
        if p.performed_on is None
    )
    return problems


@dataclass(frozen=True, slots=True)
class CodingVersion:
    """A final coding or a reopening, as kept in the abstract's history."""

    encounter_id: int
    number: int  # 1, 2, 3 ... per encounter
    event: str  # "final" or "reopened"
    recorded_at: datetime
    recorded_by: str
    reason: str
    snapshot: Mapping[str, Any]

    @property
    def drg(self) -> str:
        return str(self.snapshot.get("drg", ""))

    @property
    def final_version(self) -> int:
        return int(self.snapshot.get("version", 0))


def snapshot(abstract: CodingAbstract, event: str) -> dict[str, Any]:
    """The abstract as JSON, kept with each version (codes normalized, dates ISO)."""
    entries = abstract.entries
    return {
        "event": event,
        "version": abstract.version,
        "status": abstract.status.value,
        "code_set_year": abstract.code_set_year,
        "discharge_disposition": entries.discharge_disposition,
        "diagnoses": [{"code": d.code, "poa": d.poa.value} for d in entries.diagnoses],
        "procedures": [
            {
                "code": p.code,
                "performed_on": p.performed_on.isoformat() if p.performed_on else None,
                "operator_id": p.operator_id,
            }
            for p in entries.procedures
        ],
        "drg": abstract.drg.drg,
        "drg_version": abstract.drg.grouper_version,
        "drg_weight": str(abstract.drg.weight) if abstract.drg.weight is not None else None,
    }


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """One version as the abstract screen lists it: who, when, why, and the DRG change."""

    version: CodingVersion
    drg_before: str
    drg_after: str


def history_lines(versions: Sequence[CodingVersion]) -> list[HistoryLine]:
    """Oldest first. A final coding shows the DRG of the final coding before it (if any)
    and its own; a reopening shows the DRG it reopened."""
    lines = []
    last_final = ""
    for version in sorted(versions, key=lambda v: v.number):
        if version.event == "final":
            lines.append(HistoryLine(version, last_final, version.drg))
            last_final = version.drg
        else:
            lines.append(HistoryLine(version, version.drg, ""))
    return lines
