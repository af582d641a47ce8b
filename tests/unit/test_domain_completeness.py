"""Deficiency rules, each with a case that trips it and one that does not."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from himdesk.domain.completeness import (
    CompletenessRules,
    DeficiencyKind,
    EncounterRecord,
    analyze,
)
from himdesk.domain.records import (
    AdministrativeSex,
    ClinicalDocument,
    DischargeDisposition,
    DocumentStatus,
    DocumentType,
    Encounter,
    EncounterClass,
    EncounterStatus,
    Patient,
    Procedure,
)

ADMIT = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
DISCHARGE = ADMIT + timedelta(days=4)
RULES = CompletenessRules()
K = DeficiencyKind
PATIENT = Patient("F", "M0000007", "Reyes", "Ana", date(1950, 6, 1), AdministrativeSex.FEMALE, id=7)
T = DocumentType


def _doc(kind: DocumentType, at: datetime, **changes: object) -> ClinicalDocument:
    header = "HOSPITAL\nTITLE\nPatient: Reyes, Ana    MRN: M0000007    DOB: 06/01/1950"
    base = ClinicalDocument(
        7,
        1,
        kind,
        3,
        at,
        kind.label,
        f"{header}\n\nBody.",
        DocumentStatus.SIGNED,
        3,
        at + timedelta(hours=1),
        id=at.day,
    )
    return replace(base, **changes)


def _stay(*docs: ClinicalDocument, kind: EncounterClass = EncounterClass.INPATIENT,
          procedures: tuple[Procedure, ...] = ()) -> EncounterRecord:  # fmt: skip
    encounter = Encounter(7, kind, ADMIT, "A1", EncounterStatus.DISCHARGED, DISCHARGE, 3,
                          discharge_disposition=DischargeDisposition.HOME, id=1)  # fmt: skip
    return EncounterRecord(PATIENT, encounter, docs, procedures)


CLEAN = (
    _doc(T.HISTORY_AND_PHYSICAL, ADMIT + timedelta(hours=3)),
    _doc(T.PROGRESS_NOTE, ADMIT + timedelta(days=1)),
    _doc(T.DISCHARGE_SUMMARY, DISCHARGE + timedelta(hours=5)),
)


def _kinds(record: EncounterRecord) -> list[DeficiencyKind]:
    return [d.kind for d in analyze(record, RULES)]


def test_a_complete_inpatient_chart_has_no_deficiency() -> None:
    assert _kinds(_stay(*CLEAN)) == []


def test_an_encounter_still_in_progress_is_not_analysed_yet() -> None:
    record = _stay()
    record = replace(record, encounter=replace(record.encounter, discharged_at=None))
    assert _kinds(record) == []


def test_a_missing_discharge_summary_is_a_deficiency_of_the_attending() -> None:
    [found] = analyze(_stay(*CLEAN[:2]), RULES)
    assert (found.kind, found.rule, found.assignee_id) == (
        K.MISSING_DOCUMENT,
        "discharge_summary_required",
        3,
    )
    assert found.due_on == date(2026, 4, 5)


@pytest.mark.parametrize(("hours", "missing"), [(23, False), (30, True), (-24 * 29, False)])
def test_the_history_and_physical_must_be_within_24_hours_after_or_30_days_before(
    hours: int, missing: bool
) -> None:
    hp = _doc(T.HISTORY_AND_PHYSICAL, ADMIT + timedelta(hours=hours))
    record = _stay(hp, *CLEAN[1:])
    assert (K.MISSING_DOCUMENT in _kinds(record)) is missing


def test_an_unsigned_document_is_a_deficiency_of_its_author() -> None:
    draft = replace(CLEAN[1], status=DocumentStatus.DRAFT, signed_by_id=None, signed_at=None)
    [found] = analyze(_stay(CLEAN[0], draft, CLEAN[2]), RULES)
    assert (found.kind, found.assignee_id, found.document_id) == (K.UNSIGNED_DOCUMENT, 3, 3)


def test_a_resident_note_without_cosignature_is_a_deficiency_and_with_one_is_not() -> None:
    resident = replace(CLEAN[1], requires_cosignature=True)
    assert _kinds(_stay(CLEAN[0], resident, CLEAN[2])) == [K.MISSING_COSIGNATURE]
    signed = replace(resident, cosigned_by_id=9, cosigned_at=ADMIT + timedelta(days=2))
    assert _kinds(_stay(CLEAN[0], signed, CLEAN[2])) == []


def test_a_note_naming_another_mrn_is_filed_to_the_wrong_patient() -> None:
    other = replace(CLEAN[1], text=CLEAN[1].text.replace("M0000007", "M0000099"))
    [found] = analyze(_stay(CLEAN[0], other, CLEAN[2]), RULES)
    assert found.kind is K.WRONG_PATIENT and "MRN M0000099" in found.message


def test_a_note_with_another_birth_date_is_filed_to_the_wrong_patient() -> None:
    other = replace(CLEAN[1], text=CLEAN[1].text.replace("06/01/1950", "06/02/1950"))
    assert _kinds(_stay(CLEAN[0], other, CLEAN[2])) == [K.WRONG_PATIENT]


def test_a_progress_note_dated_after_discharge_is_outside_the_encounter() -> None:
    late = _doc(T.PROGRESS_NOTE, DISCHARGE + timedelta(days=9))
    assert _kinds(_stay(*CLEAN, late)) == [K.OUTSIDE_ENCOUNTER]


def test_a_discharge_summary_signed_after_the_limit_is_late() -> None:
    late = _doc(T.DISCHARGE_SUMMARY, DISCHARGE + timedelta(days=31))
    assert _kinds(_stay(*CLEAN[:2], late)) == [K.LATE_DOCUMENT]
    on_time = _doc(T.DISCHARGE_SUMMARY, DISCHARGE + timedelta(days=29))
    assert _kinds(_stay(*CLEAN[:2], on_time)) == []


def test_surgery_needs_an_operative_report_and_removed_tissue_a_pathology_report() -> None:
    surgery = Procedure(7, 1, "Laparoscopic appendectomy", 5, ADMIT + timedelta(hours=6),
                        tissue_removed=True)  # fmt: skip
    record = _stay(*CLEAN, procedures=(surgery,))
    assert sorted(d.rule for d in analyze(record, RULES)) == [
        "operative_report_required",
        "pathology_required",
    ]
    op = _doc(T.OPERATIVE_REPORT, ADMIT + timedelta(hours=7))
    path = _doc(T.PATHOLOGY_REPORT, ADMIT + timedelta(days=2))
    assert _kinds(_stay(*CLEAN, op, path, procedures=(surgery,))) == []


def test_an_emergency_visit_needs_an_ed_note() -> None:
    assert _kinds(_stay(kind=EncounterClass.EMERGENCY)) == [K.MISSING_DOCUMENT]
    note = _doc(T.ED_NOTE, ADMIT + timedelta(hours=1))
    assert _kinds(_stay(note, kind=EncounterClass.EMERGENCY)) == []


def test_a_disabled_rule_reports_nothing() -> None:
    rules = CompletenessRules(disabled=frozenset({K.MISSING_DOCUMENT}))
    assert analyze(_stay(*CLEAN[:2]), rules) == []


def test_a_labelled_document_is_named_by_its_category_not_its_title() -> None:
    from himdesk.domain.sensitivity import SensitiveCategory

    draft = replace(CLEAN[1], status=DocumentStatus.DRAFT, title="Psychiatry consult",
                    sensitivity=SensitiveCategory.BEHAVIORAL_HEALTH)  # fmt: skip
    [found] = analyze(_stay(CLEAN[0], draft, CLEAN[2]), RULES)
    assert found.message.startswith("Restricted document (Behavioral health)")
    assert "Psychiatry" not in found.message


def test_a_document_signed_after_the_allowed_time_is_late_and_one_signed_in_time_is_not() -> None:
    note = _doc(T.PROGRESS_NOTE, ADMIT + timedelta(days=1))
    late = replace(note, signed_at=note.authored_at + timedelta(hours=80))
    assert _kinds(_stay(*CLEAN, late)) == [K.LATE_DOCUMENT]
    assert (
        _kinds(_stay(*CLEAN, replace(late, signed_at=note.authored_at + timedelta(hours=70)))) == []
    )


def test_an_inpatient_stay_without_a_discharge_disposition_or_attending_misses_data() -> None:
    record = _stay(*CLEAN)
    bare = replace(record.encounter, discharge_disposition=None, attending_id=None)
    found = analyze(replace(record, encounter=bare), RULES)
    assert {(d.kind, d.rule) for d in found} == {
        (K.MISSING_DATA, "disposition_required"),
        (K.MISSING_DATA, "attending_required"),
    }


def test_an_outpatient_visit_needs_no_discharge_disposition() -> None:
    record = _stay(kind=EncounterClass.OUTPATIENT)
    visit = replace(record, encounter=replace(record.encounter, discharge_disposition=None))
    assert _kinds(visit) == []


def test_a_discharge_before_the_admission_is_inconsistent() -> None:
    record = _stay(*CLEAN)
    backwards = replace(record.encounter, discharged_at=ADMIT - timedelta(hours=1))
    found = analyze(replace(record, encounter=backwards), RULES)
    assert "discharge_after_admission" in {d.rule for d in found}


def test_a_rule_switched_off_by_name_is_not_reported() -> None:
    record = _stay(CLEAN[0], CLEAN[1])  # no discharge summary
    off = CompletenessRules(disabled=frozenset({"discharge_summary_required"}))
    assert analyze(record, off) == []
