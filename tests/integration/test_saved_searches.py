"""Saved searches, alerts and the feed through the real API on Postgres, a worker with
beat (1 s look), the LinkedIn stand-in and a local SMTP server (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest

from tests.conftest import Worker, signup, wait_for, wait_job
from tests.integration.smtp import Inbox

S = "/api/v1/saved-searches"


@pytest.fixture(scope="module")
def stack(database: str, redis_broker: str, linkedin: Any, api: Any, inbox: Inbox) -> Iterator[Any]:
    worker = Worker("market", env=inbox.env())
    yield api
    worker.stop()
    linkedin.configure(search_fresh=0)


def saved(api: Any, headers: dict[str, str], sid: int) -> dict[str, Any]:
    res = api.get(f"{S}/{sid}", headers=headers)
    assert res.status_code == 200, res.text
    body: dict[str, Any] = res.json()
    return body


def finished_run(api: Any, headers: dict[str, str], sid: int, after: str | None = None) -> Any:
    def done() -> Any:
        job = saved(api, headers, sid)["last_job"]
        ok = job and job["status"] in ("succeeded", "failed") and job["id"] != after
        return job if ok else None

    return wait_for(done, timeout=300, every=0.5)  # a fresh worker loads the embedder first


def test_schedule_new_matches_alerts_feed_and_digest(
    stack: Any, linkedin: Any, inbox: Inbox
) -> None:
    api, headers = stack, signup(stack)
    body = {
        "keywords": "backend developer",
        "location": "Lisbon",
        "limit": 6,
        "every_hours": 24,
        "alert_min_score": 0,
        "email_digest": True,
    }
    res = api.post(S, json=body, headers=headers)
    assert res.status_code == 201, res.text
    sid = res.json()["id"]
    assert res.json()["name"] == "backend developer in Lisbon"

    # Beat runs it: it was due on creation. At bulk priority.
    first = finished_run(api, headers, sid)
    assert first["status"] == "succeeded", first
    assert first["priority"] == "bulk" and first["result"]["new_matches"] == 6
    state = saved(api, headers, sid)
    assert (state["matches"], state["new_matches"]) == (6, 6)
    assert datetime.fromisoformat(state["next_run_at"]) > datetime.fromisoformat(
        state["last_run_at"]
    )

    listed = api.get(f"{S}/{sid}/matches", headers=headers).json()
    assert len(listed) == 6 and all(m["is_new"] for m in listed)
    scores = [m["prediction"]["expected_score"] for m in listed]
    assert scores == sorted(scores, reverse=True)
    assert datetime.fromisoformat(listed[0]["first_seen_at"]).utcoffset() is not None
    assert not any(m["is_new"] for m in api.get(f"{S}/{sid}/matches", headers=headers).json())
    assert saved(api, headers, sid)["new_matches"] == 0

    # Two postings appear on LinkedIn; a run by hand flags exactly those.
    linkedin.configure(search_fresh=2)
    run = api.post(f"{S}/{sid}/run", headers=headers)
    assert run.status_code == 202
    second = wait_job(api, headers, run.json()["job"]["id"], timeout=120)
    assert second["status"] == "succeeded" and second["priority"] == "interactive", second
    assert second["result"]["new_matches"] == 2
    new = api.get(f"{S}/{sid}/matches?new=true", headers=headers).json()
    old_ids = {m["posting"]["id"] for m in listed}
    assert len(new) == 2 and all(m["is_new"] for m in new)
    assert not {m["posting"]["id"] for m in new} & old_ids
    assert api.get(f"{S}/{sid}/matches?new=true", headers=headers).json() == []

    # Alerts: a notification for each new match at or above alert_min_score (0: all 8).
    notes = api.get("/api/v1/notifications", headers=headers).json()
    assert notes["unread"] == 8 and len(notes["items"]) == 8
    assert {n["posting_id"] for n in notes["items"]} == old_ids | {m["posting"]["id"] for m in new}
    assert datetime.fromisoformat(notes["items"][0]["created_at"]).utcoffset() is not None

    # A higher bar: the next new posting notifies only if predicted that high.
    assert (
        api.patch(f"{S}/{sid}", json={"alert_min_score": 2.5}, headers=headers).status_code == 200
    )
    linkedin.configure(search_fresh=3)
    third = api.post(f"{S}/{sid}/run", headers=headers).json()["job"]
    third = wait_job(api, headers, third["id"], timeout=120)
    latest = api.get(f"{S}/{sid}/matches?new=true", headers=headers).json()
    assert len(latest) == third["result"]["new_matches"] == 1
    high = int(latest[0]["prediction"]["expected_score"] >= 2.5)
    assert third["result"]["notified"] == high
    assert api.get("/api/v1/notifications", headers=headers).json()["unread"] == 8 + high

    # The private feed parses as Atom; regenerating it kills the old URL.
    url = api.post("/api/v1/feed-token", headers=headers).json()["feed_url"]
    path = urlsplit(url).path
    feed = api.get(path)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith(
        "application/atom+xml"
    )
    parsed = feedparser.parse(feed.content)
    assert parsed.bozo == 0 and parsed.version == "atom10"
    assert len(parsed.entries) == 8 + high
    assert all("linkedin.com/jobs/view/" in e.link for e in parsed.entries)
    newer = urlsplit(api.post("/api/v1/feed-token", headers=headers).json()["feed_url"]).path
    assert api.get(path).status_code == 404 and api.get(newer).status_code == 200

    # Read them: the badge count drops.
    assert api.post("/api/v1/notifications/read", json={}, headers=headers).json()["marked"] > 0
    assert api.get("/api/v1/notifications", headers=headers).json()["unread"] == 0

    # The e-mail digests (one per run with alerts) reached the SMTP server.
    me = api.get("/api/v1/me", headers=headers).json()["user"]["email"]
    mine = [m for m in inbox.messages if m["To"] == me]
    assert len(mine) >= 2
    text = mine[0].get_content()
    assert "new match" in str(mine[0]["Subject"]) and "linkedin.com/jobs/view/" in text
    link = str(mine[0]["List-Unsubscribe"]).strip("<>")
    assert link in text
    unsub = urlsplit(link).path
    assert "Stop the e-mails?" in api.get(unsub).text
    assert "Unsubscribed" in api.post(unsub).text
    assert saved(api, headers, sid)["email_digest"] is False
    assert api.get(unsub[:-3] + "xyz").status_code == 404


def test_runs_by_schedule_repeatedly(stack: Any) -> None:
    api, headers = stack, signup(stack)
    res = api.post(
        S,
        json={"keywords": "nurse", "location": "Leeds", "limit": 3, "every_hours": 0.001},
        headers=headers,
    )
    sid = res.json()["id"]
    first = finished_run(api, headers, sid)
    second = finished_run(api, headers, sid, after=first["id"])  # 3.6 s later, by beat
    assert first["status"] == second["status"] == "succeeded"
    assert second["priority"] == "bulk"
    assert second["result"]["new_matches"] == 0  # nothing new appeared meanwhile


def test_bad_input_and_other_users(stack: Any) -> None:
    api, headers = stack, signup(stack)
    for body, field in (
        ({"location": "Paris"}, "keywords"),
        ({"keywords": "x", "every_hours": 0}, "every_hours"),
        ({"keywords": "x", "alert_min_score": 5}, "alert_min_score"),
        ({"keywords": "x", "filters": {"experience": [9]}}, "experience"),
    ):
        res = api.post(S, json=body, headers=headers)
        assert res.status_code == 422 and field in res.json()["detail"], (body, res.text)
    sid = api.post(S, json={"keywords": "welder", "every_hours": 100}, headers=headers).json()["id"]
    run1 = api.post(f"{S}/{sid}/run", headers=headers).json()["job"]
    run2 = api.post(f"{S}/{sid}/run", headers=headers).json()["job"]
    assert run2["id"] == run1["id"]  # a run under way is returned, not doubled
    changed = api.patch(f"{S}/{sid}", json={"keywords": "electrician", "limit": 4}, headers=headers)
    assert changed.status_code == 200 and changed.json()["keywords"] == "electrician"
    assert changed.json()["limit"] == 4
    assert api.patch(f"{S}/{sid}", json={"limit": 0}, headers=headers).status_code == 422
    kept_by_the_search = ("keywords", "location", "filters")
    for field in ("name", "limit", "every_hours", "email_digest", *kept_by_the_search):
        res = api.patch(f"{S}/{sid}", json={field: None}, headers=headers)
        assert res.status_code == 422 and field in str(res.json()["detail"]), res.text
    kept = api.get(f"{S}/{sid}", headers=headers).json()
    assert (kept["limit"], kept["email_digest"]) == (4, False)

    other = signup(api)
    for method, path in (
        ("GET", f"{S}/{sid}"),
        ("PATCH", f"{S}/{sid}"),
        ("DELETE", f"{S}/{sid}"),
        ("POST", f"{S}/{sid}/run"),
        ("GET", f"{S}/{sid}/matches"),
    ):
        res = api.request(method, path, json={} if method == "PATCH" else None, headers=other)
        assert res.status_code == 404, (method, path, res.text)
    assert api.get(S, headers=other).json() == []
    assert api.get("/feeds/not-a-token.atom").status_code == 404
    assert api.delete(f"{S}/{sid}", headers=headers).status_code == 204
    assert api.get(f"{S}/{sid}", headers=headers).status_code == 404
