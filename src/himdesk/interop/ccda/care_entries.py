"""Result, vital sign, encounter and procedure entries of a C-CDA document.

C-CDA R2.1 Vol. 2: Result Organizer (V3) 2.16.840.1.113883.10.20.22.4.1 with Result
Observations (V3) 4.2; Vital Signs Organizer (V3) 4.26 with Vital Sign Observations (V2) 4.27;
Encounter Activity (V3) 4.49; Procedure Activity Procedure (V2) 4.14, Act 4.12 and Observation 4.13.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from himdesk.domain.incoming import (
    IncomingEncounter,
    IncomingObservation,
    IncomingProcedure,
    result_fits,
    text_within,
)
from himdesk.domain.records import AbnormalFlag, EncounterClass, EncounterStatus
from himdesk.interop.ccda.entry import EntryPlace, laterality, negated
from himdesk.interop.ccda.header import discharge_disposition, encounter_class
from himdesk.interop.ccda.values import (
    SDTC,
    XSI_TYPE,
    Element,
    attr,
    child,
    children,
    decimal_value,
    local_name,
    unit_of,
)

_NUMERIC_TYPES = {"PQ", "REAL", "INT"}
_FLAGS = {
    "N": AbnormalFlag.NORMAL,
    "L": AbnormalFlag.LOW,
    "LU": AbnormalFlag.LOW,
    "<": AbnormalFlag.LOW,
    "H": AbnormalFlag.HIGH,
    "HU": AbnormalFlag.HIGH,
    ">": AbnormalFlag.HIGH,
    "LL": AbnormalFlag.CRITICAL_LOW,
    "HH": AbnormalFlag.CRITICAL_HIGH,
}
_PERFORMED = {"", "EVN"}


def _observations(organizer: Element) -> Iterator[Element]:
    for component in children(organizer, "component"):
        for statement in component:
            name = local_name(statement)
            if name == "observation":
                yield statement
            elif name == "organizer":
                yield from _observations(statement)


def read_result_entry(place: EntryPlace, act: Element) -> None:
    name = local_name(act)
    if name == "organizer":
        observations = list(_observations(act))
    elif name == "observation":
        observations = [act]
    else:
        place.not_held("entries that are not observations")
        return
    for index, observation in enumerate(observations, start=1):
        _read_result(place, observation, act, f"/result{index}")


def _read_result(place: EntryPlace, observation: Element, organizer: Element, within: str) -> None:
    value = child(observation, "value")
    kind = attr(value, XSI_TYPE).rpartition(":")[2]
    amount = decimal_value(value) if kind in _NUMERIC_TYPES or not kind else None
    if negated(observation) or attr(observation, "moodCode") not in _PERFORMED:
        place.not_held("not performed")
        return
    if value is None or amount is None or not result_fits(amount):
        place.not_held("without a numeric value")
        return
    code_element = child(observation, "code")
    coded = place.doc.coded(code_element)
    if coded is None or not coded.code or code_element is None:
        place.not_held("without a code")
        return
    code, system = place.code(coded, code_element)
    low, high = _reference_range(observation)
    ref, derived = place.refs(observation, within)
    place.keep(
        IncomingObservation(
            source=ref,
            code=code,
            display=place.words(coded.display, place.doc.entry_words(observation), code, limit=120),
            value=amount,
            unit=text_within(unit_of(value), 20, f"{place.doc.where(value)}/@unit"),
            observed_at=place.started(observation, organizer) or place.doc.authored_at,
            code_system=system,
            encounter=place.stay,
            reference_low=low,
            reference_high=high,
            flag=_flag(observation, amount, low, high),
        ),
        derived,
    )


def _reference_range(observation: Element) -> tuple[Decimal | None, Decimal | None]:
    """The normal range: the first observationRange that is not for an abnormal interpretation."""
    for reference in children(observation, "referenceRange/observationRange"):
        if attr(child(reference, "interpretationCode"), "code") not in {"", "N"}:
            continue
        value = child(reference, "value")
        low, high = _bound(child(value, "low")), _bound(child(value, "high"))
        if low is not None or high is not None:
            return low, high
    return None, None


def _bound(element: Element | None) -> Decimal | None:
    """A range bound the record can keep; one beyond it is no bound (the value still is)."""
    value = decimal_value(element)
    return value if value is not None and result_fits(value) else None


def _flag(
    observation: Element, amount: Decimal, low: Decimal | None, high: Decimal | None
) -> AbnormalFlag:
    """The sender's interpretation; one the record has no flag for ("A") is read off the range."""
    codes = [attr(c, "code").upper() for c in children(observation, "interpretationCode")]
    codes = [c for c in codes if c]
    for code in codes:
        if code in _FLAGS:
            return _FLAGS[code]
    if codes and low is not None and amount < low:
        return AbnormalFlag.LOW
    if codes and high is not None and amount > high:
        return AbnormalFlag.HIGH
    return AbnormalFlag.NORMAL


def read_encounter_entry(place: EntryPlace, act: Element) -> None:
    if local_name(act) != "encounter":
        place.not_held("entries that are not encounters")
        return
    if attr(act, "moodCode") not in _PERFORMED:
        place.not_held("planned")
        return
    start, end = place.doc.span(child(act, "effectiveTime"))
    if start is None:
        place.not_held("without a date")
        return
    ref, derived = place.refs(act)
    place.keep(
        IncomingEncounter(
            source=ref,
            encounter_class=encounter_class(child(act, "code")) or EncounterClass.OUTPATIENT,
            admitted_at=start,
            status=_encounter_status(attr(child(act, "statusCode"), "code")),
            discharged_at=end,
            attending=place.clinician(act, "performer"),
            discharge_disposition=discharge_disposition(
                act.find(f"{{{SDTC}}}dischargeDispositionCode")
            ),
        ),
        derived,
    )


def _encounter_status(status: str) -> EncounterStatus:
    """An encounter in the history is over unless the sender says it is still going on."""
    if status in {"cancelled", "aborted", "nullified"}:
        return EncounterStatus.CANCELLED
    if status in {"active", "new", "held", "suspended"}:
        return EncounterStatus.IN_PROGRESS
    return EncounterStatus.DISCHARGED


def read_procedure_entry(place: EntryPlace, act: Element) -> None:
    if local_name(act) not in {"procedure", "act", "observation"}:
        place.not_held("entries that are not procedures")
        return
    if negated(act):
        place.not_held("recorded as not done")
        return
    if attr(act, "moodCode") not in _PERFORMED:
        place.not_held("planned")
        return
    code_element = child(act, "code")
    coded = place.doc.coded(code_element)
    description = place.words(coded.display if coded else "", place.doc.entry_words(act), limit=200)
    if not description:
        place.not_held("without a procedure named")
        return
    performed_at = place.started(act)
    if performed_at is None:
        place.not_held("without a date")
        return
    code, system = ("", "")
    if coded is not None and coded.code and code_element is not None:
        code, system = place.code(coded, code_element)
    ref, derived = place.refs(act)
    place.keep(
        IncomingProcedure(
            source=ref,
            description=description,
            performed_at=performed_at,
            code=code,
            code_system=system,
            performed_by=place.clinician(act, "performer"),
            laterality=laterality(act),
        ),
        derived,
    )
