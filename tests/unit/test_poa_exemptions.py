"""The POA exempt list, condensed from the CMS FY2025 list into prefixes, checked against the
real FY2026 tabular: the categories Appendix I and the CMS file exempt, the codes they do
not, and the shape of the prefix lists themselves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from himdesk.domain.coding.code_set import DiagnosisCodeSet
from himdesk.domain.coding.poa_exemptions import (
    CARVED_OUT,
    LATER_ENCOUNTER,
    UNDECIDED_IN_FY2026,
    WHOLE,
    PoaReporting,
    poa_reporting,
)
from himdesk.domain.coding.tabular import Tabular, TabularLevel

EXEMPT, REQUIRED, UNDECIDED = PoaReporting.EXEMPT, PoaReporting.REQUIRED, PoaReporting.UNDECIDED


def billable_codes(tabular: Tabular) -> Iterator[str]:
    """Every billable code of the tabular, 7th characters spelled out."""
    for node in tabular.nodes.values():
        if node.level is not TabularLevel.CODE or node.children:
            continue
        rule = tabular.seventh_rule(node.key)
        if rule is None:
            yield node.key
            continue
        for character, _ in rule.characters:
            code = node.key.ljust(6, "X") + character
            if not _death_before_consciousness_later_encounter(code):
                yield code


def _death_before_consciousness_later_encounter(code: str) -> bool:
    # The note at S06: 7th characters D and S do not apply to codes whose 6th character is
    # 7 or 8 (death before regaining consciousness). The tabular's rule does not carry it.
    return code.startswith("S06") and code[5] in "78" and code[6] in "DS"


@pytest.fixture(scope="module")
def reporting_by_code(cm_code_set: DiagnosisCodeSet) -> dict[str, PoaReporting]:
    tabular = cm_code_set.tabular
    return {code: poa_reporting(code, tabular) for code in billable_codes(tabular)}


@pytest.mark.parametrize(
    "code",
    [
        "B90.9", "B91", "B94.8", "E64.0", "I25.2", "I69.351",  # sequelae, old infarction
        "O09.513", "O66.5", "O80", "O94", "P00.2", "P29.30", "P78.84", "P83.81", "P91.821",
        "Q21.0", "Q87.86",  # congenital: the whole chapter
        "S72.001D", "S72.001G", "S72.001S", "T36.0X1S", "T83.511D",  # S00-T88 later encounters
        "M80.08XD", "M84.751D", "M97.01XS",
        "V00.01XA", "V43.52XA", "V99.XXXA",  # transport accidents, initial encounters too
        "W14.XXXA", "W21.01XA", "W09.0XXD", "X52.XXXA", "X71.3XXA",
        "Y07.11", "Y92.009", "Y93.64", "Y99.0",  # perpetrator, place, activity, status
        "Z37.0", "Z79.4", "Z87.891", "Z3A.30", "Z68.41", "Z99.89",
    ],
)  # fmt: skip
def test_codes_on_the_cms_exempt_list_are_exempt(cm_code_set: DiagnosisCodeSet, code: str) -> None:
    assert poa_reporting(code, cm_code_set.tabular) is EXEMPT


@pytest.mark.parametrize(
    "code",
    [
        "I50.21", "N17.9", "J18.9", "E11.9", "I10", "A41.9", "Z16.10", "Z66",
        "S72.001A", "S72.001B", "S06.0X0A", "T81.44XA", "M84.750A",  # initial encounters
        "M48.50XD", "M84.374D",  # collapsed vertebra and stress fracture are not listed
        "I69.910",  # cognitive deficits after unspecified cerebrovascular disease
        "V00.811A", "V00.811D", "V03.131A",  # wheelchair and e-scooter accidents, all left out
        "W19.XXXA", "W19.XXXD", "W01.0XXA", "W10.1XXA",  # falls, even later encounters
        "W09.0XXA", "W16.011A", "X71.0XXD",  # categories exempt for later encounters only, or not
        "Y92.230", "Y92.530", "Y93.01",  # hospital, ambulatory surgery center, walking
    ],
)  # fmt: skip
def test_codes_off_the_cms_exempt_list_need_poa(cm_code_set: DiagnosisCodeSet, code: str) -> None:
    assert poa_reporting(code, cm_code_set.tabular) is REQUIRED


@pytest.mark.parametrize(
    ("code", "reporting"),
    [
        ("Y37.A1XA", EXEMPT), ("Z15.3", EXEMPT), ("Z91.B", EXEMPT), ("Y93.L1", EXEMPT),
        ("W44.H9XD", EXEMPT),  # W44 is exempt for later encounters
        ("W44.H9XA", UNDECIDED), ("W45.3XXA", UNDECIDED), ("Z40.81", UNDECIDED),
        ("Z77.31", UNDECIDED),
    ],
)  # fmt: skip
def test_codes_new_in_fy2026_follow_their_category_or_stay_undecided(
    cm_code_set: DiagnosisCodeSet, code: str, reporting: PoaReporting
) -> None:
    assert cm_code_set.tabular.is_billable(code)
    assert poa_reporting(code, cm_code_set.tabular) is reporting


def test_the_fy2026_tabular_has_38342_exempt_and_9_undecided_codes(
    reporting_by_code: dict[str, PoaReporting],
) -> None:
    # 38,154 on the FY2025 list, 14 of them deleted in FY2026, 202 new ones under its prefixes.
    counts = Counter(reporting_by_code.values())
    assert (counts[EXEMPT], counts[UNDECIDED]) == (38342, 9)


def test_every_congenital_code_is_exempt(reporting_by_code: dict[str, PoaReporting]) -> None:
    congenital = {c: r for c, r in reporting_by_code.items() if c.startswith("Q")}
    assert len(congenital) > 850 and set(congenital.values()) == {EXEMPT}


def test_injury_codes_are_exempt_exactly_for_later_encounters_with_8_left_out(
    cm_code_set: DiagnosisCodeSet, reporting_by_code: dict[str, PoaReporting]
) -> None:
    tabular = cm_code_set.tabular
    later, left_out = 0, []
    for code, reporting in reporting_by_code.items():
        if code[0] not in "ST" or len(code) != 7:
            continue
        rule = tabular.seventh_rule(code[:6].rstrip("X"))
        if rule is None:  # seven characters of its own (T86.8401), no 7th-character rule
            continue
        meaning = dict(rule.characters)[code[6]]
        if meaning.startswith(("subsequent", "sequela")):
            later += 1
            if reporting is not EXEMPT:
                left_out.append(code)
        else:
            assert reporting is REQUIRED, code
    assert later > 28000 and sorted(left_out) == sorted(c for c in CARVED_OUT if c[0] in "ST")


def test_every_prefix_names_a_node_of_the_fy2026_tabular(cm_code_set: DiagnosisCodeSet) -> None:
    tabular = cm_code_set.tabular
    chapters = {"Q", "S", "T", "V"}  # whole chapters, by their letter
    for prefix in WHOLE + LATER_ENCOUNTER + CARVED_OUT + UNDECIDED_IN_FY2026:
        named = prefix in chapters or tabular.find(prefix) is not None
        assert named or tabular.is_billable(prefix), prefix


def test_no_prefix_repeats_one_above_it_in_the_same_list() -> None:
    for listed in (WHOLE, LATER_ENCOUNTER, CARVED_OUT, UNDECIDED_IN_FY2026):
        assert len(set(listed)) == len(listed)
        assert [p for p in listed if any(p != q and p.startswith(q) for q in listed)] == []


def test_every_carve_out_lies_beneath_a_prefix_it_carves_from() -> None:
    assert [c for c in CARVED_OUT if not c.startswith(WHOLE + LATER_ENCOUNTER)] == []


def test_the_undecided_codes_lie_under_no_whole_prefix() -> None:
    assert [c for c in UNDECIDED_IN_FY2026 if c.startswith(WHOLE)] == []
