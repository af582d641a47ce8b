"""Physician queries, kept compliant with the AHIMA/ACDIS "Guidelines for Achieving a
Compliant Query Practice" (2022 update).

A query asks the clinician to clarify documentation; it must never tell them what to
document. So every query here:
- cites clinical indicators from this patient's record for this stay, each with where in
  the record it stands (a query without indicators is leading by definition);
- is open-ended, or multiple choice listing the clinically reasonable options plus "Other"
  (with room for free text) and "Clinically undetermined". Those two are added when the
  user leaves them out, rather than refusing: the practice brief wants both on every
  multiple-choice query, so a refusal would only make the user type what must be there;
- needs at least two listed options besides those two. The brief allows a single reasonable
  diagnosis, but then a second option such as "without clinical significance" keeps the
  query from being a yes/no question in disguise;
- never asks yes/no about a new diagnosis, never directs ("please document hyponatremia",
  "can you add ..."), and never mentions payment, DRG, CC/MCC or severity scores
  (the words are in `query_wording`; the answer and its addendum in `query_answers`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from himdesk.domain.demographics import InvalidInput
from himdesk.domain.query_wording import NO_MONEY, clean_text, leading_phrase, mentions_money
from himdesk.domain.records import Clinician

# Most successful query programmes expect an answer within about 72 hours and print that on
# the query (ACDIS); it keeps the bill hold within the usual three to five days after
# discharge. It is a business practice the same for every clinician, not a setting.
RESPONSE_TIME = timedelta(hours=72)

OTHER = "Other"
UNDETERMINED = "Clinically undetermined"
MAX_QUESTION = 2000
MAX_INDICATOR = 500
MAX_INDICATORS = 30
MAX_OPTION = 200
MAX_OPTIONS = 12


class QueryFormat(enum.StrEnum):
    OPEN_ENDED = "open_ended"
    MULTIPLE_CHOICE = "multiple_choice"

    @property
    def label(self) -> str:
        return "Open-ended" if self is QueryFormat.OPEN_ENDED else "Multiple choice"


class QueryStatus(enum.StrEnum):
    OPEN = "open"
    ESCALATED = "escalated"  # unanswered past due: still the addressee's, the attending told
    ANSWERED = "answered"


class QueryOutcome(enum.StrEnum):
    AGREED = "agreed"  # a listed clinical option, or a substantive answer in own words
    DISAGREED = "disagreed"  # the clinician declined the condition: no significance, ruled out
    OTHER = "other"
    UNDETERMINED = "undetermined"
    NO_RESPONSE = "no_response"  # past due and unanswered

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class ClinicalIndicator:
    """What the record says, and where it says it."""

    quote: str
    where: str

    @property
    def line(self) -> str:
        return f"{self.quote} — {self.where}"


@dataclass(frozen=True)
class PhysicianQuery:
    encounter_id: int
    patient_id: int
    addressee_id: int
    asked_by: str
    asked_at: datetime
    due_at: datetime
    question: str
    indicators: tuple[ClinicalIndicator, ...]
    options: tuple[str, ...]  # none: open-ended
    deficiency_id: int | None = None
    status: QueryStatus = QueryStatus.OPEN
    escalated_at: datetime | None = None
    answer_option: str = ""
    answer: str = ""
    answered_by: str = ""
    answered_at: datetime | None = None
    addendum_id: int | None = None
    outcome: QueryOutcome | None = None
    coding_changed: bool | None = None
    id: int | None = None
    version: int = 1

    @property
    def format(self) -> QueryFormat:
        return QueryFormat.MULTIPLE_CHOICE if self.options else QueryFormat.OPEN_ENDED

    @property
    def is_open(self) -> bool:
        return self.status is not QueryStatus.ANSWERED

    def is_overdue(self, now: datetime) -> bool:
        return self.is_open and now > self.due_at

    @property
    def response_hours(self) -> float | None:
        if self.answered_at is None:
            return None
        return (self.answered_at - self.asked_at).total_seconds() / 3600


@dataclass(frozen=True)
class QueryForm:
    """A query as typed: indicators and options one per line."""

    question: str = ""
    indicators: str = ""
    format: str = ""
    options: str = ""
    addressee_id: str = ""
    deficiency_id: str = ""


@dataclass(frozen=True)
class QuerySubject:
    encounter_id: int
    patient_id: int
    deficiency_id: int | None
    addressee: Clinician | None


def compose_query(form: QueryForm, subject: QuerySubject, by: str, now: datetime) -> PhysicianQuery:
    """The query as it will be sent, or InvalidInput naming every field that breaks a rule."""
    errors: dict[str, str] = {}
    question = _question(form.question, errors)
    indicators = _indicators(form.indicators, errors)
    options = _options(form.options, form.format, errors)
    if subject.addressee is None:
        errors["addressee_id"] = "Choose the clinician the query is for."
    if errors:
        raise InvalidInput(errors)
    assert subject.addressee is not None  # noqa: S101 - checked above
    return PhysicianQuery(
        encounter_id=subject.encounter_id, patient_id=subject.patient_id,
        addressee_id=subject.addressee.id, asked_by=by, asked_at=now,
        due_at=now + RESPONSE_TIME, question=question,
        indicators=indicators, options=options, deficiency_id=subject.deficiency_id,
    )  # fmt: skip


def _question(text: str, errors: dict[str, str]) -> str:
    question = clean_text(text, "question", errors)
    if "question" in errors:
        return question
    if not question:
        errors["question"] = "Write the question for the clinician."
    elif len(question) > MAX_QUESTION:
        errors["question"] = f"Keep the question under {MAX_QUESTION} characters."
    elif mentions_money(question, own_words=True):
        errors["question"] = NO_MONEY
    elif leading_phrase(question):
        errors["question"] = (
            f"“{leading_phrase(question)}” leads the clinician to an answer. Ask for their "
            "clinical judgment instead (e.g. “please document the condition, if any, that "
            "these indicators represent”)."
        )
    return question


def _indicators(text: str, errors: dict[str, str]) -> tuple[ClinicalIndicator, ...]:
    lines = [line.strip() for line in clean_text(text, "indicators", errors).splitlines()]
    lines = [line.lstrip("-•* ").strip() for line in lines if line]
    if "indicators" in errors:
        return ()
    if not lines:
        errors["indicators"] = (
            "Cite at least one clinical indicator from the record (what it says — where it "
            "is): a query without clinical indicators is leading."
        )
        return ()
    if len(lines) > MAX_INDICATORS:
        errors["indicators"] = f"Cite at most {MAX_INDICATORS} clinical indicators."
        return ()
    found = []
    for number, line in enumerate(lines, start=1):
        sep = next((s for s in (" — ", " -- ", " - ") if s in line), "")
        quote, where = line.rsplit(sep, 1) if sep else (line, "")
        if not quote.strip() or not where.strip() or len(line) > MAX_INDICATOR:
            errors["indicators"] = (
                f"Indicator {number}: write what the record says and where, as “Sodium "
                f"128 mmol/L — Sodium result of 2026-11-01”, in under {MAX_INDICATOR} characters."
            )
            return ()
        found.append(ClinicalIndicator(quote.strip(), where.strip()))
    if any(mentions_money(i.line) for i in found):
        errors["indicators"] = NO_MONEY
    return tuple(found)


_YES_NO = {"yes", "no", "y", "n", "true", "false", "agree", "disagree"}


def _options(text: str, chosen_format: str, errors: dict[str, str]) -> tuple[str, ...]:
    if chosen_format not in set(QueryFormat):
        errors["format"] = "Choose open-ended or multiple choice."
        return ()
    if chosen_format == QueryFormat.OPEN_ENDED:
        return ()  # suggested options stay on the form; an open-ended query offers none
    given: list[str] = []
    for line in clean_text(text, "options", errors).splitlines():
        option = " ".join(line.lstrip("-•* ").split())
        if option and option.casefold() not in {o.casefold() for o in given}:
            given.append(option)
    clinical = [o for o in given if not is_fallback(o)]
    if "options" in errors:
        return ()
    if clinical and all(o.casefold().rstrip(".") in _YES_NO for o in clinical):
        errors["options"] = (
            "Yes/no options cannot ask about a new diagnosis: list the clinically reasonable "
            "diagnoses, or ask an open-ended question."
        )
    elif len(clinical) < 2:
        errors["options"] = (
            "List at least two clinically reasonable options (e.g. the condition and "
            "“Abnormal finding without clinical significance”); “Other” and “Clinically "
            "undetermined” are added for you."
        )
    elif len(clinical) > MAX_OPTIONS or any(len(o) > MAX_OPTION for o in clinical):
        errors["options"] = f"Offer at most {MAX_OPTIONS} options of {MAX_OPTION} characters."
    elif any(mentions_money(o, own_words=True) for o in clinical):
        errors["options"] = NO_MONEY
    return (*clinical, OTHER, UNDETERMINED)


def is_fallback(option: str) -> bool:
    """'Other' and 'Clinically undetermined' (and their usual spellings)."""
    words = option.casefold().strip(" .")
    return words in {"other", "clinically undetermined", "undetermined", "unable to determine"}


def escalated(query: PhysicianQuery, at: datetime) -> PhysicianQuery:
    """Past due and unanswered: no response so far; it stays with the addressee."""
    return replace(query, status=QueryStatus.ESCALATED, escalated_at=at,
                   outcome=QueryOutcome.NO_RESPONSE, version=query.version + 1)  # fmt: skip


def escalation_target(query: PhysicianQuery, attending_id: int | None) -> int:
    """The attending hears of an unanswered query put to someone else; else the addressee."""
    return attending_id if attending_id is not None else query.addressee_id
