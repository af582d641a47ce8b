"""How the codes on a claim shape its MS-DRG, told the way a coder reads a grouper screen.

Most MS-DRGs come in families split by the most severe secondary diagnosis: "with MCC",
"with CC" (or "with CC/MCC") and "without CC/MCC" (e.g. 291-293 Heart Failure and Shock).
Which levels would move a stay is learned by regrouping it (the grouper adapter does that);
this module only orders severity levels and words the drivers and hints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

SEVERITY_RANK = {"NONE": 0, "CC": 1, "MCC": 2}

# The last severity phrase of a title: "... with MCC or 4+ Arteries/Intraluminal Devices"
_SEVERITY_PHRASE = re.compile(r"\b(with(?:out)? (?:CC/MCC|MCC|CC))\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Regrouping:
    """What the grouper answered for the claim with one representative code added."""

    level: str  # "MCC" or "CC": the severity of the added code
    example: str  # the code added, dotted
    drg: str
    title: str
    weight: Decimal | None


def levels_above(final_severity: str) -> tuple[str, ...]:
    """Severity levels a secondary diagnosis could add, most severe first."""
    rank = SEVERITY_RANK.get(final_severity, 0)
    return tuple(level for level in ("MCC", "CC") if SEVERITY_RANK[level] > rank)


def severity_phrase(title: str) -> str | None:
    """'Heart Failure and Shock with MCC' -> 'with MCC'; None for DRGs without a split."""
    found = _SEVERITY_PHRASE.findall(title)
    return found[-1] if found else None


def secondary_effect(severity: str, drg: str, title: str) -> str:
    phrase = severity_phrase(title)
    if phrase:
        return f"{severity}: moves the DRG to '{phrase}' ({drg})"
    return f"{severity}: counts as the {severity} of DRG {drg}"


def principal_effect(mdc: int | None, mdc_title: str) -> str:
    if mdc is None:
        return "Principal diagnosis"
    return f"Principal diagnosis: assigns MDC {mdc:02d} {mdc_title}".rstrip()


def procedure_effect(surgical: bool | None, drg: str) -> str:
    if surgical:
        return f"O.R. procedure: makes the stay surgical (DRG {drg})"
    return f"Procedure: groups the stay to DRG {drg}"


def hints_from(regroupings: list[Regrouping]) -> tuple[str, ...]:
    """One sentence per distinct DRG reached; a CC and an MCC reaching the same DRG share one."""
    by_drg: dict[str, list[Regrouping]] = {}
    for regrouping in regroupings:
        by_drg.setdefault(regrouping.drg, []).append(regrouping)
    return tuple(_hint(group) for group in by_drg.values())


def _hint(same_drg: list[Regrouping]) -> str:
    first = same_drg[0]
    levels = " or ".join(f"an {r.level}" if r.level == "MCC" else f"a {r.level}" for r in same_drg)
    examples = ", ".join(r.example for r in same_drg)
    weight = f" (weight {first.weight})" if first.weight is not None else ""
    return (
        f"If the record documents {levels} among the secondary diagnoses (e.g. {examples}), "
        f"the stay would group to {first.drg} {first.title}{weight}."
    )
