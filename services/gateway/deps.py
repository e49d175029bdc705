"""Request-scoped dependencies: one database session per request, and the current user."""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, TypeVar

from anyio import to_thread
from fastapi import Depends, HTTPException, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from services.gateway import pool
from services.gateway.admission import admission
from services.gateway.web.csrf import require_header_token
from services.gateway.web.render import cookie_secret
from shared.credentials import (
    CREDENTIALS,
    TOUCH,
    Kind,
    credential_of,
    is_cached,
    key,
    known,
    known_cached,
    remember,
    touch_due,
)
from shared.db.base import utcnow
from shared.db.models import User
from shared.db.session import session_scope

T = TypeVar("T")
log = logging.getLogger(__name__)


async def get_session() -> AsyncIterator[Session]:
    """Commit when the route returns (queued jobs are sent right after), roll back on error.

    At most `gateway_threads` requests hold a session at once (`admission`)."""
    async with admission():
        scope = session_scope()
        session = scope.__enter__()  # no I/O: the connection is taken on first use
        try:
            yield session
        except BaseException:
            await run_in_threadpool(scope.__exit__, *sys.exc_info())
            raise
        await run_in_threadpool(scope.__exit__, None, None, None)


# scope="function": the commit happens before the response leaves, so a client that polls
# the job it was just given always finds it.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def in_session(work: Callable[[Session], T]) -> T:
    """For the hot routes (async, without SessionDep): the request's whole database work,
    committed, in one hop to a thread, instead of a hop each to open the session, run a sync
    route and commit. Under the same admission as SessionDep (a session never waits for a
    thread while holding a connection), and committed before the response, so a job it
    returns can be polled at once."""

    def run() -> T:
        with session_scope() as session:
            return work(session)

    return await to_thread.run_sync(run, limiter=admission())


def json_of(model: BaseModel, status_code: int = 200) -> Response:
    """A response model serialised once by pydantic: a route that returns it skips FastAPI's
    validation of its return value against the model (declare `response_model=` for the docs)."""
    return Response(model.model_dump_json(), status_code, media_type="application/json")


_bearer = HTTPBearer(auto_error=False)


async def known_user(kind: Kind, secret: str) -> User | None:
    """The credential's user (`known`), without a hop to a thread: a cached credential costs
    nothing, one to read costs a read on the gateway's pool (shared with the concurrent reads
    of it), and a token whose `last_used_at` is due (once a minute) a write there (shared
    with the tokens due at the same moment), which the request does not wait for: every
    token's first request of a minute waited a commit. Without the pool (SQLite) a thread
    does both."""
    k = key(kind, secret)
    user = known_cached(k)
    if user is False and pool.running():
        if not is_cached(k):
            row = await pool.first(CREDENTIALS[kind], {"secret_hash": k[1]})
            remember(k, credential_of(row))
        token_id = touch_due(k)
        if token_id is not None:
            pool.in_background(_write_last_used(token_id))
        user = known_cached(k)
    return await run_in_threadpool(known, k) if user is False else user


async def _write_last_used(token_id: int) -> None:
    """The token's last_used_at written in the statement and commit of the tokens due at the
    same moment (every token a client used in the last minute comes due together). A failed
    write is logged, not the request's failure: the next one is a minute away."""
    try:
        await pool.grouped(TOUCH, {"token_id": token_id, "now": utcnow()}, _no_counters)
    except Exception:
        log.warning("last_used_at of token %d not written", token_id, exc_info=True)


def _no_counters(_: list[Any]) -> None:
    """A token's last_used_at is in no cached list: no change counter to copy."""


async def caller(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The signed-in user by API token or cookie session, detached and shared (read its
    columns, never change it); needs no database session."""
    if creds is not None:
        user = await known_user("token", creds.credentials)
        if user is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "invalid, revoked or expired API token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return user
    secret = cookie_secret(request)
    by_cookie = None if secret is None else await known_user("session", secret)
    if by_cookie is not None:
        require_header_token(request)  # cookie auth only; Bearer clients are exempt
        return by_cookie
    raise HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        "not signed in: send 'Authorization: Bearer <token>'",
        headers={"WWW-Authenticate": "Bearer"},
    )


CallerDep = Annotated[User, Depends(caller)]


async def current_user(session: SessionDep, user: CallerDep) -> User:
    """The caller, attached to the request's session without a query."""
    return session.merge(user, load=False)


UserDep = Annotated[User, Depends(current_user)]


def client_address(request: Request) -> str:
    """The caller's address; behind a trusted proxy, uvicorn's proxy headers put the
    X-Forwarded-For address here."""
    return request.client.host if request.client else "unknown"


def not_found(what: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"{what} not found")
