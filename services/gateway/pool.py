"""The gateway's own PostgreSQL pool, on its event loop: the one-statement reads of the hot
routes (job poll, stored prediction) and the grouped writes (the rating of a stored posting).

On PostgreSQL each gateway process keeps a small psycopg pool on its event loop, opened by
the app's lifespan: a statement costs no hop to a thread and none of SQLAlchemy's
per-statement work (it is compiled once to the driver's SQL), and psycopg prepares it on the
server after a few runs. Where no pool runs on the current loop (SQLite, the embedded
default; an ASGI client that skips the lifespan) the same statement runs through the
engine on a thread. A lost connection is SQLAlchemy's OperationalError either way, which
the gateway answers 503 with Retry-After.

Concurrent calls of one statement in a process share a round trip. Reads go pipelined on
one connection, as one executemany, which costs far less Python per statement than an
execute each (a stored prediction in-process: 0.09 ms of CPU against 0.29 ms). Writes
(`grouped`: the rating of a stored posting) go as one statement over a JSON document of
their parameters (`shared.db.calls`): one transaction, one flush. A write's cost is its
commit, the WAL flush waiting on the disk (~4 ms here, against 0.06 ms for the statement
itself), so writes committed together cost far less each."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

import psycopg
from prometheus_client import Histogram
from psycopg import AsyncConnection
from psycopg.rows import namedtuple_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from sqlalchemy import Select
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql.dml import ReturningUpdate

from services.gateway.admission import read_only
from shared.db.calls import as_document
from shared.db.session import get_engine

log = logging.getLogger(__name__)

T = TypeVar("T")
# What the pool runs: reads (`first`), and set statements (`grouped`) that write and return.
Statement = Select[Any] | ReturningUpdate[Any]

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
        background = _background.pop(loop, set())
        await asyncio.gather(*background, return_exceptions=True)
        _pools.pop(loop, None)
        await pool.close()


# Per loop: writes that no answer waits on (`in_background`), awaited before the pool closes.
_background: dict[asyncio.AbstractEventLoop, set[asyncio.Task[None]]] = {}


def in_background(write: Coroutine[Any, Any, None]) -> None:
    """Run a write no answer waits on (a token's last_used_at) as a task of this loop's
    pool: the request goes on at once, and the pool closes only once the write is done."""
    loop = asyncio.get_running_loop()
    task = loop.create_task(write)
    tasks = _background.setdefault(loop, set())
    tasks.add(task)
    task.add_done_callback(tasks.discard)


def running() -> bool:
    """Whether this event loop has its pool (PostgreSQL, under the app's lifespan)."""
    return asyncio.get_running_loop() in _pools


def one_statement_writes() -> bool:
    """Whether a write may be one statement of data-modifying CTEs (PostgreSQL; not SQLite)."""
    return get_engine().dialect.name == "postgresql"


@cache
def _compiled(stmt: Statement) -> tuple[str, dict[str, Any]]:
    """The statement as psycopg runs it, and the values bound at build time."""
    compiled = stmt.compile(dialect=get_engine().dialect)
    return str(compiled), dict(compiled.params)


async def first(stmt: Statement, params: dict[str, Any]) -> Any:
    """The statement's first row (attributes by column label), or None: a read, in the
    round trip of the concurrent reads of the same statement."""
    pool = _pools.get(asyncio.get_running_loop())
    if pool is None:
        return await read_only(lambda conn: conn.execute(stmt, params).first())
    return await _together(pool, stmt, params, None)


async def _single(pool: AsyncConnectionPool, stmt: Statement, params: dict[str, Any]) -> Any:
    """The statement alone, in its own round trip (and, for a write, its own transaction)."""
    sql, bound = _compiled(stmt)

    async def run(conn: AsyncConnection[Any]) -> Any:
        cursor = await conn.execute(sql, {**bound, **params})  # type: ignore[arg-type]
        return await cursor.fetchone()

    return await _on(pool, sql, run)


async def _on(pool: AsyncConnectionPool, sql: str, work: Callable[[Any], Awaitable[T]]) -> T:
    """`work` on a connection of the pool; a connection the server dropped is retried once."""
    try:
        async with pool.connection() as conn:
            return await work(conn)
    except PoolTimeout as exc:
        raise OperationalError(sql, None, exc) from exc
    except (psycopg.OperationalError, psycopg.InterfaceError):
        # The server restarted or dropped us: drop every dead idle connection (what a
        # pre-ping per checkout would have found, paid once here) and try once more.
        await pool.check()
    try:
        async with pool.connection() as conn:
            return await work(conn)
    except (PoolTimeout, psycopg.OperationalError, psycopg.InterfaceError) as exc:
        raise OperationalError(sql, None, exc) from exc


# Groups of one statement in flight at once per process. One: a call arriving while a
# group runs waits for it (a round trip; for a write, a few ms) and goes in the next group
# with every call waiting, so under load each round trip and flush carries more of them
# (ratings as one statement a group: 3 060-4 177 /s at 0.25-0.35 ms of gateway CPU each,
# against 2 073-2 763 /s and 0.39-0.52 ms with two groups in flight; reads: two or three in
# flight gave 10-20 % fewer a second and no better p99).
# Each statement keeps one connection of the pool at most.
GROUPS_IN_FLIGHT = 1
GROUP_SIZES = Histogram(
    "lir_statement_groups",
    "Calls of one statement run together in one round trip: reads (the job poll, the stored "
    "prediction, a token), and writes committed in one statement (the rating of a stored "
    "posting, a token's last_used_at)",
    ["kind"],
    buckets=(1, 2, 4, 8, 16, 32, 64),
    registry=None,  # the app's registry takes it (services.gateway.metrics)
)
# How long a group's round trip takes, from sending its statement to its rows: for a write
# that includes its commit's flush, which every rating of the group and of the next waits on.
GROUP_SECONDS = Histogram(
    "lir_statement_group_seconds",
    "Round trip of one group of calls of one statement (for writes, with their commit)",
    ["kind"],
    buckets=(0.001, 0.002, 0.003, 0.004, 0.006, 0.008, 0.012, 0.016, 0.024, 0.032, 0.064, 0.128),
    registry=None,
)


Committed = Callable[[list[Any]], None]


@dataclass
class _Group:
    committed: Committed | None  # None: reads
    waiting: list[tuple[dict[str, Any], asyncio.Future[Any]]] = field(default_factory=list)
    running: set[asyncio.Task[None]] = field(default_factory=set)


_groups: dict[tuple[asyncio.AbstractEventLoop, Statement], _Group] = {}


async def grouped(stmt: Statement, params: dict[str, Any], committed: Committed) -> Any:
    """The row answering this call of a write that runs as one statement, in one transaction
    and one commit, with the concurrent calls of the same statement. `stmt` is a set
    statement over `calls_table` (this call's `params` are one object of its document),
    each of its rows answering the call its `call` column numbers (from 1; no row: None).
    `committed(rows)` runs once per group, with the rows it committed, before any of them
    is answered: the same `committed` for every call of a statement."""
    pool = _pools.get(asyncio.get_running_loop())
    if pool is None:
        rows = list(await read_only(lambda conn: conn.execute(stmt, as_document([params])).all()))
        _after_commit(committed, rows)
        return rows[0] if rows else None
    return await _together(pool, stmt, params, committed)


async def _together(
    pool: AsyncConnectionPool,
    stmt: Statement,
    params: dict[str, Any],
    committed: Committed | None,
) -> Any:
    """The statement's row, from the next group of its concurrent calls. A call that fails
    fails alone: a failed group is retried one call at a time."""
    loop = asyncio.get_running_loop()
    group = _groups.setdefault((loop, stmt), _Group(committed))
    answer: asyncio.Future[Any] = loop.create_future()
    group.waiting.append((params, answer))
    if len(group.running) < GROUPS_IN_FLIGHT:
        _start(pool, stmt, group)
    return await answer


def _start(pool: AsyncConnectionPool, stmt: Statement, group: _Group) -> None:
    batch, group.waiting = group.waiting, []
    task = asyncio.get_running_loop().create_task(_run(pool, stmt, batch, group.committed))
    group.running.add(task)

    def done(_: asyncio.Task[None]) -> None:
        group.running.discard(task)
        if group.waiting:
            _start(pool, stmt, group)

    task.add_done_callback(done)


async def _run(
    pool: AsyncConnectionPool,
    stmt: Statement,
    batch: list[tuple[dict[str, Any], Any]],
    committed: Committed | None,
) -> None:
    calls = [params for params, _ in batch]
    kind = "read" if committed is None else "write"
    GROUP_SIZES.labels(kind).observe(len(calls))
    run = _reads if committed is None else _writes
    outcomes: list[Any]
    try:
        with GROUP_SECONDS.labels(kind).time():
            outcomes = await run(pool, stmt, calls)
    except psycopg.Error as exc:  # one call's error (a deadlock, a constraint) fails the group
        outcomes = [exc] if len(calls) == 1 else [await _alone(run, pool, stmt, c) for c in calls]
    except Exception as exc:  # the database is gone: every call of the group hears it
        outcomes = [exc] * len(calls)
    if committed is not None:
        _after_commit(
            committed, [o for o in outcomes if o is not None and not isinstance(o, BaseException)]
        )
    for (_, answer), outcome in zip(batch, outcomes, strict=True):
        _settle(answer, outcome)


def _after_commit(committed: Committed, rows: list[Any]) -> None:
    """`committed(rows)`; its failure fails no call: the writes stand, and what follows them
    (the change counters' copy) only lags."""
    try:
        committed(rows)
    except Exception:
        log.warning("after a group's commit", exc_info=True)


Run = Callable[[AsyncConnectionPool, Statement, list[dict[str, Any]]], Awaitable[list[Any]]]


async def _reads(
    pool: AsyncConnectionPool, stmt: Statement, calls: list[dict[str, Any]]
) -> list[Any]:
    """Each call's first row: one executemany, pipelined; a plain execute for one call
    (cheaper than a pipeline of one)."""
    if len(calls) == 1:
        return [await _single(pool, stmt, calls[0])]
    sql, bound = _compiled(stmt)

    async def together(conn: AsyncConnection[Any]) -> list[Any]:
        rows = []
        async with conn.pipeline():
            cursor = conn.cursor()
            await cursor.executemany(sql, [{**bound, **c} for c in calls], returning=True)
            rows.append(await cursor.fetchone())
            while cursor.nextset():
                rows.append(await cursor.fetchone())
        return rows

    return await _on(pool, sql, together)


async def _writes(
    pool: AsyncConnectionPool, stmt: Statement, calls: list[dict[str, Any]]
) -> list[Any]:
    """The set statement run once for all the calls, in autocommit (its own transaction):
    each call's row, by the row's `call` (None: no row). One statement for a dozen ratings
    costs its client and server about half the CPU of a dozen pipelined in a transaction
    (in-process: 31-39 against 80-98 µs of client CPU a rating, 69-103 against 136-172 µs
    of the server's)."""
    sql, bound = _compiled(stmt)

    async def run(conn: AsyncConnection[Any]) -> list[Any]:
        cursor = await conn.execute(sql, {**bound, **as_document(calls)})  # type: ignore[arg-type]
        return await cursor.fetchall()

    by_call = {row.call: row for row in await _on(pool, sql, run)}
    return [by_call.get(number) for number in range(1, len(calls) + 1)]


async def _alone(
    run: Run, pool: AsyncConnectionPool, stmt: Statement, params: dict[str, Any]
) -> Any:
    """One call alone: its row, or the error it alone met."""
    try:
        return (await run(pool, stmt, [params]))[0]
    except Exception as exc:
        return exc


def _settle(answer: asyncio.Future[Any], outcome: Any) -> None:
    if answer.done():  # the client went away; the write stands
        return
    if isinstance(outcome, BaseException):
        answer.set_exception(outcome)
    else:
        answer.set_result(outcome)
