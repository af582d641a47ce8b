"""A small ICD-10-CM release written out by hand, shaped like the official files, for the
encoder's unit tests: a few chapters of the tabular and index lines with see, see-also,
non-essential modifiers, NEC lines and incomplete codes."""

from __future__ import annotations

from himdesk.domain.coding.alphabetic_index import AlphabeticIndex, IndexEntry, IndexKind
from himdesk.domain.coding.code_set import CodeSetRelease, DiagnosisCodeSet
from himdesk.domain.coding.codes import CodeSystem, normalized_code
from himdesk.domain.coding.tabular import (
    NoteKind,
    SeventhCharacterRule,
    Tabular,
    TabularLevel,
    TabularNode,
)

# (code, title, parent); the chapter and block keys are made up but shaped like the real.
TABULAR = [
    ("I21", "Acute myocardial infarction", "I20-I25"),
    ("I21.4", "Non-ST elevation (NSTEMI) myocardial infarction", "I21"),
    ("I21.9", "Acute myocardial infarction, unspecified", "I21"),
    ("I50", "Heart failure", "I30-I5A"),
    ("I50.2", "Systolic (congestive) heart failure", "I50"),
    ("I50.20", "Unspecified systolic (congestive) heart failure", "I50.2"),
    ("I50.21", "Acute systolic (congestive) heart failure", "I50.2"),
    ("I50.9", "Heart failure, unspecified", "I50"),
    ("I51.3", "Intracardiac thrombosis, not elsewhere classified", "I30-I5A"),
    ("J18", "Pneumonia, unspecified organism", "J09-J18"),
    ("J18.8", "Other pneumonia, unspecified organism", "J18"),
    ("J18.9", "Pneumonia, unspecified organism", "J18"),
    ("J69.0", "Pneumonitis due to inhalation of food and vomit", "J60-J70"),
    ("M84.45", "Pathological fracture, hip", "M80-M85"),
    ("M84.459", "Pathological fracture, hip, unspecified", "M84.45"),
    ("S72", "Fracture of femur", "S70-S79"),
    ("S72.0", "Fracture of head and neck of femur", "S72"),
    ("S72.00", "Fracture of unspecified part of neck of femur", "S72.0"),
    ("S72.001", "Fracture of unspecified part of neck of right femur", "S72.00"),
    ("S72.002", "Fracture of unspecified part of neck of left femur", "S72.00"),
    ("S72.009", "Fracture of unspecified part of neck of unspecified femur", "S72.00"),
]
BLOCKS = {
    "I20-I25": "9",
    "I30-I5A": "9",
    "J09-J18": "10",
    "J60-J70": "10",
    "M80-M85": "13",
    "S70-S79": "19",
}
FRACTURE_7TH = SeventhCharacterRule(
    "S72",
    "The appropriate 7th character is to be added to each code from category S72",
    (("A", "initial encounter for closed fracture"), ("D", "subsequent encounter")),
)

# (level, term, code, see, see also, non-essential modifiers)
INDEX = [
    (0, "Attack, attacks", "", "", "", ()),
    (1, "heart", "", "Infarct, myocardium", "", ()),
    (0, "Clot", "", "", "Embolism", ("blood",)),
    (1, "heart", "", "", "Infarct, myocardium", ()),
    (2, "not resulting in infarction", "I51.3", "", "", ()),
    (0, "Failure, failed", "", "", "", ()),
    (1, "cardiac", "", "Failure, heart", "", ()),
    (1, "heart", "I50.9", "", "", ("acute", "sudden")),
    (2, "congestive", "I50.9", "", "", ("compensated", "decompensated")),
    (2, "systolic", "I50.2-", "", "", ("congestive",)),
    (0, "Fracture, pathological", "", "", "", ()),
    (1, "hip", "M84.459", "", "", ()),
    (0, "Fracture, traumatic", "T14.8", "", "", ()),
    (1, "femur, femoral", "", "", "", ()),
    (2, "neck", "", "Fracture, femur, upper end, neck", "", ()),
    (2, "upper end", "", "", "", ()),
    (3, "neck", "S72.00-", "", "", ()),
    (1, "hip", "", "Fracture, femur, neck", "", ()),
    (0, "Infarct, infarction", "", "", "", ()),
    (1, "myocardium, myocardial", "I21.9", "", "", ("acute",)),
    (2, "non-ST elevation", "I21.4", "", "", ("NSTEMI",)),
    (3, "subsequent", "I22.2", "", "", ()),
    (0, "Pneumonia", "J18.9", "", "", ("acute", "double")),
    (1, "aspiration", "J69.0", "", "", ()),
    (1, "specified NEC", "J18.8", "", "", ()),
    (0, "Pyrexia", "", "Fever", "", ()),
    (0, "Heart", "", "", "condition", ()),
]


def tabular() -> Tabular:
    nodes: dict[str, TabularNode] = {}
    children: dict[str, list[str]] = {}
    for code, _title, parent in TABULAR:
        children.setdefault(normalized_code(parent), []).append(normalized_code(code))
    for code, title, parent in TABULAR:
        key = normalized_code(code)
        kids = tuple(children.get(key, ()))
        level = (
            TabularLevel.CODE
            if not kids
            else (TabularLevel.CATEGORY if len(key) == 3 else TabularLevel.SUBCATEGORY)
        )
        notes = {NoteKind.INCLUSION_TERM: ("Non-Q wave myocardial infarction NOS",)}
        nodes[key] = TabularNode(
            key,
            level,
            title,
            normalized_code(parent),
            kids,
            notes if key == "I214" else {},
            FRACTURE_7TH if key == "S72" else None,
        )
    for block, chapter in BLOCKS.items():
        nodes[block] = TabularNode(block, TabularLevel.SECTION, block, chapter,
                                   tuple(children.get(block, ())))  # fmt: skip
    for chapter in set(BLOCKS.values()):
        nodes[chapter] = TabularNode(chapter, TabularLevel.CHAPTER, f"Chapter {chapter}", None)
    return Tabular(2026, nodes)


def index() -> AlphabeticIndex:
    entries: list[IndexEntry] = []
    above: list[int] = []
    for position, (level, term, code, see, see_also, modifiers) in enumerate(INDEX):
        del above[level:]
        parent = above[-1] if above else None
        entries.append(IndexEntry(IndexKind.DISEASES, position, level, term, parent, modifiers,
                                  code, see, see_also))  # fmt: skip
        above.append(position)
    return AlphabeticIndex(IndexKind.DISEASES, 2025, entries)


def small_code_set() -> DiagnosisCodeSet:
    release = CodeSetRelease.for_fiscal_year(CodeSystem.ICD10CM, 2026)
    return DiagnosisCodeSet(release, tabular(), {IndexKind.DISEASES: index()})
