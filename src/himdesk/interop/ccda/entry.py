"""What every entry reader needs: where the entry is, its identity, its people and its times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from himdesk.domain.incoming import SourceRef, text_within
from himdesk.interop.ccda.document import IncomingPart, ReceivedDocument
from himdesk.interop.ccda.values import Coded, Element, attr, child, children, shortened
from himdesk.interop.fhir.vocabulary import LATERALITY_BY_CODE

_SNOMED = "2.16.840.1.113883.6.96"
_LATERALITY = "272741003"  # SNOMED CT "Laterality", the qualifier's name


@dataclass(frozen=True)
class EntryPlace:
    """One entry of a section being read."""

    doc: ReceivedDocument
    label: str  # the section kind, as the import report names it: "Problems"
    part: str  # where the entry is, for identities derived from the document: "section3/entry2"
    stay: SourceRef | None  # the encompassing encounter, for sections about the stay

    def refs(self, element: Element, within: str = "") -> tuple[SourceRef, SourceRef]:
        return self.doc.part_ref(element, f"{self.part}{within}")

    def keep(self, part: IncomingPart, derived: SourceRef) -> None:
        self.doc.keep(part, derived)

    def not_held(self, what: str) -> None:
        """Count an entry the record does not hold: "Problems recorded as absent"."""
        self.doc.count(f"{self.label} {what}")

    def code(self, coded: Coded, element: Element | None) -> tuple[str, str]:
        """(code, code system) within the record's columns; a longer code is a rejection."""
        where = self.doc.where(element) if element is not None else self.label
        return (
            text_within(coded.code, 20, f"{where}/@code"),
            text_within(coded.system, 100, f"{where}/@codeSystem"),
        )

    def words(self, *candidates: str, limit: int) -> str:
        """The first of `candidates` that says something, shortened to `limit` with "…"."""
        return shortened(next((c for c in candidates if c.strip()), ""), limit)

    def clinician(self, statement: Element, participation: str) -> SourceRef | None:
        """The first clinician among a statement's performers or authors."""
        for role in children(statement, participation):
            entity = child(role, "assignedEntity")
            ref = self.doc.clinician(
                entity if entity is not None else child(role, "assignedAuthor")
            )
            if ref is not None:
                return ref
        return None

    def started(self, *statements: Element | None) -> datetime | None:
        """The first start time among the statements' effectiveTimes."""
        for statement in statements:
            start, _ = self.doc.span(child(statement, "effectiveTime"))
            if start is not None:
                return start
        return None

    def authored(self, *statements: Element | None) -> datetime | None:
        """The first author time among the statements (when it was recorded)."""
        for statement in statements:
            for author in children(statement, "author"):
                start, _ = self.doc.span(child(author, "time"))
                if start is not None:
                    return start
        return None


def negated(statement: Element) -> bool:
    return attr(statement, "negationInd").lower() == "true"


def related(statement: Element, type_code: str) -> list[Element]:
    """The clinical statements in a statement's entryRelationships of one type ("SUBJ", "MFST")."""
    found: list[Element] = []
    for relationship in children(statement, "entryRelationship"):
        if attr(relationship, "typeCode") == type_code:
            found.extend(children(relationship, "observation"))
    return found


def laterality(statement: Element) -> str:
    """The side a statement's target site is qualified with ("left", "right", "bilateral"):
    `targetSiteCode/qualifier` named Laterality and valued in SNOMED CT; "" when none is.

    A site whose own code names a side ("Left arm") is not read as one: the record keeps the
    side apart, and C-CDA says it apart when it says it (C-CDA R2.1, Procedure Activity).
    """
    for site in children(statement, "targetSiteCode"):
        for qualifier in children(site, "qualifier"):
            value = child(qualifier, "value")
            if attr(child(qualifier, "name"), "code") == _LATERALITY and (
                attr(value, "codeSystem") == _SNOMED
            ):
                side = LATERALITY_BY_CODE.get(attr(value, "code"), "")
                if side:
                    return side
    return ""
