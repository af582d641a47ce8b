"""The whole record as it leaves himdesk: every part, read in batches, checked and audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert, select

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, PermissionDenied, Role
from himdesk.domain.demographics import InvalidInput
from himdesk.domain.incoming import IdentifierKind, PatientIdentifier
from himdesk.domain.records import Clinician, Diagnosis, Medication, Procedure
from himdesk.domain.sensitivity import SensitiveCategory
from himdesk.services.access_control import ReasonRequired, request_access, restrict_patient
from himdesk.services.errors import NotFound
from himdesk.services.record_exchange import whole_record, whole_records
from himdesk.storage import tables as t
from tests.fakes import T0, ChartBuilder

MANAGER = Actor(user_id=8, username="mia", role=Role.HIM_MANAGER)
CODER = Actor(user_id=7, username="cora", role=Role.CODER)
ANALYST = Actor(user_id=9, username="ana", role=Role.ANALYST)
HIT = Actor(user_id=6, username="hal", role=Role.HIT)
Ids = dict[str, int]


@pytest.fixture
def ids(himdesk: Himdesk) -> Ids:
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        doctor = build.clinician()
        outsider = uow.clinicians.add(Clinician(0, "", "Jones", "Ann", "RN", "Nursing"))
        patient = build.patient()
        stay = build.inpatient_stay(patient, doctor)
        build.document(patient, stay, doctor)
        build.document(patient, stay, outsider, text="Counselling session.",
                       sensitivity=SensitiveCategory.SUBSTANCE_USE)  # fmt: skip
        build.sodium(patient, stay, "133", hours_ago=6)
        build.allergy(patient)
        assert patient.id and stay.id and doctor.id
        icd = {"code": "E87.1", "code_system": "http://hl7.org/fhir/sid/icd-10-cm"}
        uow.chart.add_diagnosis(
            Diagnosis(patient.id, stay.id, "Hyponatremia", doctor.id, T0, **icd)
        )
        uow.chart.add_procedure(Procedure(patient.id, stay.id, "Chest X-ray", None, T0))
        uow.chart.add_medication(Medication(patient.id, stay.id, "Furosemide", "40 mg", "PO",
                                            "daily", date(2026, 10, 1)))  # fmt: skip
        other = build.patient(mrn="M0000002", family="Okafor", given="Chidi", ssn="")
        assert other.id
        uow.commit()
    with himdesk.engine.begin() as db:
        db.execute(insert(t.patient_identifiers), [
            {"patient_id": patient.id, "kind": "MR", "system": "urn:oid:1.2.3", "value": "X9"},
            {"patient_id": patient.id, "kind": "SS", "system": "http://hl7.org/fhir/sid/us-ssn",
             "value": "digest-not-a-number"},
        ])  # fmt: skip
    return {"patient": patient.id, "other": other.id, "doctor": doctor.id, "nurse": outsider.id}


def test_the_whole_record_holds_every_part_with_the_clinicians_it_names(
    himdesk: Himdesk, ids: Ids
) -> None:
    with himdesk.unit_of_work() as uow:
        record = uow.records.whole_record(ids["patient"])
    assert record.patient.mrn == "M0000001"
    assert record.identifiers == (PatientIdentifier(IdentifierKind.MRN, "urn:oid:1.2.3", "X9"),)
    counts = [len(p) for p in (record.encounters, record.documents, record.observations,
                               record.diagnoses, record.procedures, record.medications,
                               record.allergies)]  # fmt: skip
    assert counts == [1, 2, 1, 1, 1, 1, 1]
    assert record.diagnoses[0].code == "E87.1"
    assert {c.id for c in record.clinicians} == {ids["doctor"], ids["nurse"]}
    assert {c.npi for c in record.clinicians} == {"1000000001", ""}  # NULL NPI reads as ""


def test_many_records_come_back_in_the_order_asked_and_unknown_patients_are_left_out(
    himdesk: Himdesk, ids: Ids
) -> None:
    with himdesk.unit_of_work() as uow:
        records = uow.records.whole_records([ids["other"], 999, ids["patient"]])
        with pytest.raises(NotFound):
            uow.records.whole_record(999)
    assert [r.patient.id for r in records] == [ids["other"], ids["patient"]]
    assert records[0].encounters == () and records[0].clinicians == ()


def test_the_him_manager_gets_the_ssn_and_address_and_the_read_is_audited_as_a_chart_read(
    himdesk: Himdesk, ids: Ids
) -> None:
    with himdesk.unit_of_work() as uow:
        record = whole_record(uow, MANAGER, ids["patient"])
    assert record.patient.ssn == "123-45-6789"
    assert record.patient.address.line == "12 Elm St"
    with himdesk.unit_of_work() as uow:
        event = uow.audit.list_for_patient(ids["patient"], 1)[0].entry
    assert (event.username, event.action, event.object_type) == ("mia", "chart.read", "record")


def test_a_coder_gets_no_ssn_street_or_phone(himdesk: Himdesk, ids: Ids) -> None:
    with himdesk.unit_of_work() as uow:
        patient = whole_record(uow, CODER, ids["patient"]).patient
    assert (patient.ssn, patient.address.line, patient.address.postal_code, patient.phone) == (
        "", "", "", "")  # fmt: skip
    assert (patient.address.city, patient.address.state) == ("Springfield", "MA")


def test_labelled_documents_and_their_only_authors_leave_only_under_an_access_grant(
    himdesk: Himdesk, ids: Ids
) -> None:
    with himdesk.unit_of_work() as uow:
        closed = whole_record(uow, MANAGER, ids["patient"])
    assert [d.sensitivity for d in closed.documents] == [None]
    assert ids["nurse"] not in {c.id for c in closed.clinicians}
    with himdesk.unit_of_work() as uow:
        request_access(uow, MANAGER, ids["patient"], "Release requested by the patient")
    with himdesk.unit_of_work() as uow:
        opened = whole_record(uow, MANAGER, ids["patient"])
    assert len(opened.documents) == 2 and ids["nurse"] in {c.id for c in opened.clinicians}


def test_a_vip_record_needs_a_stated_reason_and_the_batch_leaves_it_out(
    himdesk: Himdesk, ids: Ids
) -> None:
    with himdesk.unit_of_work() as uow:
        restrict_patient(uow, MANAGER, ids["patient"], "vip", "Board member of the hospital")
    with himdesk.unit_of_work() as uow, pytest.raises(ReasonRequired):
        whole_record(uow, MANAGER, ids["patient"])
    with himdesk.unit_of_work() as uow:
        batch = whole_records(uow, CODER, [ids["patient"], ids["other"], 999])
    assert [r.patient.id for r in batch.records] == [ids["other"]]
    assert batch.withheld == {ids["patient"]: "reason required", 999: "not found"}


def test_a_batch_writes_one_audit_event_per_patient_read(himdesk: Himdesk, ids: Ids) -> None:
    with himdesk.unit_of_work() as uow:
        before = uow.audit.count()
        whole_records(uow, MANAGER, [ids["patient"], ids["other"]])
    with himdesk.unit_of_work() as uow:
        new = [e.entry for e in uow.audit.iterate() if e.sequence > before]
    assert [(e.patient_id, e.action) for e in new] == [
        (ids["patient"], "chart.read"), (ids["other"], "chart.read")]  # fmt: skip


def test_an_analyst_is_refused_the_whole_record(himdesk: Himdesk, ids: Ids) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        whole_record(uow, ANALYST, ids["patient"])
    with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        whole_records(uow, ANALYST, [ids["patient"]])


REASON = "Release to the patient's new provider, request 2026-114"


def _grants(himdesk: Himdesk) -> list[dict[str, object]]:
    with himdesk.engine.connect() as db:
        return [dict(r._mapping) for r in db.execute(select(t.access_grants))]


def test_a_stated_reason_opens_the_labelled_documents_for_that_read_alone(
    himdesk: Himdesk, ids: Ids
) -> None:
    with himdesk.unit_of_work() as uow:
        opened = whole_record(uow, MANAGER, ids["patient"], stated_reason=REASON)
    labels = [d.sensitivity for d in opened.documents]
    assert sorted(labels, key=str) == [None, SensitiveCategory.SUBSTANCE_USE]
    assert ids["nurse"] in {c.id for c in opened.clinicians}
    with himdesk.unit_of_work() as uow:
        again = whole_record(uow, MANAGER, ids["patient"])
    assert [d.sensitivity for d in again.documents] == [None]  # nothing stayed open


def test_the_stated_reason_is_kept_and_audited_as_the_workstations_is(
    himdesk: Himdesk, ids: Ids
) -> None:
    with himdesk.unit_of_work() as uow:
        whole_record(uow, MANAGER, ids["patient"], stated_reason=f"  {REASON} ")
    (grant,) = _grants(himdesk)
    assert (grant["user_id"], grant["kind"], grant["reason"]) == (8, "stated_reason", REASON)
    assert grant["expires_at"] == grant["granted_at"]  # usable by no later read
    with himdesk.unit_of_work() as uow:
        events = [e.entry for e in uow.audit.list_for_patient(ids["patient"], 5)]
    assert [(e.action, e.object_type, e.object_id) for e in events] == [
        ("chart.read", "record", str(ids["patient"])),
        ("record.reason", "access-grant", str(grant["id"])),
    ]


def test_a_stated_reason_opens_a_vip_chart_once(himdesk: Himdesk, ids: Ids) -> None:
    with himdesk.unit_of_work() as uow:
        restrict_patient(uow, MANAGER, ids["patient"], "vip", "Board member of the hospital")
    with himdesk.unit_of_work() as uow:
        record = whole_record(uow, MANAGER, ids["patient"], stated_reason=REASON)
    assert record.patient.id == ids["patient"] and len(record.documents) == 2
    with himdesk.unit_of_work() as uow, pytest.raises(ReasonRequired):
        whole_record(uow, MANAGER, ids["patient"])


def test_no_reason_is_recorded_where_nothing_is_restricted(himdesk: Himdesk, ids: Ids) -> None:
    with himdesk.unit_of_work() as uow:
        whole_record(uow, MANAGER, ids["other"], stated_reason=REASON)
    assert _grants(himdesk) == []


def test_a_role_that_may_not_read_restricted_records_cannot_state_a_reason(
    himdesk: Himdesk, ids: Ids
) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        whole_record(uow, HIT, ids["patient"], stated_reason=REASON)
    with himdesk.unit_of_work() as uow:
        event = uow.audit.list_for_patient(ids["patient"], 1)[0].entry
    assert (event.action, event.outcome) == ("record.restricted.read", "denied")
    assert _grants(himdesk) == []


def test_a_reason_too_short_to_say_anything_is_refused(himdesk: Himdesk, ids: Ids) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(InvalidInput, match="at least 10"):
        whole_record(uow, MANAGER, ids["patient"], stated_reason="because")


def test_other_systems_record_numbers_leave_with_the_contact_details(
    himdesk: Himdesk, ids: Ids
) -> None:
    with himdesk.unit_of_work() as uow:
        manager = whole_record(uow, MANAGER, ids["patient"])
        coder = whole_record(uow, CODER, ids["patient"])
    assert [i.value for i in manager.identifiers] == ["X9"]
    assert coder.identifiers == ()
