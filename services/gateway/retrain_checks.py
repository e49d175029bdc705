"""The retraining check for ratings that start no job.

A rating of a posting that is stored fresh and extracted queues nothing (`rate_url`), so no
job's end asks whether the user's model is due for retraining. The gateway asks instead,
after the rating is committed and answered: the users noted in a second are checked
together, in one session on a thread, so a burst of ratings costs one check per user, not
one per rating. A note is in memory only: if the process stops within that second the
user's next rating (or job) makes the check, and no rating is lost either way."""

from __future__ import annotations

import asyncio
import logging
import threading
from functools import partial

from services.gateway.deps import in_session
from shared.training import check_retraining

log = logging.getLogger(__name__)

COALESCE_SECONDS = 1.0

_pending: set[int] = set()
_lock = threading.Lock()  # test clients run apps on loops in other threads
_drains: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}


def note(user_id: int) -> None:
    """Check this user's model within COALESCE_SECONDS (called on the event loop)."""
    with _lock:
        _pending.add(user_id)
    loop = asyncio.get_running_loop()
    drain = _drains.get(loop)
    if drain is None or drain.done():
        _drains[loop] = loop.create_task(_drain())


async def _drain() -> None:
    while True:
        await asyncio.sleep(COALESCE_SECONDS)
        with _lock:
            users = sorted(_pending)
            _pending.clear()
        if not users:
            return
        try:
            await in_session(partial(check_retraining, user_ids=users))
        except Exception:  # the database is away: their next rating asks again
            log.warning("retraining check failed for %d users", len(users), exc_info=True)
