"""Who a bearer token belongs to, without a write per request.

Lookups go through a small in-process cache with a short TTL, so a burst of requests on one
token reads the database once. Revoking drops the entry in this process at once; other
processes see it within CACHE_SECONDS. `last_used_at` is written at most once a minute per
token, in its own short transaction, never inside the request's (whose row lock would
otherwise serialise every request on that token until the request ends)."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from cachetools import TTLCache
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from shared.db.base import utcnow
from shared.db.models import ApiToken, User
from shared.db.session import session_scope

CACHE_SECONDS = 5.0
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Credential:
    token_id: int
    user: User  # detached, fully loaded: merged into the request's session without a query
    expires_at: datetime | None


_lock = threading.Lock()
_tokens: TTLCache[str, Credential | None] = TTLCache(maxsize=10_000, ttl=CACHE_SECONDS)
# Present while a token's last_used_at was written within TOUCH_EVERY by this process.
_touched: TTLCache[int, bool] = TTLCache(maxsize=100_000, ttl=TOUCH_EVERY.total_seconds())


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _load(token_hash: str) -> Credential | None:
    with session_scope() as s:
        row = s.execute(
            select(ApiToken.id, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None))
        ).first()
        if row is None:
            return None
        s.expunge(row.User)
        return Credential(token_id=row.id, user=row.User, expires_at=None)


def _touch(token_id: int) -> None:
    with _lock:
        if token_id in _touched:
            return
        _touched[token_id] = True
    now = utcnow()
    with session_scope() as s:
        s.execute(
            update(ApiToken)
            .where(
                ApiToken.id == token_id,
                or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - TOUCH_EVERY),
            )
            .values(last_used_at=now)
        )


def user_for_token(session: Session, token: str) -> User | None:
    """The token's user, attached to the request's `session` without querying it."""
    key = digest(token)
    with _lock:
        cached = key in _tokens
        cred = _tokens.get(key)
    if not cached:
        cred = _load(key)
        with _lock:
            _tokens[key] = cred
    if cred is None:
        return None
    _touch(cred.token_id)
    return session.merge(cred.user, load=False)


def forget_token(token_hash: str) -> None:
    """Called on revoke: this process stops accepting the token at once."""
    with _lock:
        _tokens.pop(token_hash, None)
