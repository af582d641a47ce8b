"""What every reader of an Alphabetic Index shares: non-essential modifiers and the parent
of each line, taken from the levels in document order."""

from __future__ import annotations

from collections.abc import Sequence

from himdesk.domain.coding.alphabetic_index import IndexEntry, IndexKind, TableCell


def nonessential_modifiers(text: str) -> tuple[str, ...]:
    """Split "(acute) (chronic)" into ("acute", "chronic"); nested parentheses stay inside their
    modifier ("(with (or) without)"), and text outside parentheses is its own modifier."""
    modifiers: list[str] = []
    depth, current = 0, list[str]()
    for char in text:
        if char == "(":
            if depth == 0:
                _flush(current, modifiers)
                current = []
            else:
                current.append(char)
            depth += 1
        elif char == ")" and depth > 0:
            depth -= 1
            if depth == 0:
                _flush(current, modifiers)
                current = []
            else:
                current.append(char)
        else:
            current.append(char)
    _flush(current, modifiers)
    return tuple(modifiers)


def _flush(chars: list[str], into: list[str]) -> None:
    text = " ".join("".join(chars).split())
    if text:
        into.append(text)


class IndexLines:
    """Collects index lines in document order, giving each its position and parent."""

    def __init__(self, kind: IndexKind) -> None:
        self.kind = kind
        self.entries: list[IndexEntry] = []
        self._open: list[int] = []  # positions of the nearest line at each level above

    def add(
        self,
        level: int,
        term: str,
        *,
        nonessential: tuple[str, ...] = (),
        code: str = "",
        see: str = "",
        see_also: str = "",
        cells: Sequence[TableCell] = (),
    ) -> IndexEntry:
        while self._open and self.entries[self._open[-1]].level >= level:
            self._open.pop()
        parent = self._open[-1] if self._open else None
        entry = IndexEntry(
            self.kind, len(self.entries), level, term, parent,
            nonessential, code, see, see_also, tuple(cells),
        )  # fmt: skip
        self.entries.append(entry)
        self._open.append(entry.position)
        return entry
