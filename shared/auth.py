"""Users, passwords (argon2 via pwdlib), API tokens and web sessions (only the SHA-256 of
their secrets is stored; lookups are cached in shared.credentials)."""

from __future__ import annotations

from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from pwdlib import PasswordHash
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from shared import throttle
from shared.credentials import digest, forget, new_secret
from shared.db.base import utcnow
from shared.db.models import ApiToken, User, WebSession

_hasher = PasswordHash.recommended()
# Verified against when the email is unknown, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
MIN_PASSWORD = 10
# zxcvbn's 0-4 guessability score; below this a password is in its lists of common ones
# (or a trivial variation of one).
MIN_PASSWORD_SCORE = 2
WEB_SESSION_LIFETIME = timedelta(days=14)


class AuthError(ValueError):
    pass


class AccountExists(AuthError):
    pass


class TooManyAttempts(AuthError):
    def __init__(self, what: str, retry_after: int) -> None:
        super().__init__(f"too many {what}; try again in {retry_after} s")
        self.retry_after = retry_after


def normalise_email(email: str) -> str:
    """Syntax only (no DNS): the domain lower-cased, the whole address lower-cased too so
    the unique index is case-insensitive on every database."""
    try:
        valid = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise AuthError(f"email is not valid: {exc}") from None
    return valid.normalized.lower()


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"password must be at least {MIN_PASSWORD} characters")
    verdict = zxcvbn(password[:72])
    if verdict["score"] < MIN_PASSWORD_SCORE:
        warning = verdict["feedback"]["warning"] or "it is too easy to guess"
        raise AuthError(f"choose a less common password: {warning.rstrip('.').lower()}")


def create_user(session: Session, email: str, password: str, address: str) -> User:
    wait = throttle.signup_wait(address)
    if wait:
        raise TooManyAttempts("sign-ups from this address", wait)
    email = normalise_email(email)
    check_password(password)
    throttle.record_signup(address)
    user = User(email=email, password_hash=_hasher.hash(password), created_at=utcnow())
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        raise AccountExists("an account with this email already exists") from None
    return user


def authenticate(session: Session, email: str, password: str, address: str) -> User:
    """The user, or AuthError. The throttle is checked before the (deliberately slow) hash."""
    email = email.strip().lower()
    blocked = throttle.signin_blocked(email, address)
    if blocked:
        raise TooManyAttempts(*blocked)
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        _hasher.verify(password, _DUMMY_HASH)
        throttle.record_failed_signin(email, address)
        raise AuthError("wrong email or password")
    valid, new_hash = _hasher.verify_and_update(password, user.password_hash)
    if not valid:
        throttle.record_failed_signin(email, address)
        raise AuthError("wrong email or password")
    if new_hash:
        user.password_hash = new_hash
    return user


def issue_token(
    session: Session, user: User, name: str = "default", expires_in: timedelta | None = None
) -> str:
    token, token_hash = new_secret("lir_")
    now = utcnow()
    expires_at = now + expires_in if expires_in else None
    session.add(
        ApiToken(
            user_id=user.id, name=name, token_hash=token_hash, created_at=now, expires_at=expires_at
        )
    )
    session.flush()
    return token


def revoke_token(session: Session, user: User, token_id: int) -> bool:
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        return False
    row.revoked_at = row.revoked_at or utcnow()
    forget(session, "token", row.token_hash)
    return True


def start_web_session(session: Session, user_id: int) -> str:
    """A new server-side session; the returned secret goes into the signed cookie."""
    secret, secret_hash = new_secret()
    now = utcnow()
    session.add(
        WebSession(
            user_id=user_id,
            secret_hash=secret_hash,
            created_at=now,
            expires_at=now + WEB_SESSION_LIFETIME,
        )
    )
    session.flush()
    return secret


def end_web_session(session: Session, secret: str) -> None:
    row = session.scalar(select(WebSession).where(WebSession.secret_hash == digest(secret)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        forget(session, "session", row.secret_hash)
