"""Opening charts and documents through the services, on every backend."""

from __future__ import annotations

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, PermissionDenied, Role
from himdesk.domain.incoming import IdentifierKind, Submission
from himdesk.interop.hl7v2.reader import read_hl7
from himdesk.services.access_history import access_history
from himdesk.services.charts import open_chart, read_document
from himdesk.services.encounter_analysis import encounter_analysis
from himdesk.services.errors import NotFound
from himdesk.services.imports import import_submission
from tests.fakes import ChartBuilder
from tests.hl7_feed import adt, oru
from tests.submissions import IMPORTER, a_chart, a_patient, a_submission

CODER = Actor(user_id=7, username="cora", role=Role.CODER, client_address="10.0.0.7")
MANAGER = Actor(user_id=8, username="mia", role=Role.HIM_MANAGER, client_address="10.0.0.8")
ANALYST = Actor(user_id=9, username="ana", role=Role.ANALYST)


@pytest.fixture
def chart_ids(himdesk: Himdesk) -> dict[str, int]:
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        doctor = build.clinician()
        patient = build.patient()
        stay = build.inpatient_stay(patient, doctor)
        doc = build.document(patient, stay, doctor)
        build.sodium(patient, stay, "128", hours_ago=30)
        build.sodium(patient, stay, "133", hours_ago=6)
        build.allergy(patient)
        other = build.patient(mrn="M0000002", family="Okafor", given="Chidi", ssn="")
        other_stay = build.inpatient_stay(other, doctor, account="A2")
        other_doc = build.document(other, other_stay, doctor)
        uow.commit()
    assert patient.id and doc.id and other.id and other_doc.id
    return {"patient": patient.id, "document": doc.id, "other": other.id, "other_doc": other_doc.id}


