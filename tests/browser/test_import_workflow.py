"""Health information exchange in Chromium: the technician uploads records from other systems,
reads the report, handles a rejected message and decides an unsure patient match; the HIM
manager undoes a merge the admission feed asked for."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from himdesk.bootstrap import Himdesk
from himdesk.config import Settings
from himdesk.domain.access import Role
from himdesk.services.authentication import hash_password
from himdesk.services.ports import User
from tests.browser.conftest import PASSWORD, TOTP_SECRET, log_in

pytestmark = pytest.mark.browser

SYNTHEA = "synthea_fhir_r4/bundles/Buster_Hoeger_ad2e3fc5-2b5d-4cb9-8d03-9ea0f4ac8423.json"
NPI = "NPI&2.16.840.1.113883.4.6&ISO"


def _hl7(*segments: str) -> str:
    return "\r".join(segments) + "\r"


def _msh(kind: str, control_id: str) -> str:
    sender = "RIVERSIDE_ADT|RIVERSIDE|HIMDESK|HIM|20261105091500"
    return f"MSH|^~\\&|{sender}||{kind}|{control_id}|P|2.5.1"


def _pid(mrn: str, name: str, born: str, sex: str = "F") -> str:
    """A patient of Riverside's registration; `name` is "FAMILY^GIVEN"."""
    return (
        f"PID|1||{mrn}^^^RIVERSIDE^MR||{name}^^^^^L||{born}|{sex}"
        "|||48 HARBOR RD^^SALEM^MA^01970||(555)014-2230"
    )


def _pv1(visit: str, admitted: str = "") -> str:
    fields = [""] * 45
    fields[1], fields[2], fields[3] = "1", "I", "3E^310^B"
    fields[7] = f"1234567893^OSLER^WILLIAM^^^DR^MD^^{NPI}"
    fields[10], fields[19], fields[44] = "MED", visit, admitted
    return "PV1|" + "|".join(fields[1:])


def _admission(control_id: str, patient: str, visit: str) -> str:
    return _hl7(_msh("ADT^A01^ADT_A01", control_id), "EVN|A01|20261105091500", patient,
                _pv1(visit, "20261105080000"))  # fmt: skip


def _riverside_feed() -> bytes:
    """An admission of a patient new to the hospital, her blood count, and an update whose
    birth date (PID-7) is the 99th of December."""
    result = _hl7(
        _msh("ORU^R01^ORU_R01", "RV-LAB-1"),
        _pid("RV2001", "OKONKWO^ADAEZE", "19781123"),
        _pv1("RV-V77"),
        "OBR|1|ORD9|FIL9^LAB|CBC^Complete blood count^L|||20261105100000",
        "OBX|1|NM|718-7^Hemoglobin^LN||9.8|g/dL|12.0-16.0|L|||F",
    )
    update = _hl7(_msh("ADT^A08^ADT_A01", "RV-ADT-2"), "EVN|A08|20261105091500",
                  _pid("RV2001", "OKONKWO^ADAEZE", "19781299"), _pv1("RV-V77"))  # fmt: skip
    admission = _admission("RV-ADT-1", _pid("RV2001", "OKONKWO^ADAEZE", "19781123"), "RV-V77")
    return (admission + result + update).encode()


def _clinic_bundle() -> bytes:
    """A community clinic's visit for "Roz Abernathy": the seeded Rosalind Abernathy's birth
    date, sex and street, another phone, and only the clinic's own record number."""
    patient, visit, a1c = (f"urn:uuid:{n}" for n in (
        "0d7c2f1e-5b7a-4c1d-9a3e-2f4b6c8d0e11", "7a1d3c5e-9b2f-4e6a-8c0d-1e3f5a7b9c21",
        "3e5f7a9b-1c3d-4e5f-8a9b-0c1d2e3f4a51"))  # fmt: skip
    resources: list[dict[str, Any]] = [
        {"resourceType": "Patient", "gender": "female", "birthDate": "1961-04-09",
         "identifier": [{"type": {"coding": [{"code": "MR", "system":
                         "http://terminology.hl7.org/CodeSystem/v2-0203"}]},
                         "system": "urn:oid:2.16.840.1.113883.19.5.77", "value": "CH-55120"}],
         "name": [{"family": "Abernathy", "given": ["Roz"]}],
         "address": [{"line": ["12 Elm St"], "city": "Springfield", "state": "MA",
                      "postalCode": "01103"}],
         "telecom": [{"system": "phone", "value": "(555) 017-4410"}]},
        {"resourceType": "Encounter", "status": "finished", "subject": {"reference": patient},
         "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
         "period": {"start": "2026-09-14T09:00:00Z", "end": "2026-09-14T09:40:00Z"}},
        {"resourceType": "Observation", "status": "final", "subject": {"reference": patient},
         "encounter": {"reference": visit}, "effectiveDateTime": "2026-09-14T09:20:00Z",
         "code": {"coding": [{"system": "http://loinc.org", "code": "4548-4",
                              "display": "Hemoglobin A1c"}]},
         "valueQuantity": {"value": 7.2, "unit": "%", "system": "http://unitsofmeasure.org",
                           "code": "%"}},
    ]  # fmt: skip
    entries = [
        {"fullUrl": url, "resource": {**resource, "id": url.removeprefix("urn:uuid:")}}
        for url, resource in zip((patient, visit, a1c), resources, strict=True)
    ]
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}).encode()


