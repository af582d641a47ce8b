"""Whatever arrives, the FHIR reader gives one clean Submission or Rejected, never a crash.

Three kinds of input: arbitrary bytes, arbitrary JSON (shaped like resources, with the field
names the reader looks at), and real resources from the shared samples with a field dropped or
replaced by a value of another type. A reader bug caught by its last-resort handler would show
as the generic UNEXPECTED reason, so that counts as a failure too.
"""

from __future__ import annotations

import base64
import copy
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from himdesk.domain.incoming import Rejected, Submission
from himdesk.interop.fhir.inbound import UNEXPECTED, read_fhir
from himdesk.interop.fhir.inbound_charts import MAPPED

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Field names the reader reads, so generated objects reach its code paths.
FIELDS = [
    "resourceType", "id", "subject", "patient", "encounter", "reference", "display", "code",
    "coding", "system", "text", "value", "valueQuantity", "valueInteger", "unit", "component",
    "interpretation", "referenceRange", "low", "high", "effectiveDateTime", "effectivePeriod",
    "issued", "start", "end", "period", "class", "status", "name", "family", "given", "birthDate",
    "gender", "identifier", "type", "address", "line", "telecom", "use", "participant",
    "individual", "hospitalization", "dischargeDisposition", "recordedDate", "onsetDateTime",
    "performer", "actor", "performedPeriod", "medicationCodeableConcept", "medicationReference",
    "contained", "authoredOn", "dosageInstruction", "doseAndRate", "doseQuantity", "timing",
    "repeat", "frequency", "periodUnit", "route", "reaction", "manifestation", "severity",
    "content", "attachment", "contentType", "data", "url", "docStatus", "author", "context",
    "presentedForm", "result", "hasMember", "entry", "fullUrl", "resource", "verificationStatus",
    "qualification", "category",
]  # fmt: skip
KINDS = sorted(MAPPED | {"Bundle", "Organization", "Claim", "Medication", "Binary"})

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "2024-03-01",
            "2024-03-01T10:00:00Z",
            "0001-01-01T00:00:00+01:00",
            "Patient/p1",
            "#x",
            "urn:uuid:1",
            "text/html",
            "PGI+",
        ]
    )  # fmt: skip
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=25,
)
resources = st.fixed_dictionaries(
    {"resourceType": st.sampled_from(KINDS)},
    optional={field: json_values for field in FIELDS[1:40]},
)


def assert_clean(content: bytes, label: str = "fuzz.json") -> None:
    items = list(read_fhir(content, label))
    assert len(items) == 1
    (item,) = items
    assert isinstance(item, Submission | Rejected)
    if isinstance(item, Rejected):
        assert item.problem != UNEXPECTED, item


@FUZZ
@given(content=st.binary(max_size=300), label=st.sampled_from(["a.json", "a.ndjson", "a"]))
def test_arbitrary_bytes_are_read_or_rejected_cleanly(content: bytes, label: str) -> None:
    assert_clean(content, label)


@FUZZ
@given(value=json_values)
def test_arbitrary_json_is_read_or_rejected_cleanly(value: Any) -> None:
    assert_clean(orjson.dumps(value))


@FUZZ
@given(resource=resources, bundle_type=st.sampled_from(["collection", "transaction", "batch"]))
def test_resource_shaped_json_alone_in_a_bundle_and_as_ndjson_is_handled(
    resource: dict[str, Any], bundle_type: str
) -> None:
    assert_clean(orjson.dumps(resource))
    bundle = {"resourceType": "Bundle", "type": bundle_type, "entry": [{"resource": resource}]}
    assert_clean(orjson.dumps(bundle))
    assert_clean(orjson.dumps(resource) + b"\n" + orjson.dumps(resource), "x.ndjson")


@FUZZ
@given(markup=st.text(alphabet=st.sampled_from(list("<>!/[]-?&#;x'\"= aCDATbrpsi\n")), max_size=60))
def test_any_html_document_text_is_read_or_rejected_cleanly(markup: str) -> None:
    attachment = {"contentType": "text/html", "data": base64.b64encode(markup.encode()).decode()}
    document = {
        "resourceType": "DocumentReference",
        "subject": {"reference": "Patient/p1"},
        "date": "2024-03-01",
        "content": [{"attachment": attachment}],
    }
    assert_clean(orjson.dumps(document))


@lru_cache(maxsize=1)
def _real_resources(root: Path) -> tuple[dict[str, Any], ...]:
    """A few real resources of every type the reader maps, from both kinds of shared sample."""
    pool: list[dict[str, Any]] = []
    for path in sorted((root / "fhir_r4_examples").glob("*.json")):
        if path.name.split("-")[0] in MAPPED:
            pool.append(orjson.loads(path.read_bytes()))
    synthea = sorted((root / "synthea_fhir_r4" / "bundles").glob("*.json"))[0]
    seen: dict[str, int] = {}
    for entry in orjson.loads(synthea.read_bytes())["entry"]:
        kind = entry["resource"]["resourceType"]
        seen[kind] = seen.get(kind, 0) + 1
        if kind in MAPPED and seen[kind] <= 3:
            pool.append(entry["resource"])
    return tuple(pool)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        items: list[tuple[Any, Any]] = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        return []
    found: list[tuple[Any, ...]] = []
    for key, inner in items:
        found.append((*prefix, key))
        found.extend(_paths(inner, (*prefix, key)))
    return found


@FUZZ
@given(data=st.data())
def test_real_resources_with_a_field_dropped_or_of_the_wrong_type_are_handled(
    shared_data: Path, data: st.DataObject
) -> None:
    original = data.draw(st.sampled_from(_real_resources(shared_data)))
    resource = copy.deepcopy(original)
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(resource)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        parent = resource
        for key in path[:-1]:
            parent = parent[key]
        if data.draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(json_values)
    patient = {"resourceType": "Patient", "id": "p1", "birthDate": "1970-01-01"}
    entries = [{"resource": resource}, {"fullUrl": "urn:uuid:p1", "resource": patient}]
    assert_clean(orjson.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}))
    assert_clean(orjson.dumps(resource))
