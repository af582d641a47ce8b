"""Who may do what with the record: roles, actions and the single permission table.

Services consult `is_permitted` before any read or write of patient data; the web UI only
reflects the same table (it never replaces the check).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(enum.StrEnum):
    HIT = "hit"
    CODER = "coder"
    REGISTRAR = "registrar"
    ANALYST = "analyst"
    HIM_MANAGER = "him_manager"
    CLINICIAN = "clinician"
    PRIVACY_OFFICER = "privacy_officer"
    ADMIN = "admin"
    # Another system reading through the FHIR API with a bearer token; never a person's login.
    API_CLIENT = "api_client"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.HIT: "Health information technician",
    Role.CODER: "Coder",
    Role.REGISTRAR: "Cancer registrar",
    Role.ANALYST: "Clinical data analyst",
    Role.HIM_MANAGER: "HIM manager",
    Role.CLINICIAN: "Clinician",
    Role.PRIVACY_OFFICER: "Privacy officer",
    Role.ADMIN: "System administrator",
    Role.API_CLIENT: "API client (another system)",
}

# The roles people sign in with (users, demo logins); API clients authenticate with tokens.
USER_ROLES = tuple(role for role in Role if role is not Role.API_CLIENT)


class Action(enum.StrEnum):
    SEARCH_PATIENTS = "patient.search"
    READ_CHART = "chart.read"
    READ_FULL_SSN = "patient.ssn.read"
    READ_FULL_ADDRESS = "patient.address.read"
    READ_RESTRICTED = "record.restricted.read"
    ANALYZE_CHARTS = "chart.analyze"
    SEND_QUERY = "query.send"
    ANSWER_QUERY = "query.answer"
    REPORT_COMPLETENESS = "completeness.report"
    BREAK_GLASS = "record.break_glass"
    SET_RESTRICTION = "patient.restriction.set"
    REVIEW_ACCESS = "audit.review"
    AUDIT_REPORT = "audit.report"
    EDIT_DEMOGRAPHICS = "patient.demographics.edit"
    WRITE_DOCUMENT = "document.write"
    SIGN_DOCUMENT = "document.sign"
    READ_ACCESS_HISTORY = "audit.patient.read"
    VERIFY_AUDIT = "audit.verify"
    MANAGE_USERS = "user.manage"
    RECORD_AMENDMENT_REQUEST = "amendment.record"
    DECIDE_AMENDMENT = "amendment.decide"
    MANAGE_FIELD_KEYS = "keys.manage"
    IMPORT_RECORDS = "record.import"
    REVIEW_IMPORTS = "import.review"  # patient-match holds and rejected interface messages
    MERGE_PATIENTS = "patient.merge"  # and undoing a merge
    EXPORT_RECORDS = "record.export"
    MANAGE_API_CLIENTS = "api_client.manage"
    LOOKUP_CODES = "code.lookup"  # the encoder: code sets only, no patient data
    LOAD_CODE_SETS = "codeset.load"
    CODE_ENCOUNTERS = "encounter.code"  # the coding abstract, final coding and its changes
    REPORT_CODING = "coding.report"  # coder productivity


_CHART_READERS = {
    Role.HIT,
    Role.CODER,
    Role.REGISTRAR,
    Role.HIM_MANAGER,
    Role.CLINICIAN,
    Role.PRIVACY_OFFICER,
}

PERMISSIONS: dict[Role, frozenset[Action]] = {
    role: frozenset(actions)
    for role, actions in {
        Role.HIT: {
            Action.SEARCH_PATIENTS,
            Action.READ_CHART,
            Action.ANALYZE_CHARTS,
            Action.SEND_QUERY,
            Action.READ_FULL_ADDRESS,
            Action.EDIT_DEMOGRAPHICS,
            Action.BREAK_GLASS,
            Action.RECORD_AMENDMENT_REQUEST,
            Action.IMPORT_RECORDS,
            Action.REVIEW_IMPORTS,
            Action.EXPORT_RECORDS,
            Action.LOOKUP_CODES,
        },
        # Coders and registrars need the clinical record, not identifiers (minimum necessary).
        # Coders query physicians when the documentation does not support a code.
        Role.CODER: {
            Action.SEARCH_PATIENTS,
            Action.READ_CHART,
            Action.BREAK_GLASS,
            Action.SEND_QUERY,
            Action.LOOKUP_CODES,
            Action.CODE_ENCOUNTERS,
            Action.REPORT_CODING,
        },
        Role.REGISTRAR: {
            Action.SEARCH_PATIENTS,
            Action.READ_CHART,
            Action.BREAK_GLASS,
            Action.LOOKUP_CODES,
        },
        # Analysts work on de-identified data only: no identified chart access.
        Role.ANALYST: {Action.LOOKUP_CODES},
        Role.HIM_MANAGER: {
            Action.SEARCH_PATIENTS,
            Action.READ_CHART,
            Action.READ_FULL_SSN,
            Action.READ_FULL_ADDRESS,
            Action.READ_RESTRICTED,
            Action.ANALYZE_CHARTS,
            Action.SEND_QUERY,
            Action.REPORT_COMPLETENESS,
            Action.SET_RESTRICTION,
            Action.EDIT_DEMOGRAPHICS,
            Action.READ_ACCESS_HISTORY,
            Action.AUDIT_REPORT,
            Action.VERIFY_AUDIT,
            Action.RECORD_AMENDMENT_REQUEST,
            Action.DECIDE_AMENDMENT,
            Action.IMPORT_RECORDS,
            Action.REVIEW_IMPORTS,
            Action.MERGE_PATIENTS,
            Action.EXPORT_RECORDS,
            Action.LOOKUP_CODES,
            Action.LOAD_CODE_SETS,
            Action.CODE_ENCOUNTERS,
            Action.REPORT_CODING,
        },
        Role.CLINICIAN: {
            Action.SEARCH_PATIENTS,
            Action.READ_CHART,
            Action.READ_FULL_ADDRESS,
            Action.WRITE_DOCUMENT,
            Action.SIGN_DOCUMENT,
            Action.ANSWER_QUERY,
            Action.BREAK_GLASS,
        },
        Role.PRIVACY_OFFICER: {
            Action.SEARCH_PATIENTS,
            Action.READ_CHART,
            Action.READ_FULL_ADDRESS,
            Action.READ_RESTRICTED,
            Action.SET_RESTRICTION,
            Action.READ_ACCESS_HISTORY,
            Action.REVIEW_ACCESS,
            Action.AUDIT_REPORT,
            Action.VERIFY_AUDIT,
        },
        Role.ADMIN: {
            Action.MANAGE_USERS,
            Action.VERIFY_AUDIT,
            Action.MANAGE_FIELD_KEYS,
            Action.MANAGE_API_CLIENTS,
            Action.LOAD_CODE_SETS,
        },
        # Reads only, each scoped by the client's token; never restricted charts (no one at the
        # other end can state a reason) and never the full SSN (minimum necessary).
        Role.API_CLIENT: {
            Action.SEARCH_PATIENTS,
            Action.READ_CHART,
            Action.READ_FULL_ADDRESS,
        },
    }.items()
}

assert all(Action.READ_CHART in PERMISSIONS[r] for r in _CHART_READERS)  # noqa: S101


class PurposeOfUse(enum.StrEnum):
    """HL7 PurposeOfUse values that apply to an HIM department's work."""

    TREATMENT = "TREAT"
    OPERATIONS = "HOPERAT"
    PAYMENT = "HPAYMT"
    SYSTEM_ADMINISTRATION = "HSYSADMIN"


