"""Reading msdrg's grouper output: which codes made the DRG, and what the coder should know.

msdrg reports per code: `flags` (VALID, MARKED_FOR_INITIAL/FINAL when the code was used for
the initial or final DRG, EXCLUDED for a CC/MCC excluded by the principal diagnosis,
CC_/MCC_EXCLUDED_BY_DRG_LOGIC, DEATH_EXCLUSION), `severity` (the code's own CC/MCC level,
whether or not it counted) and `hacs` (hospital-acquired condition checks). The output lists
secondary diagnoses and procedures sorted by code, not in claim order, under the codes it
grouped: `Codes` maps equivalents of another fiscal year back to what the coder wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from msdrg import DiagnosisOutput, GroupResult

from himdesk.domain.coding.claims import DrgDriver
from himdesk.domain.coding.codes import dotted, looks_like_cm_code
from himdesk.domain.coding.drg_hints import principal_effect, procedure_effect, secondary_effect
from himdesk.domain.coding.grouping import return_code_note

MARKED = "MARKED_FOR_FINAL"
_HAC_CHANGES = {"FINAL_DRG_CHANGES", "FINAL_DRG_UNGROUPABLE"}


@dataclass(frozen=True, slots=True)
class Codes:
    """The claim's codes as the coder wrote them, keyed by the code grouped in their place
    (an equivalent of another fiscal year); codes grouped as written are not listed."""

    diagnoses: dict[str, str] = field(default_factory=dict)
    procedures: dict[str, str] = field(default_factory=dict)

    def diagnosis(self, grouped: str) -> str:
        code = self.diagnoses.get(grouped, grouped)
        return dotted(code) if looks_like_cm_code(code) else code

    def procedure(self, grouped: str) -> str:
        return self.procedures.get(grouped, grouped)


def drg_number(result: GroupResult) -> str:
    return f"{result.get('final_drg') or 999:03d}"


def drivers(result: GroupResult, codes: Codes, surgical: bool | None) -> tuple[DrgDriver, ...]:
    drg = drg_number(result)
    if result.get("return_code") != "OK":
        return ()
    found: list[DrgDriver] = []
    pdx = result.get("pdx_output")
    if pdx and MARKED in pdx.get("flags", []):
        mdc = result.get("final_mdc") or None
        effect = principal_effect(mdc, result.get("final_mdc_description") or "")
        found.append(DrgDriver(codes.diagnosis(pdx["code"]), "principal", "", effect))
    for procedure in result.get("proc_output", []):
        if MARKED in procedure.get("flags", []):
            code = codes.procedure(procedure["code"])
            found.append(DrgDriver(code, "procedure", "", procedure_effect(surgical, drg)))
    title = result.get("final_drg_description") or ""
    for sdx in _counted_secondaries(result):
        severity = sdx["severity"]
        effect = secondary_effect(severity, drg, title)
        found.append(DrgDriver(codes.diagnosis(sdx["code"]), "secondary", severity, effect))
    return tuple(found)


def _counted_secondaries(result: GroupResult) -> list[DiagnosisOutput]:
    """Secondaries marked for the final DRG at the level it used; a HAC that the HAC logic
    took out is marked too, but the final DRG does not count it."""
    level = result.get("grouper_flags", {}).get("final_drg_secondary_dx_cc_mcc", "NONE")
    if level not in ("CC", "MCC"):
        return []
    hac_changed = _hac_status(result) in _HAC_CHANGES
    return [
        sdx
        for sdx in result.get("sdx_output", [])
        if MARKED in sdx.get("flags", [])
        and sdx.get("severity") == level
        and not (hac_changed and _meets_hac(sdx))
    ]


def _hac_status(result: GroupResult) -> str:
    # msdrg's stubs type the status as a TypedDict; the output is its name, a string
    return str(result.get("grouper_flags", {}).get("hac_status_value", "NOT_APPLICABLE"))


def _meets_hac(sdx: DiagnosisOutput) -> bool:
    return any(h.get("hac_status") == "HAC_CRITERIA_MET" for h in sdx.get("hacs", []))


def notes(result: GroupResult, codes: Codes) -> list[str]:
    found: list[str] = []
    principal = result.get("pdx_output")
    pdx = codes.diagnosis(principal["code"]) if principal else ""
    for sdx in result.get("sdx_output", []):
        found += _exclusion_notes(sdx, codes.diagnosis(sdx["code"]), pdx, drg_number(result))
    hac_notes = _hac_notes(result, codes)
    found += hac_notes
    if result.get("return_code", "OK") != "OK" and not hac_notes:
        found.append(return_code_note(result.get("return_code", "")))
    return found


def _exclusion_notes(sdx: DiagnosisOutput, code: str, pdx: str, drg: str) -> list[str]:
    severity = sdx.get("severity", "NONE")
    if severity not in ("CC", "MCC"):
        return []
    flags = set(sdx.get("flags", []))
    if "EXCLUDED" in flags:
        return [
            f"{code} ({severity}) is excluded with principal diagnosis {pdx} "
            "(CC exclusion): it does not count."
        ]
    if flags & {"CC_EXCLUDED_BY_DRG_LOGIC", "MCC_EXCLUDED_BY_DRG_LOGIC"}:
        return [f"{code} ({severity}) does not count in the logic of DRG {drg}."]
    if "DEATH_EXCLUSION" in flags:
        return [f"{code} counts as an {severity} only when the patient is discharged alive."]
    return []


def _hac_notes(result: GroupResult, codes: Codes) -> list[str]:
    status = _hac_status(result)
    if status == "NOT_APPLICABLE":
        return []
    found = []
    for sdx in result.get("sdx_output", []):
        met = sorted({h.get("description", "") for h in sdx.get("hacs", [])
                      if h.get("hac_status") == "HAC_CRITERIA_MET"})  # fmt: skip
        for condition in met:
            found.append(_hac_note(codes.diagnosis(sdx["code"]), condition, result, status))
    return found


def _hac_note(code: str, condition: str, result: GroupResult, status: str) -> str:
    if status == "FINAL_DRG_UNGROUPABLE":
        return (
            f"{code} is on the hospital-acquired condition list ({condition}) without a valid "
            "POA indicator: CMS cannot group the stay until POA is reported."
        )
    said = f"{code} is a hospital-acquired condition ({condition}) not present on admission"
    if status == "FINAL_DRG_CHANGES":
        return (
            f"{said}: CMS does not count it, so the DRG is {drg_number(result)} instead of "
            f"{result.get('initial_drg') or 999:03d}."
        )
    return f"{said}; the DRG does not change."
