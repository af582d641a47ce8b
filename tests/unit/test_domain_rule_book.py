"""The facility's completeness rules: readable definitions, thresholds per encounter class,
rules switched off, and a clear refusal of a rules file that cannot be applied."""

from __future__ import annotations

import tomllib
from datetime import timedelta

import pytest

from himdesk.domain.completeness import CompletenessRules, DeficiencyKind
from himdesk.domain.records import EncounterClass
from himdesk.domain.rule_book import RULES, InvalidRuleBook, RuleBook, describe, rule_book_from


def _book(text: str) -> RuleBook:
    return rule_book_from(tomllib.loads(text), "rules.toml")


def test_without_a_file_every_class_follows_the_bylaws_defaults() -> None:
    book = RuleBook()
    assert book.for_class(EncounterClass.INPATIENT) == CompletenessRules()


def test_a_class_section_overrides_the_default_and_inherits_the_rest() -> None:
    book = _book(
        "[default]\ncompletion_days = 21\n[observation]\ndischarge_summary_within_days = 14\n"
    )
    observation = book.for_class(EncounterClass.OBSERVATION)
    assert observation.discharge_summary_within == timedelta(days=14)
    assert observation.completion_days == 21
    assert book.for_class(EncounterClass.INPATIENT).discharge_summary_within == timedelta(days=30)


def test_rules_are_switched_off_by_name_or_by_kind() -> None:
    book = _book('[default]\ndisabled = ["hp_required", "duplicate_document"]')
    assert book.default.disabled == {"hp_required", "duplicate_document"}


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("[weekend]\ncompletion_days = 3", "[weekend]"),
        ("[default]\ncompletion_dayz = 3", "completion_dayz"),
        ("[default]\nsignature_within_hours = -4", "signature_within_hours"),
        ("[default]\nsignature_within_hours = true", "signature_within_hours"),
        ('[default]\ndisabled = ["no_such_rule"]', "no_such_rule"),
        ('[default]\ndisabled = "hp_required"', "list of rule names"),
        ("default = 3", "table of settings"),
    ],
)
def test_a_rules_file_that_cannot_be_applied_is_refused_naming_where(text: str, names: str) -> None:
    with pytest.raises(InvalidRuleBook, match="rules.toml") as refused:
        _book(text)
    assert names in str(refused.value)


def test_every_rule_has_a_unique_name_and_reads_as_a_sentence_with_its_thresholds() -> None:
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
    hp = next(r for r in RULES if r.name == "hp_required")
    text = describe(hp, CompletenessRules(hp_after_admission=timedelta(hours=48)))
    assert "within 2 days after admission or 30 days before" in text
    assert {r.kind for r in RULES} == set(DeficiencyKind)
