"""One-statement reads of the hot routes (job poll, stored prediction), and the one-statement
rating of a stored posting, on the event loop.

On PostgreSQL each gateway process keeps a small psycopg pool on its event loop, opened by
the app's lifespan: a read costs no hop to a thread and none of SQLAlchemy's per-statement
work (the statement is compiled once to the driver's SQL), and psycopg prepares it on the
server after a few runs. Where no pool runs on the current loop (SQLite, the embedded
default; an ASGI client that skips the lifespan) the same statement runs through the
engine on a thread. A lost connection is SQLAlchemy's OperationalError either way, which
the gateway answers 503 with Retry-After."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from typing import Any

import psycopg
from psycopg.rows import namedtuple_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from sqlalchemy import Select
from sqlalchemy.exc import OperationalError

from services.gateway.deps import read_only
from shared.db.session import get_engine

# A read holds its connection for well under a millisecond: a few serve thousands a second,
# and requests past them wait on the event loop, holding nothing. All opened at start: a
# pool that grows only when requests queue makes the first burst wait for connects.
POOL_SIZE = 4
POOL_TIMEOUT_SECONDS = 3.0  # waiting longer for a connection means the database is gone
_pools: dict[asyncio.AbstractEventLoop, AsyncConnectionPool] = {}


@asynccontextmanager
async def pool_on_this_loop() -> AsyncIterator[None]:
    """For the lifespan: the pool of this process's event loop (PostgreSQL only)."""
    engine = get_engine()
    if engine.dialect.name != "postgresql":
        yield
        return
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    pool = AsyncConnectionPool(
        conninfo,
        min_size=POOL_SIZE,
        max_size=POOL_SIZE,
        timeout=POOL_TIMEOUT_SECONDS,
        kwargs={"autocommit": True, "row_factory": namedtuple_row},
        open=False,
    )
    await pool.open()
    loop = asyncio.get_running_loop()
    _pools[loop] = pool
    try:
        yield
    finally:
        _pools.pop(loop, None)
        await pool.close()


def one_statement_writes() -> bool:
    """Whether a write may be one statement of data-modifying CTEs (PostgreSQL; not SQLite)."""
    return get_engine().dialect.name == "postgresql"


@cache
def _compiled(stmt: Select[Any]) -> tuple[str, dict[str, Any]]:
    """The statement as psycopg runs it, and the values bound at build time."""
    compiled = stmt.compile(dialect=get_engine().dialect)
    return str(compiled), dict(compiled.params)


async def first(stmt: Select[Any], params: dict[str, Any]) -> Any:
    """The statement's first row (attributes by column label), or None."""
    pool = _pools.get(asyncio.get_running_loop())
    if pool is None:
        return await read_only(lambda conn: conn.execute(stmt, params).first())
    sql, bound = _compiled(stmt)
    values = {**bound, **params}
    for retry in (False, True):
        try:
            async with pool.connection() as conn:
                cursor = await conn.execute(sql, values)  # type: ignore[arg-type]
                return await cursor.fetchone()
        except PoolTimeout as exc:
            raise OperationalError(sql, None, exc) from exc
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            if retry:
                raise OperationalError(sql, None, exc) from exc
            # The server restarted or dropped us: drop every dead idle connection (what a
            # pre-ping per checkout would have found, paid once here) and try once more.
            await pool.check()
    raise AssertionError("unreachable")
