"""Reading on below the line a cross-reference lands on, as a coder does: "see also
Candidiasis" for a vaginal yeast infection is read on to "Candidiasis, vagina"; "see
Hypertension, heart" for hypertension with heart failure to "..., with heart failure".
"""

from __future__ import annotations

from collections.abc import Callable

from himdesk.domain.coding.index_navigation import CONNECTORS, IndexNavigator, IndexTarget, plain

_MAX_DEPTH = 5

Words = Callable[[str], frozenset[str]]


def read_on(
    navigator: IndexNavigator,
    target: IndexTarget,
    wanted: frozenset[str],
    implied: frozenset[str],
    words: Words,
) -> tuple[IndexTarget, frozenset[str]]:
    """Below `target`, the sub-terms the query's other words (`wanted`) name; a sub-term of
    implied words alone ("native vessel") is read through. `implied`: the query's words and
    those it implies. Returns the deepest line reached that gives a code, and the query
    words used to reach it; the target itself when the reference did not resolve whole."""
    wanted = wanted.difference(*(words(entry.term) for entry in navigator.lineage(target)))
    landed, landed_used = target, frozenset[str]()
    used: frozenset[str] = frozenset()
    for _ in range(_MAX_DEPTH if target.complete else 0):
        best: tuple[int, IndexTarget] | None = None
        for below in _sub_terms(navigator, target):
            named = words(navigator.entry(below).term)
            if named and named <= implied and named.isdisjoint(used):
                shared = len(named & wanted)
                best = (shared, below) if best is None or shared > best[0] else best
        if best is None:
            break
        below = best[1]
        entry = navigator.entry(below)
        used |= words(entry.term) & wanted
        target = navigator.follow(below) if entry.see else below
        if entry.code or entry.see or any(c.column == below.column for c in entry.cells):
            landed, landed_used = target, used
    return landed, landed_used


def _sub_terms(navigator: IndexNavigator, target: IndexTarget) -> list[IndexTarget]:
    """A line's sub-terms, with those under its connector lines ("with", "in")."""
    found: list[IndexTarget] = []
    for child in navigator.children(target.kind, target.position):
        line = IndexTarget(target.kind, child, target.column)
        if plain(navigator.entry(line).term) in CONNECTORS:
            found.extend(
                IndexTarget(target.kind, below, target.column)
                for below in navigator.children(target.kind, child)
            )
        else:
            found.append(line)
    return found
