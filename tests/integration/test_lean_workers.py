"""A scrape worker that has run whole searches, a search by hand and a saved search's run,
stays lean: the ranking (pandas, scipy, scikit-learn and the user's model) runs on the
extract queue, whose processes have that stack already. Real workers as `make run` starts
them (the scrape one on the launcher's threads), the real gateway's API, Redis, Postgres and
the LinkedIn stand-in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.launcher import SCRAPE_POOL
from tests.conftest import Worker, signup, wait_for, wait_job

SCORING_STACK = ("sklearn", "pandas", "scipy", "torch")
TARGET_MB = 200  # issue 15: a scrape worker process at most this RSS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


@pytest.fixture(scope="module")
def lean(
    database: str, redis_broker: str, linkedin: Any, api: Any, tmp_path_factory: Any
) -> Iterator[tuple[Worker, Path]]:
    modules = tmp_path_factory.mktemp("lean") / "scrape-modules.json"
    patient = {"LIR_JOB_HEARTBEAT_TIMEOUT_SECONDS": "120"}  # a first embedding on a busy box
    scrape = Worker(
        "lean-scrape",
        queues="scrape",
        beat=False,
        env={**patient, "LIR_TEST_MODULES_OUT": str(modules)},
        args=SCRAPE_POOL,
        main="tests.integration.modules_at_exit",
    )
    rest = Worker("lean-rest", queues="extract,train,maintenance", env=patient)
    yield scrape, modules
    scrape.stop()
    rest.stop()


def test_a_scrape_worker_that_ran_searches_never_loads_the_scoring_stack(
    lean: tuple[Worker, Path], api: Any
) -> None:
    scrape, modules = lean
    headers = signup(api)
    search = {"keywords": "lean ranker", "limit": 6}
    res = api.post("/api/v1/searches", json=search, headers=headers)
    assert res.status_code == 202, res.text
    done = wait_job(api, headers, res.json()["job"]["id"], timeout=600)
    assert done["status"] == "succeeded", done
    items = done["result"]["items"]
    assert done["result"]["new_postings"] == 6 and len(items) == 6
    scores = [it["expected_score"] for it in items]
    assert scores == sorted(scores, reverse=True)  # still ranked, with the reasons
    assert all("reasons" in it and it["score_text"] for it in items)

    saved = api.post(
        "/api/v1/saved-searches",
        json={"keywords": "lean saved ranker", "limit": 4, "alert_min_score": 0},
        headers=headers,
    )
    assert saved.status_code == 201, saved.text
    sid = saved.json()["id"]

    def run_finished() -> Any:
        job = api.get(f"/api/v1/saved-searches/{sid}", headers=headers).json()["last_job"]
        return job if job and job["status"] in ("succeeded", "failed", "cancelled") else None

    run = wait_for(run_finished, timeout=600, every=0.5)  # beat starts it (1 s look)
    assert run["status"] == "succeeded", run
    assert run["result"]["matches"] == 4 and run["result"]["new_matches"] == 4
    found = api.get(f"/api/v1/saved-searches/{sid}/matches", headers=headers).json()
    assert len(found) == 4
    # Each ranked in a child job of its own, which the extract worker ran.
    jobs = api.get("/api/v1/jobs", params={"limit": 200}, headers=headers).json()["items"]
    ranks = [j for j in jobs if j["kind"] == "rank"]
    assert {j["parent_id"] for j in ranks} == {done["id"], run["id"]}
    assert all(j["status"] == "succeeded" for j in ranks)

    rss = rss_mb(scrape.proc.pid)  # threads: the tasks ran in this very process
    print(f"scrape worker RSS after a search and a saved search's run: {rss:.1f} MB")
    scrape.stop()  # it writes its sys.modules on the way out
    loaded = set(json.loads(modules.read_text()))
    assert "shared" in loaded and "celery" in loaded  # the file is the worker's
    assert not loaded & set(SCORING_STACK), sorted(loaded & set(SCORING_STACK))
    assert rss <= TARGET_MB
