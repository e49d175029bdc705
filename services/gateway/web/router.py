"""Page routes. Pages are thin shells: their JS calls /api/v1 with the session cookie."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from services.gateway.deps import SessionDep, client_address
from services.gateway.web.csrf import require_form_token, rotate
from services.gateway.web.render import (
    NAV,
    SESSION_KEY,
    render,
    safe_next,
    session_user,
    to_signin,
)
from shared.auth import (
    MIN_PASSWORD,
    AuthError,
    TooManyAttempts,
    authenticate,
    create_user,
    end_web_session,
    start_web_session,
)
from shared.extraction.currency import USD_SCALE
from shared.learning.schemas import SENIORITIES, WORKPLACES

router = APIRouter(include_in_schema=False)
# What a page's form offers, from the schema its API checks against (one list, not two).
PAGE_CONTEXT: dict[str, dict[str, Any]] = {
    "/preferences": {
        "currencies": sorted(USD_SCALE),
        "workplaces": WORKPLACES,
        "seniorities": SENIORITIES,
    }
}
FormStr = Annotated[str, Form()]
OptionalFormStr = Annotated[str | None, Form()]


@router.get("/")
def home(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "home.html", session_user(request, session))


def _page(path: str, template: str) -> None:
    def page(request: Request, session: SessionDep) -> Response:
        user = session_user(request, session)
        if user is None:
            return to_signin(request)
        return render(request, template, user, **PAGE_CONTEXT.get(path, {}))

    router.add_api_route(path, page, methods=["GET"], name=template.removesuffix(".html"))


for _path, _ in NAV:
    _page(_path, _path.strip("/") + ".html")


@router.get("/signin")
def signin_form(request: Request, session: SessionDep, next: str = "/") -> Response:  # noqa: A002
    if session_user(request, session) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "signin.html", None, next=safe_next(next))


@router.get("/signup")
def signup_form(request: Request, session: SessionDep) -> Response:
    if session_user(request, session) is not None:
        return RedirectResponse("/", status_code=303)
    return render(request, "signup.html", None, min_password=MIN_PASSWORD)


def _signed_in(request: Request, session: Session, user_id: int, target: str) -> Response:
    """A new server-side session (no API token is minted); no pre-login state survives."""
    _end_session(request, session)
    request.session[SESSION_KEY] = start_web_session(session, user_id)
    rotate(request)
    return RedirectResponse(safe_next(target), status_code=303)


@router.post("/signin")
def signin(
    request: Request,
    session: SessionDep,
    email: FormStr,
    password: FormStr,
    csrf_token: OptionalFormStr = None,
    next: OptionalFormStr = None,  # noqa: A002
) -> Response:
    require_form_token(request, csrf_token)
    try:
        user = authenticate(session, email, password, client_address(request))
    except AuthError as exc:
        code = 429 if isinstance(exc, TooManyAttempts) else 401
        return render(
            request, "signin.html", None, code, error=str(exc), email=email, next=safe_next(next)
        )
    return _signed_in(request, session, user.id, next or "/")


@router.post("/signup")
def signup(
    request: Request,
    session: SessionDep,
    email: FormStr,
    password: FormStr,
    confirm: FormStr,
    csrf_token: OptionalFormStr = None,
) -> Response:
    require_form_token(request, csrf_token)
    error, code = ("the two passwords differ", 422) if password != confirm else (None, 422)
    if error is None:
        try:
            user = create_user(session, email, password, client_address(request))
            session.flush()
        except AuthError as exc:
            error, code = str(exc), 429 if isinstance(exc, TooManyAttempts) else 422
    if error is not None:
        return render(
            request, "signup.html", None, code, error=error, email=email, min_password=MIN_PASSWORD
        )
    return _signed_in(request, session, user.id, "/rate")


def _end_session(request: Request, session: Session) -> None:
    secret = request.session.get(SESSION_KEY)
    if isinstance(secret, str):
        end_web_session(session, secret)  # a replayed copy of the cookie is refused
    request.session.clear()


@router.post("/signout")
def signout(
    request: Request, session: SessionDep, csrf_token: OptionalFormStr = None
) -> RedirectResponse:
    require_form_token(request, csrf_token)
    _end_session(request, session)
    rotate(request)
    return RedirectResponse("/signin?signed_out=1", status_code=303)
