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
    family_words: int = 1  # with a comma: how many words came before it

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
    names = _words(rest)[:4]
    family_words = max(len(_words(rest.split(",", 1)[0])), 1) if family_first else 1
    return SearchTerms(None, names, family_first, birth_on, min(family_words, len(names) or 1))


def _words(text: str) -> tuple[str, ...]:
    return tuple(n for n in (normalize_name(t) for t in re.split(r"[\s,]+", text)) if n)


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
    """(family, given) pairs to try, most likely first.

    'smith, jon' is family first; 'van buren, elizabeth' has a two-word family name;
    'jon smith' may be either order; 'elizabeth van buren' and 'dela cruz' may hold a
    family name of several words (stored without spaces).
    """
    names = terms.names
    if not names:
        return []
    if terms.family_first:
        family = "".join(names[: terms.family_words])
        given = names[terms.family_words] if len(names) > terms.family_words else None
        return [(family, given)]
    if len(names) == 1:
        return [(names[0], None)]
    tried = [
        (names[-1], names[0]),
        (names[0], names[-1]),
        ("".join(names[1:]), names[0]),
        ("".join(names[:-1]), names[-1]),
        ("".join(names), None),
    ]
    return list(dict.fromkeys(tried))


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
