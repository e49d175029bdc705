from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from services.gateway.deps import SessionDep, UserDep, not_found
from shared.auth import (
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


@router.post("/signup", status_code=status.HTTP_201_CREATED)
def signup(body: Credentials, session: SessionDep) -> SignupOut:
    try:
        user = create_user(session, body.email, body.password)
    except AuthError as exc:
        code = status.HTTP_409_CONFLICT if "exists" in str(exc) else 422
        raise HTTPException(code, str(exc)) from None
    token = issue_token(session, user, "signup")
    return SignupOut(user=UserPublic.model_validate(user), token=token)


@router.post("/token")
def token(body: Credentials, session: SessionDep) -> TokenOut:
    try:
        user = authenticate(session, body.email, body.password)
    except TooManyAttempts as exc:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            str(exc),
            headers={"Retry-After": str(exc.retry_after)},
        ) from None
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


class TokenName(BaseModel):
    name: str = Field("api", min_length=1, max_length=100)


@router.get("/tokens")
def list_tokens(session: SessionDep, user: UserDep) -> list[TokenInfo]:
    rows = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    )
    return [TokenInfo.model_validate(t) for t in rows]


@router.post("/tokens", status_code=status.HTTP_201_CREATED)
def new_token(body: TokenName, session: SessionDep, user: UserDep) -> TokenOut:
    return TokenOut(token=issue_token(session, user, body.name))


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke(token_id: int, session: SessionDep, user: UserDep) -> None:
    if not revoke_token(session, user, token_id):
        raise not_found("token")
