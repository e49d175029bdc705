"""Recommendation lists computed once and served many times, per gateway process.

A list is stored as its serialised response, under the request (user and query) and the
change counters it was built at (shared.changes): the user's own scope, which every write to
their ratings, hidden postings, block rules, tracker, models, predictions, profile and
preferences bumps, and the shared one that postings bump. The counters are read first, in
one indexed statement, and the list built after, in the same transaction: a write that lands
in between is at worst in the list and not yet in its counters, so the next request rebuilds
(never the other way round, which would serve a stale list). With Redis, an unchanged list
is checked against the counters' copy there (shared.change_mirror) and the database is not
touched; against the database itself at least every RECHECK_SECONDS, which bounds how long
a lost copy could hide a change. Bounded by size (LRU)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cachetools import LRUCache
from sqlalchemy.orm import Session

from shared import change_mirror
from shared.changes import ALL, user_scope, versions
from shared.db.base import utcnow
from shared.scoring import ensure_scored

MAX_BYTES = 32 * 1024 * 1024  # ~1 600 lists of 20 cards


RECHECK_SECONDS = 30.0


@dataclass
class _Entry:
    stamp: tuple[int, ...]
    expires: datetime | None
    body: bytes
    checked: float  # when its stamp was last compared with the database's (monotonic)

    def in_time(self) -> bool:
        return self.expires is None or utcnow() < self.expires


def _size(entry: _Entry) -> int:
    return len(entry.body) + 200


_lists: LRUCache[tuple[Any, ...], _Entry] = LRUCache(maxsize=MAX_BYTES, getsizeof=_size)
_lock = threading.Lock()


def served(user_id: int, query: tuple[Any, ...]) -> bytes | None:
    """The stored body for this user and query if the counters' copy in Redis says that
    nothing it depends on changed, without touching the database; else None."""
    scopes = (user_scope(user_id), ALL)
    with _lock:
        entry = _lists.get((user_id, *query))
    if entry is None or not entry.in_time():
        return None
    if time.monotonic() - entry.checked >= RECHECK_SECONDS:
        return None
    return entry.body if change_mirror.read(scopes) == entry.stamp else None


def cached_list(
    session: Session,
    user_id: int,
    query: tuple[Any, ...],
    build: Callable[[], tuple[dict[str, Any], datetime | None]],
) -> bytes:
    """The response body for this user and query: stored if the database's counters say
    nothing it depends on changed since, else built by `build` (the body, and when the
    clock alone makes it stale) once every posting has this user's prediction."""
    key, scopes = (user_id, *query), (user_scope(user_id), ALL)
    with _lock:
        entry = _lists.get(key)
    stamp = versions(session, scopes)
    change_mirror.write(dict(zip(scopes, stamp, strict=True)))  # a lost or expired copy
    if entry is not None and entry.in_time() and entry.stamp == stamp:
        entry.checked = time.monotonic()
        return entry.body
    if ensure_scored(session, user_id):
        # New postings got this user's predictions: a write of their own scope. Committed
        # first, so that the list is stored under counters that already count it (else the
        # next request would find them changed and build the same list again).
        session.commit()
        stamp = versions(session, scopes)
    body, expires = build()
    # As JSONResponse renders it.
    raw = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    with _lock:
        _lists[key] = _Entry(stamp, expires, raw, time.monotonic())
    return raw
