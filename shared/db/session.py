"""Engines and sessions. One sync engine per process; SQLite gets WAL and a busy timeout
so the gateway and worker processes can share the embedded file. A writer that still finds
it locked after the timeout raises OperationalError, which the gateway answers with 503 and
Retry-After and a worker retries: "database is locked" never reaches a user."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

import shared.changes  # noqa: F401  (every Session bumps the change counters it touches)
from shared.settings import get_settings


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        timeout = get_settings().sqlite_busy_timeout_seconds
        engine = create_engine(url, connect_args={"timeout": timeout, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            cur.close()

        @event.listens_for(engine, "savepoint")
        def _writer_first(conn: Any, _name: Any) -> None:
            # A SAVEPOINT outside a transaction opens a deferred (reader) one in pysqlite; its
            # first write after another process has committed fails at once with "database is
            # locked", bypassing the busy timeout. Taking the write lock up front waits instead.
            # Through the Connection, so that a lock timeout is SQLAlchemy's OperationalError
            # (answered 503 with Retry-After) like any other.
            if not conn.connection.dbapi_connection.in_transaction:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().db_url)


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(get_engine(), expire_on_commit=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A unit of work for tasks and scripts: commit on success, roll back on error."""
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
