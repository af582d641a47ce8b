"""The abstract form as the coder filled it in, read row by row into abstract entries.

Every problem names its row (row 1 is the principal diagnosis) so the form can show it
beside the field. Codes are checked against the code-set release of the discharge date:
a code the release does not have is refused here; a code that exists but cannot be billed
(a category, a missing 7th character) is saved and shown as an edit, which blocks final
coding, so work in progress is never lost over it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from himdesk.domain.coding.abstract import (
    MAX_DIAGNOSES,
    MAX_PROCEDURES,
    AbstractEntries,
    CodedDiagnosis,
    CodedProcedure,
    PresentOnAdmission,
)
from himdesk.domain.coding.claims import Claim, ClaimDiagnosis, ClaimSex
from himdesk.domain.coding.code_set import DiagnosisCodeSet, ProcedureCodeSet
from himdesk.domain.coding.codes import (
    dotted,
    looks_like_cm_code,
    looks_like_pcs_code,
    normalized_code,
)
from himdesk.domain.coding.dispositions import DISCHARGE_STATUSES
from himdesk.domain.coding.tabular import TabularLevel
from himdesk.domain.demographics import InvalidInput

# Procedures done before the admission order within the CMS payment window (e.g. in the
# emergency department) are reported on the inpatient claim.
PAYMENT_WINDOW = timedelta(days=3)


@dataclass(frozen=True, slots=True)
class StayFacts:
    """What coding needs of the encounter besides its codes."""

    encounter_id: int
    inpatient: bool
    admitted_on: date
    discharged_on: date
    age: int  # at discharge
    sex: ClaimSex


@dataclass(frozen=True, slots=True)
class AbstractDraft:
    """The form's rows as typed: parallel lists, one entry a row, blanks included."""

    diagnosis_codes: Sequence[str] = ()
    poa: Sequence[str] = ()
    procedure_codes: Sequence[str] = ()
    procedure_dates: Sequence[str] = ()
    operators: Sequence[str] = ()
    disposition: str = ""
    opened_on: str = ""  # abstract.fingerprint of the abstract the form showed; "" unchecked

    @classmethod
    def of(cls, entries: AbstractEntries) -> AbstractDraft:
        """The form filled in from saved entries."""
        return cls(
            [d.shown for d in entries.diagnoses],
            [d.poa.value for d in entries.diagnoses],
            [p.code for p in entries.procedures],
            [p.performed_on.isoformat() if p.performed_on else "" for p in entries.procedures],
            [str(p.operator_id or "") for p in entries.procedures],
            entries.discharge_disposition or "",
        )

    def diagnosis_rows(self, blanks: int = 3) -> list[tuple[str, str]]:
        """(code, POA) per row, with blank rows to fill, at most MAX_DIAGNOSES."""
        rows = [(_at(self.diagnosis_codes, i), _at(self.poa, i)) for i in range(self._dx_count)]
        return (rows + [("", "")] * blanks)[: max(MAX_DIAGNOSES, len(rows))]

    def procedure_rows(self, blanks: int = 2) -> list[tuple[str, str, str]]:
        count = max(len(self.procedure_codes), len(self.procedure_dates), len(self.operators))
        rows = [
            (_at(self.procedure_codes, i), _at(self.procedure_dates, i), _at(self.operators, i))
            for i in range(count)
        ]
        return (rows + [("", "", "")] * blanks)[: max(MAX_PROCEDURES, len(rows))]

    @property
    def _dx_count(self) -> int:
        return max(len(self.diagnosis_codes), len(self.poa), 1)


def _at(values: Sequence[str], index: int) -> str:
    return values[index].strip() if index < len(values) else ""


@dataclass(frozen=True, slots=True)
class Releases:
    """The code sets the draft is checked against (those of the discharge date)."""

    diagnoses: DiagnosisCodeSet
    procedures: ProcedureCodeSet | None


def read_draft(
    draft: AbstractDraft, stay: StayFacts, releases: Releases, operators: Collection[int]
) -> AbstractEntries:
    """The entries the draft describes, or InvalidInput naming each bad row."""
    errors: dict[str, str] = {}
    diagnoses = _diagnoses(draft, releases.diagnoses, errors)
    procedures = _procedures(draft, stay, releases.procedures, set(operators), errors)
    disposition = draft.disposition.strip()
    if disposition and disposition not in DISCHARGE_STATUSES:
        errors["disposition"] = "Choose the discharge disposition from the list."
    if errors:
        raise InvalidInput(errors)
    return AbstractEntries(tuple(diagnoses), tuple(procedures), disposition or None)


