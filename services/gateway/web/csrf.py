"""CSRF protection for the cookie session: one random token per session, sent back by
forms (hidden field) and by page JS (`X-CSRF-Token` header)."""

from __future__ import annotations

import secrets

from fastapi import HTTPException, Request, status

SESSION_KEY = "csrf_token"
HEADER = "X-CSRF-Token"
FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def csrf_token(request: Request) -> str:
    """The session's token, created on first use."""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


def rotate(request: Request) -> None:
    """A new token at sign-in/out, so a token seen before login is useless after it."""
    request.session[SESSION_KEY] = secrets.token_urlsafe(32)


def _matches(request: Request, sent: str | None) -> bool:
    expected = request.session.get(SESSION_KEY)
    return bool(expected and sent) and secrets.compare_digest(str(expected), str(sent))


def require_form_token(request: Request, sent: str | None) -> None:
    if not _matches(request, sent):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or invalid CSRF token")


def require_header_token(request: Request) -> None:
    """For cookie-authenticated API calls: unsafe methods must echo the token in a header.
    (A cross-site form can carry the cookie but cannot set a custom header.)"""
    if request.method not in SAFE_METHODS and not _matches(request, request.headers.get(HEADER)):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"missing or invalid {HEADER} header")
