"""Present-on-admission indicators on inpatient claims (Official Guidelines Appendix I).

Every diagnosis of an inpatient claim, principal and secondary, takes Y (present at
admission), N (not present), U (documentation insufficient) or W (clinically undetermined),
unless its code is exempt from POA reporting: then the indicator is left blank ("1" on
older claim formats). Outpatient claims carry no POA indicators.
"""

from __future__ import annotations

from himdesk.domain.coding.claims import Claim
from himdesk.domain.coding.code_edit import CodeEdit, EditSeverity, shown_code
from himdesk.domain.coding.poa_exemptions import PoaReporting, poa_reporting
from himdesk.domain.coding.tabular import Tabular

REPORTED = ("Y", "N", "U", "W")
EXEMPT_MARKS = ("", "1")
_FIX_REQUIRED = "Report Y (present at admission), N, U (documentation insufficient) or W " \
    "(clinically undetermined) for {code}."  # fmt: skip


def poa_edits(claim: Claim, tabular: Tabular) -> list[CodeEdit]:
    if not claim.inpatient:
        return []
    edits: list[CodeEdit] = []
    for position, diagnosis in enumerate(claim.diagnoses):
        edit = _poa_edit(diagnosis.code, diagnosis.poa.strip().upper(), position, tabular)
        if edit is not None:
            edits.append(edit)
    return edits


def _poa_edit(code: str, poa: str, position: int, tabular: Tabular) -> CodeEdit | None:
    shown = shown_code(code)
    role = "principal diagnosis" if position == 0 else "secondary diagnosis"
    if poa not in REPORTED + EXEMPT_MARKS:
        return CodeEdit(
            shown, "poa_invalid", EditSeverity.ERROR,
            f"\u201c{poa}\u201d is not a POA indicator ({shown}, {role}).",
            _FIX_REQUIRED.format(code=shown) + " Leave it blank when the code is POA-exempt.",
        )  # fmt: skip
    reporting = poa_reporting(code, tabular)
    if reporting is PoaReporting.EXEMPT:
        if poa in REPORTED:
            return CodeEdit(
                shown, "poa_on_exempt_code", EditSeverity.WARNING,
                f"{shown} is exempt from POA reporting (CMS POA exempt list FY2025), but POA {poa} "
                "is reported.",
                f"Leave the POA indicator of {shown} blank.",
            )  # fmt: skip
        return None
    if poa in REPORTED:
        return None
    if reporting is PoaReporting.UNDECIDED:
        return _undecided_poa_edit(shown, poa, role)
    if poa == "1":
        message = f"POA 1 marks an exempt code, but {shown} ({role}) is not POA-exempt."
    else:
        message = f"The POA indicator of {shown} ({role}) is missing: inpatient claims need one."
    return CodeEdit(shown, "poa_required", EditSeverity.ERROR, message,
                    _FIX_REQUIRED.format(code=shown))  # fmt: skip


def _undecided_poa_edit(shown: str, poa: str, role: str) -> CodeEdit:
    given = "POA 1 (exempt) is reported" if poa == "1" else "the POA indicator is missing"
    return CodeEdit(
        shown, "poa_required", EditSeverity.WARNING,
        f"For {shown} ({role}) {given}, but {shown} is new in FY2026 in a category the FY2025 "
        "CMS POA exempt list exempts only in part, so whether it is exempt is not known here.",
        f"Check the FY2026 CMS POA exempt list: if {shown} is not on it, report Y, N, U or W; "
        "if it is, leave the indicator blank.",
    )  # fmt: skip
