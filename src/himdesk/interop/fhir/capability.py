"""What the FHIR API offers: the CapabilityStatement and the SMART configuration (pure).

CapabilityStatement: https://hl7.org/fhir/R4/capabilitystatement.html
SMART configuration and Backend Services: https://hl7.org/fhir/smart-app-launch/conformance.html
and https://hl7.org/fhir/smart-app-launch/backend-services.html
"""

from __future__ import annotations

from himdesk.domain.client_keys import SIGNING_ALGORITHMS
from himdesk.interop.fhir.handlers import Json
from himdesk.interop.fhir.search import PARAMETERS

FHIR_VERSION = "4.0.1"
SOFTWARE_VERSION = "0.1.0"
_PARAMETER_TYPES = {
    "_id": "token",
    "identifier": "token",
    "code": "token",
    "gender": "token",
    "name": "string",
    "patient": "reference",
    "subject": "reference",
    "birthdate": "date",
    "date": "date",
    "recorded-date": "date",
    "authoredon": "date",
}
_SCOPES = ["system/*.read", "system/*.rs"]
OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
EVERYTHING = "http://hl7.org/fhir/OperationDefinition/Patient-everything"
BULK_EXPORT = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"
PATIENT_EXPORT = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"


def token_url(base: str) -> str:
    return f"{base.rstrip('/')}/auth/token"


def capability_statement(base: str, published: str) -> Json:
    """The server's CapabilityStatement (`published`: the date it describes, YYYY-MM-DD)."""
    resources = [_resource(kind) for kind in ("Patient", *sorted(PARAMETERS.keys() - {"Patient"}))]
    resources.append({"type": "Practitioner", "interaction": [{"code": "read"}]})
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": published,
        "publisher": "himdesk",
        "kind": "instance",
        "software": {"name": "himdesk", "version": SOFTWARE_VERSION},
        "implementation": {"description": "himdesk FHIR R4 API (read-only)", "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "security": _security(base),
                "resource": resources,
                "operation": [{"name": "export", "definition": BULK_EXPORT}],
            }
        ],
    }


def _resource(kind: str) -> Json:
    names = sorted(PARAMETERS[kind] | {"_id"})
    resource: Json = {
        "type": kind,
        "interaction": [{"code": "read"}, {"code": "search-type"}],
        "searchParam": [{"name": n, "type": _PARAMETER_TYPES[n]} for n in names],
    }
    if kind == "Patient":
        resource["operation"] = [
            {"name": "everything", "definition": EVERYTHING},
            {"name": "export", "definition": PATIENT_EXPORT},
        ]
    return resource


def _security(base: str) -> Json:
    return {
        "extension": [
            {"url": OAUTH_URIS, "extension": [{"url": "token", "valueUri": token_url(base)}]}
        ],
        "service": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                        "code": "SMART-on-FHIR",
                    }
                ]
            }
        ],
        "description": (
            "Bearer tokens from the client credentials grant of SMART Backend Services: the "
            "client authenticates with a JWT assertion signed with its registered key "
            "(private_key_jwt, RS384 or ES384) or with a client secret (HTTP Basic or form); "
            "system scopes such as system/Patient.read."
        ),
    }


def smart_configuration(base: str) -> Json:
    """`.well-known/smart-configuration`: where to get a token and what is supported."""
    return {
        "token_endpoint": token_url(base),
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": [
            "private_key_jwt",
            "client_secret_basic",
            "client_secret_post",
        ],
        "token_endpoint_auth_signing_alg_values_supported": list(SIGNING_ALGORITHMS),
        "scopes_supported": _SCOPES,
        "capabilities": [
            "client-confidential-asymmetric",
            "client-confidential-symmetric",
            "permission-v1",
            "permission-v2",
        ],
    }
