"""The completeness rules as readable definitions, and the facility's settings for them.

Each rule has a name, the kind of deficiency it raises and one sentence saying what it
checks. A facility adjusts the bylaws' numbers, per encounter class if it likes, and
switches rules off, in a small TOML file (`HIMDESK_COMPLETENESS_RULES`):

    [default]
    completion_days = 30
    disabled = ["document_filed_once"]

    [observation]
    discharge_summary_within_days = 14
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta
from typing import Any

from himdesk.domain.completeness import CompletenessRules, DeficiencyKind
from himdesk.domain.records import EncounterClass

K = DeficiencyKind


@dataclass(frozen=True)
class RuleDefinition:
    name: str
    kind: DeficiencyKind
    checks: str


RULES: tuple[RuleDefinition, ...] = tuple(
    RuleDefinition(name, kind, checks)
    for name, kind, checks in (
        ("hp_required", K.MISSING_DOCUMENT,
         "Inpatient stays have a history and physical within {hp_after_admission} after "
         "admission or {hp_before_admission} before it."),
        ("discharge_summary_required", K.MISSING_DOCUMENT,
         "Inpatient stays have a discharge summary."),
        ("operative_report_required", K.MISSING_DOCUMENT,
         "Each operative procedure has an operative report within {operative_report_within}."),
        ("pathology_required", K.MISSING_DOCUMENT,
         "Procedures that removed tissue have a pathology report."),
        ("ed_note_required", K.MISSING_DOCUMENT, "Emergency visits have an ED note."),
        ("signature_required", K.UNSIGNED_DOCUMENT, "Every document is signed."),
        ("cosignature_required", K.MISSING_COSIGNATURE,
         "Residents' and students' documents are co-signed by the attending."),
        ("signature_timely", K.LATE_DOCUMENT,
         "Documents other than the discharge summary are signed within {signature_within}."),
        ("discharge_summary_timely", K.LATE_DOCUMENT,
         "The discharge summary is signed within {discharge_summary_within} of discharge."),
        ("header_matches_chart", K.WRONG_PATIENT,
         "The MRN and date of birth in a document's header are this patient's."),
        ("dated_inside_encounter", K.OUTSIDE_ENCOUNTER,
         "Documents are dated within the encounter they are filed to."),
        ("attending_required", K.MISSING_DATA, "The encounter names its attending physician."),
        ("disposition_required", K.MISSING_DATA,
         "Inpatient, observation and emergency encounters record a discharge disposition."),
        ("discharge_after_admission", K.MISSING_DATA,
         "The discharge time is after the admission time."),
        ("laterality_agrees", K.LATERALITY_CONFLICT,
         "No document names the other side of a lateral diagnosis or procedure."),
        ("procedure_side_matches_diagnosis", K.LATERALITY_CONFLICT,
         "A lateral procedure is on the side of its diagnosis."),
        ("sex_consistent", K.SEX_INCONSISTENT,
         "Diagnoses and procedures fit the patient's sex."),
        ("age_consistent", K.AGE_INCONSISTENT,
         "Diagnoses and procedures fit the patient's age."),
        ("summary_diagnoses_listed", K.DIAGNOSIS_NOT_ON_ABSTRACT,
         "Every diagnosis the discharge summary names is on the encounter's diagnosis list."),
        ("diagnosis_documented", K.DIAGNOSIS_UNSUPPORTED,
         "Every listed diagnosis is affirmed in a document of the encounter."),
        ("abnormal_result_explained", K.RESULT_WITHOUT_DIAGNOSIS,
         "Clearly abnormal results have a diagnosis that explains them."),
        ("medication_indicated", K.MEDICATION_WITHOUT_DIAGNOSIS,
         "Medications that imply a condition have it documented."),
        ("allergy_statement_consistent", K.ALLERGY_CONFLICT,
         "No note says 'no known drug allergies' when a drug allergy is recorded."),
        ("allergen_not_given", K.ALLERGY_CONFLICT,
         "No medication is of a drug or class the patient is recorded as allergic to."),
        ("document_filed_once", K.DUPLICATE_DOCUMENT,
         "No document is filed twice."),
    )
)  # fmt: skip

# The numbers a facility may set, as they are written in the file.
_SPANS = {
    "hp_after_admission_hours": ("hp_after_admission", "hours"),
    "hp_before_admission_days": ("hp_before_admission", "days"),
    "operative_report_within_hours": ("operative_report_within", "hours"),
    "discharge_summary_within_days": ("discharge_summary_within", "days"),
    "signature_within_hours": ("signature_within", "hours"),
}
_KNOWN = {*_SPANS, "completion_days", "disabled"}
_SWITCHES = {r.name for r in RULES} | {k.value for k in DeficiencyKind}


class InvalidRuleBook(ValueError):
    """The rules file says something that cannot be applied; the message names where."""


@dataclass(frozen=True)
class RuleBook:
    default: CompletenessRules = field(default_factory=CompletenessRules)
    by_class: Mapping[EncounterClass, CompletenessRules] = field(default_factory=dict)

    def for_class(self, encounter_class: EncounterClass) -> CompletenessRules:
        return self.by_class.get(encounter_class, self.default)


def describe(rule: RuleDefinition, rules: CompletenessRules) -> str:
    spans = {f.name: _span(getattr(rules, f.name)) for f in fields(rules)
             if isinstance(getattr(rules, f.name), timedelta)}  # fmt: skip
    return rule.checks.format(**spans)


def _span(span: timedelta) -> str:
    hours = int(span.total_seconds() // 3600)
    return f"{hours // 24} days" if hours % 24 == 0 and hours >= 48 else f"{hours} hours"


def rule_book_from(document: Mapping[str, Any], source: str = "rules file") -> RuleBook:
    """Read the parsed TOML: a [default] section and one section per encounter class."""
    classes = {c.value: c for c in EncounterClass}
    unknown = set(document) - {"default", *classes}
    if unknown:
        raise InvalidRuleBook(f"{source}: unknown section [{sorted(unknown)[0]}]; use "
                              f"[default] or one of {', '.join(sorted(classes))}.")  # fmt: skip
    default = _section(CompletenessRules(), document.get("default", {}), f"{source} [default]")
    by_class = {
        classes[name]: _section(default, values, f"{source} [{name}]")
        for name, values in document.items()
        if name != "default"
    }
    return RuleBook(default, by_class)


def _section(base: CompletenessRules, values: Any, where: str) -> CompletenessRules:
    if not isinstance(values, Mapping):
        raise InvalidRuleBook(f"{where}: expected a table of settings.")
    unknown = set(values) - _KNOWN
    if unknown:
        raise InvalidRuleBook(f"{where}: unknown setting '{sorted(unknown)[0]}'; known: "
                              f"{', '.join(sorted(_KNOWN))}.")  # fmt: skip
    changes: dict[str, Any] = {}
    for key, (name, unit) in _SPANS.items():
        if key in values:
            changes[name] = timedelta(**{unit: _count(values[key], f"{where} {key}")})
    if "completion_days" in values:
        changes["completion_days"] = _count(values["completion_days"], f"{where} completion_days")
    if "disabled" in values:
        changes["disabled"] = _switches(values["disabled"], where)
    return replace(base, **changes)


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 3650:
        raise InvalidRuleBook(f"{where}: expected a whole number from 1 to 3650, got {value!r}.")
    return value


def _switches(value: Any, where: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidRuleBook(f"{where} disabled: expected a list of rule names.")
    unknown = sorted(set(value) - _SWITCHES)
    if unknown:
        raise InvalidRuleBook(f"{where} disabled: no rule or kind named '{unknown[0]}' "
                              "(`himdesk chart rules` lists them).")  # fmt: skip
    return frozenset(value)
