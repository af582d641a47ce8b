"""Compliant physician queries (AHIMA/ACDIS query practice brief): each rule refuses what it
must and lets a compliant query through; answers, the addendum, suggestions and metrics."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from himdesk.domain.completeness import (
    Deficiency,
    DeficiencyKind,
    EncounterRecord,
    Evidence,
    EvidenceSource,
)
from himdesk.domain.demographics import InvalidInput
from himdesk.domain.queries import (
    OTHER,
    RESPONSE_TIME,
    UNDETERMINED,
    PhysicianQuery,
    QueryForm,
    QueryFormat,
    QueryOutcome,
    QuerySubject,
    compose_query,
    escalated,
    escalation_target,
)
from himdesk.domain.query_answers import addendum_text, answer_of, answered, documents_diagnosis
from himdesk.domain.query_metrics import measure
from himdesk.domain.query_suggestions import NO_SIGNIFICANCE, WITHHELD, suggest
from himdesk.domain.records import (
    AbnormalFlag,
    AdministrativeSex,
    ClinicalDocument,
    Clinician,
    DocumentType,
    Encounter,
    EncounterClass,
    EncounterStatus,
    Observation,
    Patient,
)
from himdesk.domain.sensitivity import SensitiveCategory

NOW = datetime(2026, 11, 2, 14, 30, tzinfo=UTC)
OSLER = Clinician(3, "1000000001", "Osler", "William", "MD", "Internal Medicine")
SUBJECT = QuerySubject(encounter_id=1, patient_id=7, deficiency_id=None, addressee=OSLER)
SODIUM = "Sodium 128 mmol/L (low) — Sodium result of 2026-11-01 10:30"
COMPLIANT = QueryForm(
    question="Based on your clinical judgment, please clarify the condition, if any, that the "
    "findings below represent.",
    indicators=f"{SODIUM}\nNormal saline at 75 mL/h — Medication list, started 2026-10-29",
    format="multiple_choice",
    options=f"Hyponatremia\nDilutional hyponatremia\n{NO_SIGNIFICANCE}",
)


def _refused(form: QueryForm, subject: QuerySubject = SUBJECT) -> dict[str, str]:
    with pytest.raises(InvalidInput) as refused:
        compose_query(form, subject, "hana", NOW)
    return refused.value.errors


def test_a_compliant_multiple_choice_query_is_accepted_with_other_and_undetermined_last() -> None:
    query = compose_query(COMPLIANT, SUBJECT, "hana", NOW)
    assert query.format is QueryFormat.MULTIPLE_CHOICE
    assert query.options == ("Hyponatremia", "Dilutional hyponatremia", NO_SIGNIFICANCE,
                             OTHER, UNDETERMINED)  # fmt: skip
    assert query.indicators[0].quote == "Sodium 128 mmol/L (low)"
    assert query.indicators[0].where == "Sodium result of 2026-11-01 10:30"
    assert query.addressee_id == OSLER.id and query.asked_by == "hana"


def test_the_answer_is_due_72_hours_after_the_query_is_sent() -> None:
    query = compose_query(COMPLIANT, SUBJECT, "hana", NOW)
    assert timedelta(hours=72) == RESPONSE_TIME
    assert query.due_at == NOW + timedelta(hours=72)
    assert not query.is_overdue(NOW + timedelta(hours=72))
    assert query.is_overdue(NOW + timedelta(hours=72, minutes=1))


def test_fallback_options_typed_by_the_user_are_not_doubled() -> None:
    form = replace(COMPLIANT, options="Hyponatremia\nDilutional hyponatremia\nother\nUnable to "
                   "determine")  # fmt: skip
    query = compose_query(form, SUBJECT, "hana", NOW)
    assert query.options == ("Hyponatremia", "Dilutional hyponatremia", OTHER, UNDETERMINED)


def test_an_open_ended_query_offers_no_options_even_when_the_form_has_some() -> None:
    query = compose_query(replace(COMPLIANT, format="open_ended"), SUBJECT, "hana", NOW)
    assert query.format is QueryFormat.OPEN_ENDED and query.options == ()


def test_a_query_without_clinical_indicators_is_refused() -> None:
    errors = _refused(replace(COMPLIANT, indicators="  \n "))
    assert "clinical indicator" in errors["indicators"]


def test_an_indicator_must_say_where_in_the_record_it_is() -> None:
    errors = _refused(replace(COMPLIANT, indicators="Sodium 128 mmol/L"))
    assert errors["indicators"].startswith("Indicator 1:")


def test_an_empty_question_is_refused() -> None:
    assert "question" in _refused(replace(COMPLIANT, question="   "))


def test_multiple_choice_needs_two_clinically_reasonable_options() -> None:
    errors = _refused(replace(COMPLIANT, options=f"Hyponatremia\n{OTHER}\n{UNDETERMINED}"))
    assert "at least two" in errors["options"]


@pytest.mark.parametrize("options", ["Yes\nNo", "yes\nno\nOther", "Agree\nDisagree"])
def test_yes_no_options_for_a_new_diagnosis_are_refused(options: str) -> None:
    assert "Yes/no" in _refused(replace(COMPLIANT, options=options))["options"]


@pytest.mark.parametrize(
    "question",
    [
        "Documenting hyponatremia would add an MCC to this DRG. Please clarify.",
        "Please clarify; this affects reimbursement.",
        "Would a CC apply here? Please clarify the condition.",
        "Please clarify the condition; the severity of illness score depends on it.",
        "Please clarify the condition, worth $4,000 in payment.",
    ],
)
def test_any_mention_of_payment_or_severity_scores_is_refused(question: str) -> None:
    assert "financial" in _refused(replace(COMPLIANT, question=question))["question"]


def test_cc_in_a_quoted_indicator_is_the_chief_complaint_and_is_allowed() -> None:
    form = replace(COMPLIANT, indicators=f"CC: weakness and confusion — History and physical\n"
                   f"{SODIUM}")  # fmt: skip
    assert compose_query(form, SUBJECT, "hana", NOW).indicators[0].quote.startswith("CC:")


@pytest.mark.parametrize(
    "question",
    [
        "Please document hyponatremia in the discharge summary.",
        "Can you add acute kidney injury to the diagnoses?",
        "Do you agree that the patient has sepsis?",
        "Does the patient have anemia?",
        "Are you treating for hyponatremia?",
        "Please document the diagnosis of hyponatremia.",
    ],
)
def test_leading_phrasing_that_names_the_diagnosis_to_add_is_refused(question: str) -> None:
    assert "leads the clinician" in _refused(replace(COMPLIANT, question=question))["question"]


@pytest.mark.parametrize(
    "question",
    [
        "Please document the condition and the causative organism (if known) in the record.",
        "Based on your clinical judgment, can you provide a diagnosis that represents the "
        "indicators below?",
        "Please document your clinical judgment of the findings below.",
        "Does the patient have a condition that accounts for the findings below?",
    ],
)
def test_neutral_requests_for_the_clinicians_judgment_are_accepted(question: str) -> None:
    assert compose_query(replace(COMPLIANT, question=question), SUBJECT, "hana", NOW)


def test_the_addressee_must_be_a_clinician() -> None:
    errors = _refused(COMPLIANT, replace(SUBJECT, addressee=None))
    assert errors == {"addressee_id": "Choose the clinician the query is for."}


def test_an_unknown_format_and_control_characters_are_refused() -> None:
    errors = _refused(replace(COMPLIANT, format="yes_no", question="\x00<script>"))
    assert set(errors) == {"format", "question"}


def _query(**changes: object) -> PhysicianQuery:
    return replace(compose_query(COMPLIANT, SUBJECT, "hana", NOW), id=12, **changes)


def test_a_listed_diagnosis_is_agreed_and_documents_a_diagnosis() -> None:
    answer = answer_of(_query(), "Hyponatremia", "")
    assert answer.outcome is QueryOutcome.AGREED and documents_diagnosis(answer)


def test_without_clinical_significance_is_a_disagreement_and_adds_no_diagnosis() -> None:
    answer = answer_of(_query(), NO_SIGNIFICANCE, "")
    assert answer.outcome is QueryOutcome.DISAGREED and not documents_diagnosis(answer)


def test_other_needs_the_clinicians_own_words() -> None:
    with pytest.raises(InvalidInput) as refused:
        answer_of(_query(), OTHER, " ")
    assert "answer" in refused.value.errors
    answer = answer_of(_query(), OTHER, "SIADH from the sertraline")
    assert answer.outcome is QueryOutcome.OTHER and not documents_diagnosis(answer)


def test_clinically_undetermined_is_an_answer() -> None:
    assert answer_of(_query(), UNDETERMINED, "").outcome is QueryOutcome.UNDETERMINED


@pytest.mark.parametrize("option", ["", "Hypernatremia", "\x00<script>"])
def test_an_option_not_offered_is_refused(option: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        answer_of(_query(), option, "")
    assert "option" in refused.value.errors


def test_open_ended_answers_are_judged_by_their_words() -> None:
    query = _query(options=())
    assert answer_of(query, "", "Dilutional hyponatremia").outcome is QueryOutcome.AGREED
    assert answer_of(query, "", "Clinically undetermined.").outcome is QueryOutcome.UNDETERMINED
    with pytest.raises(InvalidInput):
        answer_of(query, "", "?")
    with pytest.raises(InvalidInput):
        answer_of(query, "Hyponatremia", "Hyponatremia")


def test_the_addendum_quotes_the_query_its_indicators_and_the_answer() -> None:
    query = _query()
    text = addendum_text(query, answer_of(query, "Hyponatremia", "Fluid restrict."), OSLER, NOW)
    assert "physician query 12" in text and COMPLIANT.question in text
    assert f"- {SODIUM}" in text
    assert "Answer: Hyponatremia\nComment: Fluid restrict." in text
    assert "Dilutional" not in text  # options not chosen would read as documented
    assert "signed by William Osler, MD" in text
    assert "MRN:" not in text  # the filing rule reads an MRN in a header as another patient's


def test_an_answered_query_keeps_the_answer_outcome_and_addendum() -> None:
    query = _query()
    done = answered(query, answer_of(query, "Hyponatremia", ""), "osler", NOW, 55, True)
    assert not done.is_open and done.addendum_id == 55 and done.coding_changed
    assert done.version == query.version + 1


def test_escalation_goes_to_the_attending_and_counts_as_no_response_so_far() -> None:
    query = escalated(_query(addressee_id=8), NOW + timedelta(hours=80))
    assert query.outcome is QueryOutcome.NO_RESPONSE and query.is_open
    assert escalation_target(query, attending_id=3) == 3
    assert escalation_target(query, attending_id=None) == 8


PATIENT = Patient("F", "M7", "Reyes", "Ana", date(1950, 6, 1), AdministrativeSex.FEMALE, id=7)
STAY = Encounter(7, EncounterClass.INPATIENT, NOW - timedelta(days=5), "A1",
                 EncounterStatus.DISCHARGED, NOW - timedelta(days=1), 3, id=1)  # fmt: skip
RESULT = Observation(7, 1, "2951-2", "Sodium", Decimal(128), "mmol/L", NOW - timedelta(days=2),
                     Decimal(135), Decimal(145), AbnormalFlag.LOW, id=40)  # fmt: skip


def _finding(kind: DeficiencyKind, *evidence: Evidence, message: str = "Finding.") -> Deficiency:
    return Deficiency(kind, "rule", message, 3, date(2026, 12, 1), evidence=evidence)


def test_a_low_sodium_suggests_hyponatremia_options_with_the_result_as_indicator() -> None:
    finding = _finding(DeficiencyKind.RESULT_WITHOUT_DIAGNOSIS,
                       Evidence(EvidenceSource.RESULT, 40, "Sodium 128 mmol/L (L)"),
                       message="Sodium 128 mmol/L with no hyponatremia documented.")  # fmt: skip
    suggestion = suggest(finding, EncounterRecord(PATIENT, STAY, (), observations=(RESULT,)))
    assert suggestion.format is QueryFormat.MULTIPLE_CHOICE
    assert suggestion.options[:2] == ("Hyponatremia", "Dilutional hyponatremia")
    assert suggestion.options[-2:] == (OTHER, UNDETERMINED)
    [indicator] = suggestion.indicators
    assert indicator.line == "Sodium 128 mmol/L (L) — Sodium result of 2026-10-31 14:30"


def test_a_high_sodium_suggests_hypernatremia_not_hyponatremia() -> None:
    finding = _finding(DeficiencyKind.RESULT_WITHOUT_DIAGNOSIS,
                       message="Sodium 152 mmol/L with no hypernatremia documented.")  # fmt: skip
    assert suggest(finding, EncounterRecord(PATIENT, STAY, ())).options[0] == "Hypernatremia"


def test_a_laterality_conflict_suggests_the_sides() -> None:
    suggestion = suggest(_finding(DeficiencyKind.LATERALITY_CONFLICT), EncounterRecord(
        PATIENT, STAY, ()))  # fmt: skip
    assert suggestion.options[:3] == ("Left", "Right", "Bilateral")


def test_a_finding_without_known_answers_suggests_an_open_ended_query() -> None:
    record = EncounterRecord(PATIENT, STAY, ())
    assert suggest(_finding(DeficiencyKind.ALLERGY_CONFLICT), record).format.value == "open_ended"
    assert suggest(None, record).indicators == ()


def test_a_quote_from_a_restricted_document_is_withheld_from_the_form() -> None:
    note = ClinicalDocument(7, 1, DocumentType.PROGRESS_NOTE, 3, NOW - timedelta(days=2),
                            "Psychiatry note", "Text.", id=9,
                            sensitivity=SensitiveCategory.BEHAVIORAL_HEALTH)  # fmt: skip
    finding = _finding(DeficiencyKind.LATERALITY_CONFLICT,
                       Evidence(EvidenceSource.DOCUMENT, 9, "left knee"))  # fmt: skip
    [indicator] = suggest(finding, EncounterRecord(PATIENT, STAY, (note,))).indicators
    assert indicator.quote == WITHHELD and "Psychiatry" not in indicator.where


def test_metrics_count_rates_and_response_hours() -> None:
    base = _query()
    fast = answered(base, answer_of(base, "Hyponatremia", ""), "o", NOW + timedelta(hours=2), 1,
                    True)  # fmt: skip
    slow = answered(base, answer_of(base, UNDETERMINED, ""), "o", NOW + timedelta(hours=10), 2,
                    False)  # fmt: skip
    late = escalated(base, NOW + timedelta(hours=80))
    fresh = replace(base, asked_at=NOW + timedelta(hours=70), due_at=NOW + timedelta(hours=142))
    m = measure([fast, slow, late, fresh], NOW + timedelta(hours=80))
    assert (m.sent, m.answered, m.open, m.overdue, m.escalated) == (4, 2, 2, 1, 1)
    assert (m.median_response_hours, m.mean_response_hours) == (6.0, 6.0)
    rates = {o.value: (s.count, s.percent) for o, s in m.outcomes.items()}
    assert rates == {"agreed": (1, 33.3), "disagreed": (0, 0.0), "other": (0, 0.0),
                     "undetermined": (1, 33.3), "no_response": (1, 33.3)}  # fmt: skip
    assert (m.coding_changed.count, m.coding_changed.percent) == (1, 50.0)
    assert measure([], NOW).as_json()["response_hours"] == {"median": None, "mean": None}
