"""Walking the Alphabetic Index the way a coder does: cross-references and defaults.

A `see` reference ("Infarct, myocardium") names a main term and then sub-terms; the coder
finds the main term ("Infarct, infarction"), then the sub-term under it ("myocardium,
myocardial"), and stops where the reference adds a qualifier the index does not have as a
line ("..., by site"). References into the Table of Neoplasms end in a column ("Neoplasm,
skin, malignant"). "see condition" and references to the drug table lead nowhere a code can
be read from (ICD-10-CM Official Guidelines I.A.15-16; Index conventions).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from himdesk.domain.coding.alphabetic_index import AlphabeticIndex, IndexEntry, IndexKind

_SPACES = re.compile(r"\s+")
_PARENTHESES = re.compile(r"\s*\([^)]*\)")
_MAX_HOPS = 5  # see -> see chains in the real index are at most three long
CONNECTORS = ("with", "without", "due to", "in", "following", "complicating")

# The neoplasm table's columns as references name them ("Neoplasm, benign, by site").
_COLUMN_WORDS = (
    ("secondary", "Malignant Secondary"),
    ("in situ", "Ca in situ"),
    ("malignant", "Malignant Primary"),
    ("primary", "Malignant Primary"),
    ("benign", "Benign"),
    ("uncertain", "Uncertain Behavior"),
    ("unspecified", "Unspecified Behavior"),
)


def plain(text: str) -> str:
    """A term as compared when following a reference: lowercase, single spaces."""
    return _SPACES.sub(" ", text.strip().lower())


def alternatives(term: str) -> list[str]:
    """ "Infarct, infarction" -> ["infarct", "infarction"]: the forms one index line joins."""
    return [part for part in (plain(p) for p in term.split(",")) if part]


def split_qualifiers(term: str) -> tuple[list[str], list[str]]:
    """An index line's parts as (forms of the same word, qualifiers):
    "Infarct, infarction" -> (["Infarct", "infarction"], []);
    "Fracture, pathological" -> (["Fracture"], ["pathological"])."""
    parts = [p.strip() for p in term.split(",") if p.strip()]
    if not parts:
        return [], []
    head = parts[0].split()[0].lower()
    names: list[str] = [parts[0]]
    qualifiers: list[str] = []
    for part in parts[1:]:
        first = part.split()[0].lower()
        same = head[:4] == first[:4] or head[:5] in first or first[:5] in head
        (names if same else qualifiers).append(part)
    return names, qualifiers


def is_dead_end(reference: str) -> bool:
    """References that give no code here: "see condition", "see also specific condition",
    the drug table, a chapter of the tabular."""
    text = plain(reference)
    return (
        text.endswith("condition")
        or text.startswith(("table of drugs", "category ", "subcategory ", "poisoning"))
        or not text
    )


@dataclass(frozen=True, slots=True)
class IndexTarget:
    """Where a reference lands: an index line and, in the tables, a column."""

    kind: IndexKind
    position: int
    column: str = ""
    complete: bool = True  # False when the reference went on past the last line found


class IndexNavigator:
    """Resolves see and see-also references within a release's indexes."""

    def __init__(self, indexes: Mapping[IndexKind, AlphabeticIndex]) -> None:
        self._indexes = indexes
        self._children: dict[IndexKind, dict[int, list[int]]] = {}
        self._forms: dict[tuple[IndexKind, int], list[str]] = {}  # filled as references need
        self._main_terms: dict[IndexKind, dict[str, list[int]]] = {}
        self._resolved: dict[tuple[str, IndexKind], IndexTarget | None] = {}
        self._owners: dict[IndexKind, dict[int, int]] = {}
        for kind, index in indexes.items():
            children: dict[int, list[int]] = {}
            mains: dict[str, list[int]] = {}
            owners = self._owners[kind] = note_owners(index.entries)
            for entry in index.entries:
                if entry.parent is not None:
                    parent = owners.get(entry.parent, entry.parent)
                    children.setdefault(parent, []).append(entry.position)
                else:
                    for form in _named_forms(entry.term):
                        mains.setdefault(form, []).append(entry.position)
            self._children[kind] = children
            self._main_terms[kind] = mains

    def children(self, kind: IndexKind, position: int) -> Sequence[int]:
        return self._children[kind].get(position, ())

    def lineage(self, target: IndexTarget) -> list[IndexEntry]:
        """The line and every line above it, main term last, past misplaced note lines."""
        entries = self._indexes[target.kind].entries
        owners = self._owners[target.kind]
        found: list[IndexEntry] = []
        position: int | None = target.position
        while position is not None:
            entry = entries[position]
            found.append(entry)
            position = None if entry.parent is None else owners.get(entry.parent, entry.parent)
        return found

    def path_text(self, target: IndexTarget) -> str:
        """How a coder writes the path: "Infarct, infarction, myocardium, non-ST elevation
        (NSTEMI)", the last line's non-essential modifiers in parentheses; in a table, the
        column in brackets."""
        lineage = self.lineage(target)
        text = ", ".join(entry.term for entry in reversed(lineage))
        if lineage[0].nonessential:
            text += " " + " ".join(f"({modifier})" for modifier in lineage[0].nonessential)
        return f"{text} [{target.column}]" if target.column else text

    def _named(self, kind: IndexKind, position: int) -> list[str]:
        key = (kind, position)
        found = self._forms.get(key)
        if found is None:
            found = self._forms[key] = _named_forms(self._indexes[kind].entries[position].term)
        return found

    def resolve(self, reference: str, kind: IndexKind = IndexKind.DISEASES) -> IndexTarget | None:
        """The line a reference names, or None when it leads nowhere a code can be read."""
        key = (reference, kind)
        if key not in self._resolved:
            self._resolved[key] = self._resolve(reference, kind)
        return self._resolved[key]

    def _resolve(self, reference: str, kind: IndexKind) -> IndexTarget | None:
        if is_dead_end(reference):
            return None
        # "see Arteriosclerosis, coronary (artery)": the line is "coronary", the rest its
        # non-essential modifier
        parts = alternatives(_PARENTHESES.sub("", reference) if "(" in reference else reference)
        if parts[0].startswith("neoplasm") and IndexKind.NEOPLASMS in self._indexes:
            kind = IndexKind.NEOPLASMS
        if kind not in self._indexes:
            return None
        best: IndexTarget | None = None
        best_consumed = -1
        for main in self._main_terms[kind].get(parts[0], ()):
            target, consumed = self._walk(kind, main, parts[1:])
            if consumed > best_consumed:
                best, best_consumed = target, consumed
        return best

    def follow(self, target: IndexTarget) -> IndexTarget:
        """Past the see references of the line itself, to a line that gives a code."""
        for _ in range(_MAX_HOPS):
            entry = self.entry(target)
            if not entry.see or entry.code or entry.cells:
                return target
            nxt = self.resolve(entry.see, target.kind)
            if nxt is None or nxt == target:
                return target
            target = nxt
        return target

    def entry(self, target: IndexTarget) -> IndexEntry:
        return self._indexes[target.kind].entries[target.position]

    def _walk(self, kind: IndexKind, main: int, parts: list[str]) -> tuple[IndexTarget, int]:
        position, consumed, column = main, 0, ""
        rest = list(parts)
        own = set(self._named(kind, main))
        while rest and rest[0] in own:
            rest.pop(0)
            consumed += 1
        while rest:
            part = rest[0]
            if part.startswith("by "):
                rest.pop(0)
                continue
            # In the table a behavior names a column, never a site ("Meckel diverticulum,
            # malignant" is a row).
            if kind is IndexKind.NEOPLASMS and (named := _column(part)):
                column = named
                rest.pop(0)
                consumed += 1
                continue
            child, used = self._child_named(kind, position, part)
            if child is None:
                break
            position = child
            rest.pop(0)
            consumed += 1
            if used:
                rest.insert(0, used)
            forms = set(self._named(kind, child))
            while rest and rest[0] in forms:
                rest.pop(0)
                consumed += 1
        complete = not [p for p in rest if not p.startswith("by ")]
        return IndexTarget(kind, position, column, complete), consumed

    def _child_named(self, kind: IndexKind, position: int, part: str) -> tuple[int | None, str]:
        """The sub-term a reference part names: the same wording, the same words in another
        order, or a connector line ("with") whose sub-term carries the rest of the part.
        Returns the child and what is left of the part for the next level."""
        children = self.children(kind, position)
        for child in children:
            if part in self._named(kind, child):
                return child, ""
        words = sorted(part.split())
        for child in children:
            if any(sorted(f.split()) == words for f in self._named(kind, child)):
                return child, ""
        for connector in CONNECTORS:
            if part.startswith(connector + " "):
                for child in children:
                    if self._named(kind, child) == [connector]:
                        return child, part[len(connector) + 1 :]
        # "see Diabetes, polyneuropathy" means the line under "with".
        for child in children:
            if self._named(kind, child) == ["with"] and any(
                part in self._named(kind, below) for below in self.children(kind, child)
            ):
                return child, part
        return None, ""


def note_owners(entries: Sequence[IndexEntry]) -> dict[int, int]:
    """Note lines ("Note: heart failure stages A, B, C...") are not terms, but a flattened
    index may file the sub-terms printed after a note under it: those belong to the line
    the note follows at its level. {note line: that line}."""
    owners: dict[int, int] = {}
    last_at: dict[int, int] = {}
    for entry in entries:
        if entry.term.startswith("Note:") and entry.level in last_at:
            owners[entry.position] = last_at[entry.level]
        else:
            last_at[entry.level] = entry.position
    return owners


def _named_forms(term: str) -> list[str]:
    """The forms a reference may name a line by: "skin NOS" is also "skin" (NOS and NEC mark
    the default line, they are not part of its name)."""
    forms = alternatives(term)
    for form in list(forms):
        for marker in (" nos", " nec"):
            if form.endswith(marker):
                forms.append(form.removesuffix(marker))
    return forms


def _column(part: str) -> str:
    return next(
        (column for word, column in _COLUMN_WORDS if part == word or part.startswith(word + " ")),
        "",
    )
