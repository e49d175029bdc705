"""Request-scoped dependencies: one database session per request, and the current user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from services.gateway.web.csrf import require_header_token
from services.gateway.web.render import session_user
from shared.credentials import lookup
from shared.db.models import User
from shared.db.session import session_scope


def get_session() -> Iterator[Session]:
    """Commit when the route returns (queued jobs are sent right after), roll back on error."""
    with session_scope() as session:
        yield session


# scope="function": the commit happens before the response leaves, so a client that polls
# the job it was just given always finds it.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
_bearer = HTTPBearer(auto_error=False)


def current_user(
    request: Request,
    session: SessionDep,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if creds is not None:
        user = lookup(session, "token", creds.credentials)
        if user is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "invalid, revoked or expired API token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return user
    user = session_user(request, session)
    if user is not None:
        require_header_token(request)  # cookie auth only; Bearer clients are exempt
        return user
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
