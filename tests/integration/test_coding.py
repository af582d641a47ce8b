"""Coding an encounter against the real code sets, grouper and code editor, on every
backend: save, the live review, final coding refused while errors remain, the lock, reopening
with a reason, versions, the worklist and productivity."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, PermissionDenied, Role
from himdesk.domain.coding.abstract_draft import AbstractDraft
from himdesk.domain.coding.coding_work import CodingProgress
from himdesk.domain.demographics import InvalidInput
from himdesk.domain.records import DischargeDisposition, Encounter, EncounterClass, EncounterStatus
from himdesk.services.coding import (
    FinalCodingRefused,
    finalize_coding,
    preview_abstract,
    reopen_coding,
    save_abstract,
)
from himdesk.services.coding_productivity import coding_productivity
from himdesk.services.coding_review import NOT_LOADED
from himdesk.services.coding_screen import NotDischarged, open_abstract
from himdesk.services.coding_worklist import coding_worklist
from himdesk.services.errors import Conflict, NotFound
from tests.fakes import ChartBuilder, FakeClock

CODER = Actor(user_id=41, username="cora", role=Role.CODER)
READ = "coding.abstract.read"
HEART_FAILURE = AbstractDraft(["I50.21", "N17.9"], ["Y", "N"], disposition="01")
# Acute respiratory failure with hypoxia, an MCC: heart failure and shock with MCC (291).
WITH_MCC = AbstractDraft(["I50.21", "N17.9", "J96.01"], ["Y", "N", "N"], disposition="01")


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def stays(coding_himdesk: Himdesk) -> dict[str, int]:
    """A heart-failure stay discharged in FY2026 (its weights are loaded), one discharged in
    FY2027 (coded against FY2026, the nearest loaded), and one still in the hospital."""
    with coding_himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        doctor = build.clinician()
        patient = build.patient()
        assert patient.id is not None
        ids = {"patient": patient.id}
        for name, admitted, discharged in (
            ("fy2026", at(3, 2, 9), at(3, 6, 15)),
            ("fy2027", at(10, 27, 9), at(11, 1, 11)),
            ("in house", at(11, 1, 9), None),
        ):  # fmt: skip
            encounter = uow.chart.add_encounter(Encounter(
                patient_id=patient.id, encounter_class=EncounterClass.INPATIENT,
                admitted_at=admitted, account_number=f"A-{name}",
                status=EncounterStatus.DISCHARGED if discharged else EncounterStatus.IN_PROGRESS,
                discharged_at=discharged, attending_id=doctor.id,
                discharge_disposition=DischargeDisposition.HOME if discharged else None,
            ))  # fmt: skip
            assert encounter.id is not None
            ids[name] = encounter.id
        uow.commit()
    return ids


def save(himdesk: Himdesk, encounter_id: int, draft: AbstractDraft = HEART_FAILURE) -> None:
    with himdesk.unit_of_work() as uow:
        save_abstract(uow, CODER, himdesk.code_reference, encounter_id, draft)


def finalize(himdesk: Himdesk, encounter_id: int, draft: AbstractDraft | None = None) -> None:
    with himdesk.unit_of_work() as uow:
        finalize_coding(uow, CODER, himdesk.code_reference, encounter_id, draft)


def screen_of(himdesk: Himdesk, encounter_id: int):  # type: ignore[no-untyped-def]
    with himdesk.unit_of_work() as uow:
        return open_abstract(uow, CODER, himdesk.code_reference, encounter_id)


def test_a_saved_abstract_groups_to_its_drg_with_weight_and_release_year(
    coding_himdesk: Himdesk, stays: dict[str, int]
) -> None:
    save(coding_himdesk, stays["fy2026"])
    screen = screen_of(coding_himdesk, stays["fy2026"])
    abstract = screen.abstract
    assert abstract is not None and not abstract.is_final
    assert [d.shown for d in abstract.diagnoses] == ["I50.21", "N17.9"]
    assert (abstract.code_set_year, abstract.drg.drg) == (2026, "292")
    assert abstract.drg.weight == Decimal("0.8490")
    drg = screen.review.drg
    assert drg is not None and drg.title == "Heart Failure and Shock with CC"
    assert [(d.code, d.severity) for d in drg.drivers if d.role == "secondary"] == [("N17.9", "CC")]
    assert screen.review.titles["I5021"] == "Acute systolic (congestive) heart failure"
    assert screen.review.ready and screen.progress == "in progress"
    with coding_himdesk.unit_of_work() as uow:
        actions = [(e.entry.action, e.entry.patient_id) for e in uow.audit.iterate()][-2:]
    assert actions == [("coding.abstract.save", stays["patient"]),
                       ("coding.abstract.read", stays["patient"])]  # fmt: skip


def test_a_code_the_release_lacks_is_refused_naming_its_row_and_nothing_is_saved(
    coding_himdesk: Himdesk, stays: dict[str, int]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        save(coding_himdesk, stays["fy2026"], AbstractDraft(["I50.21", "I50.99"], ["Y", "Y"]))
    assert refused.value.errors == {
        "dx-2": "Diagnosis row 2: I50.99 is not a code in ICD-10-CM FY2026."
    }
    assert screen_of(coding_himdesk, stays["fy2026"]).abstract is None


def test_final_coding_is_refused_while_an_error_edit_remains_and_nothing_is_written(
    coding_himdesk: Himdesk, stays: dict[str, int]
) -> None:
    header = AbstractDraft(["I50", "N17.9"], ["Y", "N"], disposition="01")
    with pytest.raises(FinalCodingRefused) as refused:
        finalize(coding_himdesk, stays["fy2026"], header)
    assert any(p.startswith("I50:") for p in refused.value.problems), refused.value.problems
    assert screen_of(coding_himdesk, stays["fy2026"]).abstract is None
    with pytest.raises(Conflict, match="has no abstract yet"):
        finalize(coding_himdesk, stays["fy2026"])


def test_final_coding_locks_the_abstract_until_it_is_reopened_with_a_reason(
    coding_himdesk: Himdesk, stays: dict[str, int]
) -> None:
    encounter = stays["fy2026"]
    finalize(coding_himdesk, encounter, HEART_FAILURE)
    with pytest.raises(Conflict, match="is final-coded: reopen it"):
        save(coding_himdesk, encounter, WITH_MCC)
    with coding_himdesk.unit_of_work() as uow, pytest.raises(InvalidInput):
        reopen_coding(uow, CODER, encounter, "   ")
    with coding_himdesk.unit_of_work() as uow:
        reopen_coding(uow, CODER, encounter, "Query answered: acute respiratory failure")
    save(coding_himdesk, encounter, WITH_MCC)
    finalize(coding_himdesk, encounter)
    screen = screen_of(coding_himdesk, encounter)
    assert screen.abstract is not None and screen.abstract.is_final
    assert (screen.abstract.version, screen.abstract.drg.drg) == (2, "291")
    assert [(h.version.event, h.version.reason, h.drg_before, h.drg_after)
            for h in screen.history] == [
        ("final", "", "", "292"),
        ("reopened", "Query answered: acute respiratory failure", "292", ""),
        ("final", "", "292", "291"),
    ]  # fmt: skip
    with coding_himdesk.unit_of_work() as uow:
        writes = [e.entry.action for e in uow.audit.iterate() if e.entry.action != READ]
    assert writes == ["coding.abstract.finalize", "coding.abstract.reopen",
                      "coding.abstract.save", "coding.abstract.finalize"]  # fmt: skip


def test_the_worklist_drops_a_final_coded_encounter_and_shows_it_again_when_reopened(
    coding_himdesk: Himdesk, stays: dict[str, int]
) -> None:
    def listed() -> dict[int, CodingProgress]:
        with coding_himdesk.unit_of_work() as uow:
            found = coding_worklist(uow, CODER).found
        return {i.encounter_id: i.progress for i in found.items}

    assert listed() == {stays["fy2026"]: CodingProgress.NOT_STARTED,
                        stays["fy2027"]: CodingProgress.NOT_STARTED}  # fmt: skip
    finalize(coding_himdesk, stays["fy2026"], HEART_FAILURE)
    assert listed() == {stays["fy2027"]: CodingProgress.NOT_STARTED}
    with coding_himdesk.unit_of_work() as uow:
        reopen_coding(uow, CODER, stays["fy2026"], "Late discharge summary addendum")
    assert listed()[stays["fy2026"]] is CodingProgress.REOPENED


def test_a_later_discharge_is_coded_against_the_nearest_release_and_says_so(
    coding_himdesk: Himdesk, stays: dict[str, int]
) -> None:
    screen = screen_of(coding_himdesk, stays["fy2027"])
    assert screen.review.release_label == "ICD-10-CM FY2026"
    assert "FY2027 is not loaded" in screen.review.code_set_note
    assert screen.draft.disposition == "01"  # as registration recorded it
    assert screen.abstract is None and screen.progress == "not started"


def test_the_preview_reviews_the_codes_as_typed_without_saving(
    coding_himdesk: Himdesk, stays: dict[str, int]
) -> None:
    with coding_himdesk.unit_of_work() as uow:
        review = preview_abstract(uow, CODER, coding_himdesk.code_reference, stays["fy2026"],
                                  WITH_MCC)  # fmt: skip
    assert review.drg is not None and review.drg.drg == "291"
    assert screen_of(coding_himdesk, stays["fy2026"]).abstract is None


def test_an_encounter_still_in_the_hospital_is_not_coded(
    coding_himdesk: Himdesk, stays: dict[str, int]
) -> None:
    with pytest.raises(NotDischarged, match="is not discharged"):
        screen_of(coding_himdesk, stays["in house"])
    with pytest.raises(NotFound):
        screen_of(coding_himdesk, 99_999)


def test_without_code_sets_the_screen_opens_and_says_why_nothing_can_be_saved(
    himdesk: Himdesk,
) -> None:
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        stay = build.inpatient_stay(build.patient(), build.clinician())
        uow.commit()
    assert stay.id is not None
    screen = screen_of(himdesk, stay.id)
    assert screen.review.unavailable == [NOT_LOADED]
    assert screen.review.drg is None
    with pytest.raises(Conflict, match="No ICD-10-CM code set is loaded"):
        save(himdesk, stay.id)


def test_productivity_counts_final_codings_per_day_type_and_coder(
    coding_himdesk: Himdesk, clock: FakeClock, stays: dict[str, int]
) -> None:
    finalize(coding_himdesk, stays["fy2026"], HEART_FAILURE)
    clock.advance(days=1)
    finalize(coding_himdesk, stays["fy2027"], HEART_FAILURE)
    with coding_himdesk.unit_of_work() as uow:
        report = coding_productivity(uow, CODER)
    assert report.total == 2
    assert [(row.label, row.total) for row in report.by_day] == [("2026-11-02", 1),
                                                                 ("2026-11-03", 1)]  # fmt: skip
    assert [(row.label, row.by_class[0]) for row in report.by_coder] == [("cora", 2)]


def test_roles_without_coding_permission_are_refused(
    coding_himdesk: Himdesk, stays: dict[str, int]
) -> None:
    clinician = Actor(user_id=51, username="doc", role=Role.CLINICIAN)
    with coding_himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        coding_worklist(uow, clinician)
    with coding_himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        open_abstract(uow, clinician, coding_himdesk.code_reference, stays["fy2026"])
    hit = Actor(user_id=52, username="tia", role=Role.HIT)
    with coding_himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        coding_productivity(uow, hit)


def test_two_coders_saving_a_new_abstract_at_once_both_succeed_one_after_the_other(
    coding_himdesk: Himdesk, stays: dict[str, int]
) -> None:
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def save_now(draft: AbstractDraft) -> None:
        start.wait()
        try:
            save(coding_himdesk, stays["fy2026"], draft)
        except BaseException as failure:  # reported below, on the test's thread
            failures.append(failure)

    threads = [threading.Thread(target=save_now, args=(d,)) for d in (HEART_FAILURE, WITH_MCC)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    abstract = screen_of(coding_himdesk, stays["fy2026"]).abstract
    assert abstract is not None and abstract.drg.drg in ("291", "292")
