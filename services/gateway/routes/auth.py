from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from services.gateway.deps import SessionDep, UserDep, client_address, not_found
from services.gateway.routes.params import PathId
from shared.auth import (
    AccountExists,
    AuthError,
    TooManyAttempts,
    authenticate,
    create_user,
    issue_token,
    revoke_token,
)
from shared.db.models import ApiToken
from shared.schemas import Credentials, SignupOut, TokenOut, UserPublic

router = APIRouter(prefix="/auth", tags=["auth"])


def too_many(exc: TooManyAttempts) -> HTTPException:
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS, str(exc), headers={"Retry-After": str(exc.retry_after)}
    )


@router.post("/signup", status_code=status.HTTP_201_CREATED)
def signup(body: Credentials, request: Request, session: SessionDep) -> SignupOut:
    try:
        user = create_user(session, body.email, body.password, client_address(request))
    except TooManyAttempts as exc:
        raise too_many(exc) from None
    except AccountExists as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    except AuthError as exc:
        raise HTTPException(422, str(exc)) from None
    token = issue_token(session, user, "signup")
    return SignupOut(user=UserPublic.model_validate(user), token=token)


@router.post("/token")
def token(body: Credentials, request: Request, session: SessionDep) -> TokenOut:
    try:
        user = authenticate(session, body.email, body.password, client_address(request))
    except TooManyAttempts as exc:
        raise too_many(exc) from None
    except AuthError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc)) from None
    return TokenOut(token=issue_token(session, user, "api"))


class TokenInfo(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime | None


class TokenRequest(BaseModel):
    name: str = Field("api", min_length=1, max_length=100)
    expires_in_days: int | None = Field(
        None, ge=1, le=3650, strict=True, description="none: the token never expires"
    )


@router.get("/tokens")
def list_tokens(session: SessionDep, user: UserDep) -> list[TokenInfo]:
    rows = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    )
    return [TokenInfo.model_validate(t) for t in rows]


@router.post("/tokens", status_code=status.HTTP_201_CREATED)
def new_token(body: TokenRequest, session: SessionDep, user: UserDep) -> TokenOut:
    days = body.expires_in_days
    expires_in = timedelta(days=days) if days else None
    return TokenOut(token=issue_token(session, user, body.name, expires_in))


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke(token_id: PathId, session: SessionDep, user: UserDep) -> None:
    if not revoke_token(session, user, token_id):
        raise not_found("token")
