"""What a coder sees when verifying a code in the Tabular List: where it sits (chapter >
section > category > ... > code), every instructional note that applies to it and where
that note is printed, its 7th-character rule with the full codes it builds, and whether
it can be reported as it is.

Notes printed at a level apply to everything beneath it (Official Guidelines I.A.12-13),
so each note keeps the level it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from himdesk.domain.coding.codes import dotted, normalized_code
from himdesk.domain.coding.note_links import NoteSegment, linked_segments, nearest_node_key
from himdesk.domain.coding.seventh_character import (
    STEM_LENGTH,
    SeventhChoice,
    padded_stem,
    seventh_choices,
    why_not_built,
)
from himdesk.domain.coding.tabular import (
    NoteKind,
    SeventhCharacterRule,
    Tabular,
    TabularLevel,
    TabularNode,
)

# The order a coder reads them in, as the printed tabular lists them.
NOTE_ORDER = (
    NoteKind.NOTE,
    NoteKind.INCLUDES,
    NoteKind.INCLUSION_TERM,
    NoteKind.EXCLUDES1,
    NoteKind.EXCLUDES2,
    NoteKind.CODE_FIRST,
    NoteKind.USE_ADDITIONAL_CODE,
    NoteKind.CODE_ALSO,
)
NOTE_HEADINGS = {
    NoteKind.NOTE: "Notes",
    NoteKind.INCLUDES: "Includes",
    NoteKind.INCLUSION_TERM: "Inclusion terms",
    NoteKind.EXCLUDES1: "Excludes1",
    NoteKind.EXCLUDES2: "Excludes2",
    NoteKind.CODE_FIRST: "Code first",
    NoteKind.USE_ADDITIONAL_CODE: "Use additional code",
    NoteKind.CODE_ALSO: "Code also",
}
_CODE_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")
_SECTION_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z]-[A-Z][0-9][0-9A-Z]$")
_CHAPTER_SHAPE = re.compile(r"^[1-9][0-9]?$")
LONGEST_CODE_TEXT = 20


class UnreadableCode(ValueError):
    """The text is not shaped like an ICD-10-CM code or section at all."""


class UnknownCode(LookupError):
    """A code-shaped text the release does not have, with the nearest code it does have."""

    def __init__(self, code: str, fiscal_year: int, nearest: HierarchyStep | None, why: str):
        shown = f"{code} is not in ICD-10-CM FY{fiscal_year}."
        super().__init__(f"{shown} {why}".strip())
        self.code = code
        self.fiscal_year = fiscal_year
        self.nearest = nearest
        self.why = why


@dataclass(frozen=True, slots=True)
class HierarchyStep:
    key: str  # the tabular key: "9", "I20-I25", "I214"
    label: str  # "Chapter 9", "I20-I25", "I21.4"
    title: str
    level: TabularLevel


@dataclass(frozen=True, slots=True)
class ViewNote:
    kind: NoteKind
    text: str
    printed_at: HierarchyStep
    inherited: bool  # printed at a level above the code viewed
    segments: tuple[NoteSegment, ...]


@dataclass(frozen=True, slots=True)
class ChildCode:
    step: HierarchyStep
    billable: bool
    needs_seventh: bool


@dataclass(frozen=True, slots=True)
class SeventhCharacterView:
    printed_at: HierarchyStep
    note: str
    stem: str  # dotted, padded with placeholder X: "S02.0XX"
    characters: tuple[tuple[str, str], ...]  # (character, meaning) as the rule prints them
    choices: tuple[SeventhChoice, ...]  # the full codes; none for a header


@dataclass(frozen=True, slots=True)
class TabularView:
    fiscal_year: int
    step: HierarchyStep  # the code viewed
    hierarchy: tuple[HierarchyStep, ...]  # chapter first, the code viewed last
    notes: tuple[ViewNote, ...]  # in NOTE_ORDER, nearest level first within a kind
    children: tuple[ChildCode, ...]
    seventh: SeventhCharacterView | None  # the rule that applies, wherever printed
    billable: bool
    billable_beneath: int  # codes reportable beneath a header (or built with a 7th character)
    builds_on: HierarchyStep | None = None  # a 7-character code: the code it completes
    seventh_character: SeventhChoice | None = None  # ... and what its 7th character means

    def notes_of(self, kind: NoteKind) -> tuple[ViewNote, ...]:
        return tuple(note for note in self.notes if note.kind is kind)

    @property
    def needs_seventh(self) -> bool:
        return self.seventh is not None and self.seventh_character is None and not self.children

    @property
    def billing_status(self) -> str:
        if self.billable:
            return "Billable"
        if self.needs_seventh:
            return (
                f"Not billable without a 7th character — choose one of its "
                f"{self.billable_beneath} codes"
            )
        return f"Not billable — choose one of its {self.billable_beneath} codes"


def step_of(node: TabularNode) -> HierarchyStep:
    if node.level is TabularLevel.CHAPTER:
        label = f"Chapter {node.key}"
    else:
        label = node.key if node.level is TabularLevel.SECTION else dotted(node.key)
    return HierarchyStep(node.key, label, node.title, node.level)


def tabular_view(tabular: Tabular, text: str) -> TabularView:
    """The view of a code ("I21.4", "i214", "S72.001A"), a section ("I20-I25") or a
    chapter ("9")."""
    key = _readable_key(text)
    node = tabular.nodes.get(key)
    if node is not None:
        return _view_of_node(tabular, node)
    stem_node = tabular.resolve_billable(key) if len(key) == STEM_LENGTH + 1 else None
    if stem_node is None:
        raise _unknown(tabular, key)
    return _view_of_built_code(tabular, stem_node, key)


def _readable_key(text: str) -> str:
    # "C34.9-" as the index prints an incomplete code: the view of C34.9 shows what completes it.
    key = normalized_code(text).removesuffix("-")
    shown = "".join(c for c in text.strip()[:LONGEST_CODE_TEXT] if c.isprintable())
    shapes = (_CODE_SHAPE, _SECTION_SHAPE, _CHAPTER_SHAPE)
    if len(key) > LONGEST_CODE_TEXT or not any(shape.match(key) for shape in shapes):
        raise UnreadableCode(
            f"'{shown}' is not an ICD-10-CM code: a letter, a digit, a digit or letter, then up "
            "to four more characters, with or without the dot (e.g. I21.4, S72.001A), or a "
            "section such as I20-I25, or a chapter number."
        )
    return key


def _view_of_node(tabular: Tabular, node: TabularNode) -> TabularView:
    step = step_of(node)
    rule = tabular.seventh_rule(node.key)
    seventh = None
    if rule is not None and node.level not in (TabularLevel.CHAPTER, TabularLevel.SECTION):
        printed = tabular.nodes.get(rule.defined_at, node)
        seventh = SeventhCharacterView(
            step_of(printed),
            rule.note,
            dotted(padded_stem(node.key)),
            rule.characters,
            seventh_choices(node.key, rule) if not node.children else (),
        )
    return TabularView(
        fiscal_year=tabular.fiscal_year,
        step=step,
        hierarchy=_hierarchy(tabular, node) + (step,),
        notes=_notes(tabular, node.key),
        children=tuple(_child(tabular, key) for key in node.children if key in tabular.nodes),
        seventh=seventh,
        billable=tabular.is_billable(node.key),
        billable_beneath=_billable_beneath(tabular, node, rule),
    )


def _view_of_built_code(tabular: Tabular, stem: TabularNode, key: str) -> TabularView:
    rule = tabular.seventh_rule(stem.key)
    assert rule is not None  # noqa: S101 - resolve_billable found the rule
    choice = next(c for c in seventh_choices(stem.key, rule) if c.code == dotted(key))
    stem_step = step_of(stem)
    step = HierarchyStep(key, dotted(key), f"{stem.title}, {choice.meaning}", TabularLevel.CODE)
    printed = tabular.nodes.get(rule.defined_at, stem)
    return TabularView(
        fiscal_year=tabular.fiscal_year,
        step=step,
        hierarchy=_hierarchy(tabular, stem) + (stem_step, step),
        notes=_notes(tabular, stem.key),
        children=(),
        seventh=SeventhCharacterView(
            step_of(printed),
            rule.note,
            dotted(padded_stem(stem.key)),
            rule.characters,
            seventh_choices(stem.key, rule),
        ),  # fmt: skip
        billable=True,
        billable_beneath=0,
        builds_on=stem_step,
        seventh_character=choice,
    )


def _hierarchy(tabular: Tabular, node: TabularNode) -> tuple[HierarchyStep, ...]:
    return tuple(step_of(a) for a in reversed(list(tabular.ancestors(node.key))))


def _notes(tabular: Tabular, key: str) -> tuple[ViewNote, ...]:
    notes: list[ViewNote] = []
    for kind in NOTE_ORDER:
        for printed_key, text in tabular.notes_for(key, kind):
            printed = step_of(tabular.nodes[printed_key])
            segments = linked_segments(text, tabular)
            notes.append(ViewNote(kind, text, printed, printed_key != key, segments))
    return tuple(notes)


def _child(tabular: Tabular, key: str) -> ChildCode:
    node = tabular.nodes[key]
    needs = not node.children and tabular.seventh_rule(key) is not None
    return ChildCode(step_of(node), tabular.is_billable(key), needs)


def _billable_beneath(
    tabular: Tabular, node: TabularNode, rule: SeventhCharacterRule | None
) -> int:
    """Reportable codes beneath a node. Rules are handed down the walk rather than looked up
    from each leaf: chapter 19 alone has 41,000 codes with their 7th characters."""
    count = 0
    pending = [(node, rule)]
    while pending:
        current, inherited = pending.pop()
        inherited = current.seventh or inherited
        if current.children or current.level in (TabularLevel.CHAPTER, TabularLevel.SECTION):
            nodes = tabular.nodes
            pending.extend((nodes[k], inherited) for k in current.children if k in nodes)
        else:
            count += len(inherited.characters) if inherited is not None else 1
    return count


def _unknown(tabular: Tabular, key: str) -> UnknownCode:
    shown = key if _SECTION_SHAPE.match(key) or _CHAPTER_SHAPE.match(key) else dotted(key)
    why = why_not_built(tabular, key) if len(key) == STEM_LENGTH + 1 else None
    nearest_key = nearest_node_key(key.split("-")[0], tabular)
    node = tabular.nodes.get(nearest_key) if nearest_key is not None else None
    nearest = step_of(node) if node is not None else None
    if why is None and _CHAPTER_SHAPE.match(key):
        why = f"It has no chapter {key}."
    if why is None:
        why = (
            f"The nearest code it has is {nearest.label} ({nearest.title})."
            if nearest is not None
            else "No category it has begins with these characters."
        )
    return UnknownCode(shown, tabular.fiscal_year, nearest, why)
