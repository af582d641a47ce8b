"""A clinician's answer to a physician query: checked against the query, the outcome it
amounts to, and the signed addendum that carries it into the record."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from himdesk.domain.demographics import InvalidInput
from himdesk.domain.queries import (
    OTHER,
    UNDETERMINED,
    PhysicianQuery,
    QueryFormat,
    QueryOutcome,
    QueryStatus,
)
from himdesk.domain.query_wording import clean_text
from himdesk.domain.records import Clinician

MAX_ANSWER = 5000


@dataclass(frozen=True)
class Answer:
    option: str
    text: str
    outcome: QueryOutcome


_UNDETERMINED_WORDS = re.compile(
    r"^(?:clinically\s+)?(?:undetermined|unable to determine|cannot determine|can't determine"
    r"|unknown|not known|don't know|do not know|uncertain)\W*$",
    re.IGNORECASE,
)


def answer_of(query: PhysicianQuery, option: str, text: str) -> Answer:
    """The clinician's answer checked against the query, with the outcome it amounts to."""
    errors: dict[str, str] = {}
    option = " ".join(clean_text(option, "option", errors).split())
    text = clean_text(text, "answer", errors)
    if len(text) > MAX_ANSWER:
        errors["answer"] = f"Keep the answer under {MAX_ANSWER} characters."
    if not errors:
        _check_answer(query, option, text, errors)
    if errors:
        raise InvalidInput(errors)
    if query.format is QueryFormat.OPEN_ENDED:
        undetermined = _UNDETERMINED_WORDS.match(text)
        return Answer("", text, QueryOutcome.UNDETERMINED if undetermined else QueryOutcome.AGREED)
    if option == OTHER:
        return Answer(option, text, QueryOutcome.OTHER)
    if option == UNDETERMINED:
        return Answer(option, text, QueryOutcome.UNDETERMINED)
    if _DECLINED.search(option):
        # The clinician judged the indicators not to be a condition: in query metrics that
        # is a disagreement, not an agreement with the query.
        return Answer(option, text, QueryOutcome.DISAGREED)
    return Answer(option, text, QueryOutcome.AGREED)


def _check_answer(query: PhysicianQuery, option: str, text: str, errors: dict[str, str]) -> None:
    if query.format is QueryFormat.OPEN_ENDED:
        if option:
            errors["option"] = "This query is open-ended: answer in your own words."
        elif len(re.findall(r"\w", text)) < 2:
            errors["answer"] = "Write your answer to the query."
    elif not option:
        errors["option"] = "Choose one of the options (or “Other” and say what)."
    elif option not in query.options:
        errors["option"] = "Choose one of the options the query offers."
    elif option == OTHER and len(re.findall(r"\w", text)) < 2:
        errors["answer"] = "You chose “Other”: write what, in your own words."


_DECLINED = re.compile(
    r"without clinical significance|not clinically significant|no clinical significance"
    r"|ruled out",
    re.IGNORECASE,
)
_NOT_A_DIAGNOSIS = re.compile(
    r"without clinical significance|not clinically significant|no clinical significance"
    r"|integral to|ruled out|^(?:left|right|bilateral|both|neither|none)$",
    re.IGNORECASE,
)


def documents_diagnosis(answer: Answer) -> bool:
    """Whether the chosen option names a condition to add to the encounter's diagnoses."""
    return (
        answer.outcome is QueryOutcome.AGREED
        and bool(answer.option)
        and not _NOT_A_DIAGNOSIS.search(answer.option)
    )


def answered(
    query: PhysicianQuery, answer: Answer, by: str, at: datetime, addendum_id: int, coded: bool
) -> PhysicianQuery:
    return replace(
        query, status=QueryStatus.ANSWERED, answer_option=answer.option, answer=answer.text,
        answered_by=by, answered_at=at, addendum_id=addendum_id, outcome=answer.outcome,
        coding_changed=coded, version=query.version + 1,
    )  # fmt: skip


def addendum_title(query: PhysicianQuery) -> str:
    return f"Addendum: answer to physician query {query.id}"


def addendum_text(query: PhysicianQuery, answer: Answer, clinician: Clinician, at: datetime) -> str:
    """The signed addendum quotes the question, its indicators and the answer."""
    lines = [
        f"Addendum in answer to physician query {query.id}, sent {query.asked_at:%Y-%m-%d %H:%M} "
        f"UTC by {query.asked_by}.",
        "",
        f"Question: {query.question}",
        "",
        "Clinical indicators cited:",
        *(f"- {i.line}" for i in query.indicators),
    ]
    # The options not chosen stay with the query, not in the record: text rules would read
    # "Hyponatremia" offered as an option as hyponatremia documented.
    lines += ["", f"Answer: {answer.option or answer.text}"]
    if answer.option and answer.text:
        lines.append(f"Comment: {answer.text}")
    lines += ["", f"Electronically signed by {clinician.display_name} on {at:%Y-%m-%d %H:%M} UTC."]
    return "\n".join(lines)
