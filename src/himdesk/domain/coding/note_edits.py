"""Edits from the tabular's instructional notes (ICD-10-CM Official Guidelines I.A.12-13).

- Excludes1 ("NOT CODED HERE"): the two conditions cannot be reported together, unless
  they are unrelated (I.A.12.a). Excludes2 allows both codes and is not an edit.
- Etiology/manifestation: a code titled "in diseases classified elsewhere" is never the
  principal or first-listed diagnosis (I.A.13).
- "Code first" and "use additional code": reminders while no code on the claim does what
  the note asks; a "code first" code listed after the code that names it is a warning.

Notes apply to every code beneath the level where they are printed, so each code's notes
are read up its hierarchy. Chapter-wide "code first"/"use additional" notes are left out:
they hang over hundreds of codes ("use additional code to identify resistance to
antimicrobial drugs") and would bury the reminders that matter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from himdesk.domain.coding.code_edit import CodeEdit, EditSeverity
from himdesk.domain.coding.codes import dotted, normalized_code
from himdesk.domain.coding.note_codes import NotedCodes, noted_codes, shown_note
from himdesk.domain.coding.tabular import NoteKind, Tabular, TabularLevel, TabularNode

# "in diseases classified elsewhere", "in other ...", "in bacterial ..."; not "as the cause
# of diseases classified elsewhere" (B95-B97, organism codes).
MANIFESTATION_TITLE = re.compile(r"\bin (?:[\w-]+ ){0,4}?diseases? classified elsewhere\b", re.I)
_CODE_LEVELS = (TabularLevel.CATEGORY, TabularLevel.SUBCATEGORY, TabularLevel.CODE)


@dataclass(frozen=True, slots=True)
class PrintedNote:
    """The notes of one kind printed at one level, read as one instruction."""

    where: str  # tabular key of the level
    items: tuple[str, ...]  # as printed; an item ending in ":" introduces the ones after it

    @property
    def text(self) -> str:
        joined, introduced = "", False
        for item in self.items:
            joined += (
                (" " if introduced else "; ") + shown_note(item) if joined else shown_note(item)
            )
            introduced = item.rstrip().endswith(":")
        return joined

    @property
    def references(self) -> tuple[NotedCodes, ...]:
        return tuple(ref for item in self.items for ref in noted_codes(item))


def node_of(code: str, tabular: Tabular) -> TabularNode | None:
    """The tabular node a reported code rests on (the stem of a 7-character code)."""
    code = normalized_code(code)
    return tabular.nodes.get(code) or tabular.resolve_billable(code)


def printed_notes(
    tabular: Tabular, code: str, kind: NoteKind, *, chapters: bool
) -> Iterator[PrintedNote]:
    node = node_of(code, tabular)
    if node is None:
        return
    for level in (node, *tabular.ancestors(node.key)):
        items = level.notes.get(kind, ())
        if items and (chapters or level.level is not TabularLevel.CHAPTER):
            yield PrintedNote(level.key, items)


def excludes1_edits(codes: Sequence[str], tabular: Tabular) -> list[CodeEdit]:
    """One error per pair of diagnoses where one's Excludes1 note names the other."""
    edits: list[CodeEdit] = []
    reported: set[frozenset[str]] = set()
    for code in codes:
        for note in printed_notes(tabular, code, NoteKind.EXCLUDES1, chapters=True):
            for item in note.items:
                for other in _excluded(code, item, codes):
                    if frozenset((code, other)) not in reported:
                        reported.add(frozenset((code, other)))
                        edits.append(_excludes1(code, other, note.where, item, tabular))
    return edits


def _excluded(code: str, item: str, codes: Sequence[str]) -> list[str]:
    # A note never excludes the code it is printed over (a chapter-wide range).
    refs = [ref for ref in noted_codes(item) if not ref.covers(code)]
    return [other for other in codes if other != code and any(r.covers(other) for r in refs)]


def _excludes1(code: str, other: str, where: str, item: str, tabular: Tabular) -> CodeEdit:
    return CodeEdit(
        dotted(code), "excludes1", EditSeverity.ERROR,
        f"Excludes1: {_named(code, tabular)} and {_named(other, tabular)} cannot be reported "
        f"together unless the conditions are unrelated (Guideline I.A.12.a); the Excludes1 "
        f"note at {_level(where)} reads \u201c{shown_note(item)}\u201d.",
        f"Keep the code that describes the condition and remove the other; report both only "
        f"when the provider documents that {dotted(code)} and {dotted(other)} are unrelated.",
    )  # fmt: skip


