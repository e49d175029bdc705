"""How the gateway's requests reach the database from a thread: at most `gateway_threads`
at once (`admission`), and a one-statement read on a Core connection (`read_only`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from anyio import CapacityLimiter, to_thread
from sqlalchemy import Connection

from shared.db.session import get_engine
from shared.settings import get_settings

T = TypeVar("T")
_admitted: CapacityLimiter | None = None


def admission() -> CapacityLimiter:
    """Fewer holders of a session at once than the pool has connections: otherwise requests
    waiting for a connection could take every thread while the sessions holding the
    connections wait for a thread to commit and let go (the gateway then stalls until the
    pool times out)."""
    global _admitted
    if _admitted is None:
        _admitted = CapacityLimiter(get_settings().gateway_threads)
    return _admitted


async def read_only(work: Callable[[Connection], T]) -> T:
    """A read of one statement on a thread: a Core connection in autocommit (no BEGIN and
    COMMIT round trips, no ORM session), for statements built once at import."""

    def run() -> T:
        with get_engine().connect() as conn:
            return work(conn.execution_options(isolation_level="AUTOCOMMIT"))

    return await to_thread.run_sync(run, limiter=admission())
