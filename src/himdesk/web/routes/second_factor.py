"""The second step of logging in: a TOTP or recovery code, or enrolling an authenticator.

Only the short-lived sign-in cookie (path /login) reaches these pages; no workstation page
accepts it, so a half-finished login never sees patient data.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from himdesk.domain.sign_in import SessionStage
from himdesk.services.authentication import LoginFailed
from himdesk.services.ports import UnitOfWork
from himdesk.services.second_factor import (
    PendingSession,
    SecondFactorFailed,
    SignInExpired,
    confirm_enrollment,
    enrollment_for,
    resume_pending,
    verify_second_factor,
)
from himdesk.web.rendering import page
from himdesk.web.routes.auth import set_session_cookie, signed_in_response
from himdesk.web.sessions import SIGN_IN_COOKIE, CsrfRejected, client_of, himdesk_of, safe_next

router = APIRouter()
Code = Annotated[str, Form(max_length=64)]
Csrf = Annotated[str, Form()]


@router.get("/login/second-factor")
def second_factor_form(request: Request, next: str = "/") -> Response:
    return _show(request, SessionStage.SECOND_FACTOR, (safe_next(next) or "/"), None)


@router.post("/login/second-factor")
def second_factor(
    request: Request, next: str = "/", code: Code = "", csrf_token: Csrf = ""
) -> Response:
    def verify(uow: UnitOfWork, token: str) -> Response:
        signed = verify_second_factor(uow, token, code, client_of(request))
        return signed_in_response(request, signed, (safe_next(next) or "/"))

    return _attempt(
        request, SessionStage.SECOND_FACTOR, (safe_next(next) or "/"), csrf_token, verify
    )


@router.get("/login/enroll")
def enroll_form(request: Request, next: str = "/") -> Response:
    return _show(request, SessionStage.ENROLLING, (safe_next(next) or "/"), None)


@router.post("/login/enroll")
def enroll(request: Request, next: str = "/", code: Code = "", csrf_token: Csrf = "") -> Response:
    def confirm(uow: UnitOfWork, token: str) -> Response:
        enrolled = confirm_enrollment(uow, token, code, client_of(request))
        response = page(request, "recovery_codes.html", codes=enrolled.recovery_codes,
                        next=(safe_next(next) or "/"))  # fmt: skip
        set_session_cookie(request, response, enrolled.signed)
        return response

    return _attempt(request, SessionStage.ENROLLING, (safe_next(next) or "/"), csrf_token, confirm)


def _show(request: Request, stage: SessionStage, next: str, error: str | None) -> Response:
    """The code form of the login's current step (the other step's page when it is that one)."""
    token = request.cookies.get(SIGN_IN_COOKIE, "")
    with himdesk_of(request).unit_of_work() as uow:
        pending = resume_pending(uow, token)
        if pending is None:
            return _back_to_login(next)
        if pending.stage is not stage:
            return _step_page(pending.stage, next)
        extra: dict[str, Any] = {}
        if stage is SessionStage.ENROLLING:
            try:
                enrollment = enrollment_for(uow, token)
            except SignInExpired:  # enrolled meanwhile in another tab: log in with a code
                return _back_to_login(next)
            extra = {"secret": _grouped(enrollment.secret), "qr": _qr(enrollment.provisioning_uri)}
    template = "enroll.html" if stage is SessionStage.ENROLLING else "second_factor.html"
    return page(request, template, status_code=401 if error else 200, error=error, next=next,
                csrf=pending.csrf_token, user=pending.user, **extra)  # fmt: skip


def _attempt(
    request: Request,
    stage: SessionStage,
    next: str,
    csrf_token: str,
    step: Callable[[UnitOfWork, str], Response],
) -> Response:
    token = request.cookies.get(SIGN_IN_COOKIE, "")
    try:
        with himdesk_of(request).unit_of_work() as uow:
            pending = resume_pending(uow, token)
            if pending is None or pending.stage is not stage:
                return _back_to_login(next)
            _check_csrf(pending, csrf_token)
            return step(uow, token)
    except SecondFactorFailed as err:
        return _show(request, stage, next, str(err))
    except (SignInExpired, LoginFailed) as err:
        return _back_to_login(next, paused=isinstance(err, LoginFailed))


def _check_csrf(pending: PendingSession, csrf_token: str) -> None:
    if not hmac.compare_digest(csrf_token.encode(), pending.csrf_token.encode()):
        raise CsrfRejected()


def _back_to_login(next: str, paused: bool = False) -> Response:
    query = {"next": next, "paused" if paused else "expired": 1}
    response = RedirectResponse(f"/login?{urlencode(query)}", status_code=303)
    response.delete_cookie(SIGN_IN_COOKIE, path="/login")
    return response


def _step_page(stage: SessionStage, next: str) -> Response:
    step = "enroll" if stage is SessionStage.ENROLLING else "second-factor"
    return RedirectResponse(f"/login/{step}?{urlencode({'next': next})}", status_code=303)


def _grouped(secret: str) -> str:
    """'JBSWY3DPEHPK3PXP' -> 'JBSW Y3DP EHPK 3PXP': easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _qr(uri: str) -> str:
    # Drawn here as an inline SVG data URI: no external host, and the CSP allows `data:` images.
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))
