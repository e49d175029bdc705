"""Template rendering and the signed-in check shared by the page routes."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from services.gateway.web.csrf import csrf_token
from shared.credentials import lookup
from shared.db.models import User

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")

# (path, label) for the navigation bar, in order.
NAV = [
    ("/rate", "Rate"),
    ("/predict", "Predict"),
    ("/recommend", "Recommend"),
    ("/ratings", "My ratings"),
    ("/tracker", "Tracker"),
    ("/profile", "Profile"),
    ("/preferences", "Preferences"),
    ("/path", "Path"),
    ("/alerts", "Alerts"),
    ("/model", "Model"),
    ("/insights", "Insights"),
]


SESSION_KEY = "sid"


def cookie_secret(request: Request) -> str | None:
    """The secret of the signed-in browser's server-side session, if the cookie has one."""
    secret = request.session.get(SESSION_KEY) if "session" in request.scope else None
    return secret if isinstance(secret, str) else None


def session_user(request: Request, session: Session) -> User | None:
    """The cookie's user while its server-side session is live (not signed out, not expired)."""
    secret = cookie_secret(request)
    return lookup(session, "session", secret) if secret is not None else None


def safe_next(target: str | None) -> str:
    """Only same-site paths: `//evil.example` or a full URL would be an open redirect."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def to_signin(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/signin?next={quote(request.url.path)}", status_code=303)


def render(
    request: Request, template: str, user: User | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    context.update(user=user, csrf_token=csrf_token(request), nav=NAV, path=request.url.path)
    return templates.TemplateResponse(request, template, context, status_code=status_code)
