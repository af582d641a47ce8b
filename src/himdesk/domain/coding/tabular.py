"""The ICD-10-CM Tabular List as values: chapters, blocks (sections) and codes, with the
instructional notes exactly as the official XML carries them.

Notes belong to the level where they are printed and apply to everything beneath it
(ICD-10-CM Official Guidelines I.A.12-13), so `notes_for` walks up the hierarchy.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from himdesk.domain.coding.codes import normalized_code


class TabularLevel(enum.StrEnum):
    CHAPTER = "chapter"
    SECTION = "section"  # a block of categories, e.g. "I20-I25"
    CATEGORY = "category"  # three characters, with children
    SUBCATEGORY = "subcategory"  # four or more characters, with children
    CODE = "code"  # no children (I10 too): billable once any required 7th character is added


class NoteKind(enum.StrEnum):
    INCLUDES = "includes"
    INCLUSION_TERM = "inclusionTerm"
    EXCLUDES1 = "excludes1"
    EXCLUDES2 = "excludes2"
    CODE_FIRST = "codeFirst"
    USE_ADDITIONAL_CODE = "useAdditionalCode"
    CODE_ALSO = "codeAlso"
    NOTE = "notes"


@dataclass(frozen=True, slots=True)
class SeventhCharacterRule:
    """A 7th-character definition ("sevenChrDef") and its note, defined at some level and
    inherited by every code beneath it."""

    defined_at: str  # the normalized code (or category) where the rule is printed
    note: str
    characters: tuple[tuple[str, str], ...]  # (character, meaning), e.g. ("A", "initial encounter")


@dataclass(frozen=True, slots=True)
class TabularNode:
    key: str  # normalized code ("I214"), a chapter number ("9") or a block ("I20-I25")
    level: TabularLevel
    title: str
    parent: str | None  # key of the parent node; None for a chapter
    children: tuple[str, ...] = ()
    notes: Mapping[NoteKind, tuple[str, ...]] = field(default_factory=dict)
    seventh: SeventhCharacterRule | None = None  # only where the XML defines it


@dataclass(frozen=True, slots=True)
class Tabular:
    """All nodes of one fiscal year's tabular, keyed by `TabularNode.key`."""

    fiscal_year: int
    nodes: Mapping[str, TabularNode]

    def find(self, code: str) -> TabularNode | None:
        return self.nodes.get(normalized_code(code))

    def ancestors(self, key: str) -> Iterator[TabularNode]:
        """Parent first, chapter last."""
        node = self.nodes.get(key)
        while node is not None and node.parent is not None:
            node = self.nodes.get(node.parent)
            if node is not None:
                yield node

    def seventh_rule(self, key: str) -> SeventhCharacterRule | None:
        node = self.nodes.get(key)
        if node is None:
            return None
        if node.seventh is not None:
            return node.seventh
        return next((a.seventh for a in self.ancestors(key) if a.seventh is not None), None)

    def notes_for(self, key: str, kind: NoteKind) -> list[tuple[str, str]]:
        """(where printed, note) for the node and every level above it, nearest first."""
        found: list[tuple[str, str]] = []
        node = self.nodes.get(key)
        chain = [node, *self.ancestors(key)] if node is not None else []
        for level in chain:
            found.extend((level.key, note) for note in level.notes.get(kind, ()))
        return found

    def is_billable(self, code: str) -> bool:
        """A leaf code, complete with its 7th character where the tabular requires one.

        A full 7-character code ("S72001A") is not itself a node: it is its 6-or-fewer
        character stem (padded with placeholder X) plus a character the rule defines.
        """
        return self.resolve_billable(code) is not None

    def resolve_billable(self, code: str) -> TabularNode | None:
        """The node a billable code rests on (the stem for a 7th-character code), else None."""
        code = normalized_code(code)
        node = self.nodes.get(code)
        if node is not None:
            if node.level is not TabularLevel.CODE or node.children:
                return None
            return None if self.seventh_rule(code) is not None else node
        if len(code) != 7:
            return None
        stem = code[:6].rstrip("X")
        stem_node = self.nodes.get(stem)
        if stem_node is None or stem_node.children:
            return None
        if code[len(stem) : 6] != "X" * (6 - len(stem)):
            return None
        rule = self.seventh_rule(stem)
        if rule is None or code[6] not in dict(rule.characters):
            return None
        if any(_excluded(code, note) for _, note in self.notes_for(stem, NoteKind.NOTE)):
            return None
        return stem_node


# "7th characters D and S do not apply to codes in category S06 with 6th character 7 - ...,
# or 8 - ..." (S06, FY2026): the one note that narrows a 7th-character rule by 6th character.
_SEVENTH_EXCLUSION = re.compile(
    r"7th characters? ((?:[A-Z](?:, | and | or )?)+) do(?:es)? not apply to codes in "
    r"(?:category|subcategory) [A-Z0-9.]+ with 6th character (.*)",
    re.IGNORECASE,
)


def _excluded(code: str, note: str) -> bool:
    match = _SEVENTH_EXCLUSION.search(note)
    if match is None:
        return False
    sevenths = set(re.findall(r"\b[A-Z]\b", match.group(1)))
    sixths = set(re.findall(r"(?:^|or |, )([0-9A-Z])\b(?= -)", match.group(2)))
    return code[6] in sevenths and code[5] in sixths
