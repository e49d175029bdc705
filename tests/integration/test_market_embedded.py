"""The tracker, saved searches, alerts, the feed and reposts on `make run`'s embedded
default: SQLite and the filesystem broker, through services.launcher over real HTTP."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import feedparser
import httpx

from tests.conftest import free_port, wait_for
from tests.integration import embedded


def test_market_endpoints_on_sqlite(linkedin: Any) -> None:
    port = free_port()
    env = dict(
        LIR_LINKEDIN_BASE_URL=linkedin.base_url,
        LIR_LINKEDIN_MIN_INTERVAL_SECONDS="0.05",
        LIR_LINKEDIN_JITTER_SECONDS="0",
        LIR_SAVED_SEARCH_TICK_SECONDS="1",
        LIR_SAVED_SEARCH_MIN_EVERY_HOURS="0",
        LIR_PUBLIC_URL=f"http://127.0.0.1:{port}",
    )
    with embedded.running("lir-embedded-market-", env, port=port) as run:
        base = run.base
        with httpx.Client(base_url=base, timeout=30) as client:
            token = client.post(
                "/api/v1/auth/signup",
                json={"email": "market@example.com", "password": "pass-word-1"},
            ).json()["token"]
            h = {"Authorization": f"Bearer {token}"}
            _exercise(client, h)


def _exercise(client: httpx.Client, h: dict[str, str]) -> None:
    api = "/api/v1"
    # Saved search: due at once, beat runs it.
    sid = client.post(
        f"{api}/saved-searches",
        json={"keywords": "nurse", "location": "Leeds", "limit": 4, "alert_min_score": 0},
        headers=h,
    ).json()["id"]

    def ran() -> Any:
        job = client.get(f"{api}/saved-searches/{sid}", headers=h).json()["last_job"]
        return job if job and job["status"] in ("succeeded", "failed") else None

    job = wait_for(ran, timeout=240, every=1)
    assert job["status"] == "succeeded" and job["priority"] == "bulk", job
    matches = client.get(f"{api}/saved-searches/{sid}/matches?new=true", headers=h).json()
    assert len(matches) == 4 and all(m["is_new"] for m in matches)
    run = client.post(f"{api}/saved-searches/{sid}/run", headers=h)
    assert run.status_code == 202
    wait_for(lambda: ran() and ran()["id"] == run.json()["job"]["id"], timeout=240, every=1)
    assert client.get(f"{api}/saved-searches/{sid}/matches?new=true", headers=h).json() == []
    assert (
        client.patch(f"{api}/saved-searches/{sid}", json={"every_hours": 12}, headers=h).json()[
            "every_hours"
        ]
        == 12
    )

    # Alerts and the feed.
    notes = client.get(f"{api}/notifications", headers=h).json()
    assert notes["unread"] == 4
    feed_url = client.post(f"{api}/feed-token", headers=h).json()["feed_url"]
    parsed = feedparser.parse(client.get(urlsplit(feed_url).path).content)
    assert parsed.bozo == 0 and len(parsed.entries) == 4

    # Tracker on a match, its export, and the reposts endpoint.
    pid = matches[0]["posting"]["id"]
    assert (
        client.put(f"{api}/applications/{pid}", json={"status": "saved"}, headers=h).status_code
        == 201
    )
    moved = client.put(f"{api}/applications/{pid}", json={"status": "applied"}, headers=h).json()
    assert [s["status"] for s in moved["history"]] == ["saved", "applied"]
    assert (
        client.get(f"{api}/applications?status=applied", headers=h).json()[0]["posting_id"] == pid
    )
    assert "applied" in client.get(f"{api}/exports/applications.csv", headers=h).text
    recs = client.get(f"{api}/recommendations?limit=200", headers=h).json()["items"]
    assert pid not in {i["posting"]["id"] for i in recs}
    group = client.get(f"{api}/postings/{pid}/reposts", headers=h).json()
    assert [m["posting_id"] for m in group["members"]] == [pid]
    assert client.delete(f"{api}/applications/{pid}", headers=h).status_code == 204
    assert client.delete(f"{api}/saved-searches/{sid}", headers=h).status_code == 204
