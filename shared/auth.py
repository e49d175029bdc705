"""Users, passwords (argon2 via pwdlib) and API tokens (only their SHA-256 is stored)."""

from __future__ import annotations

import secrets

from pwdlib import PasswordHash
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.credentials import digest, forget_token
from shared.db.base import utcnow
from shared.db.models import ApiToken, User
from shared.throttle import record_failed_signin, signin_wait

_hasher = PasswordHash.recommended()
# Verified against when the email is unknown, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
MIN_PASSWORD = 8


class AuthError(ValueError):
    pass


class TooManyAttempts(AuthError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins for this account; try again in {retry_after} s")
        self.retry_after = retry_after


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@") or len(email) > 320:
        raise AuthError("email must look like name@example.com")
    return email


def create_user(session: Session, email: str, password: str) -> User:
    email = normalise_email(email)
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"password must be at least {MIN_PASSWORD} characters")
    user = User(email=email, password_hash=_hasher.hash(password), created_at=utcnow())
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        raise AuthError("an account with this email already exists") from None
    return user


def authenticate(session: Session, email: str, password: str) -> User:
    email = email.strip().lower()
    wait = signin_wait(email)
    if wait:
        raise TooManyAttempts(wait)
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        _hasher.verify(password, _DUMMY_HASH)
        record_failed_signin(email)
        raise AuthError("wrong email or password")
    valid, new_hash = _hasher.verify_and_update(password, user.password_hash)
    if not valid:
        record_failed_signin(email)
        raise AuthError("wrong email or password")
    if new_hash:
        user.password_hash = new_hash
    return user


def issue_token(session: Session, user: User, name: str = "default") -> str:
    token = "lir_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name, token_hash=digest(token), created_at=utcnow()))
    session.flush()
    return token


def revoke_token(session: Session, user: User, token_id: int) -> bool:
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        return False
    row.revoked_at = row.revoked_at or utcnow()
    forget_token(row.token_hash)  # now, and again once committed (a reload may race it)
    event.listen(session, "after_commit", lambda _: forget_token(row.token_hash), once=True)
    return True
