"""Request-scoped dependencies: one database session per request, and the current user."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from typing import Annotated

from anyio import CapacityLimiter
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from services.gateway.web.csrf import require_header_token
from services.gateway.web.render import session_user
from shared.credentials import lookup, lookup_cached
from shared.db.models import User
from shared.db.session import session_scope
from shared.settings import get_settings

_admitted: CapacityLimiter | None = None


def _admission() -> CapacityLimiter:
    global _admitted
    if _admitted is None:
        _admitted = CapacityLimiter(get_settings().gateway_threads)
    return _admitted


async def get_session() -> AsyncIterator[Session]:
    """Commit when the route returns (queued jobs are sent right after), roll back on error.

    At most `gateway_threads` requests hold a session at once, fewer than the pool has
    connections: otherwise requests waiting for a connection could take every thread while
    the sessions holding the connections wait for a thread to commit and let go (the
    gateway then stalls until the pool times out)."""
    async with _admission():
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
_bearer = HTTPBearer(auto_error=False)


async def current_user(
    request: Request,
    session: SessionDep,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """Async: a cached token costs no hop to a thread; one to read or touch takes one."""
    if creds is not None:
        cached = lookup_cached(session, "token", creds.credentials)
        user = (
            await run_in_threadpool(lookup, session, "token", creds.credentials)
            if cached is False
            else cached
        )
        if user is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "invalid, revoked or expired API token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return user
    by_cookie = await run_in_threadpool(session_user, request, session)
    if by_cookie is not None:
        require_header_token(request)  # cookie auth only; Bearer clients are exempt
        return by_cookie
    raise HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        "not signed in: send 'Authorization: Bearer <token>'",
        headers={"WWW-Authenticate": "Bearer"},
    )


UserDep = Annotated[User, Depends(current_user)]


def client_address(request: Request) -> str:
    """The caller's address; behind a trusted proxy, uvicorn's proxy headers put the
    X-Forwarded-For address here."""
    return request.client.host if request.client else "unknown"


def not_found(what: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"{what} not found")
