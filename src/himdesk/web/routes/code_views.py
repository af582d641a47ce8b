"""Code-set reference pages: a code in the Tabular List, the Table of Neoplasms, the Table
of Drugs and Chemicals, and the ICD-10-PCS code builder. Plain links and GET forms: every
step works without JavaScript."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from himdesk.domain.coding.alphabetic_index import IndexKind
from himdesk.domain.coding.index_tables import LONGEST_QUERY, UnreadableTableQuery
from himdesk.domain.coding.pcs_builder import PcsCombinationNotAllowed, UnreadablePcsCode
from himdesk.domain.coding.tabular_view import (
    NOTE_HEADINGS,
    NOTE_ORDER,
    UnknownCode,
    UnreadableCode,
)
from himdesk.services.code_lookup import require_lookup
from himdesk.services.code_reference import CodeSetsNotLoaded
from himdesk.services.code_views import (
    TABLE_NAMES,
    code_view,
    drug_table,
    neoplasm_table,
    pcs_step,
)
from himdesk.web.rendering import page
from himdesk.web.sessions import Session, himdesk_of

router = APIRouter()
# Fiscal years a loaded release may have; anything else is refused before any lookup.
FiscalYear = Annotated[int | None, Query(ge=2000, le=2100)]
CodeText = Annotated[str, Query(max_length=LONGEST_QUERY)]
TableQuery = Annotated[str, Query()]  # the length is checked by the table, with its message


@router.get("/coding/codes")
def go_to_code(request: Request, session: Session, code: CodeText = "") -> Response:
    """The target of the "Go to code" forms, which cannot put the code in the path."""
    require_lookup(session.actor)
    if not code.strip():
        return page(request, "error.html", status_code=400, title="No code given",
                    message="Type an ICD-10-CM code, e.g. I21.4 or S72.001A.")  # fmt: skip
    return RedirectResponse(f"/coding/codes/{quote(code.strip(), safe='')}", status_code=303)


@router.get("/coding/codes/{code}")
def code_page(request: Request, session: Session, code: str, year: FiscalYear = None) -> Response:
    reference = himdesk_of(request).code_reference
    try:
        view = code_view(session.actor, reference, code, year)
    except UnreadableCode as err:
        return _refused(request, 400, "Not an ICD-10-CM code", str(err))
    except UnknownCode as err:
        return page(request, "code_unknown.html", status_code=404, unknown=err, year=year)
    except CodeSetsNotLoaded as err:
        return _refused(request, 404, "Code set not loaded", str(err))
    return page(request, "code_view.html", view=view, year=year, note_order=NOTE_ORDER,
                note_headings=NOTE_HEADINGS)  # fmt: skip


@router.get("/coding/neoplasms")
def neoplasms_page(
    request: Request, session: Session, q: TableQuery = "", year: FiscalYear = None
) -> Response:
    return _table_page(request, session, IndexKind.NEOPLASMS, q, year)


@router.get("/coding/drugs")
def drugs_page(
    request: Request, session: Session, q: TableQuery = "", year: FiscalYear = None
) -> Response:
    return _table_page(request, session, IndexKind.DRUGS, q, year)


def _table_page(
    request: Request, session: Session, kind: IndexKind, q: str, year: int | None
) -> Response:
    search = neoplasm_table if kind is IndexKind.NEOPLASMS else drug_table
    reference = himdesk_of(request).code_reference
    try:
        view = search(session.actor, reference, q, year)
    except UnreadableTableQuery as err:
        return _refused(request, 400, "Search not understood", str(err))
    except CodeSetsNotLoaded as err:
        return _refused(request, 404, "Code set not loaded", str(err))
    shown = {row.position for row in view.rows}
    return page(request, "code_table.html", view=view, table_name=TABLE_NAMES[kind], year=year,
                action=request.url.path, shown=shown)  # fmt: skip


@router.get("/coding/pcs")
def pcs_page(
    request: Request, session: Session, code: CodeText = "", year: FiscalYear = None
) -> Response:
    reference = himdesk_of(request).code_reference
    try:
        step = pcs_step(session.actor, reference, code, year)
    except UnreadablePcsCode as err:
        return _refused(request, 400, "Not an ICD-10-PCS code", str(err))
    except PcsCombinationNotAllowed as err:
        # Show where the code stops being valid, with what may follow there.
        step = pcs_step(session.actor, reference, err.valid_prefix, year)
        return page(request, "pcs_builder.html", status_code=404, step=step, year=year,
                    refusal=str(err), asked=code.strip().upper())  # fmt: skip
    except CodeSetsNotLoaded as err:
        return _refused(request, 404, "Code set not loaded", str(err))
    return page(request, "pcs_builder.html", step=step, year=year, refusal="", asked="")


def _refused(request: Request, status: int, title: str, message: str) -> Response:
    return page(request, "error.html", status_code=status, title=title, message=message)
