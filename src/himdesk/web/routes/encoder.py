"""The encoder page: a term or code in, ranked ICD-10-CM codes with their index paths out.

`/coding/encoder?q=...` is the whole page and works without JavaScript; `encoder.js` asks
`/coding/encoder/results?q=...` for the results alone while the coder types (the abstract
screen's code search uses the same fragment).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from himdesk.domain.coding.lookup import LookupHit
from himdesk.services.code_lookup import InvalidLookup, lookup_codes, require_lookup
from himdesk.services.code_reference import CodeSetsNotLoaded
from himdesk.web.rendering import page
from himdesk.web.sessions import Session, himdesk_of

router = APIRouter()
FiscalYear = Annotated[int | None, Query(ge=2000, le=2100)]
LIMIT = 15


@router.get("/coding/encoder")
def encoder_page(
    request: Request, session: Session, q: str = "", year: FiscalYear = None
) -> Response:
    if not q.strip():
        require_lookup(session.actor)
        return page(request, "encoder.html", q="", year=year, hits=[], refusal="")
    hits, refusal, status = _lookup(request, session, q, year)
    return page(request, "encoder.html", status_code=status, q=q, year=year, hits=hits,
                refusal=refusal)  # fmt: skip


@router.get("/coding/encoder/results")
def encoder_results(
    request: Request, session: Session, q: str = "", year: FiscalYear = None
) -> Response:
    hits, refusal, status = _lookup(request, session, q, year)
    return page(request, "_encoder_results.html", status_code=status, q=q, year=year,
                hits=hits, refusal=refusal)  # fmt: skip


def _lookup(
    request: Request, session: Session, q: str, year: int | None
) -> tuple[list[LookupHit], str, int]:
    reference = himdesk_of(request).code_reference
    try:
        return lookup_codes(session.actor, reference, q, LIMIT, year), "", 200
    except InvalidLookup as err:
        return [], str(err), 400
    except CodeSetsNotLoaded as err:
        return [], f"{err} An administrator loads them with `himdesk codesets load DIR`.", 404
