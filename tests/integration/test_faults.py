"""The fault suite: a whole deployment (gateway, scrape / extract / maintenance workers with
beat) on a PRIVATE PostgreSQL and Redis, so they can be killed and restarted without
touching the machine's shared ones. Each test injects one fault while ratings are in
flight and then requires that nothing is lost: every rating stored, every job finished
(succeeded), none left queued or running. The time from the end of the fault until the
last job finished is recorded in tests/artifacts/fault_figures.json (README: Faults)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import redis

from tests.conftest import DATA_DIR, REPO, Gateway, Worker, require, wait_for
from tests.integration.private import PrivatePostgres, PrivateRedis, migrate

URL = "https://www.linkedin.com/jobs/view/{}/"
FIGURES: dict[str, dict[str, Any]] = {}
REAPED = re.compile(r"jobs\.reap\[[^\]]+\] succeeded in [^:]+: (\{.*\})")
# Five users: the fair dispatcher lets only a few messages per user into Celery at a time.
USERS = 5
SCRAPE_SLOTS = 2  # one scrape worker of concurrency 2 (conftest.Worker)
# The whole deployment starts in this module (and the machine is shared): more than the
# default per-test limit.
pytestmark = pytest.mark.timeout(900)
ARTIFACTS = REPO / "tests" / "artifacts"


@dataclass
class Deployment:
    pg: PrivatePostgres
    broker: PrivateRedis
    env: dict[str, str]
    gateway: Gateway
    api: httpx.Client
    users: list[dict[str, str]]  # Authorization headers of the test's users
    workers: dict[str, Worker] = field(default_factory=dict)
    starts: int = 0
    restarted: int = 0  # workers that exited on their own and were started again
    lock: threading.RLock = field(default_factory=threading.RLock)

    def supervise(self, stop: threading.Event) -> None:
        """What compose's `restart: unless-stopped` does for a deployment: a worker that
        exits on its own (Celery may give up when its broker vanishes) is started again."""
        while not stop.wait(0.5):
            with self.lock:
                for role, worker in list(self.workers.items()):
                    if worker.proc.poll() is not None:
                        self.restarted += 1
                        self.start(role, wait=False)

    def kill(self, role: str) -> None:
        """SIGKILL the role's worker, and start a new one as a supervisor would."""
        with self.lock:
            self.workers[role].kill()
            self.start(role, wait=False)

    def retire(self, role: str) -> None:
        with self.lock:
            worker = self.workers.pop(role)
        worker.stop()

    def start(self, role: str, wait: bool = True) -> Worker:
        """`role` is scrape, scrape2, extract or maintenance (the reaper's, with beat)."""
        queue = {"scrape2": "scrape", "extract": "extract,train"}.get(role, role)
        self.starts += 1
        worker = Worker(
            f"fault-{role}-{self.starts}",
            queues=queue,
            beat=role == "maintenance",
            env=self.env,
            wait=wait,
        )
        self.workers[role] = worker
        return worker

    def logs(self, role: str) -> list[str]:
        """Every log of this role's workers so far, the killed ones included."""
        return [p.read_text() for p in DATA_DIR.glob(f"worker-fault-{role}-*.log")]

    def sql(self, query: str) -> list[tuple[Any, ...]]:
        dsn = self.env["LIR_DATABASE_URL"].replace("+psycopg", "")
        with psycopg.connect(dsn, autocommit=True) as conn:
            return conn.execute(query).fetchall()  # type: ignore[arg-type]

    @property
    def headers(self) -> dict[str, str]:
        return self.users[0]

    def rate(self, job_id: int, rating: int = 2) -> httpx.Response:
        """Rated by one of the users (by job id), so the work of several is in flight."""
        body = {"url": URL.format(job_id), "rating": rating}
        user = self.users[job_id % len(self.users)]
        return self.api.post("/api/v1/ratings", json=body, headers=user)

    def wait_settled(self, timeout: float = 240) -> dict[str, int]:
        """Waits until no job is queued or running; returns the jobs by status."""
        wait_for(lambda: not self.sql("SELECT 1 FROM jobs WHERE status IN ('queued', 'running')"),
                 timeout, every=0.25)  # fmt: skip
        return {status: n for status, n in self.sql("SELECT status, count(*) FROM jobs GROUP BY 1")}


