"""Planted HIM problems: a few percent of finished inpatient stays get each kind, on purpose,
so that chart analysis has something to find. Each is listed as a `PlantedProblem`; a
chart with none is clean in every one of these respects.

Each planter alters one document (or result) nobody else has altered, and returns the
detail, or None when the stay offers nothing to plant it on.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import timedelta

from himdesk.demo.context import ChartContext
from himdesk.demo.discrepancy_problems import LATER_PLANTERS, Planter
from himdesk.demo.documents import body_of, header, patient_header
from himdesk.demo.labs import HEMOGLOBIN, LAB_TESTS, SODIUM, result
from himdesk.demo.model import DemoChart, DemoEncounter, PlantedProblem, ProblemKind
from himdesk.demo.people import account_number_for, make_patient
from himdesk.domain.records import (
    ClinicalDocument,
    DocumentStatus,
    DocumentType,
    EncounterClass,
)

K = ProblemKind
T = DocumentType
_SIDE_WORD = re.compile(r"\b(left|right|Left|Right)\b")
_OPPOSITE = {"left": "right", "right": "left", "Left": "Right", "Right": "Left"}

# Chance per finished inpatient stay; laterality, co-signature and allergy conflicts are of
# the stays that qualify (a lateral diagnosis; a resident's note; a drug allergy), so that
# each kind lands near 5% of all stays.
RATES = {
    K.MISSING_DOCUMENT: 0.05,
    K.LATE_DISCHARGE_SUMMARY: 0.05,
    K.UNSIGNED_DOCUMENT: 0.05,
    K.WRONG_ENCOUNTER: 0.05,
    K.ABNORMAL_LAB_WITHOUT_DIAGNOSIS: 0.05,
    K.LATERALITY_CONFLICT: 0.2,
    K.MISSING_COSIGNATURE: 0.14,
    K.DUPLICATE_DOCUMENT: 0.06,
    K.ALLERGY_CONFLICT: 0.2,
}


def plant_problems(ctx: ChartContext, chart: DemoChart) -> list[PlantedProblem]:
    planted: list[PlantedProblem] = []
    # Kinds added later draw from a stream of their own: earlier ones stay as they were.
    later = replace(ctx, rng=random.Random(f"{ctx.seed}:{ctx.index}:later problems"))
    for stay in chart.encounters:
        encounter = stay.encounter
        if encounter.encounter_class is not EncounterClass.INPATIENT:
            continue
        if encounter.discharged_at is None:
            continue
        touched: set[int] = set()
        for source, planters in ((ctx, _PLANTERS), (later, LATER_PLANTERS)):
            for kind, planter in planters:
                if source.rng.random() < RATES[kind]:
                    detail = planter(source, stay, touched)
                    if detail:
                        planted.append(
                            PlantedProblem(
                                kind, chart.patient.mrn, encounter.account_number, detail
                            )
                        )
    return planted


def _untouched(stay: DemoEncounter, touched: set[int]) -> list[ClinicalDocument]:
    return [d for d in stay.documents if id(d) not in touched]


def _first(docs: list[ClinicalDocument], kind: DocumentType) -> ClinicalDocument | None:
    return next((d for d in docs if d.document_type is kind), None)


def _missing_document(ctx: ChartContext, stay: DemoEncounter, touched: set[int]) -> str | None:
    kind = T.DISCHARGE_SUMMARY if ctx.rng.random() < 0.6 else T.HISTORY_AND_PHYSICAL
    document = _first(_untouched(stay, touched), kind)
    if document is None:
        return None
    stay.documents.remove(document)
    encounter = stay.encounter
    summary = kind is T.DISCHARGE_SUMMARY
    when = encounter.discharged_at if summary else encounter.admitted_at
    event = "discharged" if summary else "admitted"
    return f"No {kind.label.lower()} in the record ({event} {when:%Y-%m-%d})."


def _move(ctx: ChartContext, document: ClinicalDocument, shift: timedelta, account: str) -> None:
    """Re-date a document and its signatures, header included."""
    document.authored_at += shift
    if document.signed_at is not None:
        document.signed_at += shift
    if document.cosigned_at is not None:
        document.cosigned_at += shift
    author = ctx.roster.get(document.author_id)
    top = patient_header(document.title, ctx.patient, account, document.authored_at, author)
    document.text = f"{top}\n\n{body_of(document)}"


def _late_discharge_summary(
    ctx: ChartContext, stay: DemoEncounter, touched: set[int]
) -> str | None:
    document = _first(_untouched(stay, touched), T.DISCHARGE_SUMMARY)
    discharged = stay.encounter.discharged_at
    if document is None or discharged is None:
        return None
    room = (ctx.horizon - discharged).days - 3
    if room < 32:
        return None
    target = discharged + timedelta(days=ctx.rng.randint(31, min(75, room)), hours=2)
    _move(ctx, document, target - document.authored_at, stay.encounter.account_number)
    touched.add(id(document))
    signed = document.signed_at or document.authored_at
    return (
        f"Discharge summary signed {(signed - discharged).days} days after discharge on "
        f"{discharged:%Y-%m-%d} (limit 30 days; standard 48 hours)."
    )


def _unsigned_document(ctx: ChartContext, stay: DemoEncounter, touched: set[int]) -> str | None:
    candidates = [
        d
        for d in _untouched(stay, touched)
        if not d.requires_cosignature and d.status is DocumentStatus.SIGNED
    ]
    if not candidates:
        return None
    summary = _first(candidates, T.DISCHARGE_SUMMARY)
    document = summary if summary and ctx.rng.random() < 0.4 else ctx.rng.choice(candidates)
    document.status = DocumentStatus.DRAFT
    document.signed_by_id = None
    document.signed_at = None
    touched.add(id(document))
    author = ctx.roster.get(document.author_id)
    return (
        f"{document.title} written {document.authored_at:%Y-%m-%d %H:%M} by "
        f"{author.display_name} is unsigned."
    )


def _wrong_encounter(ctx: ChartContext, stay: DemoEncounter, touched: set[int]) -> str | None:
    notes = [d for d in _untouched(stay, touched) if d.document_type is T.PROGRESS_NOTE]
    if not notes:
        return None
    document = ctx.rng.choice(notes)
    touched.add(id(document))
    if ctx.rng.random() < 0.5:
        return _other_patients_note(ctx, document)
    return _note_from_another_time(ctx, stay, document)


def _other_patients_note(ctx: ChartContext, document: ClinicalDocument) -> str:
    neighbour = ctx.index + 1 if ctx.index % 2 == 0 else ctx.index - 1
    other = make_patient(
        random.Random(f"{ctx.seed}:{neighbour}"),
        neighbour,
        ctx.patient.facility,
        ctx.horizon.date(),
    )
    author = ctx.roster.get(document.author_id)
    top = header(
        document.title,
        other.display_name,
        other.mrn,
        other.birth_on,
        account_number_for(neighbour, 0),
        document.authored_at,
        author,
    )
    document.text = f"{top}\n\n{body_of(document)}"
    return (
        f"{document.title} of {document.authored_at:%Y-%m-%d} names {other.display_name} "
        f"(MRN {other.mrn}) but is filed to this patient's encounter."
    )


def _note_from_another_time(
    ctx: ChartContext, stay: DemoEncounter, document: ClinicalDocument
) -> str:
    admitted, discharged = stay.encounter.admitted_at, stay.encounter.discharged_at
    assert discharged is not None  # noqa: S101 - only finished stays get problems
    later = discharged + timedelta(days=ctx.rng.randint(5, 40), hours=3)
    target = (
        later
        if later < ctx.horizon - timedelta(days=2)
        else (admitted - timedelta(days=ctx.rng.randint(3, 20), hours=5))
    )
    _move(ctx, document, target - document.authored_at, stay.encounter.account_number)
    return (
        f"{document.title} dated {document.authored_at:%Y-%m-%d %H:%M} is filed to the "
        f"encounter of {admitted:%Y-%m-%d} to {discharged:%Y-%m-%d}."
    )


def _laterality_conflict(ctx: ChartContext, stay: DemoEncounter, touched: set[int]) -> str | None:
    lateral = next((d for d in stay.diagnoses if d.laterality), None)
    if lateral is None:
        return None
    docs = _untouched(stay, touched)
    preferred = [
        d
        for kind in (T.OPERATIVE_REPORT, T.DISCHARGE_SUMMARY, T.PROGRESS_NOTE)
        for d in docs
        if d.document_type is kind
    ]
    document = next((d for d in preferred if _SIDE_WORD.search(body_of(d))), None)
    if document is None:
        return None
    top, body = document.text.split("\n\n", 1)
    document.text = f"{top}\n\n{_SIDE_WORD.sub(lambda m: _OPPOSITE[m.group(0)], body)}"
    touched.add(id(document))
    other = _OPPOSITE[lateral.laterality]
    return (
        f"Diagnosis '{lateral.description}' is {lateral.laterality}; the "
        f"{document.title.lower()} of {document.authored_at:%Y-%m-%d} says {other}."
    )


def _abnormal_lab(ctx: ChartContext, stay: DemoEncounter, touched: set[int]) -> str | None:
    described = " ".join(d.description.lower() for d in stay.diagnoses)
    codes = [
        code
        for code, word in ((SODIUM, "hyponatremia"), (HEMOGLOBIN, "anemia"))
        if word not in described
    ]
    if not codes:
        return None
    code = ctx.rng.choice(codes)
    found = [k for k, r in enumerate(stay.observations) if r.code == code]
    if len(found) < 2:
        return None
    k = found[-1]
    test = LAB_TESTS[code]
    # Mostly like "Na 124" or "Hgb 8.1"; now and then low enough to be critical (LL).
    value = ctx.rng.randint(117, 128) if code == SODIUM else ctx.rng.uniform(6.6, 8.8)
    planted = result(test, value, stay.observations[k].observed_at)
    stay.observations[k] = planted
    missing = "hyponatremia" if code == SODIUM else "anemia"
    return (
        f"{test.short} {planted.value} {test.unit} on {planted.observed_at:%Y-%m-%d %H:%M} "
        f"({planted.flag.value}) with no {missing} diagnosis."
    )


def _missing_cosignature(ctx: ChartContext, stay: DemoEncounter, touched: set[int]) -> str | None:
    candidates = [
        d
        for d in _untouched(stay, touched)
        if d.requires_cosignature and d.cosigned_by_id is not None
    ]
    if not candidates:
        return None
    document = ctx.rng.choice(candidates)
    document.cosigned_by_id = None
    document.cosigned_at = None
    touched.add(id(document))
    author = ctx.roster.get(document.author_id)
    return (
        f"{document.title} of {document.authored_at:%Y-%m-%d} by resident "
        f"{author.display_name} has no attending co-signature."
    )


_PLANTERS: tuple[tuple[ProblemKind, Planter], ...] = (
    (K.MISSING_DOCUMENT, _missing_document),
    (K.LATE_DISCHARGE_SUMMARY, _late_discharge_summary),
    (K.UNSIGNED_DOCUMENT, _unsigned_document),
    (K.WRONG_ENCOUNTER, _wrong_encounter),
    (K.LATERALITY_CONFLICT, _laterality_conflict),
    (K.ABNORMAL_LAB_WITHOUT_DIAGNOSIS, _abnormal_lab),
    (K.MISSING_COSIGNATURE, _missing_cosignature),
)
