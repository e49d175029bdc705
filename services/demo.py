"""`make demo`: an offline, seeded LIRecommend on the embedded SQLite database.

Starts the LinkedIn stand-in, points the app at it, migrates, starts the gateway and a
worker (the launcher's commands), seeds `demo@example.com` with a few dozen ratings and a
trained model through the REST API (the same path a user takes), and prints the URL.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
EMAIL = "demo@example.com"
PASSWORD = "demo-password"
TERMINAL = {"succeeded", "failed", "cancelled"}

# The demo persona: a data engineer. Ratings follow what the posting shows (its field, its
# seniority, remote or on-site when it says so, its pay in US-dollar equivalents) with a
# little noise, so a model can learn them and the Model page shows one that did. The mix
# is what such a person searches for: mostly data and software, some product, a few others.
PERSONA_MIX = {"data": 10, "software": 10, "product": 6, "marketing": 5, "sales": 5}
N_RATINGS = sum(PERSONA_MIX.values())
FIELD_TASTE = {"data": 2.0, "software": 1.5, "product": 0.5}
SENIORITY_TASTE = {
    "Internship": -1.5,
    "Entry level": -0.75,
    "Mid-Senior level": 0.5,
    "Director": 0.5,
    "Executive": 0.5,
}
FIRST_ID = 4_100_000_000


def persona_ids() -> list[int]:
    """The postings the persona rates: the first ones of each field from FIRST_ID (the
    stand-in derives a posting's field from its id, see sandbox.generator)."""
    from services.sandbox.generator import FIELDS, field_index_for

    wanted, ids, job_id = dict(PERSONA_MIX), [], FIRST_ID
    while any(wanted.values()):
        field = FIELDS[field_index_for(job_id)].name
        if wanted.get(field):
            wanted[field] -= 1
            ids.append(job_id)
        job_id += 1
    return ids


def taste(job_id: int) -> int:
    """The persona's rating of the stand-in's posting `job_id`."""
    from services.sandbox.generator import generate

    posting = generate(job_id)
    score = FIELD_TASTE.get(posting.field, 0.0) + SENIORITY_TASTE.get(posting.seniority, 0.0)
    shown = f"{posting.title} {posting.location}"  # the workplace counts only when shown
    score += 0.75 if "(Remote)" in shown else (-0.5 if "(On-site)" in shown else 0.0)
    if (pay := posting.pay_usd_year) is not None:
        score += 0.5 if pay >= 120_000 else (-0.5 if pay < 50_000 else 0.0)
    score += random.Random(job_id * 31 + 7).uniform(-0.5, 0.5)  # a person is not a formula
    return max(0, min(3, round(score)))


def demo_env(data_dir: Path, linkedin_base: str) -> dict[str, str]:
    env = os.environ.copy()
    env.update(
        LIR_DATA_DIR=str(data_dir),
        # Empty means embedded SQLite + filesystem broker, even if a .env names servers.
        LIR_DATABASE_URL="",
        LIR_BROKER_URL="",
        LIR_REDIS_URL="",
        LIR_LINKEDIN_BASE_URL=linkedin_base,
        LIR_LINKEDIN_MIN_INTERVAL_SECONDS="0.1",
        LIR_LINKEDIN_JITTER_SECONDS="0",
        # Seeding trains once at the end; auto-retraining every few ratings would queue
        # several ~30s trainings ahead of the scrapes and slow the start-up.
        LIR_RETRAIN_EVERY=os.environ.get("LIR_RETRAIN_EVERY", str(N_RATINGS + 4)),
    )
    return env


def wait_job(client: httpx.Client, job_id: str, timeout: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            res = client.get(f"/api/v1/jobs/{job_id}")
        except httpx.TransportError:  # a busy embedded database can stall a request; ask again
            continue
        if res.status_code == 200 and (job := res.json())["status"] in TERMINAL:
            return dict(job)
        time.sleep(0.3)
    raise TimeoutError(f"job {job_id} did not finish in {timeout}s")


def wait_up(client: httpx.Client, procs: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            raise RuntimeError("the gateway or the worker exited during start-up")
        try:
            if client.get("/healthz").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError("the gateway did not come up within 60s")


def _jobs(client: httpx.Client) -> list[dict[str, Any]]:
    while True:
        try:
            return list(client.get("/api/v1/jobs?limit=200").json()["items"])
        except httpx.TransportError:  # a busy embedded database can stall a request; ask again
            continue


def wait_read(client: httpx.Client, posting_ids: list[int], timeout: float = 300) -> int:
    """Wait until none of the user's jobs is queued or running (scrapes, then extractions),
    so training sees every seeded posting read; returns how many were extracted."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reading = [j for j in _jobs(client) if j["kind"] in ("scrape", "extract")]
        if all(j["status"] in TERMINAL for j in reading):
            postings = [client.get(f"/api/v1/postings/{i}").json() for i in posting_ids]
            return sum(p.get("extraction_source") is not None for p in postings)
        time.sleep(0.5)
    raise TimeoutError(f"seeded postings were not all read within {timeout}s")


def seed(client: httpx.Client, email: str = EMAIL) -> dict[str, Any]:
    """Rate the persona's postings, wait until all are read, train once, search once.
    Returns the training job (or {} when the data was already there)."""
    res = client.post("/api/v1/auth/signup", json={"email": email, "password": PASSWORD})
    if res.status_code == 409:  # seeded by an earlier run under the same data dir
        res = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    res.raise_for_status()
    client.headers["Authorization"] = f"Bearer {res.json()['token']}"
    if client.get("/api/v1/ratings?limit=1").json()["total"] >= N_RATINGS:
        print("demo data already present", flush=True)
        return {}
    started = time.monotonic()
    print(f"seeding {N_RATINGS} ratings…", flush=True)
    posting_ids = []
    for job_id in persona_ids():
        url = f"https://www.linkedin.com/jobs/view/{job_id}/"
        body = client.post("/api/v1/ratings", json={"url": url, "rating": taste(job_id)})
        body.raise_for_status()
        posting_ids.append(body.json()["posting"]["id"])
    read = wait_read(client, posting_ids)
    print(f"read {read}/{N_RATINGS} postings in {time.monotonic() - started:.0f} s", flush=True)
    # The last extraction queues the one training, on all of the ratings; ask for it only
    # when it did not (asking while it runs would queue a second one).
    training = next((j for j in _jobs(client) if j["kind"] == "train"), None)
    if training is None:
        res = client.post("/api/v1/models/train")
        if res.status_code != 202:
            print(f"training not started: {res.text}", flush=True)
            return {}
        training = res.json()["job"]
    job = wait_job(client, training["id"], timeout=300)
    print(f"training {job['status']}: {job.get('message') or job.get('error')}", flush=True)
    if verdict := (job.get("result") or {}).get("verdict"):
        print(f"  {verdict}", flush=True)
    # A search stores unrated postings, so Recommend has a ranked list from the start.
    res = client.post("/api/v1/searches", json={"keywords": "software engineer", "location": "",
                                                "filters": {}, "limit": 25})  # fmt: skip
    res.raise_for_status()
    found = wait_job(client, res.json()["job"]["id"])
    print(
        f"search {found['status']}: {(found.get('result') or {}).get('total', 0)} found", flush=True
    )
    print(f"seeded in {time.monotonic() - started:.0f} s", flush=True)
    return job


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("LIR_PORT", "8000")))
    parser.add_argument("--data-dir", default=os.environ.get("LIR_DATA_DIR", "var/demo"))
    args = parser.parse_args()
    data_dir = Path(args.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)

    from services.launcher import Supervisor, commands
    from services.sandbox.server import SandboxServer

    sandbox = SandboxServer().start()
    env = demo_env(data_dir, sandbox.base_url)
    subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "infra/alembic.ini", "upgrade", "head"],
        cwd=REPO, env=env, check=True,
    )  # fmt: skip
    children = Supervisor(commands(args.port, 2), env)
    base = f"http://127.0.0.1:{args.port}"
    try:
        try:
            with httpx.Client(base_url=base, timeout=60) as client:
                wait_up(client, children.procs)
                seed(client)
        except Exception as exc:  # keep serving: the pages work without the seed data too
            print(f"\nseeding did not finish ({exc!r}); the app is up anyway", flush=True)
        print(
            f"\nLIRecommend demo: {base}/  sign in as {EMAIL} / password: {PASSWORD}\n"
            f"(LinkedIn stand-in at {sandbox.base_url}; data in {data_dir}; Ctrl-C stops)\n",
            flush=True,
        )
        children.run_until_signal()
    finally:
        children.stop()
        sandbox.stop()


if __name__ == "__main__":
    main()
