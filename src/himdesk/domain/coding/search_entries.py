"""What the encoder searches: every index line as the path a coder reads, the Table of
Neoplasms by column, the Table of Drugs by substance (its column is chosen when a hit is
made: `drug_table`), and the tabular's titles and inclusion terms as a second source.

Each entry keeps its path as words per line (main term first). A line may join several
forms ("Infarct, infarction"); a form is matched when its words are. Non-essential modifiers
("(acute)", "(NSTEMI)") are optional: matching them explains a query word, missing them
costs nothing. An inverted index (word -> entry ids) lets a query touch only the entries
that share a word with it.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from himdesk.domain.coding.alphabetic_index import AlphabeticIndex, IndexEntry, IndexKind
from himdesk.domain.coding.code_set import DiagnosisCodeSet
from himdesk.domain.coding.codes import dotted
from himdesk.domain.coding.drug_table import COLUMN_WORDS
from himdesk.domain.coding.index_navigation import (
    IndexNavigator,
    IndexTarget,
    is_dead_end,
    note_owners,
    split_qualifiers,
)
from himdesk.domain.coding.tabular import NoteKind, TabularLevel
from himdesk.domain.coding.term_matching import TermNormalizer, decided, surface_words

# Sources other than the main index explain a query less directly than it does.
EXTERNAL_CAUSE_PENALTY = 0.06
TABULAR_PENALTY = 0.08
INCLUSION_PENALTY = 0.1
DRUG_TABLE_PENALTY = 0.06
_PENALTIES = {
    IndexKind.EXTERNAL_CAUSES: EXTERNAL_CAUSE_PENALTY,
    IndexKind.DRUGS: DRUG_TABLE_PENALTY,
}

# Neoplasm table columns: (words a query must have, words it may have).
_COLUMN_WORDS: Mapping[str, tuple[str, str]] = {
    "malignant primary": ("malignant", "primary"),
    "malignant secondary": ("secondary", "malignant"),
    "ca in situ": ("situ", "carcinoma ca in"),
    "benign": ("benign", ""),
    "uncertain behavior": ("uncertain", "behavior"),
    "unspecified behavior": ("", "unspecified behavior"),
}


_TITLE_PARTS = re.compile(r",| of | with | due to | in ", re.IGNORECASE)
_PARENTHESIZED = re.compile(r"\([^)]*\)")
# The external causes chapter's "NOS" terms are defaults of the External Cause Index, not of
# a diagnosis ("Drowning NOS" is W74, the injury T75.1).
_EXTERNAL_CAUSES = ("V", "W", "X", "Y")

Words = tuple[str, ...]  # canonical words, sorted: tuples take a third of a set's memory


@dataclass(frozen=True, slots=True)
class SearchLine:
    forms: tuple[Words, ...]  # words of each form, empty forms left out
    words: Words  # all forms together; empty for connectors ("with", "NEC")
    modifiers: Words


@dataclass(frozen=True, slots=True)
class SearchEntry:
    lines: tuple[SearchLine, ...]  # main term first
    code: str  # as printed: dotted, may end in "-"; "" when the line gives none
    kind: IndexKind | None = None  # None: the tabular
    position: int = -1  # the index line, or -1
    column: str = ""  # a neoplasm table column
    see: IndexTarget | None = None
    see_also: IndexTarget | None = None
    penalty: float = 0.0
    label: str = ""  # tabular entries: how the hit's path reads


class SearchCatalog:
    """All entries of one release, with the inverted index over their words."""

    def __init__(
        self,
        entries: list[SearchEntry],
        vocabulary: Counter[str],
        nos_defaults: Mapping[frozenset[str], tuple[int, ...]] | None = None,
    ) -> None:
        self.entries = entries
        self.vocabulary = vocabulary  # surface word -> lines it is on, for spelling
        # The words of a tabular inclusion term "<term> NOS" -> its entries: the release's
        # own default for the unqualified term ("Concussion NOS" under S06.0XA).
        self.nos_defaults = nos_defaults or {}
        postings: dict[str, array[int]] = {}
        known = postings.get
        for number, entry in enumerate(entries):
            seen: set[str] = set()
            for line in entry.lines:
                seen.update(line.words, line.modifiers)
            for word in seen:
                found = known(word)
                if found is None:
                    found = postings[word] = array("i")
                found.append(number)
        self.postings = postings

    @classmethod
    def build(
        cls, code_set: DiagnosisCodeSet, normalizer: TermNormalizer, navigator: IndexNavigator
    ) -> SearchCatalog:
        builder = _CatalogBuilder(normalizer, navigator)
        kinds = (
            IndexKind.DISEASES,
            IndexKind.EXTERNAL_CAUSES,
            IndexKind.NEOPLASMS,
            IndexKind.DRUGS,
        )
        for kind in kinds:
            index = code_set.indexes.get(kind)
            if index is not None:
                builder.add_index(index)
        builder.add_tabular(code_set)
        return cls(builder.entries, builder.vocabulary, builder.nos_defaults)


class _CatalogBuilder:
    def __init__(self, normalizer: TermNormalizer, navigator: IndexNavigator) -> None:
        self.normalizer = normalizer
        self.navigator = navigator
        self.entries: list[SearchEntry] = []
        self.vocabulary: Counter[str] = Counter()
        self._lines: dict[tuple[str, tuple[str, ...], bool], SearchLine] = {}
        self._tuples: dict[Words, Words] = {}
        self._columns: dict[str, SearchLine] = {}
        self.nos_defaults: dict[frozenset[str], tuple[int, ...]] = {}

    def line(self, term: str, modifiers: Iterable[str] = (), *, joined: bool = True) -> SearchLine:
        """One line's words, shared by every entry whose path passes through an equal line.
        An index line's commas join forms ("Infarct, infarction") or add a qualifier
        ("Fracture, pathological"); a tabular title's are part of the title."""
        key = (term, tuple(modifiers), joined)
        found = self._lines.get(key)
        if found is None:
            found = self._lines[key] = self._make_line(term, key[1], joined)
            self.vocabulary.update(set(surface_words(f"{term} {' '.join(key[1])}")))
        return found

    def title_lines(self, title: str) -> tuple[SearchLine, ...]:
        """A tabular title read as an index path: "Personal history of peptic ulcer
        disease" is the lines "Personal history" and "peptic ulcer disease", so a query
        naming only the second leaves a line unmatched, as it would in the index."""
        parts = [p for p in _TITLE_PARTS.split(decided(title)) if p.strip()]
        return tuple(self.line(part, joined=False) for part in parts) or (
            self.line(title, joined=False),
        )

    def _make_line(self, term: str, modifiers: tuple[str, ...], joined: bool) -> SearchLine:
        words = self.normalizer.words
        # Each modifier alone: "(without vomiting)" denies its own words ("~vomit"), which
        # then explain only a query's "without vomiting".
        optional = frozenset().union(*map(words, modifiers)) if modifiers else frozenset()
        if not joined:
            title = self._stored(words(term))
            return SearchLine((title,) if title else (), title, self._stored(optional))
        if term.lower().startswith("not specified as"):
            # "not specified as recurrent": the line for a query that does not say it
            return SearchLine((), (), self._stored(optional))
        if "," not in term:
            form = self._stored(words(term))
            return SearchLine((form,) if form else (), form, self._stored(optional))
        names, qualifiers = split_qualifiers(term)
        required = frozenset().union(*(words(q) for q in qualifiers))
        assumed = required & self.normalizer.assumed
        forms = [f for f in (words(n) | (required - assumed) for n in names) if f]
        return SearchLine(
            tuple(self._stored(f) for f in forms),
            self._stored(frozenset().union(*forms)),
            self._stored(optional | assumed),
        )

    def _stored(self, words: frozenset[str]) -> Words:
        """One tuple per distinct set of words: most lines repeat a few ("left", "with")."""
        stored = tuple(sorted(words))
        return self._tuples.setdefault(stored, stored)

    def add_index(self, index: AlphabeticIndex) -> None:
        penalty = _PENALTIES.get(index.kind, 0.0)
        paths: list[tuple[SearchLine, ...]] = []
        owners = note_owners(index.entries)
        for entry in index.entries:
            parent = owners.get(entry.parent, entry.parent) if entry.parent is not None else None
            above = paths[parent] if parent is not None else ()
            lines = (*above, self.line(entry.term, entry.nonessential))
            paths.append(lines)
            if index.kind is IndexKind.NEOPLASMS:
                self._add_table_row(entry, lines)
                continue
            if entry.cells:  # a substance's row: its columns' words may explain the query
                lines = (*lines, self._drug_columns())
            see = self._target(entry.see, index.kind)
            see_also = self._target(entry.see_also, index.kind)
            if entry.code or entry.cells or see or see_also:  # cells: a substance's row
                self.entries.append(
                    SearchEntry(
                        lines, entry.code, index.kind, entry.position, "", see, see_also, penalty
                    )
                )

    def _target(self, reference: str, kind: IndexKind) -> IndexTarget | None:
        if not reference or is_dead_end(reference):
            return None
        return self.navigator.resolve(reference, kind)

    def _add_table_row(self, entry: IndexEntry, lines: tuple[SearchLine, ...]) -> None:
        for cell in entry.cells:
            column = self._column(cell.column)
            self.entries.append(
                SearchEntry(
                    (*lines, column), cell.code, IndexKind.NEOPLASMS, entry.position, cell.column
                )
            )

    def _drug_columns(self) -> SearchLine:
        found = self._columns.get(COLUMN_WORDS)
        if found is None:
            words = self._stored(self.normalizer.words(COLUMN_WORDS))
            found = self._columns[COLUMN_WORDS] = SearchLine((), (), words)
        return found

    def _column(self, name: str) -> SearchLine:
        found = self._columns.get(name)
        if found is None:
            required, optional = _COLUMN_WORDS.get(name.lower(), (name, ""))
            words = self._stored(self.normalizer.words(required))
            found = SearchLine((words,) if words else (), words,
                               self._stored(self.normalizer.words(optional)))  # fmt: skip
            self._columns[name] = found
        return found

    def add_tabular(self, code_set: DiagnosisCodeSet) -> None:
        codes = (TabularLevel.CATEGORY, TabularLevel.SUBCATEGORY, TabularLevel.CODE)
        for node in code_set.tabular.nodes.values():
            if node.level not in codes:
                continue
            code = dotted(node.key)
            label = f"Tabular: {node.title}"
            self.entries.append(
                SearchEntry(
                    self.title_lines(node.title),
                    code,
                    penalty=TABULAR_PENALTY,
                    label=label,
                )
            )
            for term in node.notes.get(NoteKind.INCLUSION_TERM, ()):
                if surface_words(term)[-1:] == ["nos"] and not code.startswith(_EXTERNAL_CAUSES):
                    self._add_nos_default(term)
                self.entries.append(
                    SearchEntry(
                        self.title_lines(term),
                        code,
                        penalty=INCLUSION_PENALTY,
                        label=f"{label} (inclusion term: {term})",
                    )
                )

    def _add_nos_default(self, term: str) -> None:
        """Keyed by the term's words with and without its parenthesized non-essential
        words: "Typhus (fever) NOS" names "typhus fever" and "typhus"."""
        words = self.normalizer.words
        for key in {words(term), words(_PARENTHESIZED.sub(" ", term))}:
            if key:
                self.nos_defaults[key] = (*self.nos_defaults.get(key, ()), len(self.entries))
