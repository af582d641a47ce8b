"""How well one search entry explains a query, the measure the encoder ranks by.

    score = share of the query's words the path explains (half for a word only a
              non-essential modifier of a line above the last explains)
            - 0.3 for each line of the path the query leaves unmatched (part of a line: part;
              a line of words the query implies, "History, personal", is not unmatched)
            + 0.1 when the main term is among the matches
            - 0.01 per level below the main term
            - the entry's source penalty and the reading's cost (expanded, corrected)
            + 0.2 for a tabular inclusion term "<term> NOS" whose words are exactly the query's

So a query explained in full by a short path wins over a longer path that adds qualifiers
the query did not give: the index default for an unqualified term. Where the release's
tabular names its own default for the unqualified term ("Concussion NOS" under S06.0XA
while the previous year's index still says Concussion S06.0X9), the tabular is
authoritative: that code ranks first and the index's code stays a candidate.
"""

from __future__ import annotations

from dataclasses import dataclass

from himdesk.domain.coding.search_entries import SearchEntry, SearchLine

MISSING_LINE_COST = 0.3
MAIN_TERM_BONUS = 0.1
DEPTH_COST = 0.01
# Offsets the inclusion term's penalty and outranks an index line matched in full (1.1).
NOS_DEFAULT_BONUS = 0.2
# A line's non-essential modifiers qualify its own code: a word only a line above the last
# one explains that way ("heart (acute)" above "systolic, chronic") counts for half.
ASIDE_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class Scored:
    score: float
    leftover: frozenset[str]  # query words the path did not explain
    query_size: int
    query: frozenset[str] = frozenset()

    def explained(self, words: int) -> float:
        """The score once the tabular has explained `words` more of the query's words."""
        return self.score + words / self.query_size


def score_entry(
    entry: SearchEntry,
    query: frozenset[str],
    penalty: float = 0.0,
    implied: frozenset[str] = frozenset(),
) -> Scored:
    """`implied`: the query's words with those it implies without saying them (sub-terms a
    coder reads through, "unilateral" for a side): a line of implied words is not missing,
    and they complete a form. Tabular titles say what they say: nothing is implied there."""
    known = query if entry.kind is None or not implied else implied
    matched, aside, missing, main = _explained(entry.lines, query, known)
    last = len(entry.lines) - 1
    score = (
        (len(matched) + ASIDE_WEIGHT * len(aside)) / len(query)
        - MISSING_LINE_COST * missing
        + (MAIN_TERM_BONUS if main else 0.0)
        - DEPTH_COST * last
        - entry.penalty
        - penalty
    )
    return Scored(score, query - matched - aside, len(query), query)


def _explained(
    lines: tuple[SearchLine, ...], query: frozenset[str], known: frozenset[str]
) -> tuple[set[str], frozenset[str], float, bool]:
    """(query words the path explains, those only modifiers above the last line explain,
    how many lines the query leaves unmatched, whether the main term matched)."""
    matched: set[str] = set()
    aside: frozenset[str] = frozenset()
    missing = 0.0
    main = False
    last = len(lines) - 1
    for depth, line in enumerate(lines):
        if line.modifiers and not query.isdisjoint(line.modifiers):
            if depth == last:
                matched.update(query.intersection(line.modifiers))
            else:
                aside = aside.union(query.intersection(line.modifiers))
        words = line.words
        if not words:
            continue
        if query.isdisjoint(words):
            missing += 0.0 if known.issuperset(words) else 1.0
            continue
        matched.update(query.intersection(words))
        main = main or depth == 0
        if len(line.forms) == 1 and known.issuperset(words):
            continue  # the whole line matched
        best = max(sum(word in known for word in form) / len(form) for form in line.forms)
        missing += 1.0 - best
    return matched, aside - matched, missing, main
