"""Planted discrepancies that chart analysis reads out of the documents: a progress note
filed twice, and a note saying "NKDA" for a patient with a recorded drug allergy.

These came after the first planted kinds; `problems.plant_problems` draws for them from a
random stream of their own, so that adding them left every chart as it was apart from them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from himdesk.demo.context import ChartContext
from himdesk.demo.documents import body_of, patient_header
from himdesk.demo.model import DemoEncounter, ProblemKind
from himdesk.domain.records import DocumentStatus, DocumentType

Planter = Callable[[ChartContext, DemoEncounter, set[int]], str | None]
T = DocumentType
_ALLERGIES = re.compile(r"(?<=\nALLERGIES:\n)[^\n]+")


def _note_filed_twice(ctx: ChartContext, stay: DemoEncounter, touched: set[int]) -> str | None:
    notes = [
        d
        for d in stay.documents
        if id(d) not in touched
        and d.document_type is T.PROGRESS_NOTE
        and d.status is DocumentStatus.SIGNED
    ]
    discharged = stay.encounter.discharged_at
    if not notes or discharged is None:
        return None
    original = ctx.rng.choice(notes)
    shift = timedelta(minutes=ctx.rng.randint(3, 90))
    times = [t + shift for t in (original.signed_at, original.cosigned_at) if t is not None]
    if original.authored_at + shift > discharged or max(times) >= ctx.horizon:
        return None
    author = ctx.roster.get(original.author_id)
    at = original.authored_at + shift
    top = patient_header(original.title, ctx.patient, stay.encounter.account_number, at, author)
    again = replace(
        original,
        authored_at=at,
        signed_at=original.signed_at and original.signed_at + shift,
        cosigned_at=original.cosigned_at and original.cosigned_at + shift,
        text=f"{top}\n\n{body_of(original)}",
    )
    stay.documents.insert(stay.documents.index(original) + 1, again)
    touched.update({id(original), id(again)})
    return (
        f"{original.title} of {original.authored_at:%Y-%m-%d %H:%M} was filed again at "
        f"{at:%H:%M} with the same text."
    )


def _no_known_allergies(ctx: ChartContext, stay: DemoEncounter, touched: set[int]) -> str | None:
    allergic = ctx.profile.drug_allergies
    notes = [d for d in stay.documents if id(d) not in touched and _ALLERGIES.search(d.text)]
    if not allergic or not notes:
        return None
    document = next((d for d in notes if d.document_type is T.HISTORY_AND_PHYSICAL), notes[0])
    document.text = _ALLERGIES.sub("NKDA.", document.text, count=1)
    touched.add(id(document))
    substances = ", ".join(a.substance for a in allergic)
    return (
        f"{document.title} of {document.authored_at:%Y-%m-%d} says NKDA, but the patient is "
        f"allergic to {substances}."
    )


LATER_PLANTERS: tuple[tuple[ProblemKind, Planter], ...] = (
    (ProblemKind.DUPLICATE_DOCUMENT, _note_filed_twice),
    (ProblemKind.ALLERGY_CONFLICT, _no_known_allergies),
)
