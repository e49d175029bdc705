"""`make run`'s embedded default: SQLite and the filesystem broker, no servers at all.
The launcher migrates, starts the gateway and a worker, and a rating goes end to end."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import wait_for
from tests.integration import embedded


def test_embedded_run_rates_end_to_end(linkedin: Any) -> None:
    env = dict(
        **embedded.linkedin_env(linkedin),
        LIR_MIN_RATINGS_FOR_MODEL="4",
        LIR_RETRAIN_EVERY="100",
    )
    with embedded.running("lir-embedded-", env, timeout=60) as run:
        base = run.base
        assert run.db_path.exists()
        with httpx.Client(base_url=base, timeout=10) as client:
            ready = client.get("/readyz").json()
            assert ready == {"status": "ready", "database": "ok", "broker": "ok"}
            res = client.post(
                "/api/v1/auth/signup", json={"email": "solo@example.com", "password": "pass-word-1"}
            )
            headers = {"Authorization": f"Bearer {res.json()['token']}"}
            bodies = [
                client.post(
                    "/api/v1/ratings",
                    json={
                        "url": f"https://www.linkedin.com/jobs/view/{3300100100 + i}/",
                        "rating": i % 4,
                    },
                    headers=headers,
                ).json()
                for i in range(5)
            ]

            def finished(job_id: str) -> Any:
                job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
                return job if job["status"] in ("succeeded", "failed") else None

            job = wait_for(lambda: finished(bodies[0]["job"]["id"]), timeout=60)
            assert job["status"] == "succeeded", job
            posting = client.get(
                f"/api/v1/postings/{bodies[0]['posting']['id']}", headers=headers
            ).json()
            assert posting["status"] == "fetched" and posting["title"]

            # Training and a search write while they report progress: on SQLite's single
            # writer that must not lock the job out.
            wait_for(lambda: _idle(client, headers), timeout=120)
            # Now stored fresh and extracted: rated again with no job (SQLite's full path).
            again = client.post(
                "/api/v1/ratings",
                json={"url": "https://www.linkedin.com/jobs/view/3300100100/", "rating": 3},
                headers=headers,
            )
            assert again.status_code == 202 and again.json()["job"] is None, again.text
            assert again.json()["rating"]["rating"] == 3
            assert again.json()["posting"]["description_snippet"]
            train = client.post("/api/v1/models/train", headers=headers).json()["job"]
            trained = wait_for(lambda: finished(train["id"]), timeout=120)
            assert trained["status"] == "succeeded", trained
            search = client.post(
                "/api/v1/searches",
                json={"keywords": "nurse", "location": "Leeds", "limit": 3},
                headers=headers,
            ).json()["job"]
            searched = wait_for(lambda: finished(search["id"]), timeout=120)
            assert searched["status"] == "succeeded", searched
            assert len(searched["result"]["items"]) == 3

            # The fair dispatcher on SQLite and the filesystem broker: a bulk import's backlog
            # waits in the table while a rating by hand goes ahead, and a bulk cancel ends it.
            rows = "".join(
                f"https://www.linkedin.com/jobs/view/{3300200000 + i}/,1\n" for i in range(60)
            )
            imported = client.post(
                "/api/v1/imports",
                files={"file": ("r.csv", "url,rating\n" + rows, "text/csv")},
                headers=headers,
            ).json()["job"]
            assert imported["priority"] == "bulk"
            assert wait_for(lambda: finished(imported["id"]), timeout=120)["status"] == "succeeded"
            rated = client.post(
                "/api/v1/ratings",
                json={"url": "https://www.linkedin.com/jobs/view/3300299999/", "rating": 3},
                headers=headers,
            ).json()["job"]
            assert wait_for(lambda: finished(rated["id"]), timeout=120)["status"] == "succeeded"
            res = client.post("/api/v1/jobs/cancel", json={"kind": "import"}, headers=headers)
            assert res.status_code == 200, res.text
            jobs = client.get("/api/v1/jobs?limit=200", headers=headers).json()["items"]
            children = [j for j in jobs if j["parent_id"] == imported["id"]]
            assert children and all(j["status"] not in ("queued", "running") for j in children)


def _idle(client: httpx.Client, headers: dict[str, str]) -> bool:
    jobs = client.get("/api/v1/jobs?limit=100", headers=headers).json()["items"]
    return all(j["status"] not in ("queued", "running") for j in jobs)
