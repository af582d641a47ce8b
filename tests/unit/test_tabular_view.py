"""The tabular view of a code: hierarchy, inherited notes with where they are printed,
7th characters with placeholder X, billable or header, and codes in notes as links."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from himdesk.domain.coding.note_links import NoteSegment, linked_segments, nearest_node_key
from himdesk.domain.coding.seventh_character import full_code, padded_stem, why_not_built
from himdesk.domain.coding.tabular import (
    NoteKind,
    SeventhCharacterRule,
    Tabular,
    TabularLevel,
    TabularNode,
)
from himdesk.domain.coding.tabular_view import UnknownCode, UnreadableCode, tabular_view

L = TabularLevel
FRACTURE = SeventhCharacterRule(
    "S72",
    "The appropriate 7th character is to be added to all codes from category S72",
    (("A", "initial encounter for closed fracture"), ("D", "subsequent encounter"),
     ("S", "sequela")),
)  # fmt: skip
NECK_OF_FEMUR = "Fracture of unspecified part of neck of right femur"
TOXIC = SeventhCharacterRule("T51", "", (("A", "initial encounter"), ("S", "sequela")))
SKULL = SeventhCharacterRule("S02", "", (("A", "initial encounter for closed fracture"),))


def node(
    key: str,
    level: TabularLevel,
    parent: str | None,
    children: tuple[str, ...] = (),
    notes: Mapping[NoteKind, tuple[str, ...]] | None = None,
    seventh: SeventhCharacterRule | None = None,
    title: str = "",
) -> TabularNode:
    return TabularNode(key, level, title or f"Title of {key}", parent, children, notes or {},
                       seventh)  # fmt: skip


def small_tabular() -> Tabular:
    nodes = [
        node("5", L.CHAPTER, None, ("F10-F19",)),
        node("F10-F19", L.SECTION, "5", ("F17",)),
        node("F17", L.CATEGORY, "F10-F19", ("F172",), title="Nicotine dependence"),
        node("F172", L.CODE, "F17"),
        node("9", L.CHAPTER, None, ("I20-I25",),
             {NoteKind.EXCLUDES2: ("symptoms, signs and abnormal findings (R00-R94)",)}),
        node("I20-I25", L.SECTION, "9", ("I21", "I22", "I25"),
             {NoteKind.USE_ADDITIONAL_CODE: ("hypertension (I10-I16)",)}),
        node("I21", L.CATEGORY, "I20-I25", ("I210", "I214"), {
            NoteKind.INCLUDES: ("cardiac infarction",),
            NoteKind.EXCLUDES2: ("old myocardial infarction (I25.2)",
                                 "subsequent type 1 myocardial infarction (I22.-)"),
            NoteKind.USE_ADDITIONAL_CODE: ("tobacco dependence (F17.-)",),
        }, title="Acute myocardial infarction"),
        node("I210", L.SUBCATEGORY, "I21", ("I2101",),
             {NoteKind.INCLUSION_TERM: ("Type 1 STEMI of anterior wall",)}),
        node("I2101", L.CODE, "I210"),
        node("I214", L.CODE, "I21", title="Non-ST elevation (NSTEMI) myocardial infarction"),
        node("I22", L.CATEGORY, "I20-I25", ("I220",)),
        node("I220", L.CODE, "I22"),
        node("I25", L.CATEGORY, "I20-I25", ("I252",)),
        node("I252", L.CODE, "I25", title="Old myocardial infarction"),
        node("19", L.CHAPTER, None, ("S00-S09", "S70-S79", "T51-T65")),
        node("S00-S09", L.SECTION, "19", ("S02",)),
        node("S02", L.CATEGORY, "S00-S09", ("S020",), seventh=SKULL),
        node("S020", L.CODE, "S02", title="Fracture of vault of skull"),
        node("S70-S79", L.SECTION, "19", ("S72",)),
        node("S72", L.CATEGORY, "S70-S79", ("S720",), seventh=FRACTURE),
        node("S720", L.SUBCATEGORY, "S72", ("S7200",)),
        node("S7200", L.SUBCATEGORY, "S720", ("S72001", "S72002")),
        node("S72001", L.CODE, "S7200", title=NECK_OF_FEMUR),
        node("S72002", L.CODE, "S7200"),
        node("T51-T65", L.SECTION, "19", ("T51",)),
        node("T51", L.CATEGORY, "T51-T65", ("T513",), seventh=TOXIC),
        node("T513", L.SUBCATEGORY, "T51", ("T513X",)),
        node("T513X", L.SUBCATEGORY, "T513", ("T513X1",)),
        node("T513X1", L.CODE, "T513X", title="Toxic effect of fusel oil, accidental"),
    ]  # fmt: skip
    return Tabular(2026, {n.key: n for n in nodes})


TABULAR = small_tabular()


def test_a_code_shows_its_place_from_chapter_down() -> None:
    view = tabular_view(TABULAR, "I21.4")
    assert [step.label for step in view.hierarchy] == ["Chapter 9", "I20-I25", "I21", "I21.4"]
    assert view.step.title == "Non-ST elevation (NSTEMI) myocardial infarction"


def test_dotted_and_undotted_and_lower_case_codes_open_the_same_view() -> None:
    assert tabular_view(TABULAR, "i214") == tabular_view(TABULAR, " I21.4 ")


def test_an_incomplete_code_as_the_index_prints_it_opens_the_code_to_complete() -> None:
    assert tabular_view(TABULAR, "S72.0-").step.label == "S72.0"


def test_notes_printed_above_apply_and_say_where_they_are_printed() -> None:
    view = tabular_view(TABULAR, "I21.4")
    excludes2 = {
        (n.text, n.printed_at.label, n.inherited) for n in view.notes_of(NoteKind.EXCLUDES2)
    }
    assert excludes2 == {
        ("old myocardial infarction (I25.2)", "I21", True),
        ("subsequent type 1 myocardial infarction (I22.-)", "I21", True),
        ("symptoms, signs and abnormal findings (R00-R94)", "Chapter 9", True),
    }
    section_note = view.notes_of(NoteKind.USE_ADDITIONAL_CODE)[-1]
    assert section_note.printed_at.label == "I20-I25"


def test_a_code_s_own_notes_are_not_marked_inherited() -> None:
    view = tabular_view(TABULAR, "I21")
    assert [n.inherited for n in view.notes_of(NoteKind.INCLUDES)] == [False]


def test_notes_nearest_level_come_first_within_a_kind() -> None:
    view = tabular_view(TABULAR, "I21.01")
    assert [n.printed_at.label for n in view.notes_of(NoteKind.EXCLUDES2)] == [
        "I21", "I21", "Chapter 9"]  # fmt: skip
    assert view.notes_of(NoteKind.INCLUSION_TERM)[0].printed_at.label == "I21.0"


def test_codes_in_notes_become_links_to_the_nearest_code_the_tabular_has() -> None:
    segments = linked_segments("tobacco dependence (F17.-)", TABULAR)
    assert segments == (
        NoteSegment("tobacco dependence ("),
        NoteSegment("F17.-", "F17"),
        NoteSegment(")"),
    )


def test_a_range_that_is_a_section_links_to_the_section() -> None:
    segments = linked_segments("(I20-I25)", TABULAR)
    assert NoteSegment("I20-I25", "I20-I25") in segments


def test_a_range_that_is_no_section_links_each_end() -> None:
    targets = [s.target for s in linked_segments("as in (I21.0-I22)", TABULAR) if s.target]
    assert targets == ["I210", "I22"]


def test_code_like_words_the_tabular_lacks_stay_plain_text() -> None:
    text = "E. coli O157:H7 and vitamin B12 (R00-R94)"
    assert linked_segments(text, TABULAR) == (NoteSegment(text),)


def test_nearest_node_drops_the_dash_the_seventh_character_and_placeholders() -> None:
    assert nearest_node_key("S72.0-", TABULAR) == "S720"
    assert nearest_node_key("T51.3X1A", TABULAR) == "T513X1"
    assert nearest_node_key("S02.0XXA", TABULAR) == "S020"
    assert nearest_node_key("Q99.9", TABULAR) is None


def test_a_leaf_without_a_seventh_character_rule_is_billable() -> None:
    view = tabular_view(TABULAR, "I21.4")
    assert view.billable and view.billing_status == "Billable" and view.seventh is None


def test_a_header_is_not_billable_and_lists_its_codes() -> None:
    view = tabular_view(TABULAR, "I21")
    assert not view.billable
    assert view.billing_status == "Not billable — choose one of its 2 codes"
    assert [(c.step.label, c.billable) for c in view.children] == [
        ("I21.0", False),
        ("I21.4", True),
    ]


def test_a_code_needing_a_seventh_character_builds_its_full_codes() -> None:
    view = tabular_view(TABULAR, "S72.001")
    assert not view.billable and view.needs_seventh
    assert view.billing_status == "Not billable without a 7th character — choose one of its 3 codes"
    assert view.seventh is not None and view.seventh.printed_at.label == "S72"
    assert [c.code for c in view.seventh.choices] == ["S72.001A", "S72.001D", "S72.001S"]


def test_short_codes_are_padded_with_placeholder_x_before_the_seventh_character() -> None:
    view = tabular_view(TABULAR, "S02.0")
    assert view.seventh is not None and view.seventh.stem == "S02.0XX"
    assert [c.code for c in view.seventh.choices] == ["S02.0XXA"]
    assert full_code("T51.3X1", "a") == "T513X1A" and padded_stem("S020") == "S020XX"


def test_a_seven_character_code_shows_the_code_it_builds_on_and_its_seventh_character() -> None:
    view = tabular_view(TABULAR, "S72.001A")
    assert view.billable and view.step.label == "S72.001A"
    assert view.builds_on is not None and view.builds_on.label == "S72.001"
    assert view.seventh_character is not None
    assert view.seventh_character.meaning == "initial encounter for closed fracture"
    assert view.step.title == (f"{NECK_OF_FEMUR}, initial encounter for closed fracture")
    assert [s.label for s in view.hierarchy][-2:] == ["S72.001", "S72.001A"]


def test_a_header_under_a_seventh_character_rule_lists_characters_but_no_full_codes() -> None:
    view = tabular_view(TABULAR, "S72")
    assert view.seventh is not None and view.seventh.choices == ()
    assert len(view.seventh.characters) == 3
    assert view.billable_beneath == 6  # two codes, three 7th characters each


def test_a_section_can_be_viewed_with_its_categories() -> None:
    view = tabular_view(TABULAR, "I20-I25")
    assert [c.step.label for c in view.children] == ["I21", "I22", "I25"]
    assert view.step.level is TabularLevel.SECTION and not view.billable


def test_a_chapter_can_be_viewed_with_its_sections() -> None:
    view = tabular_view(TABULAR, "19")
    assert view.step.label == "Chapter 19" and view.hierarchy == (view.step,)
    assert [c.step.label for c in view.children] == ["S00-S09", "S70-S79", "T51-T65"]
    with pytest.raises(UnknownCode, match="It has no chapter 23"):
        tabular_view(TABULAR, "23")


def test_an_unknown_code_names_its_nearest_existing_parent() -> None:
    with pytest.raises(UnknownCode) as raised:
        tabular_view(TABULAR, "I21.49")
    assert str(raised.value).startswith("I21.49 is not in ICD-10-CM FY2026.")
    assert raised.value.nearest is not None and raised.value.nearest.label == "I21.4"


def test_an_undefined_seventh_character_is_named_with_those_that_are_defined() -> None:
    with pytest.raises(UnknownCode) as raised:
        tabular_view(TABULAR, "S72001Z")
    assert raised.value.why == "The 7th character Z is not defined for S72.001; it takes A, D, S."
    assert raised.value.nearest is not None and raised.value.nearest.label == "S72.001"


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("S020A", None),  # five characters: not a built code, just unknown
        ("S0200AA", "S02.0 needs the placeholder X up to the 6th character: S02.0XX."),
        ("I2140XA", "I21.4 takes no 7th character."),
        ("S7200XA", None),  # S72.00 is a header: simply not a code
    ],
)
def test_why_a_seven_character_code_is_not_built(code: str, why: str | None) -> None:
    assert why_not_built(TABULAR, code) == why


def test_a_code_of_a_category_the_release_lacks_says_so() -> None:
    with pytest.raises(UnknownCode) as raised:
        tabular_view(TABULAR, "Q99.9")
    assert raised.value.nearest is None
    assert "No category it has begins with these characters" in str(raised.value)


@pytest.mark.parametrize("text", ["", "heart attack", "21.4", "I21.4444444", "<script>", "x" * 500])
def test_text_that_is_no_code_is_refused_as_unreadable(text: str) -> None:
    with pytest.raises(UnreadableCode, match="is not an ICD-10-CM code"):
        tabular_view(TABULAR, text)


def test_the_unreadable_message_never_repeats_long_input() -> None:
    with pytest.raises(UnreadableCode) as raised:
        tabular_view(TABULAR, "x" * 500)
    assert len(str(raised.value)) < 300
