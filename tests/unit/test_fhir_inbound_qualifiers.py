"""The reader takes a principal diagnosis, a body side, a signer and sensitivity labels as other
senders write them, not only as himdesk's export does, and refuses what it cannot keep."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.test_fhir_inbound import (
    PATIENT_REF,
    assert_rejected,
    chart,
    condition,
    document,
    encounter,
    fhir,
    submitted,
)

from himdesk.domain.sensitivity import SensitiveCategory

SNOMED = "http://snomed.info/sct"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ROLE = "http://terminology.hl7.org/CodeSystem/diagnosis-role"
QUALIFIER = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier"


def ranked(condition_id: str, rank: Any = 1, role: str = "") -> dict[str, Any]:
    entry: dict[str, Any] = {"condition": {"reference": f"Condition/{condition_id}"}, "rank": rank}
    if role:
        entry["use"] = {"coding": [{"system": ROLE, "code": role}]}
    return entry


def principal_of(*entries: dict[str, Any]) -> set[str]:
    conditions = [condition(id=name) for name in ("c1", "c2", "c3")]
    diagnoses = chart(submitted(encounter(diagnosis=list(entries)), *conditions)).diagnoses
    return {d.source.value.removeprefix("Condition/") for d in diagnoses if d.is_principal}


def test_the_condition_an_encounter_ranks_first_is_the_principal_diagnosis() -> None:
    assert principal_of(ranked("c2"), ranked("c1", 2)) == {"c2"}


def test_the_discharge_diagnosis_ranked_first_is_principal_over_the_admission_one() -> None:
    assert principal_of(ranked("c1", role="AD"), ranked("c2", role="DD")) == {"c2"}
    assert principal_of(ranked("c1", role="AD"), ranked("c2", 2, role="DD")) == {"c1"}


def test_a_chief_complaint_or_comorbidity_ranked_first_is_not_principal() -> None:
    assert principal_of(ranked("c1", role="CC"), ranked("c2", role="CM")) == set()


def test_no_ranking_means_no_principal_diagnosis() -> None:
    unranked = {"condition": {"reference": "Condition/c1"}}
    assert principal_of(unranked) == set()


@pytest.mark.parametrize("rank", [0, "1", 1.5, True])
def test_a_rank_that_is_not_a_positive_integer_is_rejected(rank: Any) -> None:
    assert_rejected(encounter(diagnosis=[ranked("c1", rank)]), "diagnosis[0].rank",
                    "expected a positive integer")  # fmt: skip


def side_site(concept: dict[str, Any], text: str = "") -> dict[str, Any]:
    site: dict[str, Any] = {"extension": [{"url": QUALIFIER, "valueCodeableConcept": concept}]}
    return site | ({"text": text} if text else {})


def coded(code: str, display: str = "") -> dict[str, Any]:
    return {"coding": [{"system": SNOMED, "code": code, "display": display}]}


@pytest.mark.parametrize(
    ("sites", "side"),
    [
        ([side_site(coded("24028007", "Right"))], "right"),
        ([side_site(coded("51440002") | {"text": "both sides"})], "both sides"),
        ([side_site({"text": "Left (patient's own)"} | coded("7771000"))], "left"),
        ([coded("7771000", "Left")], "left"),
        ([{"text": "Left knee"}], ""),
        ([coded("49521004", "Left external ear structure")], ""),
        ([coded("72696002", "Knee"), side_site(coded("7771000"))], "left"),
    ],
    ids=["qualifier", "qualifier text", "long text coded", "site coded as a side",
         "site text", "sided structure", "second site"],
)  # fmt: skip
def test_a_side_is_read_from_the_laterality_qualifier_or_a_site_coded_as_a_side(
    sites: list[dict[str, Any]], side: str
) -> None:
    (diagnosis,) = chart(submitted(condition(bodySite=sites))).diagnoses
    assert diagnosis.laterality == side


def test_a_side_in_words_longer_than_the_record_keeps_is_rejected() -> None:
    site = side_site({"text": "left and slightly medial"})
    assert_rejected(condition(bodySite=[site]),
                    "bodySite[0].extension[0].valueCodeableConcept.text",
                    "the record keeps at most 10")  # fmt: skip


def test_tissue_removed_must_be_true_or_false() -> None:
    procedure = {
        "resourceType": "Procedure", "id": "pr1", "status": "completed",
        "subject": PATIENT_REF, "code": {"text": "Excision"},
        "performedDateTime": "2024-03-02T09:00:00Z",
        "extension": [{"url": "urn:himdesk:fhir:extension:tissue-removed", "valueBoolean": "yes"}],
    }  # fmt: skip
    assert_rejected(procedure, "extension[0].valueBoolean", "expected true or false")


def test_the_authenticator_is_the_signer_and_an_organisation_signs_for_no_one() -> None:
    signer = {"reference": "Practitioner/dr2", "display": "Dr. Sam Signer"}
    (signed,) = chart(submitted(document(authenticator=signer))).documents
    assert (signed.author, signed.signed_by) == (fhir("Practitioner", "dr1"),
                                                 fhir("Practitioner", "dr2"))  # fmt: skip
    by_organisation = document(authenticator={"reference": "Organization/o1"})
    assert chart(submitted(by_organisation)).documents[0].signed_by is None


def labelled(*codings: dict[str, str], security_label: bool = False) -> SensitiveCategory | None:
    resource = (
        document(securityLabel=[{"coding": list(codings)}])
        if security_label
        else document(meta={"security": list(codings)})
    )
    return chart(submitted(resource)).documents[0].sensitivity


def act(code: str, system: str = ACT_CODE) -> dict[str, str]:
    return {"system": system, "code": code}


@pytest.mark.parametrize(
    ("code", "category"),
    [("PSY", SensitiveCategory.BEHAVIORAL_HEALTH), ("SUD", SensitiveCategory.SUBSTANCE_USE),
     ("42CFRPart2", SensitiveCategory.SUBSTANCE_USE), ("STD", SensitiveCategory.HIV_STI),
     ("SEX", SensitiveCategory.REPRODUCTIVE_HEALTH), ("SDV", None), ("TBOO", None)],
)  # fmt: skip
def test_other_senders_sensitivity_codes_map_to_the_nearest_category(
    code: str, category: SensitiveCategory | None
) -> None:
    assert labelled(act(code)) is category
    assert labelled(act(code), security_label=True) is category


def test_a_document_labelled_twice_keeps_the_strictest_label() -> None:
    both = (act("HIV"), act("ETH", "http://hl7.org/fhir/v3/ActCode"))
    assert labelled(*both) is SensitiveCategory.SUBSTANCE_USE


def test_restricted_confidentiality_alone_or_a_code_of_another_system_is_no_category() -> None:
    confidentiality = {"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
                       "code": "R"}  # fmt: skip
    assert labelled(confidentiality) is None
    assert labelled(act("HIV", "http://example.org/local-labels")) is None
