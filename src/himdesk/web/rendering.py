"""Jinja2 environment and the small presentation helpers templates use."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from himdesk.domain.access import Action, is_permitted
from himdesk.domain.records import Observation

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def when(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def number(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}"


def trend_points(results: Sequence[Observation], width: int = 120, height: int = 28) -> str:
    """SVG polyline points for a result's values over time (oldest left)."""
    values = [float(r.value) for r in results]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = width / max(len(values) - 1, 1)
    return " ".join(
        f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}"
        for i, v in enumerate(values)
    )


templates.env.filters["when"] = when
templates.env.filters["number"] = number
templates.env.globals["trend_points"] = trend_points
templates.env.globals["Action"] = Action
templates.env.globals["is_permitted"] = is_permitted


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    session = getattr(request.state, "session", None)
    return templates.TemplateResponse(
        request, name, {"session": session, **context}, status_code=status_code
    )
