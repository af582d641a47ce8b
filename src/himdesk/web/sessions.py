"""Who is signed in, CSRF checks, and the per-request unit of work."""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Form, Request

from himdesk.bootstrap import Himdesk
from himdesk.services.authentication import ActiveSession, resume_session

SESSION_COOKIE = "himdesk_session"
LOGIN_CSRF_COOKIE = "himdesk_login_csrf"
# The half-finished login (second factor due); sent to /login pages only, never elsewhere.
SIGN_IN_COOKIE = "himdesk_sign_in"


class LoginRequired(Exception):
    def __init__(self, next_path: str, idle: bool = False) -> None:
        super().__init__("login required")
        self.next_path = next_path
        self.idle = idle


class CsrfRejected(Exception):
    pass


def himdesk_of(request: Request) -> Himdesk:
    himdesk: Himdesk = request.app.state.himdesk
    return himdesk


def client_of(request: Request) -> str:
    return request.client.host if request.client else ""


def signed_in(request: Request) -> ActiveSession:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired(request.url.path)
    himdesk = himdesk_of(request)
    idle = timedelta(minutes=himdesk.settings.idle_timeout_minutes)
    with himdesk.unit_of_work() as uow:
        session = resume_session(uow, token, client_of(request), idle)
    if session is None:
        raise LoginRequired(request.url.path, idle=True)
    request.state.session = session
    return session


def csrf_checked(
    session: Annotated[ActiveSession, Depends(signed_in)],
    csrf_token: Annotated[str, Form()] = "",
) -> ActiveSession:
    if not hmac.compare_digest(csrf_token.encode(), session.csrf_token.encode()):
        raise CsrfRejected()
    return session


Session = Annotated[ActiveSession, Depends(signed_in)]
CheckedSession = Annotated[ActiveSession, Depends(csrf_checked)]


def safe_next(target: str) -> str:
    """Only a path on this site: an open redirect would let a phishing link borrow our pages."""
    return target if target.startswith("/") and not target.startswith("//") else ""
