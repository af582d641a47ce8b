"""FHIR read, search and $everything handlers with a fake repository: no server, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fhir.resources.R4B import get_fhir_model_class
from hypothesis import given, settings
from hypothesis import strategies as st

from himdesk.domain.api_clients import parse_scopes
from himdesk.domain.record_search import CodeMatch, IdentifierMatch, NameMatch, TimeRange
from himdesk.interop.fhir.capability import capability_statement, smart_configuration
from himdesk.interop.fhir.handlers import (
    AccessRefused,
    FhirRequest,
    FhirResponse,
    Interaction,
    ResourceNotFound,
    handle,
)
from himdesk.interop.fhir.search import SearchError, SearchQuery, date_range, parse_search

BASE = "https://h.example/fhir/R4"
ALL = parse_scopes(["system/*.read"])
Json = dict[str, Any]


def observation(n: int) -> Json:
    return {"resourceType": "Observation", "id": str(n), "status": "final",
            "code": {"text": "Sodium"}, "subject": {"reference": "Patient/1"}}  # fmt: skip


@dataclass
class FakeRecords:
    """Seven observations of patient 1; patient 2 is restricted; asked queries are kept."""

    asked: list[SearchQuery] = field(default_factory=list)

    def read(self, resource_type: str, resource_id: int) -> Json:
        if resource_id == 2:
            raise AccessRefused("Patient 2's record is restricted.")
        if resource_type != "Observation" or resource_id > 7:
            raise ResourceNotFound(resource_id)
        return observation(resource_id)

    def search(self, query: SearchQuery) -> tuple[int, list[Json]]:
        self.asked.append(query)
        if query.criteria.patient_id == 2:
            raise AccessRefused("Patient 2's record is restricted.")
        ids = list(range(1, 8))[query.page.offset : query.page.offset + query.page.limit]
        return 7, [observation(n) for n in ids]

    def everything(self, patient_id: int) -> list[Json]:
        if patient_id != 1:
            raise ResourceNotFound(patient_id)
        patient = {"resourceType": "Patient", "id": "1"}
        return [patient, observation(1), {"resourceType": "Condition", "id": "4",
                                          "subject": {"reference": "Patient/1"}}]  # fmt: skip


def ask(interaction: Interaction, kind: str, resource_id: str = "", scopes: Any = ALL,
        lenient: bool = False, **params: str) -> FhirResponse:  # fmt: skip
    request = FhirRequest(interaction, kind, resource_id, tuple(params.items()), scopes, BASE,
                          lenient)  # fmt: skip
    return handle(request, FakeRecords())


def issue(response: FhirResponse) -> Json:
    assert response.resource["resourceType"] == "OperationOutcome"
    get_fhir_model_class("OperationOutcome").model_validate(response.resource)
    issue: Json = response.resource["issue"][0]
    return issue


def links(bundle: Json) -> dict[str, dict[str, str]]:
    return {link["relation"]: dict(parse_qsl(urlsplit(link["url"]).query))
            for link in bundle["link"]}  # fmt: skip


def test_a_read_returns_the_resource() -> None:
    response = ask(Interaction.READ, "Observation", "3")
    assert (response.status, response.resource["id"]) == (200, "3")


@pytest.mark.parametrize("resource_id", ["99", "abc", "1e3", "", "١"])
def test_an_unknown_or_malformed_id_is_not_found(resource_id: str) -> None:
    response = ask(Interaction.READ, "Observation", resource_id)
    assert response.status == 404 and issue(response)["code"] == "not-found"


def test_a_restricted_record_is_refused_saying_why() -> None:
    response = ask(Interaction.READ, "Observation", "2")
    assert response.status == 403 and "restricted" in issue(response)["diagnostics"]


def test_a_type_the_server_does_not_serve_is_not_supported() -> None:
    response = ask(Interaction.SEARCH, "Claim")
    assert response.status == 404 and issue(response)["code"] == "not-supported"


def test_scopes_decide_which_types_and_interactions_a_token_may_use() -> None:
    patients_only = parse_scopes(["system/Patient.read"])
    searches_only = parse_scopes(["system/Observation.s"])
    assert ask(Interaction.READ, "Observation", "3", patients_only).status == 403
    assert ask(Interaction.SEARCH, "Observation", scopes=searches_only).status == 200
    refused = ask(Interaction.READ, "Observation", "3", searches_only)
    assert refused.status == 403 and issue(refused)["code"] == "forbidden"


def test_a_search_is_a_valid_searchset_bundle_with_full_urls() -> None:
    response = ask(Interaction.SEARCH, "Observation", patient="1", _count="3")
    bundle = response.resource
    get_fhir_model_class("Bundle").model_validate(bundle)
    assert (bundle["type"], bundle["total"], len(bundle["entry"])) == ("searchset", 7, 3)
    assert bundle["entry"][0]["fullUrl"] == f"{BASE}/Observation/1"
    assert bundle["entry"][0]["search"] == {"mode": "match"}


def test_paging_links_walk_the_results_with_count_and_offset() -> None:
    first = links(ask(Interaction.SEARCH, "Observation", patient="1", _count="3").resource)
    assert first["next"] == {"patient": "1", "_count": "3", "_offset": "3"}
    assert "previous" not in first
    middle = links(ask(Interaction.SEARCH, "Observation", patient="1", _count="3",
                       _offset="3").resource)  # fmt: skip
    assert middle["previous"] == {"patient": "1", "_count": "3"}
    assert middle["next"]["_offset"] == "6"
    last = links(ask(Interaction.SEARCH, "Observation", _count="3", _offset="6").resource)
    assert "next" not in last and last["self"]["_offset"] == "6"


def test_an_unknown_parameter_is_refused_unless_the_client_asks_for_leniency() -> None:
    strict = ask(Interaction.SEARCH, "Observation", _sort="date")
    assert strict.status == 400 and issue(strict)["expression"] == ["_sort"]
    lenient = ask(Interaction.SEARCH, "Observation", lenient=True, _sort="date")
    assert lenient.status == 200
    assert "_sort" not in links(lenient.resource)["self"]


@pytest.mark.parametrize(
    ("params", "where"),
    [({"_count": "-1"}, "_count"), ({"_count": "ten"}, "_count"), ({"date": "2026-13-01"}, "date"),
     ({"date": "sa2026"}, "date"), ({"patient": "Encounter/3"}, "patient"),
     ({"code": "http://loinc.org|"}, "code"), ({"code:text": "sodium"}, "code:text")],
)  # fmt: skip
def test_malformed_search_values_are_refused_naming_the_parameter(
    params: dict[str, str], where: str
) -> None:
    response = ask(Interaction.SEARCH, "Observation", **params)
    assert response.status == 400 and issue(response)["expression"] == [where]


def test_a_search_about_a_restricted_patient_is_refused() -> None:
    assert ask(Interaction.SEARCH, "Observation", patient="Patient/2").status == 403


def test_everything_returns_the_readable_parts_of_the_record() -> None:
    response = ask(Interaction.EVERYTHING, "Patient", "1",
                   parse_scopes(["system/Patient.read", "system/Observation.read"]))  # fmt: skip
    kinds = [e["resource"]["resourceType"] for e in response.resource["entry"]]
    assert kinds == ["Patient", "Observation"]  # no scope for Condition
    assert ask(Interaction.EVERYTHING, "Patient", "5").status == 404
    assert ask(Interaction.EVERYTHING, "Observation", "1").status == 404


def test_search_parameters_become_record_criteria() -> None:
    query = parse_search("Patient", [
        ("identifier", "urn:himdesk:mrn:GENERAL|M0000001"), ("name", "nguy,linh"),
        ("name:exact", "Nguyen"), ("birthdate", "ge1960"), ("birthdate", "lt1970-06"),
        ("gender", "female"), ("_count", "900"),
    ])  # fmt: skip
    c = query.criteria
    assert c.identifiers == (IdentifierMatch("M0000001", facility="GENERAL"),)
    assert c.names == ((NameMatch("nguy"), NameMatch("linh")), (NameMatch("Nguyen", exact=True),))
    assert c.birth == (TimeRange(datetime(1960, 1, 1, tzinfo=UTC), None),
                       TimeRange(None, datetime(1970, 6, 1, tzinfo=UTC)))  # fmt: skip
    assert (c.sex, query.page.limit) == ("F", 500)


def test_codes_match_every_name_of_their_system() -> None:
    query = parse_search("Observation", [("code", "http://loinc.org|2951-2,|LOCAL1,2823-3")])
    loinc, local, anywhere = query.criteria.codes
    assert loinc.code == "2951-2" and loinc.systems is not None
    assert {"http://loinc.org", "2.16.840.1.113883.6.1", "LN"} <= set(loinc.systems)
    assert local == CodeMatch("LOCAL1", ("",)) and anywhere == CodeMatch("2823-3")


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [("2026", "2026-01-01", "2027-01-01"), ("eq2026-02", "2026-02-01", "2026-03-01"),
     ("lt2026-02-03", None, "2026-02-03"), ("le2026-02-03", None, "2026-02-04"),
     ("gt2026-12", "2027-01-01", None), ("ge2026-02-03T10:00:00Z", "2026-02-03T10:00:00", None)],
)  # fmt: skip
def test_date_prefixes_select_ranges_by_the_values_precision(
    text: str, start: str | None, end: str | None
) -> None:
    def moment(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None

    assert date_range("date", text) == TimeRange(moment(start), moment(end))


def test_a_search_error_names_the_parameter() -> None:
    with pytest.raises(SearchError, match="gender"):
        parse_search("Patient", [("gender", "f")])


def test_the_capability_statement_is_valid_and_lists_types_searches_and_security() -> None:
    statement = capability_statement(BASE, "2026-11-27")
    get_fhir_model_class("CapabilityStatement").model_validate(statement)
    rest = statement["rest"][0]
    served = {r["type"]: r for r in rest["resource"]}
    assert set(served) >= {"Patient", "Observation", "DocumentReference", "Practitioner"}
    assert {p["name"] for p in served["Observation"]["searchParam"]} >= {"patient", "code", "date"}
    assert served["Patient"]["operation"][0]["name"] == "everything"
    assert rest["security"]["service"][0]["coding"][0]["code"] == "SMART-on-FHIR"
    assert smart_configuration(BASE)["token_endpoint"] == f"{BASE}/auth/token"


_NAMES = st.sampled_from([
    "patient", "code", "date", "_count", "_offset", "name", "identifier", "birthdate", "gender",
    "_id", "subject", "name:exact", "x", ""])  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(["Patient", "Observation", "Encounter", "Practitioner", "Nope"]),
    params=st.lists(st.tuples(_NAMES, st.text(max_size=40)), max_size=6),
    resource_id=st.text(max_size=12),
)
def test_any_request_gets_a_bundle_resource_or_outcome_never_an_exception(
    kind: str, params: list[tuple[str, str]], resource_id: str
) -> None:
    for interaction in Interaction:
        request = FhirRequest(interaction, kind, resource_id, tuple(params), ALL, BASE)
        response = handle(request, FakeRecords())
        assert response.resource["resourceType"] in ("Bundle", "Observation", "OperationOutcome")
        assert response.status in (200, 400, 403, 404)
