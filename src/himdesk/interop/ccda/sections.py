"""Which sections of a C-CDA body the record holds entries of, and reading them.

Sections are recognised by their templateId (C-CDA R2.1 Vol. 2, 2 "Section-level Templates";
either the "entries optional" or the "entries required" root) or, for senders that leave the
templateId out, by their LOINC section code. Entries of every other section (immunizations,
social history, plan of treatment ...) are counted by section title in the import report; their
narrative is kept in the document either way.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from himdesk.domain.incoming import SourceRef
from himdesk.interop.ccda import care_entries, clinical_entries
from himdesk.interop.ccda.document import ReceivedDocument
from himdesk.interop.ccda.entry import EntryPlace
from himdesk.interop.ccda.narrative import section_title
from himdesk.interop.ccda.values import Element, attr, child, children, is_element, template_roots

_SECTION = "2.16.840.1.113883.10.20.22.2."


class SectionKind(enum.Enum):
    PROBLEMS = "Problems"
    ADMISSION_DIAGNOSES = "Admission diagnoses"
    DISCHARGE_DIAGNOSES = "Discharge diagnoses"
    MEDICATIONS = "Medications"
    DISCHARGE_MEDICATIONS = "Discharge medications"
    ADMISSION_MEDICATIONS = "Admission medications"
    ALLERGIES = "Allergies"
    RESULTS = "Results"
    VITAL_SIGNS = "Vital signs"
    ENCOUNTERS = "Encounters"
    PROCEDURES = "Procedures"


# (template ids without the common prefix, LOINC section codes) of each section the record holds.
_SECTIONS = {
    SectionKind.PROBLEMS: ({"5", "5.1"}, {"11450-4"}),
    SectionKind.ADMISSION_DIAGNOSES: ({"43"}, {"42347-5", "46241-6"}),
    SectionKind.DISCHARGE_DIAGNOSES: ({"24"}, {"11535-2", "78375-3"}),
    SectionKind.MEDICATIONS: ({"1", "1.1"}, {"10160-0"}),
    SectionKind.DISCHARGE_MEDICATIONS: ({"11", "11.1"}, {"10183-2", "75311-1"}),
    SectionKind.ADMISSION_MEDICATIONS: ({"44"}, {"42346-7"}),
    SectionKind.ALLERGIES: ({"6", "6.1"}, {"48765-2"}),
    SectionKind.RESULTS: ({"3", "3.1"}, {"30954-2"}),
    SectionKind.VITAL_SIGNS: ({"4", "4.1"}, {"8716-3"}),
    SectionKind.ENCOUNTERS: ({"22", "22.1"}, {"46240-8"}),
    SectionKind.PROCEDURES: ({"7", "7.1"}, {"47519-4"}),
}
_BY_TEMPLATE = {_SECTION + t: kind for kind, (ts, _) in _SECTIONS.items() for t in ts}
_BY_CODE = {code: kind for kind, (_, codes) in _SECTIONS.items() for code in codes}

EntryReader = Callable[[EntryPlace, Element], None]
_READERS: dict[SectionKind, EntryReader] = {
    SectionKind.PROBLEMS: clinical_entries.read_problem_entry,
    SectionKind.ADMISSION_DIAGNOSES: clinical_entries.read_problem_entry,
    SectionKind.DISCHARGE_DIAGNOSES: clinical_entries.read_problem_entry,
    SectionKind.MEDICATIONS: clinical_entries.read_medication_entry,
    SectionKind.DISCHARGE_MEDICATIONS: clinical_entries.read_medication_entry,
    SectionKind.ADMISSION_MEDICATIONS: clinical_entries.read_medication_entry,
    SectionKind.ALLERGIES: clinical_entries.read_allergy_entry,
    SectionKind.RESULTS: care_entries.read_result_entry,
    SectionKind.VITAL_SIGNS: care_entries.read_result_entry,
    SectionKind.ENCOUNTERS: care_entries.read_encounter_entry,
    SectionKind.PROCEDURES: care_entries.read_procedure_entry,
}
# Sections whose entries belong to the stay the document is about, not the patient's history.
_OF_THE_STAY = {SectionKind.ADMISSION_DIAGNOSES, SectionKind.DISCHARGE_DIAGNOSES}


def section_kind(section: Element) -> SectionKind | None:
    for root in sorted(template_roots(section)):
        if root in _BY_TEMPLATE:
            return _BY_TEMPLATE[root]
    return _BY_CODE.get(attr(child(section, "code"), "code"))


def body_sections(root: Element) -> list[Element]:
    return children(root, "component/structuredBody/component/section")


def read_sections(doc: ReceivedDocument, stay: SourceRef | None) -> None:
    """Read the entries of every section (and of the sections nested in them) into `doc`."""
    for number, section in enumerate(body_sections(doc.root), start=1):
        _read_section(doc, section, f"section{number}", stay)


def _read_section(
    doc: ReceivedDocument, section: Element, part: str, stay: SourceRef | None
) -> None:
    acts = [a for e in children(section, "entry") if (a := _entry_act(e)) is not None]
    kind = section_kind(section)
    if kind is None:
        title = section_title(section) or "Untitled"
        doc.count(f"{_label(title)} section entries", len(acts))
    else:
        place_stay = stay if kind in _OF_THE_STAY else None
        for index, act in enumerate(acts, start=1):
            place = EntryPlace(doc, kind.value, f"{part}/entry{index}", place_stay)
            _READERS[kind](place, act)
    for number, nested in enumerate(children(section, "component/section"), start=1):
        _read_section(doc, nested, f"{part}/section{number}", stay)


def _entry_act(entry: Element) -> Element | None:
    """The clinical statement an <entry> holds (act, observation, organizer ...)."""
    return next((e for e in entry if is_element(e)), None)


def _label(title: str) -> str:
    """A section title as a report label: "IMMUNIZATIONS", "Plan Of Care" -> "Immunizations",
    "Plan of care" (so the same section from different senders adds up); acronyms stay."""
    words = " ".join(title.split())[:60].split()
    if words and words[-1].lower() == "section" and len(words) > 1:
        words = words[:-1]
    shouting = all(w.isupper() for w in words if w.isalpha())
    kept = [w if (w.isupper() and not shouting and len(w) > 1) else w.lower() for w in words]
    label = " ".join(kept)
    return label[:1].upper() + label[1:]