DEFAULT_PURPOSE = {
    Role.CLINICIAN: PurposeOfUse.TREATMENT,
    Role.CODER: PurposeOfUse.PAYMENT,
    Role.ADMIN: PurposeOfUse.SYSTEM_ADMINISTRATION,
}


@dataclass(frozen=True)
class Actor:
    """The user acting, as every service call sees them."""

    user_id: int
    username: str
    role: Role
    client_address: str = ""
    purpose: PurposeOfUse | None = None
    clinician_id: int | None = None
    display_name: str = ""

    @property
    def purpose_of_use(self) -> PurposeOfUse:
        return self.purpose or DEFAULT_PURPOSE.get(self.role, PurposeOfUse.OPERATIONS)


def is_permitted(role: Role, action: Action) -> bool:
    return action in PERMISSIONS[role]


class PermissionDenied(Exception):
    def __init__(self, actor: Actor, action: Action) -> None:
        role = _in_sentence(actor.role.label)
        super().__init__(f"The {role} role may not perform {action.value}.")
        self.actor = actor
        self.action = action


def _in_sentence(label: str) -> str:
    """'Coder' -> 'coder', but 'HIM manager' keeps its acronym (not 'him manager')."""
    return label if label.split()[0].isupper() else label[:1].lower() + label[1:]
