"""Log in and log out."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from himdesk.services.authentication import LoginFailed, log_in, log_out
from himdesk.web.rendering import page
from himdesk.web.sessions import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CheckedSession,
    CsrfRejected,
    client_of,
    himdesk_of,
)

router = APIRouter()


def _safe_next(target: str) -> str:
    # Only paths on this site: an open redirect would let a phishing link borrow our login.
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login")
def login_form(request: Request, next: str = "/", idle: int = 0) -> Response:
    token = secrets.token_urlsafe(24)
    response = page(request, "login.html", next=_safe_next(next), idle=bool(idle), csrf=token)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=himdesk_of(request).settings.secure_cookies,
    )
    return response


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), csrf_token.encode()):
        raise CsrfRejected()
    himdesk = himdesk_of(request)
    try:
        with himdesk.unit_of_work() as uow:
            idle = timedelta(minutes=himdesk.settings.idle_timeout_minutes)
            signed = log_in(uow, username, password, client_of(request), idle)
    except LoginFailed as err:
        return page(
            request,
            "login.html",
            status_code=401,
            next=_safe_next(next),
            error=str(err),
            username=username[:60],
            csrf=expected,
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signed.token,
        httponly=True,
        samesite="lax",
        secure=himdesk.settings.secure_cookies,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, session: CheckedSession) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        log_out(uow, request.cookies.get(SESSION_COOKIE, ""), client_of(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
