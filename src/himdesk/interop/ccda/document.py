"""One received C-CDA document while it is read: narrative look-ups, clinicians, what is not held.

The mapping functions of `header` and `sections` read through a `ReceivedDocument`, which
resolves narrative references (CDA R2 4.3.5.1 "<content>" IDs pointed at by
`originalText/reference` and `text/reference`), gathers each clinician once, and counts the
parts the record does not hold so the import report can name them.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from lxml import etree

from himdesk.domain.incoming import (
    IncomingAllergy,
    IncomingClinician,
    IncomingDiagnosis,
    IncomingEncounter,
    IncomingMedication,
    IncomingObservation,
    IncomingProcedure,
    SourceRef,
    text_within,
)
from himdesk.interop.ccda.narrative import inline_text
from himdesk.interop.ccda.values import (
    NPI_ROOT,
    V3,
    BadValue,
    Coded,
    Element,
    attr,
    child,
    children,
    path_of,
    ref_of,
    shortened,
    system_uri,
    text_of,
    time_value,
)

IncomingPart = (
    IncomingEncounter
    | IncomingObservation
    | IncomingDiagnosis
    | IncomingProcedure
    | IncomingMedication
    | IncomingAllergy
)
NOT_UNDERSTOOD = "Times not understood (left out)"
ENDS_BEFORE_START = "Times ending before they start (end left out)"
_PREFIXES = {"dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "prof", "prof."}


class ReceivedDocument:
    def __init__(self, root: Element, ref: SourceRef, authored_at: datetime) -> None:
        self.root = root
        self.ref = ref
        self.authored_at = authored_at
        self.clinicians: dict[SourceRef, IncomingClinician] = {}
        self.not_held: Counter[str] = Counter()
        self.kept: list[tuple[IncomingPart, SourceRef]] = []
        self._narrative_ids: dict[str, Element] | None = None

    def where(self, element: Element) -> str:
        return path_of(element)

    def count(self, kind: str, number: int = 1) -> None:
        if number:
            self.not_held[kind] += number

    def derived_ref(self, part: str) -> SourceRef:
        """A stable identity for a part the sender gave no id: the document's id and where."""
        return SourceRef(self.ref.system, f"{self.ref.value}/{part}")

    def part_ref(self, element: Element, part: str) -> tuple[SourceRef, SourceRef]:
        """An entry's identity from its <id>, and the one derived from where it is.

        The derived one is used when the entry has no id, or when the sender gave the same id
        to different entries of the document (seen in vendor samples), so that each entry keeps
        an identity that is the same every time the document is imported.
        """
        derived = self.derived_ref(part)
        identifier = child(element, "id")
        found = None if identifier is None else ref_of(identifier, self.where(identifier))
        return found or derived, derived

    def keep(self, part: IncomingPart, derived: SourceRef) -> None:
        self.kept.append((part, derived))

    # --- narrative --------------------------------------------------------------------

    def referenced(self, reference: Element | None) -> str:
        """The narrative text a <reference value="#id"/> points at ("" when it points nowhere)."""
        target = attr(reference, "value").removeprefix("#")
        if not target:
            return ""
        if self._narrative_ids is None:
            found = self.root.iterfind(f".//{{{V3}}}text//*[@ID]")
            self._narrative_ids = {attr(e, "ID"): e for e in found}
        element = self._narrative_ids.get(target)
        return "" if element is None else inline_text(element)

    def words(self, element: Element | None) -> str:
        """An originalText or entry text: the referenced narrative, else the text written in it."""
        if element is None:
            return ""
        said = self.referenced(child(element, "reference"))
        return said or text_of(element)

    def coded(self, element: Element | None) -> Coded | None:
        """A CD/CE with the words for it: displayName, else originalText; None when neither.

        A value without a code of its own (a local or free-text term) often carries the standard
        code as a <translation>: the code then comes from there.
        """
        if element is None:
            return None
        source = element
        if not attr(element, "code"):
            translations = children(element, "translation")
            source = next((t for t in translations if attr(t, "code")), element)
        code = attr(source, "code")
        display = (
            attr(element, "displayName")
            or self.words(child(element, "originalText"))
            or attr(source, "displayName")
        )
        if not code and not display:
            return None
        system = system_uri(attr(source, "codeSystem")) if code else ""
        return Coded(code, system, " ".join(display.split()))

    def entry_words(self, entry: Element) -> str:
        """What an entry's own <text> says (usually a reference into the section narrative)."""
        return self.words(child(entry, "text"))

    def span(self, element: Element | None) -> tuple[datetime | None, datetime | None]:
        """An IVL_TS (or a TS: a point in time) of an entry as (start, end).

        Senders write "0", "000000" or "00010101" for a time they do not know, and now and then
        an end before the start: such a time is left out (and counted in the import report)
        rather than failing the whole document for one entry.
        """
        if element is None:
            return None, None
        if attr(element, "value"):
            return self.time(element), None
        start = self.time(child(element, "low")) or self.time(child(element, "center"))
        end = self.time(child(element, "high"))
        if start and end and end < start:
            self.count(ENDS_BEFORE_START)
            return start, None
        return start, end

    def time(self, element: Element | None) -> datetime | None:
        try:
            return time_value(element)
        except BadValue:
            self.count(NOT_UNDERSTOOD)
            return None

    # --- clinicians -------------------------------------------------------------------

    def clinician(self, entity: Element | None) -> SourceRef | None:
        """The clinician an assignedEntity/assignedAuthor names, gathered once per document.

        None for a device, an organisation, or a person without an id or a family name: the
        record cannot link such a participant to a clinician.
        """
        person = child(entity, "assignedPerson")
        if entity is None or person is None:
            return None
        ids = children(entity, "id")
        ids.sort(key=lambda i: attr(i, "root") != NPI_ROOT)
        ref = next((r for i in ids if (r := ref_of(i, self.where(i))) is not None), None)
        if ref is None or ref in self.clinicians:
            return ref
        given, _, family, suffix = person_name(child(person, "name"))
        if not family:
            return None
        where = self.where(person)
        npi_id = next((i for i in ids if attr(i, "root") == NPI_ROOT), None)
        npi = attr(npi_id, "extension")
        self.clinicians[ref] = IncomingClinician(
            source=ref,
            family_name=text_within(family, 60, f"{where}/name/family"),
            given_name=text_within(given, 60, f"{where}/name/given"),
            npi=npi if len(npi) == 10 and npi.isdigit() else "",
            credentials=shortened(suffix, 20),
            specialty=shortened(attr(child(entity, "code"), "displayName"), 60),
        )
        return ref


def person_name(name: Element | None) -> tuple[str, str, str, str]:
    """A PN as (given, middle, family, suffix); a name written as one string is split."""
    if name is None:
        return "", "", "", ""
    given = [t for g in children(name, "given") if (t := _text(g))]
    family = next((t for f in children(name, "family") if (t := _text(f))), "")
    suffix = " ".join(t for s in children(name, "suffix") if (t := _text(s)))
    if not given and not family:
        words = [w for w in _own_text(name).split() if w.lower() not in _PREFIXES]
        if len(words) >= 2:
            given, family = words[:-1], words[-1]
    return (given[0] if given else ""), " ".join(given[1:2]), family, suffix


def _text(element: Element) -> str:
    """A name part's text; "null", which some senders write for an empty part, is nothing."""
    text = text_of(element)
    return "" if text.lower() == "null" else text


def _own_text(name: Element) -> str:
    """The text of a PN written without parts (other child elements left out)."""
    pieces = [name.text or ""] + [c.tail or "" for c in name if isinstance(c, etree._Element)]
    return " ".join("".join(pieces).split())