def manifestation_as_principal(code: str, tabular: Tabular) -> CodeEdit | None:
    node = node_of(code, tabular)
    if node is None:
        return None
    chain = [node, *(a for a in tabular.ancestors(node.key) if a.level in _CODE_LEVELS)]
    titled = next((n for n in chain if MANIFESTATION_TITLE.search(n.title)), None)
    if titled is None:
        return None
    return manifestation_edit(
        code, tabular, f"{_level(titled.key)} is titled \u201c{titled.title}\u201d"
    )


def manifestation_edit(code: str, tabular: Tabular, why: str) -> CodeEdit:
    first = [n.text for n in printed_notes(tabular, code, NoteKind.CODE_FIRST, chapters=False)]
    underlying = f" (code first: {'; '.join(first)})" if first else ""
    return CodeEdit(
        dotted(code), "manifestation_as_principal", EditSeverity.ERROR,
        f"{dotted(code)} is a manifestation code ({why}) and cannot be the principal or "
        "first-listed diagnosis (Guideline I.A.13).",
        f"Sequence the underlying condition first{underlying} and report {dotted(code)} "
        "after it.",
    )  # fmt: skip


def note_reminders(codes: Sequence[str], tabular: Tabular) -> list[CodeEdit]:
    """'Code first' and 'use additional code' reminders, once per printed note."""
    edits: list[CodeEdit] = []
    seen: set[tuple[NoteKind, str]] = set()
    for position, code in enumerate(codes):
        for kind in (NoteKind.CODE_FIRST, NoteKind.USE_ADDITIONAL_CODE):
            without_codes: list[PrintedNote] = []
            for note in printed_notes(tabular, code, kind, chapters=False):
                if (kind, note.where) in seen:
                    continue
                seen.add((kind, note.where))
                if not note.references:
                    without_codes.append(note)
                    continue
                edit = _reminder(code, kind, note, codes[:position], codes[position + 1 :])
                edits.extend([edit] if edit else [])
            if without_codes:
                edits.append(_unnamed_reminder(code, kind, without_codes))
    return edits


def _reminder(
    code: str, kind: NoteKind, note: PrintedNote, before: Sequence[str], after: Sequence[str]
) -> CodeEdit | None:
    def named(codes: Sequence[str]) -> list[str]:
        return [c for c in codes if any(ref.covers(c) for ref in note.references)]

    if kind is NoteKind.USE_ADDITIONAL_CODE:
        if named(before) or named(after):
            return None
        return CodeEdit(
            dotted(code), "use_additional_code", EditSeverity.REMINDER,
            f"Use additional code (note at {_level(note.where)}): {note.text}. None of these "
            "codes is on the claim.",
            f"If the documentation supports one, add it after {dotted(code)}.",
        )  # fmt: skip
    if named(before):
        return None
    late = named(after)
    if late:
        return CodeEdit(
            dotted(code), "code_first", EditSeverity.WARNING,
            f"{dotted(late[0])} is listed after {dotted(code)}, but the note at "
            f"{_level(note.where)} says to code it first: {note.text}.",
            f"Sequence {dotted(late[0])} before {dotted(code)}.",
        )  # fmt: skip
    return CodeEdit(
        dotted(code), "code_first", EditSeverity.REMINDER,
        f"Code first (note at {_level(note.where)}): {note.text}. None of these codes is on "
        "the claim.",
        f"If the documentation supports one, report it and sequence it before {dotted(code)}.",
    )  # fmt: skip


def _unnamed_reminder(code: str, kind: NoteKind, notes: list[PrintedNote]) -> CodeEdit:
    text = " / ".join(f"{n.text} (note at {_level(n.where)})" for n in notes)
    if kind is NoteKind.CODE_FIRST:
        return CodeEdit(
            dotted(code),
            "code_first",
            EditSeverity.REMINDER,
            f"Code first: {text}.",
            f"Report that condition and sequence it before {dotted(code)}.",
        )
    return CodeEdit(
        dotted(code),
        "use_additional_code",
        EditSeverity.REMINDER,
        f"Use additional code: {text}.",
        f"If the documentation supports it, add that code after {dotted(code)}.",
    )


def _named(code: str, tabular: Tabular) -> str:
    node = node_of(code, tabular)
    return f"{dotted(code)} ({node.title})" if node is not None else dotted(code)


def _level(key: str) -> str:
    return key if "-" in key or key.isdigit() else dotted(key)