@pytest.fixture(scope="module")
def deployment(linkedin: Any) -> Iterator[Deployment]:
    require("PostgreSQL", 5432)  # only for the binaries' presence on this machine
    pg, broker = PrivatePostgres(), PrivateRedis()
    data_dir = Path(tempfile.mkdtemp(prefix="lir-faults-"))
    env = {
        "LIR_DATABASE_URL": pg.url,
        "LIR_BROKER_URL": broker.url,
        "LIR_REDIS_URL": broker.url,
        "LIR_BROKER_KEY_PREFIX": "",
        "LIR_DATA_DIR": str(data_dir),
        "LIR_LINKEDIN_MIN_INTERVAL_SECONDS": "0",  # no spacing against the local stand-in
        "LIR_LINKEDIN_MAX_RETRY_AFTER_SECONDS": "1",
        "LIR_RETRAIN_EVERY": "100000",  # these tests are about scraping and extraction
        # The rules extraction runs; the optional embedding (torch, seconds per posting on a
        # loaded 2-core machine) is left out to keep the suite within minutes.
        "LIR_EMBEDDINGS_ENABLED": "false",
        # Ten kills may hit one job more than three times; each is a worker death, not a
        # fault of the job, so it keeps being retried.
        "LIR_JOB_MAX_ATTEMPTS": "12",
    }
    migrate(env)
    dep: Deployment | None = None
    stopping = threading.Event()
    gateway = Gateway({**os.environ, **env})
    try:
        api = httpx.Client(base_url=gateway.base, timeout=30)
        users = []
        for n in range(USERS):
            res = api.post(
                "/api/v1/auth/signup",
                json={"email": f"faults-{n}@example.com", "password": "a long password 1"},
            )
            assert res.status_code == 201, res.text
            users.append({"Authorization": f"Bearer {res.json()['token']}"})
        dep = Deployment(pg, broker, env, gateway, api, users)
        for role in ("extract", "maintenance", "scrape"):
            dep.start(role)
        assert dep.rate(3300000000).status_code == 202  # the deployment works end to end
        dep.wait_settled()
        threading.Thread(target=dep.supervise, args=(stopping,), daemon=True).start()
        yield dep
    finally:
        stopping.set()
        if dep is not None:
            with dep.lock:
                for worker in dep.workers.values():
                    worker.stop()
        gateway.stop()
        broker.stop()
        pg.destroy()
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "fault_figures.json").write_text(json.dumps(FIGURES, indent=2) + "\n")
        print("\nfault figures:", json.dumps(FIGURES))


def assert_nothing_lost(
    dep: Deployment, job_ids: list[int], recovered_in: float, name: str
) -> None:
    by_status = dep.wait_settled()
    rows = dep.sql(
        "SELECT p.job_id, p.status, p.extracted_at IS NOT NULL FROM ratings r "
        "JOIN postings p ON p.id = r.posting_id"
    )
    stored = {int(job_id): (status, extracted) for job_id, status, extracted in rows}
    lost = [j for j in job_ids if stored.get(j) != ("fetched", True)]
    stuck = dep.sql("SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')")[0][0]
    FIGURES[name] = {
        "ratings": len(job_ids),
        "ratings_lost": len(lost),
        "jobs_stuck": stuck,
        "jobs_failed": by_status.get("failed", 0),
        "recovered_seconds": round(time.monotonic() - recovered_in, 1),
    }
    assert lost == [], f"ratings whose posting never got fetched and extracted: {lost}"
    assert by_status.get("failed", 0) == 0, dep.sql("SELECT error FROM jobs WHERE status='failed'")
    assert stuck == 0


def in_hand(worker: Worker) -> int:
    """Scrape tasks the worker has received and not finished, from its log."""
    log = worker.log.read_text()
    received = re.findall(r"Task scrape\.posting\[[^\]]+\] received", log)
    finished = re.findall(r"Task scrape\.posting\[[^\]]+\] (?:succeeded|raised|retry)", log)
    return len(received) - len(finished)


def test_sigkill_workers_ten_times_with_fifty_ratings_in_flight(
    deployment: Deployment, linkedin: Any
) -> None:
    dep = deployment
    linkedin.reset()
    linkedin.configure(latency_ms=2000)  # every fetch is in flight for a while
    job_ids = list(range(3300000100, 3300000150))
    for job_id in job_ids:
        assert dep.rate(job_id).status_code == 202
    with dep.lock:
        dep.start("scrape2")  # two scrape workers: one works while the other restarts
    roles = ["scrape", "scrape2", "scrape", "maintenance", "scrape2"] * 2
    for role in roles:
        victim = dep.workers[role]
        victim.wait_ready()
        if role != "maintenance":  # kill it with work in its hands, while there is any
            with contextlib.suppress(AssertionError):
                wait_for(lambda w=victim: in_hand(w) > 0, timeout=15, every=0.1)
        dep.kill(role)
    recovered_from = time.monotonic()
    assert_nothing_lost(dep, job_ids, recovered_from, "sigkill_x10")
    dep.retire("scrape2")  # back to one scrape worker for the next faults
    # What the reaper did about the kills: running jobs retried, taken messages re-sent.
    reaps = [json.loads(m.replace("'", '"')) for log in dep.logs("maintenance")
             for m in REAPED.findall(log)]  # fmt: skip
    recovered = {k: sum(r[k] for r in reaps) for k in ("retried", "resent")}
    FIGURES["sigkill_x10"].update(
        kills=len(roles), running_jobs_retried=recovered["retried"],
        lost_messages_resent=recovered["resent"],
    )  # fmt: skip
    assert recovered["retried"] + recovered["resent"] >= 1  # the kills did hit work in flight


