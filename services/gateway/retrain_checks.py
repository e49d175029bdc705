"""The retraining check for ratings that start no job.

A rating of a posting that is stored fresh and extracted queues nothing (`rate_url`), so no
job's end asks whether the user's model is due for retraining. The gateway asks instead,
after the rating is committed and answered: the users noted are checked together, in one
session on a thread, a second after the first note and then at most every
CHECK_EVERY_SECONDS per user, so a burst of ratings costs a check per user every few
seconds, not one per rating (a check is several statements; a rating is part of one). A
note is in memory only: a gateway that shuts down checks what is still noted first (`flush`,
from the lifespan); if one is killed, the user's next rating (or job) makes the check, and
no rating is lost either way."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from functools import partial

from services.gateway.deps import in_session
from shared.training import check_retraining

log = logging.getLogger(__name__)

COALESCE_SECONDS = 1.0
CHECK_EVERY_SECONDS = 5.0

_pending: set[int] = set()
_checked: dict[int, float] = {}  # user -> when last checked (monotonic), recent ones only
_lock = threading.Lock()  # test clients run apps on loops in other threads
_drains: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}


def note(user_id: int) -> None:
    """Check this user's model soon (called on the event loop)."""
    with _lock:
        _pending.add(user_id)
    loop = asyncio.get_running_loop()
    drain = _drains.get(loop)
    if drain is None or drain.done():
        _drains[loop] = loop.create_task(_drain())


def _due() -> list[int]:
    """The noted users not checked in the last CHECK_EVERY_SECONDS (the rest wait)."""
    now = time.monotonic()
    with _lock:
        for user_id, at in list(_checked.items()):
            if now - at >= CHECK_EVERY_SECONDS:
                del _checked[user_id]
        due = sorted(u for u in _pending if u not in _checked)
        _pending.difference_update(due)
        _checked.update(dict.fromkeys(due, now))
    return due


async def _drain() -> None:
    while True:
        await asyncio.sleep(COALESCE_SECONDS)
        await _check(_due())
        with _lock:
            if not _pending:
                return


async def flush() -> None:
    """Every noted user checked now, due or not (the gateway is shutting down)."""
    with _lock:
        users = sorted(_pending)
        _pending.clear()
    await _check(users)


async def _check(users: list[int]) -> None:
    if not users:
        return
    try:
        await in_session(partial(check_retraining, user_ids=users))
    except Exception:  # the database is away: their next rating asks again
        log.warning("retraining check failed for %d users", len(users), exc_info=True)
