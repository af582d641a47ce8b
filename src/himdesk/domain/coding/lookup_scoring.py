"""How well one search entry explains a query, the measure the encoder ranks by.

    score = share of the query's words the path explains
            - 0.3 for each line of the path the query leaves unmatched (part of a line: part)
            + 0.1 when the main term is among the matches
            - 0.01 per level below the main term
            - the entry's source penalty and the reading's cost (expanded, corrected)

So a query explained in full by a short path wins over a longer path that adds qualifiers
the query did not give: the index default for an unqualified term.
"""

from __future__ import annotations

from dataclasses import dataclass

from himdesk.domain.coding.search_entries import SearchEntry

MISSING_LINE_COST = 0.3
MAIN_TERM_BONUS = 0.1
DEPTH_COST = 0.01


@dataclass(frozen=True, slots=True)
class Scored:
    score: float
    leftover: frozenset[str]  # query words the path did not explain
    query_size: int

    def explained(self, words: int) -> float:
        """The score once the tabular has explained `words` more of the query's words."""
        return self.score + words / self.query_size


def score_entry(entry: SearchEntry, query: frozenset[str], penalty: float = 0.0) -> Scored:
    matched: set[str] = set()
    missing = 0.0
    main = False
    for depth, line in enumerate(entry.lines):
        for word in line.modifiers:
            if word in query:
                matched.add(word)
        if not line.words:
            continue
        common = [word for word in line.words if word in query]
        if not common:
            missing += 1.0
            continue
        matched.update(common)
        main = main or depth == 0
        best = 0.0
        for form in line.forms:
            share = sum(word in query for word in form) / len(form)
            best = share if share > best else best
        missing += 1.0 - best
    score = (
        len(matched) / len(query)
        - MISSING_LINE_COST * missing
        + (MAIN_TERM_BONUS if main else 0.0)
        - DEPTH_COST * (len(entry.lines) - 1)
        - entry.penalty
        - penalty
    )
    return Scored(score, query - matched, len(query))
