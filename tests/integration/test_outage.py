"""A database that is down, or an embedded file that stays locked, answers 503 with
Retry-After and a plain message: never a 500, never the driver's text."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Gateway, free_port
from tests.integration.private import migrate

SIGNUP = {"email": "outage@example.com", "password": "a long password 1"}


def assert_unavailable(res: httpx.Response) -> None:
    assert res.status_code == 503, res.text
    assert res.headers["retry-after"] == "5"
    assert res.json() == {"detail": "the database is unavailable for a moment; try again shortly"}


@pytest.fixture
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="lir-outage-") as name:
        yield Path(name)


def test_postgres_down_answers_503(folder: Path) -> None:
    env = {  # nothing listens on that port
        "LIR_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none",
        "LIR_DATA_DIR": str(folder),
    }
    gateway = Gateway({**os.environ, **env})
    try:
        assert_unavailable(httpx.post(gateway.base + "/api/v1/auth/signup", json=SIGNUP))
        assert_unavailable(
            httpx.get(gateway.base + "/api/v1/ratings", headers={"Authorization": "Bearer x"})
        )
    finally:
        gateway.stop()


def test_embedded_database_locked_answers_503_then_works(folder: Path) -> None:
    env = {
        "LIR_DATABASE_URL": "",
        "LIR_BROKER_URL": "",
        "LIR_REDIS_URL": "",
        "LIR_DATA_DIR": str(folder),
        "LIR_SQLITE_BUSY_TIMEOUT_SECONDS": "0.3",
    }
    migrate(env)
    gateway = Gateway({**os.environ, **env})
    try:
        holder = sqlite3.connect(folder / "lirecommend.db", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # another writer that does not let go
        try:
            res = httpx.post(gateway.base + "/api/v1/auth/signup", json=SIGNUP, timeout=30)
            assert_unavailable(res)
            assert "locked" not in res.text
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        ok = httpx.post(gateway.base + "/api/v1/auth/signup", json=SIGNUP, timeout=30)
        assert ok.status_code == 201, ok.text
    finally:
        gateway.stop()
