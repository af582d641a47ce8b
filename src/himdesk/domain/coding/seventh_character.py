"""Full codes built with a 7th character (ICD-10-CM Official Guidelines I.A.5 and I.B.1).

The 7th character always sits in the 7th position: a code of fewer than six characters is
padded with the placeholder X first, so S02.0 with "A" is S02.0XXA and T51.3X1 with "A"
is T51.3X1A.
"""

from __future__ import annotations

from dataclasses import dataclass

from himdesk.domain.coding.codes import dotted, normalized_code
from himdesk.domain.coding.note_links import nearest_node_key
from himdesk.domain.coding.tabular import SeventhCharacterRule, Tabular

PLACEHOLDER = "X"
STEM_LENGTH = 6


@dataclass(frozen=True, slots=True)
class SeventhChoice:
    character: str
    meaning: str  # "initial encounter for closed fracture"
    code: str  # the full code, dotted: "S72.001A"


def padded_stem(code: str) -> str:
    """'S020' -> 'S020XX': the six characters a 7th character follows."""
    return normalized_code(code).ljust(STEM_LENGTH, PLACEHOLDER)


def full_code(code: str, character: str) -> str:
    """'S02.0', 'A' -> 'S020XXA' (normalized)."""
    return padded_stem(code) + character.upper()


def seventh_choices(code: str, rule: SeventhCharacterRule) -> tuple[SeventhChoice, ...]:
    return tuple(
        SeventhChoice(character, meaning, dotted(full_code(code, character)))
        for character, meaning in rule.characters
    )


def why_not_built(tabular: Tabular, full: str) -> str | None:
    """Why a 7-character code the tabular does not accept fails, when its first six
    characters lead to a code: a 7th character the rule lacks, a code that takes none, or
    missing placeholders. None otherwise (the code is simply not there)."""
    full = normalized_code(full)
    stem = nearest_node_key(full[:STEM_LENGTH], tabular) if len(full) == STEM_LENGTH + 1 else None
    node = tabular.nodes.get(stem) if stem is not None else None
    if stem is None or node is None or node.children:
        return None
    shown = dotted(stem)
    rule = tabular.seventh_rule(stem)
    if rule is None:
        return f"{shown} takes no 7th character."
    if full[len(stem) : STEM_LENGTH] != PLACEHOLDER * (STEM_LENGTH - len(stem)):
        padded = dotted(padded_stem(stem))
        return f"{shown} needs the placeholder X up to the 6th character: {padded}."
    allowed = ", ".join(character for character, _ in rule.characters)
    return f"The 7th character {full[-1]} is not defined for {shown}; it takes {allowed}."
