"""What one request of each hot path costs, in figures that stay comparable on a loaded
machine: CPU milliseconds, SQL statements and transactions, broker publishes and Redis
commands, against the bare FastAPI app of bench_serving measured the same way in the same run.

Everything runs in this one process and one thread (the route thread pool is run inline), on
the real PostgreSQL and Redis, with the LinkedIn stand-in; jobs are run in-process as the
workers would run them. Seeds 5 users with 40 rated postings each and a trained model for
the first, 40 further stored postings, then sends each kind of request `--n` times in a row.
Prints one JSON line; `--profile PHASE,...` also prints those phases' cProfile, by own time.

Run: .venv/bin/python -m tests.bench.bench_request_cost [--n 200] [--profile rating]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import shutil
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
RUN = uuid.uuid4().hex[:8]
DB = f"lir_cost_{RUN}"
JOB_ID_BASE = 4_400_000_000
N_RATED, N_UNRATED, N_USERS = 40, 40, 5


def environment(stand_in_port: int, data_dir: Path) -> dict[str, str]:
    return {
        "LIR_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB}",
        "LIR_BROKER_URL": "redis://127.0.0.1:6379/13",
        "LIR_REDIS_URL": "redis://127.0.0.1:6379/13",
        "LIR_BROKER_KEY_PREFIX": f"lir-cost-{RUN}:",
        "LIR_DATA_DIR": str(data_dir),
        "LIR_LINKEDIN_BASE_URL": f"http://127.0.0.1:{stand_in_port}",
        "LIR_LINKEDIN_MIN_INTERVAL_SECONDS": "0",
        "LIR_LINKEDIN_JITTER_SECONDS": "0",
        "LIR_LLM_BASE_URL": "",
        "LIR_EMBEDDINGS_ENABLED": "false",  # no torch here; the gateway never loads it
        "LIR_RETRAIN_EVERY": "100000",
        "LIR_SECRET_KEY": "cost-" + RUN * 4,
        "LIR_SIGNUPS_PER_ADDRESS": "1000/hour",
    }


def admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres") as conn:
        conn.autocommit = True
        conn.execute(sql)  # type: ignore[arg-type]


class Counts:
    """SQL statements, transactions and pool check-outs (each a pre-ping), broker publishes
    and Redis commands, by hooks on the libraries' own events (psycopg's async cursor for the
    reads on the event loop's pool)."""

    def __init__(self) -> None:
        self.c: Counter[str] = Counter()

    def install(self) -> None:
        import redis.connection
        from celery.signals import before_task_publish
        from sqlalchemy import event

        from shared.db.session import get_engine

        engine = get_engine()
        c = self.c

        @event.listens_for(engine, "before_cursor_execute")
        def _stmt(*_: Any) -> None:
            c["sql"] += 1

        @event.listens_for(engine, "commit")
        def _commit(*_: Any) -> None:
            c["commits"] += 1

        @event.listens_for(engine, "rollback")
        def _rollback(*_: Any) -> None:
            c["rollbacks"] += 1

        @event.listens_for(engine.pool, "checkout")
        def _checkout(*_: Any) -> None:
            c["checkouts"] += 1

        @before_task_publish.connect(weak=False)
        def _publish(**_: Any) -> None:
            c["publishes"] += 1

        send = redis.connection.AbstractConnection.send_packed_command

        def counted(self: Any, command: Any, check_health: bool = True) -> None:
            c["redis"] += 1
            send(self, command, check_health)

        redis.connection.AbstractConnection.send_packed_command = counted  # type: ignore[method-assign]

        import psycopg

        execute = psycopg.AsyncCursor.execute

        async def counted_async(self: Any, *args: Any, **kwargs: Any) -> Any:
            c["sql"] += 1  # the gateway's reads on its event loop's pool (no SQLAlchemy events)
            return await execute(self, *args, **kwargs)

        psycopg.AsyncCursor.execute = counted_async  # type: ignore[method-assign]


def run_inline() -> None:
    """Sync routes and dependencies run on the calling thread: one thread to time and
    profile (the cost is the same, only the hop to a pool thread is left out)."""
    import anyio.to_thread

    async def inline(func: Callable[..., Any], *args: Any, **_: Any) -> Any:
        return func(*args)

    anyio.to_thread.run_sync = inline  # type: ignore[assignment]


