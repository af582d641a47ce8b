"""The FHIR R4 API at /fhir/R4: metadata, read, search and Patient/{id}/$everything.

Thin: each route turns the HTTP request into a `FhirRequest`, lets the handler answer it over
the services (interop/fhir/handlers.py, record_source.py) and sends the result as FHIR JSON.
This router's `/{resource_type}/{resource_id}` matches any two segments, so it is included
after every more specific /fhir/R4 route (web/app.py).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from himdesk.interop.fhir.capability import capability_statement
from himdesk.interop.fhir.handlers import FhirRequest, FhirResponse, Interaction, handle
from himdesk.interop.fhir.record_source import ServiceRecords
from himdesk.services.api_clients import ApiCaller
from himdesk.web.fhir_responses import Caller, FhirRoute, fhir_json
from himdesk.web.routes.fhir_auth import fhir_base
from himdesk.web.sessions import himdesk_of

router = APIRouter(prefix="/fhir/R4", route_class=FhirRoute)


@router.get("/metadata")
def metadata(request: Request) -> Response:
    published = himdesk_of(request).clock().date().isoformat()
    return fhir_json(FhirResponse(200, capability_statement(fhir_base(request), published)))


def _answer(
    request: Request, caller: ApiCaller, interaction: Interaction, kind: str, resource_id: str = ""
) -> Response:
    fhir_request = FhirRequest(
        interaction=interaction,
        resource_type=kind,
        resource_id=resource_id,
        params=tuple(request.query_params.multi_items()),
        scopes=caller.scopes,
        base=fhir_base(request),
        lenient="handling=lenient" in request.headers.get("prefer", "").replace(" ", ""),
    )
    with himdesk_of(request).unit_of_work() as uow:
        response = handle(fhir_request, ServiceRecords(uow, caller.actor, fhir_request.base))
    return fhir_json(response)


@router.get("/Patient/{patient_id}/$everything")
def everything(request: Request, caller: Caller, patient_id: str) -> Response:
    return _answer(request, caller, Interaction.EVERYTHING, "Patient", patient_id)


@router.get("/{resource_type}")
def search(request: Request, caller: Caller, resource_type: str) -> Response:
    return _answer(request, caller, Interaction.SEARCH, resource_type)


@router.get("/{resource_type}/{resource_id}")
def read(request: Request, caller: Caller, resource_type: str, resource_id: str) -> Response:
    return _answer(request, caller, Interaction.READ, resource_type, resource_id)