def test_opening_a_chart_shows_the_whole_record_with_ssn_masked_for_a_coder(
    himdesk: Himdesk, chart_ids: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        chart = open_chart(uow, CODER, chart_ids["patient"])
    assert chart.patient.mrn == "M0000001"
    assert chart.ssn_shown == "***-**-6789"
    assert [a.substance for a in chart.banner.allergies] == ["Penicillin"]
    assert len(chart.encounters) == 1 and len(chart.documents) == 1
    assert [str(o.value) for o in chart.results_by_test["2951-2"]] == ["128.000", "133.000"]


def test_a_coder_sees_city_and_state_but_not_the_street_address_or_phone(
    himdesk: Himdesk, chart_ids: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        chart = open_chart(uow, CODER, chart_ids["patient"])
    assert (chart.address_shown, chart.phone_shown) == ("Springfield, MA", "")


def test_him_manager_sees_the_full_ssn(himdesk: Himdesk, chart_ids: dict[str, int]) -> None:
    with himdesk.unit_of_work() as uow:
        chart = open_chart(uow, MANAGER, chart_ids["patient"])
    assert chart.ssn_shown == "123-45-6789"
    assert chart.address_shown == "12 Elm St, Springfield, MA 01103"


def test_every_chart_open_writes_one_audit_event_with_who_where_and_why(
    himdesk: Himdesk, chart_ids: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        before = uow.audit.count()
        open_chart(uow, CODER, chart_ids["patient"])
    with himdesk.unit_of_work() as uow:
        assert uow.audit.count() == before + 1
        event = uow.audit.list_for_patient(chart_ids["patient"], 1)[0].entry
    assert (event.username, event.role, event.action) == ("cora", "coder", "chart.read")
    assert (event.client_address, event.purpose) == ("10.0.0.7", "HPAYMT")


def test_analyst_is_refused_the_chart_and_the_refusal_is_audited(
    himdesk: Himdesk, chart_ids: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        open_chart(uow, ANALYST, chart_ids["patient"])
    with himdesk.unit_of_work() as uow:
        event = uow.audit.list_for_patient(chart_ids["patient"], 1)[0].entry
    assert (event.username, event.outcome) == ("ana", "denied")


def test_a_document_of_another_patient_is_refused_and_audited(
    himdesk: Himdesk, chart_ids: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(NotFound):
        read_document(uow, CODER, chart_ids["patient"], chart_ids["other_doc"])
    with himdesk.unit_of_work() as uow:
        event = uow.audit.list_for_patient(chart_ids["patient"], 1)[0].entry
    assert (event.action, event.outcome) == ("document.read", "not-found")


def test_unknown_patient_is_not_found(himdesk: Himdesk, chart_ids: dict[str, int]) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(NotFound, match="No patient 99999"):
        open_chart(uow, CODER, 99999)


def test_access_history_lists_who_opened_the_chart_and_is_itself_audited(
    himdesk: Himdesk, chart_ids: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        open_chart(uow, CODER, chart_ids["patient"])
        read_document(uow, CODER, chart_ids["patient"], chart_ids["document"])
    with himdesk.unit_of_work() as uow:
        events = access_history(uow, MANAGER, chart_ids["patient"]).events
    assert [(e.entry.username, e.entry.action) for e in events] == [
        ("cora", "document.read"),
        ("cora", "chart.read"),
    ]
    with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        access_history(uow, CODER, chart_ids["patient"])


Received = dict[str, int]


@pytest.fixture
def received(himdesk: Himdesk, chart_ids: dict[str, int]) -> Received:
    """A stay received from another organisation (FHIR), and a stay of the hospital's own
    patient from its HL7 v2 feed (admitted, resulted, discharged) beside one recorded here."""
    incoming = a_chart(patient=a_patient(mrn="X77", ssn="123-45-6789"))
    feed = [adt("A01", "C1"), oru("C2"), adt("A03", "C3", discharged="20261101080000")]
    with himdesk.unit_of_work() as uow:
        fhir_patient = import_submission(uow, IMPORTER, a_submission(incoming)).patient_ids[0]
    for message in feed:
        (submission,) = read_hl7(message, "feed.hl7")
        assert isinstance(submission, Submission)
        with himdesk.unit_of_work() as uow:
            hl7_patient = import_submission(uow, IMPORTER, submission).patient_ids[0]
    with himdesk.unit_of_work() as uow:
        (fhir_stay,) = uow.chart.encounters(fhir_patient)
        (hl7_stay,) = [e for e in uow.chart.encounters(hl7_patient) if e.account_number == "V5001"]
        (document,) = uow.chart.document_headers(fhir_patient)
    assert fhir_stay.id and hl7_stay.id and document.id
    assert hl7_patient == chart_ids["patient"]  # matched by SSN, name and birth date
    return {"fhir_patient": fhir_patient, "fhir_stay": fhir_stay.id, "document": document.id,
            "hl7_patient": hl7_patient, "hl7_stay": hl7_stay.id}  # fmt: skip


def test_every_part_an_import_wrote_names_its_sender(himdesk: Himdesk, received: Received) -> None:
    with himdesk.unit_of_work() as uow:
        chart = open_chart(uow, CODER, received["fhir_patient"])
    parts = [("encounter", chart.encounters), ("document", chart.documents),
             ("observation", chart.observations), ("diagnosis", chart.diagnoses),
             ("procedure", chart.procedures), ("medication", chart.medications)]  # fmt: skip
    assert {chart.received_from(kind, p.id) for kind, items in parts for p in items} == {"FHIR R4"}
    with himdesk.unit_of_work() as uow:
        feed = open_chart(uow, CODER, received["hl7_patient"])
    fed = [o for o in feed.observations if o.encounter_id == received["hl7_stay"]]
    assert fed and {feed.received_from("observation", o.id) for o in fed} == {"HL7 v2 MERCY"}


def test_what_the_hospital_recorded_itself_is_not_marked_received(
    himdesk: Himdesk, chart_ids: dict[str, int], received: Received
) -> None:
    with himdesk.unit_of_work() as uow:
        other = open_chart(uow, CODER, chart_ids["other"])
        mixed = open_chart(uow, CODER, chart_ids["patient"])
    assert other.received == {}
    (own,) = [e for e in mixed.encounters if e.id != received["hl7_stay"]]
    assert (mixed.received_from("encounter", own.id), mixed.is_analysed_here(own)) == ("", True)
    assert mixed.received_from("encounter", received["hl7_stay"]) == "HL7 v2 MERCY"


def test_a_stay_from_another_organisation_is_filed_not_analysed(
    himdesk: Himdesk, chart_ids: dict[str, int], received: Received
) -> None:
    with himdesk.unit_of_work() as uow:
        chart = open_chart(uow, MANAGER, received["fhir_patient"])
        assert not chart.is_analysed_here(chart.encounters[0])
        feed = open_chart(uow, MANAGER, received["hl7_patient"])
        assert all(feed.is_analysed_here(e) for e in feed.encounters)
        analysed = {e.id for e in uow.chart.discharged_encounters()}
    assert received["hl7_stay"] in analysed and received["fhir_stay"] not in analysed


def test_the_analysis_page_of_a_received_stay_says_it_is_filed(
    himdesk: Himdesk, received: Received
) -> None:
    with himdesk.unit_of_work() as uow:
        filed = encounter_analysis(uow, MANAGER, received["fhir_stay"])
        fed = encounter_analysis(uow, MANAGER, received["hl7_stay"])
    assert (filed.analysed_here, filed.received_from) == (False, "FHIR R4")
    assert (fed.analysed_here, fed.received_from) == (True, "HL7 v2 MERCY")


def test_a_received_document_names_its_sender_in_the_viewer(
    himdesk: Himdesk, chart_ids: dict[str, int], received: Received
) -> None:
    with himdesk.unit_of_work() as uow:
        view = read_document(uow, CODER, received["fhir_patient"], received["document"])
        own = read_document(uow, CODER, chart_ids["patient"], chart_ids["document"])
    assert (view.received_from, own.received_from) == ("FHIR R4", "")


def test_other_systems_record_numbers_show_where_contact_details_do_and_never_the_ssn(
    himdesk: Himdesk, received: Received
) -> None:
    with himdesk.unit_of_work() as uow:
        manager = open_chart(uow, MANAGER, received["fhir_patient"])
        coder = open_chart(uow, CODER, received["fhir_patient"])
        feed = open_chart(uow, MANAGER, received["hl7_patient"])
    assert [(i.value, i.system) for i in manager.other_identifiers] == [
        ("X77", "urn:oid:2.16.840.1.99")
    ]
    assert [(i.value, i.system) for i in feed.other_identifiers] == [("MRN1001", "MERCY")]
    assert coder.other_identifiers == ()
    assert all(i.kind is IdentifierKind.MRN for i in manager.other_identifiers)
