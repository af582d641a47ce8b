"""FHIR R4 read, search and `$everything`, with no HTTP in them (request + repository -> outcome).

The web route turns an HTTP request into a `FhirRequest` and the `FhirResponse` back into JSON;
the repository reads the record (checked and audited in the services) and maps it to resources.
Errors are OperationOutcomes: https://hl7.org/fhir/R4/operationoutcome.html

- read: https://hl7.org/fhir/R4/http.html#read
- search: https://hl7.org/fhir/R4/http.html#search (Bundle `searchset`, paging links)
- `$everything`: https://hl7.org/fhir/R4/patient-operation-everything.html
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

from himdesk.domain.api_clients import Scope, permits
from himdesk.domain.record_search import record_id
from himdesk.interop.fhir.search import KINDS, SearchError, SearchQuery, parse_search

Json = dict[str, Any]


class Interaction(enum.StrEnum):
    READ = "read"
    SEARCH = "search"
    EVERYTHING = "everything"


class ResourceNotFound(LookupError):
    """No such resource (or one of a patient the caller cannot know exists)."""


class AccessRefused(PermissionError):
    """The record is there but closed to this caller; the message says why."""


class FhirRepository(Protocol):
    def read(self, resource_type: str, resource_id: int) -> Json: ...
    def search(self, query: SearchQuery) -> tuple[int, list[Json]]: ...
    def everything(self, patient_id: int) -> list[Json]: ...


@dataclass(frozen=True)
class FhirRequest:
    interaction: Interaction
    resource_type: str
    resource_id: str = ""
    params: tuple[tuple[str, str], ...] = ()
    scopes: tuple[Scope, ...] = ()
    base: str = ""  # the service base URL, e.g. https://host/fhir/R4
    lenient: bool = False  # `Prefer: handling=lenient`: unknown search parameters are ignored


@dataclass(frozen=True)
class FhirResponse:
    status: int
    resource: Json


def operation_outcome(status: int, code: str, diagnostics: str, where: str = "") -> FhirResponse:
    issue: Json = {"severity": "error", "code": code, "diagnostics": diagnostics}
    if where:
        issue["expression"] = [where]
    return FhirResponse(status, {"resourceType": "OperationOutcome", "issue": [issue]})


def handle(request: FhirRequest, repository: FhirRepository) -> FhirResponse:
    """The response to one API request; never raises for anything the caller sent."""
    kind = request.resource_type
    if kind not in KINDS:
        return operation_outcome(404, "not-supported", f"{kind[:60]} is not served here")
    if request.interaction is Interaction.EVERYTHING and kind != "Patient":
        return operation_outcome(404, "not-supported", "$everything is a Patient operation")
    needed = "search" if request.interaction is Interaction.SEARCH else "read"
    if not permits(request.scopes, kind, needed):
        return operation_outcome(
            403, "forbidden", f"the access token's scopes do not allow {needed} of {kind}"
        )
    try:
        if request.interaction is Interaction.SEARCH:
            return _search(request, repository)
        resource_id = _id_of(request)
        if request.interaction is Interaction.READ:
            return FhirResponse(200, repository.read(kind, resource_id))
        return _everything(request, repository, resource_id)
    except ResourceNotFound:
        return operation_outcome(
            404, "not-found", f"{kind}/{request.resource_id[:64]} is not known"
        )
    except AccessRefused as refused:
        return operation_outcome(403, "forbidden", str(refused))
    except SearchError as wrong:
        return operation_outcome(400, "invalid", str(wrong), wrong.parameter)


def _id_of(request: FhirRequest) -> int:
    """Record ids are whole numbers in the database's range; any other id names nothing."""
    found = record_id(request.resource_id)
    if found is None:
        raise ResourceNotFound(request.resource_id)
    return found


def _search(request: FhirRequest, repository: FhirRepository) -> FhirResponse:
    query = parse_search(request.resource_type, request.params, request.lenient)
    total, resources = repository.search(query)
    bundle = searchset(resources, request.base, total)
    bundle["link"] = paging_links(query, request.base, total)
    return FhirResponse(200, bundle)


def _everything(request: FhirRequest, repository: FhirRepository, patient_id: int) -> FhirResponse:
    """The whole record; resources of types the token may not read are left out."""
    resources = [
        r for r in repository.everything(patient_id)
        if permits(request.scopes, r["resourceType"], "read")
    ]  # fmt: skip
    bundle = searchset(resources, request.base, len(resources))
    self_url = f"{request.base}/Patient/{patient_id}/$everything"
    bundle["link"] = [{"relation": "self", "url": self_url}]
    return FhirResponse(200, bundle)


def searchset(resources: Sequence[Json], base: str, total: int) -> Json:
    """A Bundle of search matches: https://hl7.org/fhir/R4/bundle.html#searchset"""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "entry": [
            {"fullUrl": full_url(r, base), "resource": r, "search": {"mode": "match"}}
            for r in resources
        ],
    }


def full_url(resource: Json, base: str) -> str:
    return f"{base.rstrip('/')}/{resource['resourceType']}/{resource['id']}"


def paging_links(query: SearchQuery, base: str, total: int) -> list[Json]:
    """self, first, previous and next, with `_count` and `_offset` (offset paging)."""
    limit, offset = query.page.limit, query.page.offset
    kept = [(k, value) for k, value in query.echo if k != "_count"]

    def url(at: int) -> str:
        params = [*kept, ("_count", str(limit))] + ([("_offset", str(at))] if at else [])
        return f"{base.rstrip('/')}/{query.resource_type}?{urlencode(params)}"

    links = [{"relation": "self", "url": url(offset)}, {"relation": "first", "url": url(0)}]
    if offset > 0 and limit > 0:
        links.append({"relation": "previous", "url": url(max(offset - limit, 0))})
    if limit > 0 and offset + limit < total:
        links.append({"relation": "next", "url": url(offset + limit)})
    return links
