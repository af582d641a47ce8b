"""Log in and log out."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from himdesk.domain.sign_in import SECOND_FACTOR_TIME_LIMIT, SessionStage
from himdesk.services.authentication import LoginFailed, PendingSignIn, SignedIn, log_in, log_out
from himdesk.web.rendering import page
from himdesk.web.sessions import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    CheckedSession,
    CsrfRejected,
    client_of,
    himdesk_of,
    safe_next,
)

router = APIRouter()


@router.get("/login")
def login_form(
    request: Request, next: str = "/", idle: int = 0, expired: int = 0, paused: int = 0
) -> Response:
    token = secrets.token_urlsafe(24)
    error = str(LoginFailed()) if paused else None
    response = page(request, "login.html", next=(safe_next(next) or "/"), idle=bool(idle),
                    expired=bool(expired), error=error, csrf=token)  # fmt: skip
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
            next=(safe_next(next) or "/"),
            error=str(err),
            username=username[:60],
            csrf=expected,
        )
    if isinstance(signed, PendingSignIn):
        return _to_second_factor(request, signed, (safe_next(next) or "/"))
    return signed_in_response(request, signed, (safe_next(next) or "/"))


def signed_in_response(request: Request, signed: SignedIn, target: str) -> Response:
    """Into the workstation with the new session's cookie (HttpOnly, SameSite=Lax)."""
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(request, response, signed)
    return response


def set_session_cookie(request: Request, response: Response, signed: SignedIn) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        signed.token,
        httponly=True,
        samesite="lax",
        secure=himdesk_of(request).settings.secure_cookies,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    response.delete_cookie(SIGN_IN_COOKIE, path="/login")


def _to_second_factor(request: Request, pending: PendingSignIn, target: str) -> Response:
    step = "enroll" if pending.stage is SessionStage.ENROLLING else "second-factor"
    response = RedirectResponse(f"/login/{step}?{urlencode({'next': target})}", status_code=303)
    response.set_cookie(
        SIGN_IN_COOKIE,
        pending.token,
        max_age=int(SECOND_FACTOR_TIME_LIMIT.total_seconds()),
        path="/login",
        httponly=True,
        samesite="strict",
        secure=himdesk_of(request).settings.secure_cookies,
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
