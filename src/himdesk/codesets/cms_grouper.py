"""The CMS MS-DRG grouper (msdrg, v40-v44) behind the `DrgGrouper` seam.

Claims carry ICD-10-CM/PCS FY2026 codes (the code sets himdesk loads). A release of another
fiscal year is given the codes as they are; only codes it does not know are replaced by their
equivalent from CMS's conversion tables, and each replacement is noted. (msdrg's own
`source_icd_version` converts every code it has a mapping for, valid or not, and so turned
FY2026 A04.72 into the FY2025 header A04.7: DRG 999.)
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Literal

import msdrg

from himdesk.codesets import grouper_output
from himdesk.codesets.drg_weights import DrgWeights
from himdesk.codesets.grouper_output import Codes, drg_number
from himdesk.codesets.msdrg_native import NativeGrouper, native_grouper
from himdesk.codesets.severity_probe import hints_for
from himdesk.domain.coding.claims import Claim, ClaimDiagnosis, ClaimSex, DrgAssignment
from himdesk.domain.coding.codes import dotted, normalized_code
from himdesk.domain.coding.grouping import (
    GrouperRelease,
    InvalidClaimCodes,
    InvalidCode,
    check_groupable,
    grouper_release_for,
)

CODE_SET_YEAR = 2026  # the fiscal year of the ICD-10-CM/PCS codes on our claims
_SEX: dict[ClaimSex, Literal[0, 1, 2]] = {ClaimSex.MALE: 0, ClaimSex.FEMALE: 1, ClaimSex.UNKNOWN: 2}
_UNTITLED = {"998": "Principal Diagnosis Invalid as Discharge Diagnosis", "999": "Ungroupable"}


@cache
def _weights(codeset_dir: Path | None) -> DrgWeights:
    return DrgWeights.load(codeset_dir)


def make_grouper(codeset_dir: Path | None = None) -> CmsDrgGrouper:
    """The grouper with Table 5 weights: FY2026 bundled, more years from `codeset_dir`."""
    return CmsDrgGrouper(native_grouper(), _weights(codeset_dir))


class CmsDrgGrouper:
    def __init__(self, native: NativeGrouper, weights: DrgWeights) -> None:
        self._native = native
        self._weights = weights

    def group(self, claim: Claim) -> DrgAssignment:
        check_groupable(claim)
        release, release_notes = grouper_release_for(claim.discharged_on)
        on = claim.discharged_on or release.effective_on
        request, result, codes = self._grouped(msdrg_request(claim, release), release, on)
        drg = drg_number(result)
        weight, weight_notes = self.weight(release, drg)
        hints = hints_for(self._native.group, request, result, lambda d: self.weight(release, d))
        return DrgAssignment(
            drg=drg,
            title=result.get("final_drg_description") or _UNTITLED.get(drg, ""),
            weight=weight,
            mdc=(result.get("final_mdc") or None) if drg not in _UNTITLED else None,
            mdc_title=result.get("final_mdc_description") or "",
            grouper_version=release.version,
            drivers=grouper_output.drivers(result, codes, self._surgical(release, drg)),
            hints=hints,
            return_code=result.get("return_code", "OK"),
            notes=(
                *release_notes,
                *_conversion_notes(codes, release),
                *grouper_output.notes(result, codes),
                *weight_notes,
            ),
        )

    def weight(self, release: GrouperRelease, drg: str) -> tuple[Decimal | None, list[str]]:
        """The relative weight of the release's fiscal year; never another year's."""
        fiscal_year = release.fiscal_year
        table = self._weights.table(fiscal_year)
        if table is None:
            return None, [
                f"FY{fiscal_year} relative weights are not loaded (add CMS Table 5 for "
                f"FY{fiscal_year} to HIMDESK_CODESET_DIR).",
                *self._weights.problems,
            ]
        row = table.rows.get(drg)
        if row is None:
            return None, [f"DRG {drg} is not in {table.rule} Table 5."]
        proposed = [] if table.is_final_rule else [f"The weight is from the {table.rule}."]
        return row.weight, proposed

    def _surgical(self, release: GrouperRelease, drg: str) -> bool | None:
        table = self._weights.table(release.fiscal_year)
        row = table.rows.get(drg) if table else None
        return row.surgical if row else None

    def _grouped(
        self, request: msdrg.ClaimInput, release: GrouperRelease, on: date
    ) -> tuple[msdrg.ClaimInput, msdrg.GroupResult, Codes]:
        """Group; codes the release lacks are replaced by their equivalents and regrouped;
        codes still unknown are refused, named as the coder wrote them."""
        result = self._native.group(request)
        unknown = self._unknown(result, on)
        codes = Codes()
        if unknown and release.fiscal_year != CODE_SET_YEAR:
            codes = self._equivalents(unknown, release.fiscal_year)
            request = _replaced(request, codes)
            result = self._native.group(request)
            unknown = self._unknown(result, on)
        if unknown:
            invalid = tuple(
                InvalidCode(codes.procedure(code), role)
                if role == "procedure"
                else InvalidCode(codes.diagnosis(code), role)
                for role, code in unknown
            )
            raise InvalidClaimCodes(invalid, release)
        return request, result, codes

    def _unknown(self, result: msdrg.GroupResult, on: date) -> list[tuple[str, str]]:
        """(role, code) of each code the release does not know."""
        unknown = []
        pdx = result.get("pdx_output")
        if pdx is not None and "VALID" not in pdx.get("flags", []):
            unknown.append(("principal diagnosis", pdx["code"]))
        for sdx in result.get("sdx_output", []):
            if "VALID" not in sdx.get("flags", []):
                unknown.append(("secondary diagnosis", sdx["code"]))
        unknown += [("procedure", code) for code in self._native.invalid_procedures(result, on)]
        return unknown

    def _equivalents(self, unknown: list[tuple[str, str]], fiscal_year: int) -> Codes:
        diagnoses: dict[str, str] = {}
        procedures: dict[str, str] = {}
        for role, code in unknown:
            is_diagnosis = role != "procedure"
            target = diagnoses if is_diagnosis else procedures
            equivalent = self._native.equivalent(code, is_diagnosis, CODE_SET_YEAR, fiscal_year)
            if equivalent != code:
                target[equivalent] = code
        return Codes(diagnoses, procedures)


def msdrg_request(claim: Claim, release: GrouperRelease) -> msdrg.ClaimInput:
    principal, *secondaries = claim.diagnoses
    return {
        "version": release.version,
        "age": claim.age or 0,
        "sex": _SEX[claim.sex],
        "discharge_status": claim.discharge_status,
        # HAC logic applies: IPPS hospitals are not exempt (Maryland waiver hospitals are)
        "hospital_status": "NOT_EXEMPT",
        "pdx": _diagnosis(principal),
        "sdx": [_diagnosis(d) for d in secondaries],
        "procedures": [{"code": normalized_code(p)} for p in claim.procedures],
    }


def _diagnosis(diagnosis: ClaimDiagnosis) -> msdrg.DiagnosisInput:
    entry: msdrg.DiagnosisInput = {"code": normalized_code(diagnosis.code)}
    poa = diagnosis.poa.strip().upper()
    if poa in ("Y", "N", "U", "W"):
        entry["poa"] = poa
    # "1" (exempt from POA reporting) and "" (not reported) are both blank to the grouper
    return entry


def _replaced(request: msdrg.ClaimInput, codes: Codes) -> msdrg.ClaimInput:
    into_dx = {written: grouped for grouped, written in codes.diagnoses.items()}
    into_pr = {written: grouped for grouped, written in codes.procedures.items()}
    replaced = copy.deepcopy(request)
    for diagnosis in [replaced["pdx"], *replaced.get("sdx", [])]:
        diagnosis["code"] = into_dx.get(diagnosis["code"], diagnosis["code"])
    for procedure in replaced.get("procedures", []):
        procedure["code"] = into_pr.get(procedure["code"], procedure["code"])
    return replaced


def _conversion_notes(codes: Codes, release: GrouperRelease) -> list[str]:
    said = f"its FY{release.fiscal_year} equivalent for MS-DRG {release.label}"
    return [
        f"{dotted(written)} (FY{CODE_SET_YEAR}) was grouped as {dotted(grouped)}, {said}."
        for grouped, written in codes.diagnoses.items()
    ] + [
        f"{written} (FY{CODE_SET_YEAR}) was grouped as {grouped}, {said}."
        for grouped, written in codes.procedures.items()
    ]
