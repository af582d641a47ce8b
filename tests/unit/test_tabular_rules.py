from __future__ import annotations

from himdesk.domain.coding.code_set import DiagnosisCodeSet


def test_a_seventh_character_code_is_billable_on_its_stem(cm_code_set: DiagnosisCodeSet) -> None:
    tabular = cm_code_set.tabular
    assert tabular.is_billable("S72.001A")
    assert tabular.is_billable("S02.0XXA")
    assert not tabular.is_billable("S72.001")  # the 7th character is required
    assert not tabular.is_billable("S02.0A")  # placeholder X missing


def test_a_category_with_codes_beneath_is_not_billable(cm_code_set: DiagnosisCodeSet) -> None:
    assert not cm_code_set.tabular.is_billable("I21")
    assert cm_code_set.tabular.is_billable("I10")


def test_death_before_regaining_consciousness_takes_no_later_encounter(
    cm_code_set: DiagnosisCodeSet,
) -> None:
    # The note at S06: 7th characters D and S do not apply with 6th character 7 or 8.
    tabular = cm_code_set.tabular
    assert tabular.is_billable("S06.307A")
    assert not tabular.is_billable("S06.307D")
    assert not tabular.is_billable("S06.308S")
    assert tabular.is_billable("S06.300D")