def run_jobs() -> int:
    """Run every queued job in this process, as the workers would, until none is left."""
    from sqlalchemy import select

    from shared.data_io import import_work
    from shared.db.models import Job
    from shared.db.session import session_scope
    from shared.jobs import run_job
    from shared.postings import extract_work, scrape_work
    from shared.training import train_work

    work = {"scrape": scrape_work, "extract": extract_work, "train": train_work}
    work["import"] = import_work
    done = 0
    while True:
        with session_scope() as s:
            queued = s.execute(
                select(Job.id, Job.kind).where(Job.status == "queued").order_by(Job.created_at)
            ).all()
        if not queued:
            return done
        for job_id, kind in queued:
            run_job(str(job_id), work[kind])
            done += 1


async def measure(args: argparse.Namespace, log: Callable[[str], None]) -> dict[str, Any]:

    from services.gateway.app import create_app
    from services.gateway.pool import pool_on_this_loop
    from tests.bench.bench_serving import bare_app

    async with pool_on_this_loop():  # as the app's lifespan opens it (ASGITransport runs none)
        return await _measure(args, log, create_app, bare_app)


async def _measure(
    args: argparse.Namespace, log: Callable[[str], None], create_app: Any, bare_app: Any
) -> dict[str, Any]:
    import httpx

    counts = Counts()
    counts.install()
    gateway = httpx.AsyncClient(transport=httpx.ASGITransport(create_app()), base_url="http://t")
    bare = httpx.AsyncClient(transport=httpx.ASGITransport(bare_app), base_url="http://b")
    url = "https://www.linkedin.com/jobs/view/{}/"

    async def signup() -> dict[str, str]:
        res = await gateway.post(
            "/api/v1/auth/signup",
            json={
                "email": f"cost-{uuid.uuid4().hex[:8]}@example.com",
                "password": "cost password 1",
            },
        )
        if res.status_code != 201:
            raise RuntimeError(f"signup: {res.status_code} {res.text}")
        return {"Authorization": f"Bearer {res.json()['token']}"}

    users = [await signup() for _ in range(N_USERS)]
    main, heuristic = users[0], users[1]
    log(f"seeding {N_RATED + N_UNRATED} postings")
    for i in range(N_RATED + N_UNRATED):
        body = {"url": url.format(JOB_ID_BASE + i), "rating": (i * 7 // 3) % 4}
        who = main if i < N_RATED else users[-1]
        (await gateway.post("/api/v1/ratings", json=body, headers=who)).raise_for_status()
    await asyncio.to_thread(run_jobs)
    for i in range(12):  # the heuristic user has too few ratings for a model
        body = {"url": url.format(JOB_ID_BASE + i), "rating": i % 4}
        (await gateway.post("/api/v1/ratings", json=body, headers=heuristic)).raise_for_status()
    (await gateway.post("/api/v1/models/train", headers=main)).raise_for_status()
    await asyncio.to_thread(run_jobs)
    poll = (await gateway.get("/api/v1/jobs?limit=1", headers=main)).json()["items"][0]["id"]
    unrated = [url.format(JOB_ID_BASE + N_RATED + i) for i in range(N_UNRATED)]
    # Ratings of stored postings by users who have not rated them: each a new row.
    fresh = [(u, p) for u in users[1:4] for p in unrated]

    from shared import recommendation_cache

    shared_lookup = recommendation_cache._shared

    def cold(shared: bool) -> Callable[[int], Any]:
        """The list asked of a process that has not built it (a new one, or one whose copy
        an earlier change made stale): taken from Redis where another process stored it
        under the same counters, or built."""

        async def request(k: int) -> Any:
            recommendation_cache._lists.clear()
            if not shared:
                recommendation_cache._shared = lambda key, stamp: None
            try:
                return await gateway.get("/api/v1/recommendations?limit=20", headers=main)
            finally:
                recommendation_cache._shared = shared_lookup

        return request

    phases: dict[str, Callable[[int], Any]] = {
        "bare_get": lambda k: bare.get("/get"),
        "bare_post": lambda k: bare.post("/post", json={"url": unrated[0], "rating": 2}),
        "healthz": lambda k: gateway.get("/healthz"),
        "me": lambda k: gateway.get("/api/v1/me", headers=main),
        "job_poll": lambda k: gateway.get(f"/api/v1/jobs/{poll}", headers=main),
        "predict": lambda k: gateway.post(
            "/api/v1/predictions", json={"url": unrated[k % N_UNRATED]}, headers=main
        ),
        "predict_heuristic": lambda k: gateway.post(
            "/api/v1/predictions", json={"url": unrated[k % N_UNRATED]}, headers=heuristic
        ),
        "predict_explain": lambda k: gateway.post(
            "/api/v1/predictions?explain=true",
            json={"url": unrated[k % N_UNRATED]},
            headers=main,
        ),
        "recommend": lambda k: gateway.get("/api/v1/recommendations?limit=20", headers=main),
        "recommend_cold_built": cold(shared=False),
        "recommend_cold_shared": cold(shared=True),
        "recommend_heuristic": lambda k: gateway.get(
            "/api/v1/recommendations?limit=20", headers=heuristic
        ),
        "rating": lambda k: gateway.post(
            "/api/v1/ratings",
            json={"url": fresh[k % len(fresh)][1], "rating": k % 4},
            headers=fresh[k % len(fresh)][0],
        ),
    }
    out: dict[str, Any] = {"bench": "request_cost", "date": time.strftime("%Y-%m-%d"), "n": args.n}
    out["load"] = round(os.getloadavg()[0], 2)
    if args.only:
        keep = {"bare_get", "bare_post", *args.only.split(",")}
        phases = {k: v for k, v in phases.items() if k in keep}
    for name, request in phases.items():
        n = min(args.n, len(fresh)) if name == "rating" else args.n
        for k in range(3 if name != "rating" else 0):  # warm caches, as a running gateway is
            (await request(k)).raise_for_status()
        profile = cProfile.Profile(time.process_time) if name in args.profile.split(",") else None
        counts.c.clear()
        cpu, wall = time.process_time(), time.perf_counter()
        if profile:
            profile.enable()
        for k in range(n):
            res = await request(k)
            if res.status_code >= 300 and not (name == "rating" and res.status_code == 202):
                raise RuntimeError(f"{name}: {res.status_code} {res.text[:300]}")
        if profile:
            profile.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        per = {k: round(v / n, 2) for k, v in sorted(counts.c.items())}
        out[name] = {"cpu_ms": round(1000 * cpu / n, 3), "wall_ms": round(1000 * wall / n, 3)}
        out[name].update(per)
        log(f"{name}: {out[name]}")
        if profile:
            if args.dump:
                profile.dump_stats(f"{args.dump}/{name}.prof")
            text = io.StringIO()
            pstats.Stats(profile, stream=text).sort_stats(args.sort).print_stats(45)
            print(text.getvalue(), file=sys.stderr)
    for name in phases:
        if not name.startswith("bare"):
            ref = out["bare_post"] if name == "rating" else out["bare_get"]
            out[name]["cpu_vs_bare"] = round(out[name]["cpu_ms"] / ref["cpu_ms"], 1)
    status = Path("/proc/self/status").read_text()
    for field in ("VmRSS", "VmHWM"):
        kb = next(line.split()[1] for line in status.splitlines() if line.startswith(field))
        out[f"{field.lower()}_mb"] = round(int(kb) / 1024, 1)
    await gateway.aclose()
    await bare.aclose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--profile", default="", help="phase names, e.g. rating,recommend")
    parser.add_argument("--sort", default="tottime", help="pstats sort key")
    parser.add_argument("--only", default="", help="only these phases (and the bare app)")
    parser.add_argument("--dump", default="", help="a folder for the profiles (PHASE.prof)")
    args = parser.parse_args()
    from services.sandbox.server import SandboxServer

    data_dir = Path(f"/tmp/lir-cost-{RUN}")
    data_dir.mkdir()
    with SandboxServer() as stand_in:
        os.environ.update(environment(stand_in.port, data_dir))
        admin_sql(f'CREATE DATABASE "{DB}"')
        try:
            subprocess.run(
                [sys.executable, "-m", "alembic", "-c", "infra/alembic.ini", "upgrade", "head"],
                cwd=REPO,
                env=os.environ.copy(),
                check=True,
                capture_output=True,
            )
            run_inline()

            def log(msg: str) -> None:
                print(f"[request_cost] {msg}", file=sys.stderr, flush=True)

            out = asyncio.run(measure(args, log))
        finally:
            from shared.db.session import get_engine

            get_engine().dispose()
            admin_sql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
            import redis

            r = redis.Redis.from_url("redis://127.0.0.1:6379/13")
            for key in r.scan_iter(match=f"lir-cost-{RUN}:*"):  # only this run's keys
                r.delete(key)
            shutil.rmtree(data_dir, ignore_errors=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