def test_redis_restart_with_jobs_queued(deployment: Deployment, linkedin: Any) -> None:
    dep = deployment
    linkedin.reset()
    dep.retire("scrape")  # nobody consumes scrape: the messages wait in Redis
    restarted = dep.restarted
    job_ids = list(range(3300000200, 3300000215))
    for job_id in job_ids:
        assert dep.rate(job_id).status_code == 202
    r = redis.Redis.from_url(dep.broker.url)
    # Every message released to Celery waits in Redis (the rest wait in the jobs table).
    released = (
        "SELECT count(*) FROM jobs WHERE kind = 'scrape' AND status = 'queued' "
        "AND sent_at IS NOT NULL"
    )
    wait_for(lambda: 0 < r.llen("scrape") == dep.sql(released)[0][0], timeout=30)
    lost = r.llen("scrape")
    dep.broker.stop()  # Redis keeps nothing on disk: every queued message is gone
    dep.broker.start()
    recovered_from = time.monotonic()
    assert redis.Redis.from_url(dep.broker.url).llen("scrape") == 0
    with dep.lock:
        dep.start("scrape", wait=False)
    assert_nothing_lost(dep, job_ids, recovered_from, "redis_restart")
    FIGURES["redis_restart"]["messages_lost_with_redis"] = lost
    FIGURES["redis_restart"]["workers_that_exited_and_were_restarted"] = dep.restarted - restarted
    # Re-sent once each: the list never grew beyond the lost messages.
    assert redis.Redis.from_url(dep.broker.url).llen("scrape") == 0


def test_postgres_restart_while_ratings_are_submitted(
    deployment: Deployment, linkedin: Any
) -> None:
    dep = deployment
    linkedin.reset()
    linkedin.configure(latency_ms=200)
    job_ids = list(range(3300000300, 3300000325))
    answers: list[int] = []

    def client() -> None:
        """Like any client: a 503 with Retry-After is tried again after that long."""
        for job_id in job_ids:
            while True:
                try:
                    res = dep.rate(job_id)
                except httpx.TransportError:
                    answers.append(0)
                    continue
                answers.append(res.status_code)
                if res.status_code != 503:
                    break
                time.sleep(min(float(res.headers["retry-after"]), 1.0))

    thread = threading.Thread(target=client)
    thread.start()
    wait_for(lambda: len(answers) >= 5, timeout=30, every=0.05)
    dep.pg.stop()
    time.sleep(3)  # ratings keep coming in while it is down
    dep.pg.start()
    recovered_from = time.monotonic()
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert set(answers) <= {202, 503}, answers  # never a 500, never a dropped connection
    assert 503 in answers  # the outage was seen, and answered properly
    assert_nothing_lost(dep, job_ids, recovered_from, "postgres_restart")
    FIGURES["postgres_restart"]["answers_503"] = answers.count(503)


def test_persistent_429_pauses_the_deployment_and_says_when(
    deployment: Deployment, linkedin: Any
) -> None:
    dep = deployment
    linkedin.reset()
    linkedin.configure(burst_429=10**6, retry_after=20)
    job_ids = list(range(3300000400, 3300000405))
    postings = []
    for job_id in job_ids:
        res = dep.rate(job_id)
        assert res.status_code == 202
        postings.append(res.json()["posting"]["id"])

    def posting(pid: int) -> dict[str, Any]:
        body: dict[str, Any] = dep.api.get(f"/api/v1/postings/{pid}", headers=dep.headers).json()
        return body

    wait_for(lambda: all(posting(p)["status"] == "rate_limited" for p in postings), 60)
    # Only the requests already on their way when the first 429 came back (one per scrape
    # slot at most): its Retry-After paused every worker for the other postings.
    knocked = linkedin.stats()["by_status"]["429"]
    assert linkedin.stats()["by_status"] == {"429": knocked} and knocked <= SCRAPE_SLOTS
    for pid in postings:
        reason = posting(pid)["status_reason"]
        assert reason.startswith("rate limited: ") and "; will try again at 20" in reason, reason
    messages = dep.sql(
        "SELECT status, message FROM jobs WHERE kind = 'scrape' AND status != 'succeeded'"
    )
    assert len(messages) == len(job_ids)
    assert all(s == "queued" and "will try again at" in m for s, m in messages), messages
    linkedin.configure(burst_429=0)  # LinkedIn lets us in again once the pause is over
    lifted = time.monotonic()
    assert_nothing_lost(dep, job_ids, lifted, "persistent_429")
    assert linkedin.stats()["by_status"]["429"] == knocked  # nobody knocked during the pause
    FIGURES["persistent_429"]["requests_answered_429"] = knocked
