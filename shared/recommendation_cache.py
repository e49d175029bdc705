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
a lost copy could hide a change. Bounded by size (LRU). With Redis, a list built in one
gateway process is stored there under its counters too, so that the other processes take it
instead of building it again (they find it only while the counters are the same)."""

from __future__ import annotations

import hashlib
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
# How long a list stays in Redis for the other processes. They ask for it within seconds or
# minutes (the user's next requests, a process started since), and a changed list is never
# read there again (its counters moved): this bounds the memory of lists nobody asks for
# (about 0.7 KB a card: 35 KB for the default 50).
SHARED_SECONDS = 600


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
    entry = _shared(key, stamp)
    if entry is not None:  # another gateway process built it at these counters
        with _lock:
            _lists[key] = entry
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
    entry = _Entry(stamp, expires, raw, time.monotonic())
    with _lock:
        _lists[key] = entry
    _share(key, entry)
    return raw


def _shared_name(key: tuple[Any, ...]) -> str:
    # The query's repr is the same in every process (ints, strings, a frozen dataclass).
    return f"list:{hashlib.sha256(repr(key).encode()).hexdigest()[:32]}"


def _shared(key: tuple[Any, ...], stamp: tuple[int, ...]) -> _Entry | None:
    """The list another process stored in Redis under exactly these counters, if in time."""
    raw = change_mirror.fetch(_shared_name(key))
    if raw is None:
        return None
    header, body = raw.split(b"\n", 1)
    meta = json.loads(header)
    expires = None if meta["expires"] is None else datetime.fromisoformat(meta["expires"])
    entry = _Entry(tuple(meta["stamp"]), expires, body, time.monotonic())
    return entry if entry.stamp == stamp and entry.in_time() else None


def _share(key: tuple[Any, ...], entry: _Entry) -> None:
    """Store a list built here for the other gateway processes (each would build it again
    otherwise: after every change the list depends on, and when a process starts)."""
    expires = None if entry.expires is None else entry.expires.isoformat()
    header = json.dumps({"stamp": list(entry.stamp), "expires": expires}).encode()
    change_mirror.store(_shared_name(key), header + b"\n" + entry.body, SHARED_SECONDS)