def _upload(page: Page, base: str, *files: Path) -> None:
    page.goto(f"{base}/imports")
    page.locator("#f-files").set_input_files([str(f) for f in files])
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import report")


def _find(page: Page, typed: str, name: str) -> None:
    """Search as a person does (press "/") and open the chart named."""
    page.keyboard.press("/")
    page.keyboard.type(typed)
    page.keyboard.press("Enter")
    page.get_by_role("link", name=name).click()


def _summary(page: Page, term: str) -> str:
    return page.locator(f"dl.facts dt:text-is('{term}') + dd").inner_text()


def test_a_technician_imports_handles_a_rejection_and_links_a_held_patient(
    page: Page, live_server: str, tmp_path: Path, shared_data: Path
) -> None:
    feed = tmp_path / "riverside.hl7"
    feed.write_bytes(_riverside_feed())
    log_in(page, live_server, "hit")
    page.get_by_role("link", name="Imports").click()
    _upload(page, live_server, shared_data / SYNTHEA, feed)
    assert (_summary(page, "Files"), _summary(page, "Imported")) == ("2", "3")
    assert _summary(page, "Rejected") == "1"
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("riverside.hl7")
    expect(refusal).to_contain_text("message 3, PID-7")
    parts = page.get_by_role("table", name="Record parts written or updated")
    expect(parts.get_by_role("row").filter(has_text="patients")).to_contain_text("2")
    expect(page.get_by_role("table", name="Received but not held by the record")).to_contain_text(
        "ExplanationOfBenefit"
    )
    each = page.get_by_role("table", name="Each bundle, message and document")
    expect(each.get_by_role("row").filter(has_text="riverside.hl7 message 1")).to_contain_text(
        "OKONKWO, ADAEZE"
    )
    expect(each.get_by_role("row").filter(has_text="riverside.hl7 message 3")).to_contain_text(
        "rejected"
    )
    page.screenshot(path=str(tmp_path / "import-report.png"), full_page=True)

    refusal.get_by_role("link", name="riverside.hl7").click()
    expect(page.get_by_role("region", name="Why it was refused")).to_contain_text("PID-7")
    expect(page.get_by_role("region", name="What arrived")).to_contain_text("19781299")
    page.screenshot(path=str(tmp_path / "rejection.png"), full_page=True)
    page.get_by_label("What was done about it").fill(
        "Registration corrected the birth date at Riverside; the update will be resent."
    )
    page.get_by_role("button", name="Mark handled").click()
    expect(page.get_by_role("status")).to_contain_text("was marked handled")
    expect(page.get_by_role("table", name="Rejected input")).to_contain_text(
        "No rejected input is waiting"
    )
    page.get_by_label("Show").select_option("handled")
    page.get_by_role("button", name="List").click()
    expect(page.get_by_role("table", name="Rejected input")).to_contain_text(
        "Registration corrected"
    )
    page.screenshot(path=str(tmp_path / "handled-rejections.png"), full_page=True)

    clinic = tmp_path / "community-clinic.json"
    clinic.write_bytes(_clinic_bundle())
    _upload(page, live_server, clinic)
    assert _summary(page, "Imported") == "0"
    assert _summary(page, "Held for patient-match review").startswith("1 — held import")
    page.get_by_role("link", name="held import").first.click()
    incoming = page.get_by_role("region", name="Incoming patient")
    candidate = page.get_by_role("region", name="Candidate 1")
    expect(incoming).to_contain_text("Abernathy, Roz")
    expect(incoming).to_contain_text("CH-55120")
    expect(candidate).to_contain_text("Abernathy, Rosalind")
    expect(candidate).to_contain_text("M0000001")
    expect(candidate).to_contain_text("different given name")
    expect(candidate).to_contain_text("same birth date")
    page.screenshot(path=str(tmp_path / "held-import.png"), full_page=True)
    candidate.get_by_label("Same patient: file under MRN M0000001").check()
    page.get_by_role("button", name="Import with these choices").click()
    expect(page.get_by_role("status")).to_contain_text("was imported")
    expect(page.get_by_role("table", name="Held imports")).to_contain_text("No import is waiting")
    page.get_by_role("status").get_by_role("link").click()
    page.get_by_role("link", name="the patient's chart").click()

    expect(page.get_by_role("region", name="Patient banner")).to_contain_text("M0000001")
    results = page.get_by_role("region", name="Results")
    expect(results.get_by_role("row").filter(has_text="Hemoglobin A1c")).to_contain_text("7.2 %")
    expect(page.get_by_role("region", name="Encounters")).to_contain_text("2026-09-14")

    _find(page, "okonkwo adaeze", "Okonkwo, Adaeze")
    expect(page.get_by_role("region", name="Results")).to_contain_text("Hemoglobin")
    expect(page.get_by_role("region", name="Encounters")).to_contain_text("RV-V77")
    page.screenshot(path=str(tmp_path / "imported-chart.png"), full_page=True)
    _find(page, "hoeger buster", "Hoeger, Buster")
    expect(page.get_by_role("region", name="Encounters")).not_to_contain_text("No encounters")
    expect(page.get_by_role("region", name="Diagnoses")).not_to_contain_text("None documented")


