"""Fair, bounded work: user A imports 5 000 rows and starts 50 searches while users B-F each
rate one posting. Prints the p50 and max time to `succeeded` of B-F's ratings, against the
same five ratings when the deployment is otherwise idle, measured in the same run.

Real PostgreSQL (a fresh database), Redis, the gateway and Celery workers exactly as
`make run` starts them (services.launcher), and the LinkedIn stand-in over HTTP.
Run: .venv/bin/python -m tests.bench.bench_fairness   (about two minutes)
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psycopg
import redis

REPO = Path(__file__).resolve().parents[2]
RUN = uuid.uuid4().hex[:8]
DB = f"lir_bench_fair_{RUN}"
IMPORT_ROWS, SEARCHES, RATERS = 5000, 50, 5
INTERVAL, LATENCY_MS = 0.1, 50
URL = "https://www.linkedin.com/jobs/view/{}/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def admin(sql: str) -> None:
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(sql)  # type: ignore[arg-type]


def environment(sandbox_port: int, gateway_port: int, data_dir: Path) -> dict[str, str]:
    return {
        "LIR_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB}",
        "LIR_BROKER_URL": "redis://127.0.0.1:6379/13",
        "LIR_REDIS_URL": "redis://127.0.0.1:6379/13",
        "LIR_BROKER_KEY_PREFIX": f"lir-bench-fair-{RUN}:",
        "LIR_DATA_DIR": str(data_dir),
        "LIR_PORT": str(gateway_port),
        "LIR_SECRET_KEY": uuid.uuid4().hex * 2,
        "LIR_LINKEDIN_BASE_URL": f"http://127.0.0.1:{sandbox_port}",
        "LIR_LINKEDIN_MIN_INTERVAL_SECONDS": str(INTERVAL),
        "LIR_LINKEDIN_JITTER_SECONDS": "0",
        "LIR_LLM_BASE_URL": "",
        # Let A's whole load in: fairness must come from the dispatcher, not from refusals.
        "LIR_MAX_SEARCHES_PER_HOUR": str(SEARCHES),
        "LIR_MAX_QUEUED_JOBS_PER_USER": "100000",
    }


def signup(client: httpx.Client) -> dict[str, str]:
    email = f"bench-{uuid.uuid4().hex[:10]}@example.com"
    res = client.post("/api/v1/auth/signup", json={"email": email, "password": "a long password 1"})
    res.raise_for_status()
    return {"Authorization": f"Bearer {res.json()['token']}"}


def rate_and_wait(client: httpx.Client, headers: dict[str, str], job_id: int) -> float:
    """Seconds from the POST to the rating's job being `succeeded`, polled like a client."""
    started = time.perf_counter()
    res = client.post(
        "/api/v1/ratings", json={"url": URL.format(job_id), "rating": 2}, headers=headers
    )
    res.raise_for_status()
    jid = res.json()["job"]["id"]
    while True:
        job = client.get(f"/api/v1/jobs/{jid}", headers=headers).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            if job["status"] != "succeeded":
                raise RuntimeError(f"rating job ended {job['status']}: {job.get('error')}")
            return time.perf_counter() - started
        time.sleep(0.05)


def five_ratings(client: httpx.Client, raters: list[dict[str, str]], first_id: int) -> list[float]:
    with ThreadPoolExecutor(len(raters)) as pool:
        return list(
            pool.map(lambda i: rate_and_wait(client, raters[i], first_id + i), range(len(raters)))
        )


def load_a(client: httpx.Client, a: dict[str, str]) -> None:
    rows = "".join(URL.format(4700000000 + i) + f",{i % 4}\n" for i in range(IMPORT_ROWS))
    res = client.post(
        "/api/v1/imports", files={"file": ("a.csv", "url,rating\n" + rows, "text/csv")}, headers=a
    )
    res.raise_for_status()
    for n in range(SEARCHES):
        res = client.post(
            "/api/v1/searches", json={"keywords": f"role {n}", "limit": 25}, headers=a
        )
        res.raise_for_status()


def a_backlog(client: httpx.Client, a: dict[str, str]) -> int:
    return int(client.get("/api/v1/me", headers=a).json()["counts"]["active_jobs"])


def summary(times: list[float]) -> dict[str, float]:
    return {"p50_s": round(statistics.median(times), 2), "max_s": round(max(times), 2)}


def main() -> None:
    from services.sandbox.server import SandboxServer

    sandbox_port, gateway_port = free_port(), free_port()
    data_dir = Path(f"/tmp/lir-bench-fair-{RUN}")
    data_dir.mkdir()
    env = {**os.environ, **environment(sandbox_port, gateway_port, data_dir)}
    os.environ.update(env)
    from services.launcher import Supervisor, commands

    admin(f'CREATE DATABASE "{DB}"')
    children: Supervisor | None = None
    try:
        subprocess.run(
            [sys.executable, "-m", "alembic", "-c", "infra/alembic.ini", "upgrade", "head"],
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
        )
        with SandboxServer(port=sandbox_port) as sandbox:
            sandbox.configure(latency_ms=LATENCY_MS)
            logs = (data_dir / "processes.log").open("wb")
            children = Supervisor(commands(gateway_port, 2), env, logs)
            base = f"http://127.0.0.1:{gateway_port}"
            with httpx.Client(base_url=base, timeout=60) as client:
                deadline = time.monotonic() + 120
                while True:
                    try:
                        if client.get("/healthz").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if time.monotonic() > deadline:
                        raise RuntimeError("the gateway did not start")
                    time.sleep(0.5)
                raters = [signup(client) for _ in range(RATERS)]
                five_ratings(client, raters, 4790000000)  # warm: every process has started
                alone = five_ratings(client, raters, 4790000100)
                a = signup(client)
                started = time.perf_counter()
                load_a(client, a)
                accept_s = time.perf_counter() - started
                deadline = time.monotonic() + 120
                while a_backlog(client, a) < 1000 and time.monotonic() < deadline:
                    time.sleep(0.5)
                backlog = a_backlog(client, a)
                loaded = five_ratings(client, raters, 4790000200)
                still = a_backlog(client, a)
                cancelled = client.post("/api/v1/jobs/cancel", json={}, headers=a).json()
        out: dict[str, Any] = {
            "bench": "fairness",
            "date": time.strftime("%Y-%m-%d"),
            "import_rows": IMPORT_ROWS,
            "searches": SEARCHES,
            "a_accept_s": round(accept_s, 2),
            "a_active_jobs_when_b_f_rate": backlog,
            "a_active_jobs_after": still,
            "a_cancelled": cancelled.get("cancelled"),
            "linkedin_interval_s": INTERVAL,
            "standin_latency_ms": LATENCY_MS,
            "alone": summary(alone),
            "under_load": summary(loaded),
            "max_vs_alone": round(max(loaded) / max(alone), 2),
        }
        print(json.dumps(out))
    finally:
        if children is not None:
            children.stop()
        admin(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        prefix = environment(0, 0, data_dir)["LIR_BROKER_KEY_PREFIX"]
        r = redis.Redis.from_url("redis://127.0.0.1:6379/13")
        for key in r.scan_iter(match=prefix + "*"):  # only this run's keys
            r.delete(key)


if __name__ == "__main__":
    main()
