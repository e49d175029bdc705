"""50 concurrent requests on ONE token through a real uvicorn gateway all answer, on Postgres
and on the embedded SQLite file; last_used_at is still recorded (at most once a minute)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.conftest import REPO, Gateway

CONCURRENT = 50


def _burst(base: str) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        res = client.post(
            "/api/v1/auth/signup",
            json={"email": "burst@example.com", "password": "burst pass phrase 1"},
        )
        assert res.status_code == 201, res.text
        headers = {"Authorization": f"Bearer {res.json()['token']}"}

    def one(_: int) -> int:
        with httpx.Client(base_url=base, timeout=60) as c:
            return c.get("/api/v1/me", headers=headers).status_code

    def last_used() -> str:
        with httpx.Client(base_url=base, timeout=60) as client:
            tokens = client.get("/api/v1/auth/tokens", headers=headers).json()
        return str(tokens[0]["last_used_at"])

    seen, started = [], time.monotonic()
    for _round in range(2):
        with ThreadPoolExecutor(CONCURRENT) as pool:
            codes = list(pool.map(one, range(CONCURRENT)))
        assert codes == [200] * CONCURRENT
        seen.append(last_used())
    assert seen[0] != "None"
    if time.monotonic() - started < 55:  # within the minute: written once, not per request
        assert seen[1] == seen[0]
    assert httpx.get(base + "/healthz", timeout=60).status_code == 200


def test_one_token_fifty_concurrent_on_postgres(database: str, redis_broker: str) -> None:
    gateway = Gateway()
    try:
        _burst(gateway.base)
    finally:
        gateway.stop()


def test_one_token_fifty_concurrent_on_embedded_sqlite() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="lir-burst-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIR_")}
    env["LIR_DATA_DIR"] = str(data_dir)
    subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "infra/alembic.ini", "upgrade", "head"],
        cwd=REPO, env=env, check=True, capture_output=True,
    )  # fmt: skip
    gateway = Gateway(env)
    try:
        _burst(gateway.base)
    finally:
        gateway.stop()
