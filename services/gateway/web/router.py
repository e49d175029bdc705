"""Page routes. Pages are thin shells: their JS calls /api/v1 with the session cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.gateway.deps import SessionDep
from services.gateway.web.csrf import require_form_token, rotate
from services.gateway.web.render import NAV, render, safe_next, session_user, to_signin
from shared.auth import AuthError, authenticate, create_user

router = APIRouter(include_in_schema=False)
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
        return render(request, template, user)

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
    return render(request, "signup.html", None)


def _signed_in(request: Request, user_id: int, target: str) -> RedirectResponse:
    request.session.clear()  # no pre-login state survives (session fixation)
    request.session["user_id"] = user_id
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
        user = authenticate(session, email, password)
    except AuthError as exc:
        return render(
            request, "signin.html", None, 401, error=str(exc), email=email, next=safe_next(next)
        )
    return _signed_in(request, user.id, next or "/")


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
    error = "the two passwords differ" if password != confirm else None
    if error is None:
        try:
            user = create_user(session, email, password)
            session.flush()
        except AuthError as exc:
            error = str(exc)
    if error is not None:
        return render(request, "signup.html", None, 422, error=error, email=email)
    return _signed_in(request, user.id, "/rate")


@router.post("/signout")
def signout(request: Request, csrf_token: OptionalFormStr = None) -> RedirectResponse:
    require_form_token(request, csrf_token)
    request.session.clear()
    rotate(request)
    return RedirectResponse("/signin?signed_out=1", status_code=303)
