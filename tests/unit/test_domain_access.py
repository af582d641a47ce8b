"""The single permission table: who may do what with the record."""

from __future__ import annotations

import pytest

from himdesk.domain.access import (
    PERMISSIONS,
    USER_ROLES,
    Action,
    Actor,
    PermissionDenied,
    PurposeOfUse,
    Role,
    is_permitted,
)


def _roles_permitted(action: Action) -> set[Role]:
    return {role for role in Role if is_permitted(role, action)}


def test_roles_are_the_ones_named_in_the_design() -> None:
    assert {role.value for role in Role} == {
        "hit",
        "coder",
        "registrar",
        "analyst",
        "him_manager",
        "clinician",
        "privacy_officer",
        "admin",
        "api_client",
    }


def test_an_api_client_only_reads_and_never_signs_in_as_a_user() -> None:
    assert PERMISSIONS[Role.API_CLIENT] == {
        Action.SEARCH_PATIENTS, Action.READ_CHART, Action.READ_FULL_ADDRESS}  # fmt: skip
    assert Role.API_CLIENT not in USER_ROLES


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_a_row_in_the_permission_table_and_a_label(role: Role) -> None:
    assert role in PERMISSIONS
    assert role.label.strip()


def test_analyst_may_not_read_a_chart() -> None:
    assert not is_permitted(Role.ANALYST, Action.READ_CHART)


# The encoder reads the code sets only; everything else touches identified patient data.
@pytest.mark.parametrize("action", [a for a in Action if a is not Action.LOOKUP_CODES])
def test_analyst_has_no_access_to_identified_patient_data(action: Action) -> None:
    assert not is_permitted(Role.ANALYST, action)


def test_analyst_may_look_up_codes() -> None:
    assert is_permitted(Role.ANALYST, Action.LOOKUP_CODES)


@pytest.mark.parametrize(
    "role",
    [Role.HIT, Role.CODER, Role.REGISTRAR, Role.HIM_MANAGER, Role.CLINICIAN, Role.PRIVACY_OFFICER],
)
def test_chart_working_roles_may_read_a_chart(role: Role) -> None:
    assert is_permitted(role, Action.READ_CHART)


def test_whoever_may_read_a_chart_may_also_search_for_the_patient() -> None:
    assert _roles_permitted(Action.READ_CHART) <= _roles_permitted(Action.SEARCH_PATIENTS)


def test_admin_manages_users_but_may_not_read_a_chart() -> None:
    assert is_permitted(Role.ADMIN, Action.MANAGE_USERS)
    assert not is_permitted(Role.ADMIN, Action.READ_CHART)
    assert not is_permitted(Role.ADMIN, Action.SEARCH_PATIENTS)


def test_only_the_admin_manages_users() -> None:
    assert _roles_permitted(Action.MANAGE_USERS) == {Role.ADMIN}


def test_only_the_him_manager_sees_a_full_ssn() -> None:
    assert _roles_permitted(Action.READ_FULL_SSN) == {Role.HIM_MANAGER}


def test_only_clinicians_write_and_sign_documents() -> None:
    assert _roles_permitted(Action.WRITE_DOCUMENT) == {Role.CLINICIAN}
    assert _roles_permitted(Action.SIGN_DOCUMENT) == {Role.CLINICIAN}


def test_coders_read_charts_but_do_not_correct_demographics() -> None:
    assert is_permitted(Role.CODER, Action.READ_CHART)
    assert not is_permitted(Role.CODER, Action.EDIT_DEMOGRAPHICS)


def test_demographics_are_corrected_by_hit_staff_and_the_him_manager() -> None:
    assert _roles_permitted(Action.EDIT_DEMOGRAPHICS) == {Role.HIT, Role.HIM_MANAGER}


def test_a_patients_access_history_is_for_the_privacy_officer_and_him_manager() -> None:
    assert _roles_permitted(Action.READ_ACCESS_HISTORY) == {
        Role.PRIVACY_OFFICER,
        Role.HIM_MANAGER,
    }


def test_the_audit_chain_may_be_verified_by_privacy_him_manager_and_admin() -> None:
    assert _roles_permitted(Action.VERIFY_AUDIT) == {
        Role.PRIVACY_OFFICER,
        Role.HIM_MANAGER,
        Role.ADMIN,
    }


@pytest.mark.parametrize(
    ("role", "purpose"),
    [
        (Role.CLINICIAN, PurposeOfUse.TREATMENT),
        (Role.CODER, PurposeOfUse.PAYMENT),
        (Role.ADMIN, PurposeOfUse.SYSTEM_ADMINISTRATION),
        (Role.HIT, PurposeOfUse.OPERATIONS),
        (Role.PRIVACY_OFFICER, PurposeOfUse.OPERATIONS),
    ],
)
def test_each_role_acts_for_its_usual_purpose_of_use(role: Role, purpose: PurposeOfUse) -> None:
    assert Actor(1, "someone", role).purpose_of_use is purpose


def test_a_stated_purpose_of_use_overrides_the_role_default() -> None:
    actor = Actor(1, "drsmith", Role.CLINICIAN, purpose=PurposeOfUse.OPERATIONS)
    assert actor.purpose_of_use is PurposeOfUse.OPERATIONS


def test_purpose_of_use_codes_are_hl7_values() -> None:
    assert {p.value for p in PurposeOfUse} == {"TREAT", "HOPERAT", "HPAYMT", "HSYSADMIN"}


def test_permission_denied_names_the_role_and_the_action() -> None:
    denied = PermissionDenied(Actor(3, "ana", Role.ANALYST), Action.READ_CHART)

    assert str(denied) == "The clinical data analyst role may not perform chart.read."
    assert denied.action is Action.READ_CHART
    assert denied.actor.username == "ana"


def test_permission_denied_keeps_the_him_acronym_in_capitals() -> None:
    denied = PermissionDenied(Actor(4, "boss", Role.HIM_MANAGER), Action.MANAGE_USERS)
    assert str(denied) == "The HIM manager role may not perform user.manage."
