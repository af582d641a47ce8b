"""MS-DRG grouping rules that do not need the grouper: which grouper release a discharge
falls under, what a claim must carry to be grouped, and what the grouper's return codes mean.

CMS publishes a grouper release each October 1 (the fiscal year's base release, v43.0 for
FY2026) and, when codes change mid-year, on April 1 (v43.1). A claim is grouped with the
release in effect on its discharge date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from himdesk.domain.coding.claims import Claim
from himdesk.domain.coding.codes import dotted
from himdesk.domain.coding.dispositions import DISCHARGE_STATUSES as UB04_STATUSES


@dataclass(frozen=True, slots=True)
class GrouperRelease:
    version: int  # 431 = v43.1
    effective_on: date
    fiscal_year: int

    @property
    def label(self) -> str:
        return f"v{self.version // 10}.{self.version % 10}"


GROUPER_RELEASES: tuple[GrouperRelease, ...] = (
    GrouperRelease(400, date(2022, 10, 1), 2023),
    GrouperRelease(401, date(2023, 4, 1), 2023),
    GrouperRelease(410, date(2023, 10, 1), 2024),
    GrouperRelease(411, date(2024, 4, 1), 2024),
    GrouperRelease(420, date(2024, 10, 1), 2025),
    GrouperRelease(421, date(2025, 4, 1), 2025),
    GrouperRelease(430, date(2025, 10, 1), 2026),
    GrouperRelease(431, date(2026, 4, 1), 2026),
    GrouperRelease(440, date(2026, 10, 1), 2027),
)

OLDEST_AGE = 124  # the MCE's valid range of ages is 0-124

# NUBC UB-04 form locator 17 (the coder's list), and 09 "admitted as an inpatient to this
# hospital", which only outpatient claims carry but the grouper accepts.
DISCHARGE_STATUSES = frozenset({int(code) for code in UB04_STATUSES} | {9})


POA_INDICATORS = frozenset({"", "Y", "N", "U", "W", "1"})


class ClaimNotGroupable(ValueError):
    """The claim lacks what the grouper needs (the message says what)."""


@dataclass(frozen=True, slots=True)
class InvalidCode:
    code: str  # as the coder wrote it: dotted for diagnoses
    role: str  # "principal diagnosis", "secondary diagnosis", "procedure"


class InvalidClaimCodes(ClaimNotGroupable):
    """Codes the grouper release does not know; a DRG grouped without them would mislead."""

    def __init__(self, invalid: tuple[InvalidCode, ...], release: GrouperRelease) -> None:
        self.invalid = invalid
        self.release = release
        named = "; ".join(f"{c.code} ({c.role})" for c in invalid)
        kind = "is not a valid code" if len(invalid) == 1 else "are not valid codes"
        super().__init__(f"{named} {kind} for MS-DRG {release.label} (FY{release.fiscal_year}).")


def grouper_release_for(discharged_on: date | None) -> tuple[GrouperRelease, tuple[str, ...]]:
    """The release in effect on the discharge date, with a note when that needed a choice."""
    if discharged_on is None:
        latest = GROUPER_RELEASES[-1]
        return latest, (f"No discharge date: grouped with the latest release, {latest.label}.",)
    in_effect = [r for r in GROUPER_RELEASES if r.effective_on <= discharged_on]
    if not in_effect:
        first = GROUPER_RELEASES[0]
        return first, (
            f"Discharged {discharged_on.isoformat()}, before the earliest supported release "
            f"({first.label}, effective {first.effective_on.isoformat()}): grouped with "
            f"{first.label}.",
        )
    return in_effect[-1], ()


def release_of(version: int) -> GrouperRelease:
    for release in GROUPER_RELEASES:
        if release.version == version:
            return release
    raise ValueError(f"MS-DRG version {version} is not supported.")


def check_groupable(claim: Claim) -> None:
    """Raise ClaimNotGroupable naming the first thing the grouper would lack."""
    if not claim.inpatient:
        raise ClaimNotGroupable("MS-DRGs group inpatient stays; this claim is not inpatient.")
    if claim.principal is None:
        raise ClaimNotGroupable("A principal diagnosis is required to group the stay.")
    if claim.age is None:
        raise ClaimNotGroupable("The patient's age at discharge is required to group the stay.")
    if not 0 <= claim.age <= OLDEST_AGE:
        raise ClaimNotGroupable(f"Age {claim.age} is outside 0-{OLDEST_AGE} years.")
    for diagnosis in claim.diagnoses:
        if diagnosis.poa.strip().upper() not in POA_INDICATORS:
            raise ClaimNotGroupable(
                f"POA indicator {diagnosis.poa!r} of {dotted(diagnosis.code)} is not one of "
                "Y, N, U, W or 1 (exempt)."
            )
    if claim.discharge_status not in DISCHARGE_STATUSES:
        raise ClaimNotGroupable(
            f"Discharge status {claim.discharge_status:02d} is not a UB-04 patient discharge "
            "status code (e.g. 01 home, 03 skilled nursing facility, 20 expired)."
        )


_RETURN_CODES = {
    "INVALID_PDX": "The principal diagnosis is not valid for this grouper release.",
    "HAC_MISSING_ONE_POA": "A secondary diagnosis on the hospital-acquired condition list has "
    "no POA indicator; CMS returns DRG 999 until one is reported.",
    "HAC_STATUS_INVALID_POA_N_OR_U": "A hospital-acquired condition code has POA 'N' or 'U' "
    "where the HAC logic cannot use it.",
    "HAC_STATUS_INVALID_POA_INVALID_OR_1": "A hospital-acquired condition code has an invalid "
    "POA indicator (or '1', exempt).",
    "HAC_STATUS_INVALID_MULT_HACS_POA_NOT_Y_W": "More than one hospital-acquired condition code "
    "is not present on admission; CMS returns DRG 999.",
}


def return_code_note(return_code: str) -> str:
    """What a grouper return code other than OK means for the coder."""
    return _RETURN_CODES.get(return_code, f"The grouper returned {return_code}.")
