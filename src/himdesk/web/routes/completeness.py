"""Chart completeness in the workstation: the HIT's worklist, one encounter's analysis
(re-run, complete, waive) and the HIM manager's delinquency report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from himdesk.services.completeness import analyze_charts, complete_review, waive_deficiency
from himdesk.services.encounter_analysis import (
    EncounterAnalysis,
    analysis_of_deficiency,
    encounter_analysis,
)
from himdesk.services.errors import Conflict
from himdesk.services.worklists import completeness_worklist, delinquency_report
from himdesk.web.params import RecordId
from himdesk.web.rendering import page
from himdesk.web.sessions import CheckedSession, Session, himdesk_of

router = APIRouter()

# What the analysis page says after each of its forms (unknown values are ignored).
NOTICES = {"analysed", "complete", "incomplete", "waived"}


@router.get("/completeness")
def worklist(request: Request, session: Session) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        found = completeness_worklist(uow, session.actor)
    return page(request, "completeness.html", worklist=found)


@router.get("/encounters/{encounter_id}/analysis")
def analysis(
    request: Request,
    session: Session,
    encounter_id: RecordId,
    notice: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        found = encounter_analysis(uow, session.actor, encounter_id)
    return _analysis_page(request, found, notice=notice if notice in NOTICES else "")


def _analysis_page(
    request: Request,
    found: EncounterAnalysis,
    status_code: int = 200,
    notice: str = "",
    errors: dict[int, str] | None = None,
    typed: str = "",
) -> Response:
    return page(request, "analysis.html", status_code=status_code, analysis=found,
                banner=found.banner, notice=notice, errors=errors or {}, typed=typed)  # fmt: skip


@router.post("/encounters/{encounter_id}/analysis/run")
def run(request: Request, session: CheckedSession, encounter_id: RecordId) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        analyze_charts(uow, session.actor, encounter_id)
    return RedirectResponse(f"/encounters/{encounter_id}/analysis?notice=analysed", 303)


@router.post("/encounters/{encounter_id}/analysis/complete")
def complete(request: Request, session: CheckedSession, encounter_id: RecordId) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        review = complete_review(uow, session.actor, encounter_id)
    return RedirectResponse(
        f"/encounters/{encounter_id}/analysis?notice={review.status.value}", 303
    )


@router.post("/deficiencies/{deficiency_id}/waive")
def waive(
    request: Request,
    session: CheckedSession,
    deficiency_id: RecordId,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    himdesk = himdesk_of(request)
    try:
        with himdesk.unit_of_work() as uow:
            waived = waive_deficiency(uow, session.actor, deficiency_id, reason)
    except Conflict as refused:
        with himdesk.unit_of_work() as uow:
            found = analysis_of_deficiency(uow, session.actor, deficiency_id)
        return _analysis_page(request, found, 400, errors={deficiency_id: str(refused)},
                              typed=reason)  # fmt: skip
    return RedirectResponse(f"/encounters/{waived.encounter_id}/analysis?notice=waived", 303)


@router.get("/delinquency")
def delinquency(request: Request, session: Session) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        report = delinquency_report(uow, session.actor)
    return page(request, "delinquency.html", report=report)
