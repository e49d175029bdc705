"""Test fixtures over the real services: PostgreSQL, Redis, a Celery worker process, and
the local LinkedIn stand-in. Environment is set here, before shared.settings is read."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PG_HOST, PG_PORT, REDIS_PORT = "127.0.0.1", 5432, 6379
IN_CI = os.environ.get("CI", "").lower() == "true"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection((PG_HOST, port), timeout=1):
            return True
    except OSError:
        return False


def require(service: str, port: int) -> None:
    """With CI=true a missing service fails the test; a developer without it gets a skip."""
    if not _reachable(port):
        message = f"{service} is not reachable on 127.0.0.1:{port}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


RUN_ID = uuid.uuid4().hex[:8]
TEST_DB = f"lir_test_{RUN_ID}"
DATA_DIR = Path(tempfile.mkdtemp(prefix="lir-test-"))
SANDBOX_PORT = free_port()
REDIS_DB = 14
TEST_ENV = {
    "LIR_DATABASE_URL": f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{TEST_DB}",
    "LIR_BROKER_URL": f"redis://{PG_HOST}:{REDIS_PORT}/{REDIS_DB}",
    "LIR_REDIS_URL": f"redis://{PG_HOST}:{REDIS_PORT}/{REDIS_DB}",
    "LIR_BROKER_KEY_PREFIX": f"lir-test-{RUN_ID}:",
    "LIR_DATA_DIR": str(DATA_DIR),
    "LIR_LINKEDIN_BASE_URL": f"http://127.0.0.1:{SANDBOX_PORT}",
    "LIR_LINKEDIN_MIN_INTERVAL_SECONDS": "0.05",
    "LIR_LINKEDIN_JITTER_SECONDS": "0",
    "LIR_LINKEDIN_MAX_RETRIES": "2",
    "LIR_JOB_REAP_INTERVAL_SECONDS": "1",
    "LIR_JOB_REQUEUE_AFTER_SECONDS": "3",
    "LIR_JOB_HEARTBEAT_TIMEOUT_SECONDS": "4",
    "LIR_RETRAIN_EVERY": "3",
    "LIR_SAVED_SEARCH_TICK_SECONDS": "1",
    "LIR_SAVED_SEARCH_MIN_EVERY_HOURS": "0",
    "LIR_LLM_BASE_URL": "",
    "LIR_SECRET_KEY": f"test-secret-{RUN_ID}-" + "x" * 32,
    # Every test signs up from one address; the throttle's own tests lower these.
    "LIR_SIGNUPS_PER_ADDRESS": "100000/hour",
    "LIR_SIGNIN_FAILURES_PER_ADDRESS": "100000/minute",
    "LIR_SIGNIN_FAILURES_PER_DEPLOYMENT": "100000/minute",
}
os.environ.update(TEST_ENV)
for key in ("LIR_LLM_API_KEY", "LIR_LLM_MODEL"):
    os.environ.pop(key, None)


def admin_sql(*statements: str) -> None:
    import psycopg

    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        for sql in statements:
            conn.execute(sql)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def database() -> Iterator[str]:
    """A fresh PostgreSQL database, built by the real Alembic migrations."""
    require("PostgreSQL", PG_PORT)
    admin_sql(f'CREATE DATABASE "{TEST_DB}"')
    subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "infra/alembic.ini", "upgrade", "head"],
        cwd=REPO,
        check=True,
        env=os.environ.copy(),
    )
    yield TEST_ENV["LIR_DATABASE_URL"]
    from shared.db.session import get_engine

    get_engine().dispose()
    admin_sql(f'DROP DATABASE IF EXISTS "{TEST_DB}" WITH (FORCE)')


@pytest.fixture(scope="session")
def redis_broker() -> str:
    require("Redis", REDIS_PORT)
    return TEST_ENV["LIR_BROKER_URL"]


@pytest.fixture
def db(database: str) -> Iterator[Any]:
    from shared.db.session import get_sessionmaker

    session = get_sessionmaker()()
    yield session
    session.rollback()
    session.close()


@pytest.fixture(scope="session")
def linkedin() -> Iterator[Any]:
    """The LinkedIn stand-in, a real HTTP server, on the port the settings point at."""
    from services.sandbox.server import SandboxServer

    with SandboxServer(port=SANDBOX_PORT) as server:
        yield server


class Worker:
    """A real `celery worker` process (with beat) consuming from Redis; by default every
    queue, the reaper's `maintenance` one included."""

    def __init__(
        self,
        name: str,
        queues: str = "scrape,extract,train,maintenance",
        beat: bool = True,
        env: dict[str, str] | None = None,
        wait: bool = True,
        args: tuple[str, ...] = (),
        main: str = "celery",
    ) -> None:
        """`args` go after the defaults (e.g. the launcher's scrape pool); `main` is the
        module run as `python -m`, celery's own or a wrapper of it."""
        self.log = DATA_DIR / f"worker-{name}.log"
        cmd = [
            sys.executable,
            "-m",
            main,
            "-A",
            "services.worker.app",
            "worker",
            "-Q",
            queues,
            "-n",
            f"{name}@%h",
            "--concurrency",
            "2",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            *args,
        ]
        if beat:
            cmd += ["--beat", "--schedule", str(DATA_DIR / f"beat-{name}")]
        self.proc = subprocess.Popen(
            cmd,
            cwd=REPO,
            env={**os.environ, **(env or {})},
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while "ready." not in self.log.read_text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL the whole process group: the parent and its pool children die mid-task."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="module")
def worker(database: str, redis_broker: str, linkedin: Any) -> Iterator[Worker]:
    w = Worker("main")
    yield w
    w.stop()


def roomy_worker(name: str) -> Iterator[Worker]:
    """A worker whose heartbeat timeout leaves room for an extract job's first embedding
    (the model loads in each pool process) on a loaded 2-core machine: for tests of
    extraction itself, not of the reaper."""
    w = Worker(name, env={"LIR_JOB_HEARTBEAT_TIMEOUT_SECONDS": "120"})
    yield w
    w.stop()


@pytest.fixture(scope="session")
def api(database: str, redis_broker: str) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from services.gateway.app import create_app

    with TestClient(create_app()) as client:
        yield client


def signup(
    client: Any, email: str | None = None, password: str = "correct horse 1"
) -> dict[str, str]:
    email = email or f"user-{uuid.uuid4().hex[:10]}@example.com"
    res = client.post("/api/v1/auth/signup", json={"email": email, "password": password})
    assert res.status_code == 201, res.text
    return {"Authorization": f"Bearer {res.json()['token']}"}


def wait_for(predicate: Callable[[], Any], timeout: float = 60, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"condition not met within {timeout}s")


def wait_job(
    client: Any, headers: dict[str, str], job_id: str, timeout: float = 60
) -> dict[str, Any]:
    """Poll the job row through the API until it is finished, like a client would."""

    def done() -> dict[str, Any] | None:
        body = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        return body if body["status"] in ("succeeded", "failed", "cancelled") else None

    result: dict[str, Any] = wait_for(done, timeout)
    return result


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    if exitstatus == 0:  # keep worker logs of a failed run for a look
        shutil.rmtree(DATA_DIR, ignore_errors=True)


class Gateway:
    """A real `uvicorn services.gateway.app:app` process on a free port."""

    def __init__(self, env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = DATA_DIR / f"gateway-{self.port}.log"
        cmd = [sys.executable, "-m", "uvicorn", "services.gateway.app:app", "--host",
               "127.0.0.1", "--port", str(self.port), *args]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd, cwd=REPO, env=env or os.environ.copy(), stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for(self._up, timeout=90)  # a loaded machine can take a while to import it all

    def _up(self) -> bool:
        import httpx

        if self.proc.poll() is not None:
            raise RuntimeError(f"gateway exited:\n{self.log.read_text()[-3000:]}")
        try:
            return httpx.get(self.base + "/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def cancel_jobs(client: Any, headers: dict[str, str]) -> int:
    """Cancel every unfinished job of this user, so a test that only needed the API leaves
    no backlog for the worker of a later test module."""
    return cancel_user_jobs(client.get("/api/v1/me", headers=headers).json()["user"]["id"])


def cancel_user_jobs(user_id: int) -> int:
    from shared import jobs
    from shared.db.models import Job
    from shared.db.session import session_scope

    with session_scope() as session:
        active = session.query(Job).filter(Job.user_id == user_id, Job.status.in_(jobs.ACTIVE))
        return len([jobs.cancel(session, job) for job in active])
