"""Who an API token or a web session belongs to, without a write per request.

Lookups go through a small in-process cache with a short TTL, so a burst of requests on one
credential reads the database once. Revoking drops the entry in this process at once; other
processes see it within CACHE_SECONDS. A token's `last_used_at` is written at most once a
minute, in its own short transaction, never inside the request's (whose row lock would
otherwise serialise every request on that token until the request ends)."""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from cachetools import TTLCache
from sqlalchemy import Integer, Interval, Select, bindparam, event, literal, or_, select, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.sql.dml import ReturningUpdate

from shared.db.base import utcnow
from shared.db.calls import calls_table
from shared.db.models import ApiToken, User, WebSession
from shared.db.session import session_scope
from shared.jobs import aware

CACHE_SECONDS = 5.0
TOUCH_EVERY = timedelta(minutes=1)
Kind = Literal["token", "session"]
# A credential as the cache and the database know it: its kind and its secret's digest,
# computed once per request (`key`).
Key = tuple[Kind, str]


@dataclass(frozen=True)
class Credential:
    row_id: int
    user: User  # detached, fully loaded: merged into the request's session without a query
    expires_at: datetime | None


_lock = threading.Lock()
_cache: TTLCache[Key, Credential | None] = TTLCache(10_000, CACHE_SECONDS)
# Present while a token's last_used_at was written within TOUCH_EVERY by this process.
_touched: TTLCache[int, bool] = TTLCache(100_000, TOUCH_EVERY.total_seconds())


def new_secret(prefix: str = "") -> tuple[str, str]:
    """A fresh random secret and the digest that is stored in its place."""
    secret = prefix + secrets.token_urlsafe(32)
    return secret, digest(secret)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def key(kind: Kind, secret: str) -> Key:
    return kind, digest(secret)


def _credential_statement(kind: Kind) -> Select[Any]:
    table = ApiToken if kind == "token" else WebSession
    column = ApiToken.token_hash if kind == "token" else WebSession.secret_hash
    columns: list[Any] = [
        table.id.label("row_id"),
        table.expires_at,
        User.id.label("user_id"),
        User.email,
        User.password_hash,
        User.created_at,
    ]
    return (
        select(*columns)
        .join(User, User.id == table.user_id)
        .where(column == bindparam("secret_hash"), table.revoked_at.is_(None))
    )


# A credential's row and its user's, by the secret's digest (`secret_hash`): read here on a
# thread, or by the gateway on its own pool.
CREDENTIALS: dict[Kind, Select[Any]] = {k: _credential_statement(k) for k in ("token", "session")}


def credential_of(row: Any) -> Credential | None:
    """The credential a row of CREDENTIALS describes (None: no such live row), its user
    detached and fully loaded, as if read by a session and expunged."""
    if row is None:
        return None
    user = User(
        id=row.user_id,
        email=row.email,
        password_hash=row.password_hash,
        created_at=aware(row.created_at),
    )
    make_transient_to_detached(user)
    return Credential(row_id=row.row_id, user=user, expires_at=aware(row.expires_at))


def _load(k: Key) -> Credential | None:
    kind, secret_hash = k
    with session_scope() as s:
        return credential_of(s.execute(CREDENTIALS[kind], {"secret_hash": secret_hash}).first())


def is_cached(k: Key) -> bool:
    with _lock:
        return k in _cache


def remember(k: Key, cred: Credential | None) -> None:
    """Cache what a caller read from CREDENTIALS for this key."""
    with _lock:
        _cache[k] = cred


def _claim_touch(token_id: int) -> bool:
    """Whether this process is to write the token's last_used_at now (at most once a
    TOUCH_EVERY); the claim is taken at once, so concurrent requests write it once."""
    with _lock:
        if token_id in _touched:
            return False
        _touched[token_id] = True
        return True


def _touch(token_id: int) -> None:
    if not _claim_touch(token_id):
        return
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


def touch_due(k: Key) -> int | None:
    """The token's row id when its last_used_at is to be written now (claimed: write it with
    TOUCH), for a caller on an event loop that holds the credential cached; else None."""
    with _lock:
        cred = _cache.get(k)
    if k[0] != "token" or cred is None or not _live(cred) or not _claim_touch(cred.row_id):
        return None
    return cred.row_id


def _touch_statement() -> ReturningUpdate[Any]:
    """last_used_at written for many tokens in one statement (PostgreSQL): the calls of
    `calls_table`, `token_id` and `now` each (the gateway's `pool.grouped`), a row for
    each token written, numbered by `call`. The rows are locked in id order first,
    so two such statements never wait on each other in a cycle."""
    calls = calls_table({"token_id": Integer(), "now": ApiToken.last_used_at.type})
    locked = (
        select(ApiToken.id)
        .where(ApiToken.id.in_(select(calls.c.token_id)))
        .order_by(ApiToken.id)
        .with_for_update()
        .cte("locked")
    )
    return (
        update(ApiToken)
        .where(
            ApiToken.id == calls.c.token_id,
            ApiToken.id.in_(select(locked.c.id)),
            or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at < calls.c.now - literal(TOUCH_EVERY, Interval()),
            ),
        )
        .values(last_used_at=calls.c.now)
        .returning(calls.c.call)
    )


TOUCH = _touch_statement()


def known(k: Key) -> User | None:
    """The credential's user, detached and shared by every request on it (read its columns,
    never change it); None when unknown, revoked or expired. May read or write the database."""
    with _lock:
        cached = k in _cache
        cred = _cache.get(k)
    if not cached:
        cred = _load(k)
        with _lock:
            _cache[k] = cred
    if cred is None or not _live(cred):
        return None
    if k[0] == "token":
        _touch(cred.row_id)
    return cred.user


def known_cached(k: Key) -> User | None | Literal[False]:
    """`known` when it needs no I/O (the credential is cached and, for a token, its
    last_used_at is recent), for a caller on an event loop; False when `known` must run."""
    with _lock:
        if k not in _cache:
            return False
        cred = _cache.get(k)
        if cred is None or not _live(cred):
            return None
        if k[0] == "token" and cred.row_id not in _touched:
            return False
    return cred.user


def lookup(session: Session, kind: Kind, secret: str) -> User | None:
    """`known`'s user attached to the request's `session`, without querying it."""
    user = known(key(kind, secret))
    return None if user is None else session.merge(user, load=False)


def _live(cred: Credential) -> bool:
    return cred.expires_at is None or cred.expires_at > utcnow()


def forget(session: Session, kind: Kind, secret_hash: str) -> None:
    """On revoke: this process stops accepting the credential at once, and again once the
    revocation commits (a lookup in between may have re-read the old row)."""

    def drop(_: object = None) -> None:
        with _lock:
            _cache.pop((kind, secret_hash), None)

    drop()
    event.listen(session, "after_commit", drop, once=True)
