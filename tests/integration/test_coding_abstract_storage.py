"""Coding abstracts in the database, on every backend: the abstract with its coded rows, the
status guard that keeps two final codings from crossing, the versions, the coder's worklist
and the final codings the productivity report counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from himdesk.bootstrap import Himdesk
from himdesk.domain.coding.abstract import (
    AbstractEntries,
    AbstractStatus,
    CodedDiagnosis,
    CodedProcedure,
    CodingAbstract,
    CodingVersion,
    DrgOnFile,
    PresentOnAdmission,
    finalized,
    reopened,
    revised,
    snapshot,
    start_abstract,
)
from himdesk.domain.coding.coding_work import CodingProgress, FinalCoding, WorklistCriteria
from himdesk.domain.import_records import NewSourceLink
from himdesk.domain.records import (
    Clinician,
    Encounter,
    EncounterClass,
    EncounterStatus,
    Patient,
)
from himdesk.services.ports import UnitOfWork
from tests.fakes import T0, ChartBuilder

AT = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
YES, NO = PresentOnAdmission.YES, PresentOnAdmission.NO
ENTRIES = AbstractEntries(
    (CodedDiagnosis("I5021", YES), CodedDiagnosis("N179", NO)),
    (CodedProcedure("02HK32Z", date(2026, 10, 29), None),),
    "01",
)  # fmt: skip
DRG = DrgOnFile("292", 430, Decimal("0.8490"))


def stay(
    uow: UnitOfWork,
    patient: Patient,
    doctor: Clinician,
    account: str,
    discharged_days_ago: int | None,
    kind: EncounterClass = EncounterClass.INPATIENT,
) -> int:
    assert patient.id is not None
    discharged = T0 - timedelta(days=discharged_days_ago) if discharged_days_ago else None
    encounter = uow.chart.add_encounter(
        Encounter(
            patient_id=patient.id,
            encounter_class=kind,
            admitted_at=T0 - timedelta(days=40),
            account_number=account,
            status=EncounterStatus.DISCHARGED if discharged else EncounterStatus.IN_PROGRESS,
            discharged_at=discharged,
            attending_id=doctor.id,
        )
    )
    assert encounter.id is not None
    return encounter.id


def abstract_for(encounter_id: int) -> CodingAbstract:
    started = start_abstract(encounter_id, AT, "cora")
    return revised(started, ENTRIES, 2026, DRG, (AT, "cora"))


def test_an_abstract_is_stored_with_its_rows_in_sequence(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        encounter_id = stay(uow, build.patient(), build.clinician(), "A1", 3)
        uow.coding_abstracts.add(abstract_for(encounter_id))
        uow.commit()
    with himdesk.unit_of_work() as uow:
        found = uow.coding_abstracts.find(encounter_id)
        assert uow.coding_abstracts.find(encounter_id + 1) is None
        assert uow.coding_abstracts.find_for_change(encounter_id) == found
    assert found == abstract_for(encounter_id)


def test_an_update_is_refused_when_the_status_changed_meanwhile(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        encounter_id = stay(uow, build.patient(), build.clinician(), "A1", 3)
        abstract = abstract_for(encounter_id)
        uow.coding_abstracts.add(abstract)
        final = finalized(abstract, DRG, (AT, "cora"))
        assert uow.coding_abstracts.update(final, AbstractStatus.IN_PROGRESS)
        assert not uow.coding_abstracts.update(final, AbstractStatus.IN_PROGRESS)
        fewer = revised(abstract, AbstractEntries(ENTRIES.diagnoses[:1]), 2026, DRG, (AT, "x"))
        assert not uow.coding_abstracts.update(fewer, AbstractStatus.IN_PROGRESS)
        uow.commit()
    with himdesk.unit_of_work() as uow:
        stored = uow.coding_abstracts.find(encounter_id)
    assert stored is not None and stored.is_final and len(stored.diagnoses) == 2


def test_versions_are_kept_in_order_with_their_snapshot(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        encounter_id = stay(uow, build.patient(), build.clinician(), "A1", 3)
        final = finalized(abstract_for(encounter_id), DRG, (AT, "cora"))
        for number, event, reason in ((2, "reopened", "Query answered"), (1, "final", "")):
            uow.coding_abstracts.add_version(
                CodingVersion(encounter_id, number, event, AT, "cora", reason,
                              snapshot(final, event))
            )  # fmt: skip
        uow.commit()
    with himdesk.unit_of_work() as uow:
        versions = uow.coding_abstracts.versions(encounter_id)
    assert [(v.number, v.event, v.reason, v.drg) for v in versions] == [
        (1, "final", "", "292"), (2, "reopened", "Query answered", "292"),
    ]  # fmt: skip
    assert versions[0].snapshot["diagnoses"][1] == {"code": "N179", "poa": "N"}


def _hospital(uow: UnitOfWork) -> dict[str, int]:
    build = ChartBuilder(uow)
    doctor = build.clinician()
    linh = build.patient()
    chidi = build.patient(mrn="M0000002", family="Okafor", given="Chidi", born=date(2000, 1, 1))
    ids = {
        "oldest": stay(uow, linh, doctor, "A1", 20),
        "newest": stay(uow, chidi, doctor, "A2", 1, EncounterClass.EMERGENCY),
        "middle": stay(uow, chidi, doctor, "A3", 10),
        "final": stay(uow, linh, doctor, "A4", 15),
        "reopened": stay(uow, linh, doctor, "A5", 12),
        "still in": stay(uow, linh, doctor, "A6", None),
        "received": stay(uow, chidi, doctor, "A7", 5),
    }
    uow.coding_abstracts.add(abstract_for(ids["middle"]))
    uow.coding_abstracts.add(finalized(abstract_for(ids["final"]), DRG, (AT, "cora")))
    final_then_open = finalized(abstract_for(ids["reopened"]), DRG, (AT, "cora"))
    uow.coding_abstracts.add(final_then_open)
    reopened_abstract = reopened(final_then_open, (AT, "cora"))
    assert uow.coding_abstracts.update(reopened_abstract, AbstractStatus.FINAL)
    # An encounter another organisation sent (FHIR) is filed, not coded here.
    uow.imports.add_links(
        [NewSourceLink(("urn:fhir", "enc-7", "encounter"), ids["received"], chidi.id, "d")]
    )
    uow.commit()
    return ids


def test_the_worklist_lists_discharged_encounters_not_final_coded_oldest_first(
    himdesk: Himdesk,
) -> None:
    with himdesk.unit_of_work() as uow:
        ids = _hospital(uow)
        items, total = uow.coding_abstracts.worklist(WorklistCriteria())
    assert total == 4
    assert [i.encounter_id for i in items] == [ids["oldest"], ids["reopened"], ids["middle"],
                                               ids["newest"]]  # fmt: skip
    assert [i.progress for i in items] == [
        CodingProgress.NOT_STARTED, CodingProgress.REOPENED, CodingProgress.IN_PROGRESS,
        CodingProgress.NOT_STARTED,
    ]  # fmt: skip
    oldest = items[0]
    assert (oldest.mrn, oldest.patient_name, oldest.account_number) == (
        "M0000001",
        "Nguyen, Linh",
        "A1",
    )
    assert (oldest.age_at_discharge, oldest.sex, oldest.encounter_class) == (65, "F", "inpatient")
    assert oldest.attending == "William Osler, MD"
    assert oldest.days_since_discharge(T0.date()) == 20


def test_the_worklist_filters_by_type_and_progress_and_pages(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow:
        ids = _hospital(uow)
        emergency, n = uow.coding_abstracts.worklist(WorklistCriteria(EncounterClass.EMERGENCY))
        assert ([i.encounter_id for i in emergency], n) == ([ids["newest"]], 1)
        started, n = uow.coding_abstracts.worklist(
            WorklistCriteria(progress=CodingProgress.NOT_STARTED)
        )
        assert ([i.encounter_id for i in started], n) == ([ids["oldest"], ids["newest"]], 2)
        reopened, n = uow.coding_abstracts.worklist(
            WorklistCriteria(progress=CodingProgress.REOPENED)
        )
        assert ([i.encounter_id for i in reopened], n) == ([ids["reopened"]], 1)
        second, n = uow.coding_abstracts.worklist(WorklistCriteria(page=2, per_page=3))
        assert ([i.encounter_id for i in second], n) == ([ids["newest"]], 4)


def test_final_codings_are_read_for_the_period_as_they_stand(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow:
        _hospital(uow)
        inside = uow.coding_abstracts.final_codings(
            AT - timedelta(hours=1), AT + timedelta(hours=1)
        )
        after = uow.coding_abstracts.final_codings(
            AT + timedelta(seconds=1), AT + timedelta(days=1)
        )
    # The reopened abstract is not final any more: only one final coding stands.
    assert inside == [FinalCoding(AT, "inpatient", "cora")]
    assert after == []
