"""Patient merges (HL7 ADT^A40): the whole chart moves, is recorded exactly, and comes back."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Connection, select

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, PermissionDenied, Role
from himdesk.domain.demographics import InvalidInput
from himdesk.domain.incoming import Submission
from himdesk.domain.patient_merges import PatientMerge
from himdesk.interop.hl7v2.reader import read_hl7
from himdesk.services.charts import open_chart
from himdesk.services.errors import Conflict
from himdesk.services.imports import import_submission
from himdesk.services.patient_merges import list_merges, merge_within, undo_merge
from himdesk.services.patients import search_patients
from himdesk.storage.tables import audit_events, encounters, patients
from tests.fakes import ChartBuilder
from tests.hl7_feed import adt, merge

MANAGER = Actor(user_id=8, username="mia", role=Role.HIM_MANAGER)
CODER = Actor(user_id=4, username="cora", role=Role.CODER)


@dataclass(frozen=True)
class Pair:
    survivor: int
    duplicate: int
    duplicate_stay: int
    duplicate_document: int


@pytest.fixture
def pair(himdesk: Himdesk) -> Pair:
    """One woman registered twice: the duplicate chart has a stay, a note, a result, an allergy."""
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        doctor = build.clinician()
        survivor = build.patient()
        build.inpatient_stay(survivor, doctor, account="A1")
        duplicate = build.patient(mrn="M0000002", ssn="123-45-6780", born=date(1961, 4, 9))
        stay = build.inpatient_stay(duplicate, doctor, account="A2")
        note = build.document(duplicate, stay, doctor)
        build.sodium(duplicate, stay, "131", hours_ago=30)
        build.allergy(duplicate)
        uow.commit()
    assert survivor.id and duplicate.id and stay.id and note.id
    return Pair(survivor.id, duplicate.id, stay.id, note.id)


def merged(himdesk: Himdesk, pair: Pair) -> int:
    with himdesk.unit_of_work() as uow:
        merge_id = merge_within(
            uow,
            MANAGER,
            surviving_id=pair.survivor,
            merged_id=pair.duplicate,
            source="duplicate found by HIM",
        )
        uow.commit()
    return merge_id


def test_a_merge_moves_the_whole_chart_and_records_exactly_what_moved(
    himdesk: Himdesk, pair: Pair
) -> None:
    merge_id = merged(himdesk, pair)
    with himdesk.unit_of_work() as uow:
        chart = open_chart(uow, MANAGER, pair.survivor)
        (recorded,) = list_merges(uow, MANAGER)
    assert sorted(e.account_number for e in chart.encounters) == ["A1", "A2"]
    assert [d.id for d in chart.documents] == [pair.duplicate_document]
    assert len(chart.observations) == 1 and len(chart.banner.allergies) == 1
    assert recorded.id == merge_id and not recorded.is_undone
    assert recorded.moved["encounters"] == (pair.duplicate_stay,)
    assert (recorded.surviving_mrn, recorded.merged_mrn) == ("M0000001", "M0000002")
    assert "1 encounter, 1 document, 1 result" in recorded.moved_summary()


def test_what_moved_is_counted_in_words_one_and_many() -> None:
    moved = {"encounters": (1, 2), "observations": (3,), "diagnoses": (4, 5), "allergies": ()}
    merge = PatientMerge(1, 1, 2, moved, "ADT^A40 X1", datetime(2026, 11, 1, tzinfo=UTC), "mia")
    assert merge.moved_summary() == "2 encounters, 1 result, 2 diagnoses"
    assert replace(merge, moved={}).moved_summary() == "nothing (the merged chart was empty)"


def test_a_merged_patient_leaves_search_and_its_chart_names_the_survivor(
    himdesk: Himdesk, pair: Pair
) -> None:
    merged(himdesk, pair)
    with himdesk.unit_of_work() as uow:
        found = {m.mrn for m in search_patients(uow, MANAGER, "nguyen")}
        by_mrn = search_patients(uow, MANAGER, "M0000002")
        old_chart = open_chart(uow, MANAGER, pair.duplicate)
    assert found == {"M0000001"} and by_mrn == []
    assert old_chart.merged_into_mrn == "M0000001" and old_chart.encounters == []


def test_undoing_a_merge_moves_exactly_those_rows_back_and_both_are_audited(
    himdesk: Himdesk, pair: Pair
) -> None:
    merge_id = merged(himdesk, pair)
    with himdesk.unit_of_work() as uow:
        undo_merge(uow, MANAGER, merge_id, "Twins, not one person: verified with ID")
    with himdesk.unit_of_work() as uow:
        survivor, duplicate = (open_chart(uow, MANAGER, p) for p in (pair.survivor, pair.duplicate))
        (recorded,) = list_merges(uow, MANAGER)
    assert [e.account_number for e in survivor.encounters] == ["A1"]
    assert [e.id for e in duplicate.encounters] == [pair.duplicate_stay]
    assert duplicate.merged_into_mrn == "" and len(duplicate.banner.allergies) == 1
    assert recorded.is_undone and recorded.undo_reason.startswith("Twins")
    with himdesk.engine.connect() as db:
        trail = db.execute(select(audit_events.c.action, audit_events.c.patient_id)).all()
    for action in ("patient.merge", "patient.unmerge"):
        assert {p for a, p in trail if a == action} == {pair.survivor, pair.duplicate}


def test_an_undo_that_would_split_a_new_document_from_its_encounter_is_refused(
    himdesk: Himdesk, pair: Pair
) -> None:
    merge_id = merged(himdesk, pair)
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        survivor = uow.patients.get(pair.survivor)
        stay = uow.chart.encounter(pair.duplicate_stay)
        assert stay is not None
        build.document(survivor, stay, build.clinician(npi="1000000002"), signed=False)
        uow.commit()
    with himdesk.unit_of_work() as uow, pytest.raises(Conflict, match="1 documents were filed"):
        undo_merge(uow, MANAGER, merge_id, "Not the same person")
    with himdesk.unit_of_work() as uow:
        assert not list_merges(uow, MANAGER)[0].is_undone


def test_an_undo_needs_a_reason_and_happens_once(himdesk: Himdesk, pair: Pair) -> None:
    merge_id = merged(himdesk, pair)
    with himdesk.unit_of_work() as uow, pytest.raises(InvalidInput, match="reason"):
        undo_merge(uow, MANAGER, merge_id, "   ")
    with himdesk.unit_of_work() as uow:
        undo_merge(uow, MANAGER, merge_id, "Wrong patient")
    with himdesk.unit_of_work() as uow, pytest.raises(Conflict, match="already undone"):
        undo_merge(uow, MANAGER, merge_id, "Again")


def test_the_same_merge_asked_twice_is_recorded_once_and_a_patient_merges_once(
    himdesk: Himdesk, pair: Pair
) -> None:
    first = merged(himdesk, pair)
    assert merged(himdesk, pair) == first
    with himdesk.unit_of_work() as uow:
        third = ChartBuilder(uow).patient(mrn="M0000003", ssn="123-45-6781")
        assert third.id is not None
        with pytest.raises(Conflict, match="already merged"):
            merge_within(
                uow, MANAGER, surviving_id=third.id, merged_id=pair.duplicate, source="test"
            )
        with pytest.raises(Conflict, match="itself merged"):
            merge_within(
                uow, MANAGER, surviving_id=pair.duplicate, merged_id=third.id, source="test"
            )


def test_only_roles_allowed_to_merge_may_merge_or_undo(himdesk: Himdesk, pair: Pair) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        merge_within(uow, CODER, surviving_id=pair.survivor, merged_id=pair.duplicate, source="x")
    merge_id = merged(himdesk, pair)
    with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        undo_merge(uow, CODER, merge_id, "no")
    with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        list_merges(uow, CODER)


def _import(himdesk: Himdesk, message: bytes) -> None:
    (submission,) = read_hl7(message, "feed.hl7")
    assert isinstance(submission, Submission)
    with himdesk.unit_of_work() as uow:
        import_submission(uow, MANAGER, submission)


def test_an_a40_from_the_feed_merges_the_registered_duplicate_and_can_be_undone(
    himdesk: Himdesk,
) -> None:
    _import(himdesk, adt("A01", "C1", mrn="MRN1001", visit="V1"))
    # Registered again under another name and birth date, no SSN: a duplicate, not a match.
    _import(
        himdesk,
        adt("A01", "C2", mrn="MRN0999", visit="V2", birth="19610904", family="TRAN", ssn=""),
    )
    _import(himdesk, merge("C3", surviving="MRN1001", merged="MRN0999"))
    with himdesk.engine.connect() as db:
        owners = _owners(db)
        merged_rows = db.execute(
            select(patients.c.id).where(patients.c.merged_into_id.is_not(None))
        )
    assert owners["V1"] == owners["V2"] and len(merged_rows.all()) == 1
    with himdesk.unit_of_work() as uow:
        (recorded,) = list_merges(uow, MANAGER)
        assert "ADT^A40 C3" in recorded.source
        undo_merge(uow, MANAGER, recorded.id, "The feed merged the wrong patient")
    with himdesk.engine.connect() as db:
        owners = _owners(db)
    assert owners["V1"] != owners["V2"]


def _owners(db: Connection) -> dict[str, int]:
    query = select(encounters.c.account_number, encounters.c.patient_id)
    return {number: patient for number, patient in db.execute(query)}
