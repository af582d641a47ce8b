"""The PCS code builder offers, at each step, only the values the tables allow with what is
already chosen, with labels and definitions; a complete code is validated."""

from __future__ import annotations

import pytest

from himdesk.domain.coding.pcs import (
    PcsAxis,
    PcsDefinition,
    PcsRow,
    PcsTable,
    PcsTables,
    PcsValue,
)
from himdesk.domain.coding.pcs_builder import (
    PcsBuilder,
    PcsCombinationNotAllowed,
    UnreadablePcsCode,
    readable_pcs_start,
)

TITLES = {4: "Body Part", 5: "Approach", 6: "Device", 7: "Qualifier"}


def axis(position: int, *values: tuple[str, str], title: str = "") -> PcsAxis:
    name = title or TITLES.get(position, "")
    return PcsAxis(position, name, tuple(PcsValue(c, label) for c, label in values))


def row(*axes: tuple[tuple[str, str], ...]) -> PcsRow:
    a, b, c, d = (axis(4 + i, *values) for i, values in enumerate(axes))
    return PcsRow((a, b, c, d))


def table(
    prefix: str, labels: tuple[str, str, str], *rows: PcsRow, definition: str = ""
) -> PcsTable:
    titles = ("Section", "Body System", "Operation")
    axes = tuple(axis(i + 1, (prefix[i], labels[i]), title=titles[i]) for i in range(3))
    return PcsTable(prefix, (axes[0], axes[1], axes[2]), definition, rows)


SURGICAL = "Medical and Surgical"
RESECTION = "Cutting out or off, without replacement, all of a body part"
TABLES = PcsTables(
    2026,
    {
        "0DT": table(
            "0DT", (SURGICAL, "Gastrointestinal System", "Resection"),
            row((("1", "Esophagus, Upper"), ("6", "Stomach")),
                (("0", "Open"), ("4", "Percutaneous Endoscopic")),
                (("Z", "No Device"),), (("Z", "No Qualifier"),)),
            row((("B", "Ileum"),), (("0", "Open"),), (("Z", "No Device"),),
                (("Z", "No Qualifier"),)),
            definition=RESECTION,
        ),
        "021": table(
            "021", (SURGICAL, "Heart and Great Vessels", "Bypass"),
            row((("0", "Coronary Artery, One Artery"),), (("0", "Open"),),
                (("9", "Autologous Venous Tissue"),), (("3", "Coronary Artery"),)),
        ),
        "3E0": table(
            "3E0", ("Administration", "Physiological Systems and Anatomical Regions",
                    "Introduction"),
            row((("2", "Muscle"),), (("3", "Percutaneous"),), (("0", "Antineoplastic"),),
                (("M", "Monoclonal Antibody"),)),
        ),
    },
    (
        PcsDefinition("0", 3, "Resection", RESECTION, includes=("Total nephrectomy",)),
        PcsDefinition("0", 4, "Stomach", "", includes=("Pylorus",)),
        PcsDefinition("0", 5, "Open", "Cutting through the skin or mucous membrane"),
    ),
)  # fmt: skip
BUILDER = PcsBuilder(TABLES)


def test_the_first_step_offers_the_sections_of_the_tables() -> None:
    step = BUILDER.step("")
    assert step.position == 1 and step.axis == "Section"
    assert [(c.character, c.label) for c in step.choices] == [
        ("0", SURGICAL), ("3", "Administration")]  # fmt: skip


def test_body_systems_are_offered_only_within_the_chosen_section() -> None:
    step = BUILDER.step("0")
    assert step.axis == "Body System"
    assert [c.code for c in step.choices] == ["02", "0D"]


def test_the_operation_step_lists_the_tables_operations_with_their_definitions() -> None:
    step = BUILDER.step("0D")
    assert [(c.character, c.label) for c in step.choices] == [("T", "Resection")]
    assert step.choices[0].definition is not None
    assert step.choices[0].definition.definition == RESECTION


def test_once_a_table_is_chosen_its_body_parts_are_offered_from_every_row() -> None:
    step = BUILDER.step("0DT")
    assert step.axis == "Body Part" and step.operation_definition == RESECTION
    assert [c.character for c in step.choices] == ["1", "6", "B"]
    stomach = next(c for c in step.choices if c.character == "6")
    assert stomach.definition is not None and stomach.definition.includes == ("Pylorus",)


def test_later_axes_offer_only_values_of_rows_allowing_everything_chosen() -> None:
    assert [c.character for c in BUILDER.step("0DT6").choices] == ["0", "4"]
    assert [c.character for c in BUILDER.step("0DTB").choices] == ["0"]


def test_a_complete_code_is_described_by_all_its_axis_labels_and_validated() -> None:
    step = BUILDER.step("0dt60zz")
    assert step.complete and step.choices == ()
    assert step.description == (
        "Medical and Surgical, Gastrointestinal System, Resection, Stomach, Open, No Device, "
        "No Qualifier"
    )
    assert [c.axis for c in step.chosen] == [
        "Section", "Body System", "Operation", "Body Part", "Approach", "Device", "Qualifier",
    ]  # fmt: skip
    assert step.chosen[4].definition is not None
    assert BUILDER.is_valid(step.code)


def test_every_code_the_builder_leads_to_is_valid_in_the_tables() -> None:
    def walk(code: str) -> list[str]:
        step = BUILDER.step(code)
        return [code] if step.complete else [c for ch in step.choices for c in walk(ch.code)]

    codes = walk("")
    assert len(codes) == 7 and all(TABLES.is_valid(code) for code in codes)


def test_a_combination_no_row_allows_is_refused_with_the_longest_valid_start() -> None:
    with pytest.raises(PcsCombinationNotAllowed) as raised:
        BUILDER.step("0DTB4ZZ")  # the ileum row has no endoscopic approach
    assert raised.value.valid_prefix == "0DTB"
    assert "table 0DT allows no approach '4' (character 5) after 0DTB; it offers 0" in str(
        raised.value
    )


def test_a_section_the_tables_lack_is_refused() -> None:
    with pytest.raises(PcsCombinationNotAllowed, match="No ICD-10-PCS FY2026 section is 'B'"):
        BUILDER.step("B")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0DT60ZZ1", "An ICD-10-PCS code has 7 characters; this has 8."),
        ("0DI", "Character 3 of an ICD-10-PCS code cannot be 'I' (I and O are never used"),
        ("0D-", "Character 3 of an ICD-10-PCS code cannot be '-': use digits 0-9"),
        ("<b>", "Character 1 of an ICD-10-PCS code cannot be '<'"),
    ],
)
def test_characters_no_pcs_code_has_are_refused_with_where_they_are(
    text: str, message: str
) -> None:
    with pytest.raises(UnreadablePcsCode) as raised:
        readable_pcs_start(text)
    assert str(raised.value).startswith(message)
