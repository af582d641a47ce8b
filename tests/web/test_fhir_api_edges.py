"""The FHIR API at the edges: ids past the database's integer range, calendar limits, tokens
that cannot be ours, and patients merged away (HL7 A40), on every backend."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from himdesk.bootstrap import Himdesk
from himdesk.services.patient_merges import merge_within
from tests.fakes import ChartBuilder
from tests.integration.test_merged_chart_restrictions import merged_vip
from tests.web.test_fhir_api import MANAGER, R4, Ids, api, fhir, ids, outcome, reader

__all__ = ["api", "ids", "merged_vip", "reader"]  # fixtures shared with other tests
PAST_INTEGER = "99999999999"  # fits 64 bits, not PostgreSQL's INTEGER


@pytest.mark.parametrize(
    ("path", "status"),
    [(f"/Patient/{PAST_INTEGER}", 404), (f"/Observation/{PAST_INTEGER}", 404),
     (f"/Practitioner/{PAST_INTEGER}", 404), (f"/Patient/{PAST_INTEGER}/$everything", 404),
     (f"/Patient/{2**31}", 404), (f"/Observation?patient={PAST_INTEGER}", 400),
     (f"/$export-file/abc/{PAST_INTEGER}", 400)],
)  # fmt: skip
def test_ids_past_the_database_integer_range_name_nothing(
    api: TestClient, reader: dict[str, str], path: str, status: int
) -> None:
    outcome(api.get(f"{R4}{path}", headers=reader), status)


@pytest.mark.parametrize("search", [f"Observation?_id={PAST_INTEGER}",
                                    f"Patient?_id={PAST_INTEGER}"])  # fmt: skip
def test_a_search_by_an_id_past_the_range_finds_nothing(
    api: TestClient, reader: dict[str, str], search: str
) -> None:
    assert fhir(api.get(f"{R4}/{search}", headers=reader))["total"] == 0


@pytest.mark.parametrize(
    "date",
    ["9999-12-31", "9999-12", "9999", "lt9999-12-31T23:59:59.9+00:00", "0001-01-01T00:00:00+01:00"],
)
def test_dates_at_the_end_of_the_calendar_are_a_clear_400(
    api: TestClient, reader: dict[str, str], date: str
) -> None:
    response = api.get(f"{R4}/Observation", params={"date": date}, headers=reader)
    assert "expected a date" in outcome(response, 400)


def test_an_export_address_with_a_nul_byte_is_not_found(
    api: TestClient, reader: dict[str, str]
) -> None:
    outcome(api.get(f"{R4}/$export-status/%00", headers=reader), 404)
    outcome(api.get(f"{R4}/$export-file/%00/1", headers=reader), 404)


def test_a_vip_registration_merged_away_stays_restricted(
    api: TestClient, reader: dict[str, str], merged_vip: Ids
) -> None:
    merged = merged_vip["merged"]
    assert "restricted" in outcome(api.get(f"{R4}/Patient/{merged}", headers=reader), 403)
    everything = api.get(f"{R4}/Patient/{merged}/$everything", headers=reader)
    assert "restricted" in outcome(everything, 403)
    survivor = api.get(f"{R4}/Patient/{merged_vip['survivor']}", headers=reader)
    assert "restricted" in outcome(survivor, 403)


def test_a_patient_merged_into_another_reads_as_inactive_and_replaced(
    himdesk: Himdesk, api: TestClient, reader: dict[str, str]
) -> None:
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        survivor = build.patient("M0000903", "Okafor", "Ada")
        duplicate = build.patient("M0000904", "Okafor", "Adaeze")
        assert survivor.id and duplicate.id
        merge_within(uow, MANAGER, surviving_id=survivor.id, merged_id=duplicate.id, source="A40")
        uow.commit()
    merged = fhir(api.get(f"{R4}/Patient/{duplicate.id}", headers=reader))
    assert merged["active"] is False
    assert merged["link"] == [{"other": {"reference": f"Patient/{survivor.id}"},
                               "type": "replaced-by"}]  # fmt: skip
    assert fhir(api.get(f"{R4}/Patient/{survivor.id}", headers=reader))["active"] is True


@pytest.mark.parametrize(
    ("params", "problem"),
    [([("name", ",".join(["a"] * 500))] * 30, "at most 100 values"),
     ([("_id", ",".join(["1"] * 101))], "at most 100 values"),
     ([("gender", "female")] * 31, "at most 30 parameters")],
)  # fmt: skip
def test_a_search_too_wide_for_one_query_is_a_clear_400(
    api: TestClient, reader: dict[str, str], params: list[tuple[str, str]], problem: str
) -> None:
    response = api.get(f"{R4}/Patient", params=params, headers=reader)
    assert problem in outcome(response, 400)
