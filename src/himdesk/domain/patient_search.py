"""Reading what a clerk types into the search box, and ranking the patients it finds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from rapidfuzz.distance import JaroWinkler

from himdesk.domain.names import normalize_name

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_US_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
MIN_SCORE = 0.78


@dataclass(frozen=True)
class SearchTerms:
    mrn: str | None
    names: tuple[str, ...]
    family_first: bool
    birth_on: date | None

    @property
    def is_empty(self) -> bool:
        return not (self.mrn or self.names or self.birth_on)


class UnreadableSearch(ValueError):
    pass


def parse_search(text: str) -> SearchTerms:
    """'smith, jon 1950-03-02', 'Jon Smith', 'MRN0012345', '03/02/1950' all work."""
    birth_on, rest = _take_date(text.strip()[:200])
    family_first = "," in rest
    raw = [t for t in re.split(r"[\s,]+", rest) if t]
    if len(raw) == 1 and any(ch.isdigit() for ch in raw[0]):
        return SearchTerms(mrn=raw[0].upper(), names=(), family_first=False, birth_on=birth_on)
    names = tuple(n for n in (normalize_name(t) for t in raw) if n)[:3]
    return SearchTerms(mrn=None, names=names, family_first=family_first, birth_on=birth_on)


def _take_date(text: str) -> tuple[date | None, str]:
    for pattern, order in ((_ISO_DATE, (0, 1, 2)), (_US_DATE, (2, 0, 1))):
        match = pattern.search(text)
        if match:
            parts = match.groups()
            year, month, day = (int(parts[i]) for i in order)
            try:
                found = date(year, month, day)
            except ValueError as err:
                raise UnreadableSearch(f"'{match.group(0)}' is not a real date.") from err
            return found, (text[: match.start()] + " " + text[match.end() :]).strip()
    return None, text


def name_orderings(terms: SearchTerms) -> list[tuple[str, str | None]]:
    """(family, given) pairs to try: 'smith, jon' is family first; 'jon smith' may be either."""
    if not terms.names:
        return []
    if len(terms.names) == 1:
        return [(terms.names[0], None)]
    first, last = terms.names[0], terms.names[-1]
    if terms.family_first:
        return [(first, terms.names[1])]
    return [(last, first), (first, last)]


def name_score(
    wanted_family: str, wanted_given: str | None, family_norm: str, given_norm: str
) -> float:
    family = _similarity(wanted_family, family_norm)
    if wanted_given is None:
        return family
    return 0.6 * family + 0.4 * _similarity(wanted_given, given_norm)


def _similarity(wanted: str, actual: str) -> float:
    if actual == wanted:
        return 1.0
    if len(wanted) >= 2 and actual.startswith(wanted):
        return 0.97
    return float(JaroWinkler.normalized_similarity(wanted, actual))


def age_on(birth_on: date, when: datetime | date) -> int:
    day = when.date() if isinstance(when, datetime) else when
    return day.year - birth_on.year - int((day.month, day.day) < (birth_on.month, birth_on.day))