@pytest.fixture
def him_manager(live_server: str, tmp_path: Path) -> str:
    """The HIM manager, who alone may merge patients, added to the running server's database."""
    database = tmp_path / "browser.db"
    assert database.exists(), "live_server (tests/browser/conftest.py) moved its database"
    himdesk = Himdesk(Settings(database_url=f"sqlite:///{database}", demo_mode=True))
    with himdesk.unit_of_work() as uow:
        user = uow.users.add(User(0, "him_manager", "Test HIM manager", Role.HIM_MANAGER,
                                  hash_password(PASSWORD)))  # fmt: skip
        uow.authenticators.enroll(user.id, TOTP_SECRET, uow.clock())
        uow.commit()
    himdesk.close()
    return user.username


def test_a_merge_from_the_feed_is_undone_by_the_him_manager(
    page: Page, live_server: str, tmp_path: Path, him_manager: str
) -> None:
    """Father and son of one name at one address; the feed's A40 wrongly makes them one."""
    son, father = (
        _pid("RV3001", "DUARTE^TOMAS", "19900214", "M"),
        _pid("RV3002", "DUARTE^TOMAS", "19620730", "M"),
    )
    merge = _hl7(_msh("ADT^A40^ADT_A39", "RV-ADT-13"), "EVN|A40|20261105120000", son,
                 "MRG|RV3002^^^RIVERSIDE^MR")  # fmt: skip
    feed = tmp_path / "riverside-merge.hl7"
    feed.write_text(
        _admission("RV-ADT-11", son, "RV-V81") + _admission("RV-ADT-12", father, "RV-V82") + merge
    )
    log_in(page, live_server, him_manager)
    _upload(page, live_server, feed)
    assert (_summary(page, "Imported"), _summary(page, "Rejected")) == ("3", "0")

    page.get_by_role("link", name="Merges").click()
    row = page.get_by_role("table", name="Patient merges").get_by_role("row").nth(1)
    expect(row).to_contain_text("RV-ADT-13")
    expect(row).to_contain_text("M0000005 DUARTE, TOMAS")
    page.screenshot(path=str(tmp_path / "merges.png"), full_page=True)
    row.get_by_role("link").nth(1).click()  # the merged patient: the father
    expect(page.get_by_role("status")).to_contain_text("was merged into MRN")
    page.get_by_role("link", name="Merges").click()
    row.get_by_label("Reason for undoing").fill("Tomas Duarte Sr and Jr are two patients.")
    row.get_by_role("button", name="Undo merge").click()
    expect(page.get_by_role("status")).to_contain_text("The merge was undone")
    expect(row).to_contain_text("Sr and Jr are two patients")

    row.get_by_role("link").nth(1).click()
    expect(page.get_by_role("region", name="Patient banner")).to_contain_text("1962")
    expect(page.get_by_role("region", name="Encounters")).to_contain_text("RV-V82")
    expect(page.get_by_role("region", name="Encounters")).not_to_contain_text("RV-V81")
    expect(page.get_by_role("status")).to_have_count(0)
