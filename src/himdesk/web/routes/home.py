"""The role home page: the user's worklists."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from himdesk.domain.access import Role
from himdesk.web.rendering import page
from himdesk.web.sessions import Session

router = APIRouter()

# The worklists each role starts the day with; later issues fill them.
WORKLISTS: dict[Role, list[tuple[str, str]]] = {
    Role.HIT: [
        ("Charts to analyze", "Discharged charts waiting for completeness review"),
        ("Open deficiencies", "Missing or unsigned documents, oldest first"),
        ("Physician queries", "Queries sent, overdue, escalated and answered"),
    ],
    Role.CODER: [
        ("Coding worklist", "Discharged encounters not yet final-coded"),
        ("Queries awaiting answers", "Physician queries you sent"),
    ],
    Role.REGISTRAR: [("Casefinding", "Reportable cancer cases to abstract")],
    Role.ANALYST: [("Reports", "De-identified measures and extracts")],
    Role.HIM_MANAGER: [
        ("Delinquent records", "Deficiencies past the bylaws limit"),
        ("Chart completeness", "Charts to analyze, incomplete charts, open deficiencies by age"),
        ("Coding backlog", "Discharged, not final-coded, by age"),
        ("Amendment requests", "Patients' requests to amend their record, soonest due first"),
        ("Physician queries", "Queries sent, overdue, escalated and answered, with metrics"),
    ],
    Role.CLINICIAN: [
        ("My deficiencies", "Documents to sign or complete"),
        ("My queries", "Questions from coding and CDI"),
    ],
    Role.PRIVACY_OFFICER: [("Access review", "Flagged accesses to review")],
    Role.ADMIN: [("Users", "Accounts and roles")],
}


# Worklists that already have a page of their own.
WORKLIST_PAGES = {
    "Access review": "/privacy/reviews",
    "Amendment requests": "/amendments",
    "Charts to analyze": "/completeness",
    "Open deficiencies": "/completeness#open-by-age",
    "Chart completeness": "/completeness",
    "Delinquent records": "/delinquency",
    "Physician queries": "/queries",
    "Queries awaiting answers": "/queries",
    "My deficiencies": "/inbox",
    "My queries": "/inbox",
}


@router.get("/")
def home(request: Request, session: Session) -> Response:
    return page(request, "home.html", worklists=WORKLISTS[session.user.role], pages=WORKLIST_PAGES)