def _diagnoses(
    draft: AbstractDraft, code_set: DiagnosisCodeSet, errors: dict[str, str]
) -> list[CodedDiagnosis]:
    found = []
    for row, (text, poa_text) in enumerate(draft.diagnosis_rows(blanks=0), start=1):
        name = "Principal diagnosis" if row == 1 else f"Diagnosis row {row}"
        poa = _poa(poa_text)
        if poa is None:
            errors[f"poa-{row}"] = f"{name}: the POA indicator must be Y, N, U, W, 1 or blank."
        if not text:
            if row == 1:
                errors["dx-1"] = "Enter the principal diagnosis (row 1)."
            elif poa:
                errors[f"dx-{row}"] = f"{name}: a POA indicator without a code."
            continue
        problem = diagnosis_problem(code_set, text)
        if problem:
            errors[f"dx-{row}"] = f"{name}: {problem}"
        elif poa is not None:
            found.append(CodedDiagnosis(normalized_code(text), poa))
    if len(found) > MAX_DIAGNOSES:
        errors["dx-1"] = f"At most {MAX_DIAGNOSES} diagnoses fit on a claim."
    return found


def _poa(text: str) -> PresentOnAdmission | None:
    try:
        return PresentOnAdmission(text.strip().upper())
    except ValueError:
        return None


def diagnosis_problem(code_set: DiagnosisCodeSet, text: str) -> str | None:
    """Why the text is not a code of this ICD-10-CM release; None when it is one (billable
    or not: a category is an edit, not a typing mistake)."""
    code = normalized_code(text)
    label = code_set.release.label
    if not looks_like_cm_code(code):
        return f"'{_clipped(text)}' is not written as an ICD-10-CM code (e.g. I50.21)."
    tabular = code_set.tabular
    node = tabular.find(code)
    if node is not None and node.level is not TabularLevel.CHAPTER:
        return None
    if tabular.resolve_billable(code) is not None:
        return None
    stem = code[:6].rstrip("X")
    rule = tabular.seventh_rule(stem) if len(code) == 7 and tabular.find(stem) else None
    if rule is not None:
        allowed = ", ".join(c for c, _ in rule.characters)
        return f"{dotted(code)} is not in {label}: its 7th character must be one of {allowed}."
    return f"{dotted(code)} is not a code in {label}."


def procedure_problem(code_set: ProcedureCodeSet | None, text: str) -> str | None:
    code = normalized_code(text)
    if not looks_like_pcs_code(code):
        return f"'{_clipped(text)}' is not written as an ICD-10-PCS code (7 characters)."
    if code_set is None:
        return "no ICD-10-PCS release is loaded to check it against."
    if code[:3] not in code_set.tables.tables:
        return f"{code} is not in {code_set.release.label}: there is no table {code[:3]}."
    if not code_set.tables.is_valid(code):
        return f"{code} is not in {code_set.release.label}: no row of table {code[:3]} allows it."
    return None


def _procedures(
    draft: AbstractDraft,
    stay: StayFacts,
    code_set: ProcedureCodeSet | None,
    operators: set[int],
    errors: dict[str, str],
) -> list[CodedProcedure]:
    found = []
    for row, (text, day_text, operator_text) in enumerate(draft.procedure_rows(0), start=1):
        name = "Principal procedure" if row == 1 else f"Procedure row {row}"
        if not text:
            if day_text or operator_text:
                errors[f"px-{row}"] = f"{name}: a date or operator without a code."
            continue
        problem = procedure_problem(code_set, text)
        if problem:
            errors[f"px-{row}"] = f"{name}: {problem}"
        day = _procedure_date(day_text, stay, f"{name}", errors, f"px-{row}-date")
        operator = _operator(operator_text, operators, name, errors, f"px-{row}-operator")
        if not problem:
            found.append(CodedProcedure(normalized_code(text), day, operator))
    if len(found) > MAX_PROCEDURES:
        errors["px-1"] = f"At most {MAX_PROCEDURES} procedures fit on a claim."
    return found


def _procedure_date(
    text: str, stay: StayFacts, name: str, errors: dict[str, str], key: str
) -> date | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[key] = f"{name}: the date must be written YYYY-MM-DD."
        return None
    if not stay.admitted_on - PAYMENT_WINDOW <= day <= stay.discharged_on:
        errors[key] = (
            f"{name}: {day.isoformat()} is outside the stay (admitted "
            f"{stay.admitted_on.isoformat()}, discharged {stay.discharged_on.isoformat()})."
        )
    return day


def _operator(
    text: str, operators: set[int], name: str, errors: dict[str, str], key: str
) -> int | None:
    if not text:
        return None
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if not (text.isascii() and text.isdigit()) or int(text) not in operators:
        errors[key] = f"{name}: choose the operator from the list of clinicians."
        return None
    return int(text)


def _clipped(text: str, limit: int = 16) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"


def claim_of(entries: AbstractEntries, stay: StayFacts) -> Claim:
    """The claim the code editor and the grouper read."""
    status = entries.discharge_disposition or ""
    return Claim(
        diagnoses=tuple(ClaimDiagnosis(d.code, d.poa.value) for d in entries.diagnoses),
        procedures=tuple(p.code for p in entries.procedures),
        age=stay.age,
        sex=stay.sex,
        inpatient=stay.inpatient,
        discharged_on=stay.discharged_on,
        discharge_status=int(status) if status.isdigit() else 1,
    )
