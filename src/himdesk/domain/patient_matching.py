"""Is an incoming patient one the hospital already knows? Scores, thresholds and reasons.

An identifier both sides carry (the same MRN of the same assigning authority, the same SSN)
decides unless name and birth date both say otherwise. Without one, demographics are
weighed Fellegi–Sunter style: each field that agrees adds about log2(m/u) — how much more
often it agrees for the same person (m) than for two different people (u) — and each that
disagrees subtracts. A total at or above `SURE` links when, without a shared identifier,
the given name and birth date are also the same and the family name the same or a near
spelling; anything else in the band from `UNSURE` goes to a person (an HIM reviewer)
instead of making a silent duplicate or a wrong link — a wrong link puts two people in one
chart (an overlay), far worse than a review task.

The weights are rounded log-odds for a hospital population, tuned on the FEBRL linkage
benchmark (tests/unit/test_domain_patient_matching.py measures them).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from rapidfuzz.distance import JaroWinkler

from himdesk.domain.names import normalize_name, sound_key
from himdesk.domain.records import AdministrativeSex

SURE = 12.0
UNSURE = 6.0
# Identifier kinds strong enough to decide: MRN (with its assigning authority) and SSN.
DECIDING_KINDS = frozenset({"MR", "SS"})
_ALIKE = 0.9  # Jaro-Winkler at or above this counts as a near spelling

# Weights (log2 odds, rounded): agree / partly agree / disagree.
FAMILY = (4.5, 2.5, -3.0)
GIVEN = (4.0, 2.0, -2.5)
BIRTH = (6.5, 2.5, -6.0)  # partly: day and month swapped, or one part off
SEX = (0.5, -2.0)
POSTAL = (2.0, -0.5)  # people move: a different code is weak evidence
PHONE = (3.0, -0.5)
SAME_IDENTIFIER = 20.0
OTHER_IDENTIFIER = -4.0  # same authority, another number: a typo or another person


class MatchOutcome(enum.StrEnum):
    SURE = "sure"
    UNSURE = "unsure"
    NONE = "none"


IdentifierKey = tuple[str, str, str]  # kind, assigning authority, value (SSN: a keyed digest)


@dataclass(frozen=True)
class PatientProfile:
    """What matching compares; identifiers as keys, never as plain SSNs."""

    family_name: str
    given_name: str
    birth_on: date
    sex: AdministrativeSex = AdministrativeSex.UNKNOWN
    postal_code: str = ""
    phone: str = ""
    identifiers: frozenset[IdentifierKey] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Candidate:
    patient_id: int
    profile: PatientProfile


@dataclass(frozen=True)
class ScoredCandidate:
    patient_id: int
    score: float
    outcome: MatchOutcome
    reasons: tuple[str, ...]

    def explained(self) -> str:
        return ", ".join(self.reasons)


@dataclass(frozen=True)
class MatchResult:
    outcome: MatchOutcome
    patient_id: int | None  # the sure match
    scored: tuple[ScoredCandidate, ...]  # best first, those worth showing a reviewer

    @property
    def reason(self) -> str:
        ambiguous = len(self.scored) > 1 and self.scored[1].outcome is not MatchOutcome.NONE
        if self.outcome is MatchOutcome.UNSURE and ambiguous:
            return "more than one patient could be this person"
        return self.scored[0].explained() if self.scored else "no similar patient"


def match_patient(incoming: PatientProfile, candidates: Sequence[Candidate]) -> MatchResult:
    """The decision for one incoming patient among the candidates storage found."""
    scored = sorted(
        (score_pair(incoming, c) for c in candidates), key=lambda s: (-s.score, s.patient_id)
    )
    worth_showing = tuple(s for s in scored if s.outcome is not MatchOutcome.NONE)[:10]
    sure = [s for s in worth_showing if s.outcome is MatchOutcome.SURE]
    if len(sure) == 1:
        return MatchResult(MatchOutcome.SURE, sure[0].patient_id, worth_showing)
    if worth_showing:  # two sure matches are one doubt: never pick between them silently
        return MatchResult(MatchOutcome.UNSURE, None, worth_showing)
    return MatchResult(MatchOutcome.NONE, None, ())


def confirm_known(incoming: PatientProfile, known: Candidate) -> MatchResult:
    """The patient the sender's reference was linked to before, unless the sender now
    describes someone else: name and birth date both different (a reused MRN, a mix-up)
    make it unsure, as a shared identifier would."""
    scored = score_pair(incoming, known)
    if not _someone_else(incoming, known.profile):
        return MatchResult(MatchOutcome.SURE, known.patient_id, (scored,))
    return MatchResult(MatchOutcome.UNSURE, None, (replace(scored, outcome=MatchOutcome.UNSURE),))


def score_pair(incoming: PatientProfile, candidate: Candidate) -> ScoredCandidate:
    known = candidate.profile
    weighed = [
        _names(incoming, known),
        _birth_dates(incoming.birth_on, known.birth_on),
        _sexes(incoming.sex, known.sex),
        _plain_field("postal code", incoming.postal_code, known.postal_code, POSTAL),
        _plain_field("phone", _digits(incoming.phone), _digits(known.phone), PHONE),
    ]
    demographic = sum(w for w, _ in weighed)
    reasons = [r for _, r in weighed if r]
    shared, conflicting = _identifiers(incoming.identifiers, known.identifiers)
    reasons = shared + conflicting + reasons
    if shared:
        outcome = MatchOutcome.UNSURE if _someone_else(incoming, known) else MatchOutcome.SURE
        return ScoredCandidate(candidate.patient_id, SAME_IDENTIFIER + demographic, outcome,
                               tuple(reasons))  # fmt: skip
    total = demographic + OTHER_IDENTIFIER * len(conflicting)
    outcome = _outcome(total)
    if outcome is MatchOutcome.SURE and any(r.startswith("different MRN") for r in conflicting):
        # The sender keeps two records apart: linking both to one patient needs a person.
        outcome = MatchOutcome.UNSURE
    if outcome is MatchOutcome.SURE and not _same_name_and_birth(incoming, known):
        # Rosalyn and Rosalinde, same family name and birth date, may be sisters or twins:
        # two people in one chart (an overlay) is far worse than a review task.
        outcome = MatchOutcome.UNSURE
    return ScoredCandidate(candidate.patient_id, total, outcome, tuple(reasons))


def _same_name_and_birth(incoming: PatientProfile, known: PatientProfile) -> bool:
    """Without a shared identifier a sure match needs the same given name (normalised: case,
    accents, punctuation aside) and birth date, and a family name the same or spelled or
    sounding alike (a typo: relatives differ by given name, not by a letter of the family
    name). Given-name variants and nicknames, which are how siblings and twins differ, and
    swapped names go to a reviewer."""
    given = normalize_name(incoming.given_name)
    family, _ = _name("", normalize_name(incoming.family_name),
                      normalize_name(known.family_name), FAMILY)  # fmt: skip
    return (
        bool(given)
        and given == normalize_name(known.given_name)
        and family >= FAMILY[1]
        and incoming.birth_on == known.birth_on
    )


def _someone_else(incoming: PatientProfile, known: PatientProfile) -> bool:
    """Name and birth date both against: not the same person, whatever identifier says so."""
    names, _ = _names(incoming, known)
    birth, _ = _birth_dates(incoming.birth_on, known.birth_on)
    return names < 0 and birth < 0


def _outcome(total: float) -> MatchOutcome:
    if total >= SURE:
        return MatchOutcome.SURE
    return MatchOutcome.UNSURE if total >= UNSURE else MatchOutcome.NONE


def _identifiers(
    incoming: frozenset[IdentifierKey], known: frozenset[IdentifierKey]
) -> tuple[list[str], list[str]]:
    deciding = {k for k in incoming if k[0] in DECIDING_KINDS}
    shared = sorted(deciding & known)
    known_systems = {(kind, system) for kind, system, _ in known}
    conflicting = sorted(
        (kind, system) for kind, system, _ in deciding - known if (kind, system) in known_systems
    )
    return ([f"same {_label(kind, system)}" for kind, system, _ in shared],
            [f"different {_label(kind, system)}" for kind, system in conflicting])  # fmt: skip


def _label(kind: str, system: str) -> str:
    return "SSN" if kind == "SS" else f"MRN of {system}"


def _names(incoming: PatientProfile, known: PatientProfile) -> tuple[float, str]:
    family_in, given_in = normalize_name(incoming.family_name), normalize_name(incoming.given_name)
    family_known, given_known = normalize_name(known.family_name), normalize_name(known.given_name)
    if (
        family_in
        and given_in
        and family_in != given_in
        and (family_in, given_in)
        == (
            given_known,
            family_known,
        )
    ):
        return FAMILY[1] + GIVEN[1], "given and family names swapped"
    family_w, family_r = _name("family name", family_in, family_known, FAMILY)
    given_w, given_r = _name("given name", given_in, given_known, GIVEN)
    return family_w + given_w, ", ".join(r for r in (family_r, given_r) if r)


def _name(label: str, a: str, b: str, weights: tuple[float, float, float]) -> tuple[float, str]:
    agree, partly, disagree = weights
    if not a or not b:
        return 0.0, ""
    if a == b:
        return agree, f"same {label}"
    if sound_key(a) == sound_key(b):
        return partly, f"{label} sounds alike"
    if JaroWinkler.normalized_similarity(a, b) >= _ALIKE:
        return partly, f"{label} spelled alike"
    if (len(a) == 1 or len(b) == 1) and a[0] == b[0]:  # an initial
        return partly / 2, f"{label} initial agrees"
    return disagree, f"different {label}"


def _birth_dates(a: date, b: date) -> tuple[float, str]:
    agree, partly, disagree = BIRTH
    if a == b:
        return agree, "same birth date"
    if (a.year, a.month, a.day) == (b.year, b.day, b.month):
        return partly, "birth day and month swapped"
    same_parts = (a.year == b.year) + (a.month == b.month) + (a.day == b.day)
    if same_parts == 2 and (a.year == b.year or _one_digit_apart(a.year, b.year)):
        return partly, "birth date differs in one part"
    return disagree, "different birth date"


def _one_digit_apart(a: int, b: int) -> bool:
    """1958 and 1985 or 1968: a typed year with one wrong or two swapped digits."""
    x, y = f"{a:04d}", f"{b:04d}"
    wrong = [i for i in range(4) if x[i] != y[i]]
    swapped = len(wrong) == 2 and wrong[1] == wrong[0] + 1 and sorted(x) == sorted(y)
    return len(wrong) == 1 or swapped


def _sexes(a: AdministrativeSex, b: AdministrativeSex) -> tuple[float, str]:
    known = {AdministrativeSex.FEMALE, AdministrativeSex.MALE}
    if a not in known or b not in known:
        return 0.0, ""
    return (SEX[0], "") if a == b else (SEX[1], "different sex")


def _plain_field(label: str, a: str, b: str, weights: tuple[float, float]) -> tuple[float, str]:
    a, b = a.strip().upper(), b.strip().upper()
    if not a or not b:
        return 0.0, ""
    return (weights[0], f"same {label}") if a == b else (weights[1], "")


def _digits(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[-10:] if len(digits) >= 7 else ""
