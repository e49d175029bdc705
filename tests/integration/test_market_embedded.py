"""Issue 12's "done means" on `make run`'s embedded default (SQLite and the filesystem
broker, through services.launcher over real HTTP), as test_saved_searches, test_tracker and
test_reposts_and_closed check them on Postgres: saved searches by schedule and by hand,
only really new postings flagged, alerts, the Atom feed, the e-mail digest at a local SMTP
server, tracker moves with dates, CSV and zip exports imported back, reposts grouped, and a
tracked posting that closes flagged and announced."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser
import httpx
import pytest

from tests.conftest import free_port, wait_for
from tests.integration import embedded
from tests.integration.smtp import Inbox

API = "/api/v1"
URL = "https://www.linkedin.com/jobs/view/{}/"
A, B, C, CLOSING = "3400550001", "3400550002", "3400550003", "3400550009"
EMAIL = "market@example.com"


@pytest.fixture(scope="module")
def client(linkedin: Any, inbox: Inbox) -> Iterator[httpx.Client]:
    port = free_port()
    env = dict(
        **embedded.linkedin_env(linkedin),
        LIR_SAVED_SEARCH_TICK_SECONDS="1",
        LIR_SAVED_SEARCH_MIN_EVERY_HOURS="0",
        # Postings older than 18 s are re-checked every 2 s (closing is seen quickly).
        LIR_POSTING_MAX_AGE_HOURS="0.005",
        LIR_POSTING_RECHECK_INTERVAL_SECONDS="2",
        LIR_PUBLIC_URL=f"http://127.0.0.1:{port}",
        **inbox.env(),
    )
    linkedin.configure(reposts={B: A, C: A})
    try:
        with (
            embedded.running("lir-embedded-market-", env, port=port) as run,
            httpx.Client(base_url=run.base, timeout=30) as http,
        ):
            yield http
    finally:
        linkedin.configure(reposts={}, closed_ids=[], search_fresh=0)


def signup(client: httpx.Client, email: str) -> dict[str, str]:
    res = client.post(f"{API}/auth/signup", json={"email": email, "password": "pass-word-1"})
    assert res.status_code == 201, res.text
    return {"Authorization": f"Bearer {res.json()['token']}"}


def idle(client: httpx.Client, h: dict[str, str]) -> bool:
    jobs = client.get(f"{API}/jobs?limit=200", headers=h).json()["items"]
    return all(j["status"] in ("succeeded", "failed", "cancelled") for j in jobs)


def aware(iso: str) -> datetime:
    moment = datetime.fromisoformat(iso)
    assert moment.utcoffset() is not None, iso
    return moment


def test_market_endpoints_on_sqlite(client: httpx.Client, linkedin: Any, inbox: Inbox) -> None:
    h = signup(client, EMAIL)
    pid = _saved_search_alerts_feed_and_digest(client, h, linkedin, inbox)
    _tracker_exports_and_import(client, h, pid)
    _reposts_grouped(client, h)
    _tracked_posting_closes(client, h, linkedin)


def _saved_search_alerts_feed_and_digest(
    client: httpx.Client, h: dict[str, str], linkedin: Any, inbox: Inbox
) -> int:
    body = {"keywords": "nurse", "location": "Leeds", "limit": 4, "alert_min_score": 0,
            "email_digest": True}  # fmt: skip
    sid = client.post(f"{API}/saved-searches", json=body, headers=h).json()["id"]

    def ran(after: str | None = None) -> Any:
        job = client.get(f"{API}/saved-searches/{sid}", headers=h).json()["last_job"]
        done = job and job["status"] in ("succeeded", "failed") and job["id"] != after
        return job if done else None

    # By schedule: due at once, beat runs it at bulk priority.
    job = wait_for(ran, timeout=240, every=1)
    assert job["status"] == "succeeded" and job["priority"] == "bulk", job
    first = client.get(f"{API}/saved-searches/{sid}/matches?new=true", headers=h).json()
    assert len(first) == 4 and all(m["is_new"] for m in first)
    assert client.get(f"{API}/saved-searches/{sid}/matches?new=true", headers=h).json() == []

    # Two postings appear on LinkedIn; a run by hand flags exactly those.
    linkedin.configure(search_fresh=2)
    run = client.post(f"{API}/saved-searches/{sid}/run", headers=h)
    assert run.status_code == 202
    hand = wait_for(lambda: ran(after=job["id"]), timeout=240, every=1)
    assert hand["id"] == run.json()["job"]["id"] and hand["result"]["new_matches"] == 2
    new = client.get(f"{API}/saved-searches/{sid}/matches?new=true", headers=h).json()
    assert len(new) == 2 and not {m["posting"]["id"] for m in new} & {
        m["posting"]["id"] for m in first
    }

    # A short schedule: beat runs it again by itself; nothing new appeared meanwhile.
    patched = client.patch(f"{API}/saved-searches/{sid}", json={"every_hours": 0.001}, headers=h)
    assert patched.status_code == 200 and patched.json()["every_hours"] == 0.001
    again = wait_for(lambda: ran(after=hand["id"]), timeout=240, every=1)
    assert again["priority"] == "bulk" and again["result"]["new_matches"] == 0
    client.patch(f"{API}/saved-searches/{sid}", json={"every_hours": 24}, headers=h)
    linkedin.configure(search_fresh=0)

    # Alerts, the Atom feed and the e-mail digests (one per run that found new matches).
    notes = client.get(f"{API}/notifications", headers=h).json()
    assert notes["unread"] == 6 and {n["kind"] for n in notes["items"]} == {"match"}
    feed_url = client.post(f"{API}/feed-token", headers=h).json()["feed_url"]
    parsed = feedparser.parse(client.get(urlsplit(feed_url).path).content)
    assert parsed.bozo == 0 and parsed.version == "atom10" and len(parsed.entries) == 6
    wait_for(lambda: len([m for m in inbox.messages if m["To"] == EMAIL]) >= 2)
    digests = [m for m in inbox.messages if m["To"] == EMAIL]
    assert all("new match" in str(m["Subject"]) for m in digests)
    assert "linkedin.com/jobs/view/" in digests[0].get_content()
    link = str(digests[0]["List-Unsubscribe"]).strip("<>")
    assert link in digests[0].get_content()

    # The rest of the endpoints: list, read, a new feed URL, unsubscribe, delete.
    [listed] = client.get(f"{API}/saved-searches", headers=h).json()
    assert (listed["id"], listed["matches"], listed["new_matches"]) == (sid, 6, 0)
    assert client.post(f"{API}/notifications/read", json={}, headers=h).json()["marked"] == 6
    assert client.get(f"{API}/notifications", headers=h).json()["unread"] == 0
    newer = client.post(f"{API}/feed-token", headers=h).json()["feed_url"]
    assert client.get(urlsplit(feed_url).path).status_code == 404
    assert client.get(urlsplit(newer).path).status_code == 200
    assert "Unsubscribed" in client.post(urlsplit(link).path).text
    assert client.get(f"{API}/saved-searches/{sid}", headers=h).json()["email_digest"] is False
    assert client.delete(f"{API}/saved-searches/{sid}", headers=h).status_code == 204
    assert client.get(f"{API}/saved-searches/{sid}", headers=h).status_code == 404
    return int(first[0]["posting"]["id"])


def _tracker_exports_and_import(client: httpx.Client, h: dict[str, str], pid: int) -> None:
    apps = f"{API}/applications"
    assert client.put(f"{apps}/{pid}", json={"status": "saved"}, headers=h).status_code == 201
    client.put(f"{apps}/{pid}", json={"status": "applied", "note": 'café, "q"'}, headers=h)
    moved = client.put(f"{apps}/{pid}", json={"status": "interviewing"}, headers=h).json()
    assert [s["status"] for s in moved["history"]] == ["saved", "applied", "interviewing"]
    dates = [aware(s["at"]) for s in moved["history"]]
    assert dates == sorted(dates) and aware(moved["changed_at"]) == dates[-1]
    assert aware(moved["applied_at"]) == dates[1]
    listed = client.get(f"{apps}?status=interviewing", headers=h).json()
    assert [a["posting_id"] for a in listed] == [pid]
    recs = client.get(f"{API}/recommendations?limit=200", headers=h).json()["items"]
    assert pid not in {i["posting"]["id"] for i in recs}  # tracked: off the list

    exported = client.get(f"{API}/exports/applications.csv", headers=h).text
    [row] = list(csv.DictReader(io.StringIO(exported)))
    assert row["status"] == "interviewing" and row["note"] == 'café, "q"'
    whole = zipfile.ZipFile(io.BytesIO(client.get(f"{API}/exports/all.zip", headers=h).content))
    from_zip = whole.read("applications.csv")
    assert from_zip.decode() == exported

    # Another account imports the zip's tracker: the card comes back with its history.
    other = signup(client, "market-import@example.com")
    files = {"file": ("applications.csv", from_zip, "text/csv")}
    imported = client.post(f"{API}/imports", files=files, headers=other)
    assert imported.status_code == 202, imported.text
    wait_for(lambda: idle(client, other), timeout=240, every=1)
    [copy] = client.get(apps, headers=other).json()
    assert (copy["status"], copy["note"]) == ("interviewing", 'café, "q"')
    assert [(s["status"], aware(s["at"])) for s in copy["history"]] == [
        (s["status"], aware(s["at"])) for s in moved["history"]
    ]
    assert client.delete(f"{apps}/{pid}", headers=h).status_code == 204


def _reposts_grouped(client: httpx.Client, h: dict[str, str]) -> None:
    rated = client.post(f"{API}/ratings", json={"url": URL.format(A), "rating": 3}, headers=h)
    a_id = rated.json()["posting"]["id"]
    wait_for(lambda: idle(client, h), timeout=240, every=1)
    for job_id in (B, C):
        res = client.post(f"{API}/predictions", json={"url": URL.format(job_id)}, headers=h)
        assert res.status_code == 202, res.text
    wait_for(lambda: idle(client, h), timeout=240, every=1)

    def grouped() -> Any:
        group = client.get(f"{API}/postings/{a_id}/reposts", headers=h).json()
        return group if len(group["members"]) == 3 else None

    group = wait_for(grouped, timeout=60, every=1)
    assert group["group_id"] == a_id
    assert [m["job_id"] for m in group["members"]] == [A, B, C]
    assert [m["your_rating"] for m in group["members"]] == [3, None, None]
    recs = client.get(f"{API}/recommendations?limit=200", headers=h).json()["items"]
    cards = [i for i in recs if i["group_id"] == a_id]
    assert len(cards) == 1 and cards[0]["posting"]["job_id"] in (B, C)
    assert cards[0]["also_posted"] == 2
    assert cards[0]["rating_offer"] == {"posting_id": a_id, "rating": 3}
    ratings = client.get(f"{API}/ratings", headers=h).json()["items"]
    assert [r["posting_id"] for r in ratings] == [a_id]  # offered, not copied


def _tracked_posting_closes(client: httpx.Client, h: dict[str, str], linkedin: Any) -> None:
    res = client.post(
        f"{API}/applications", json={"url": URL.format(CLOSING), "status": "applied"}, headers=h
    )
    assert res.status_code == 201, res.text
    pid = res.json()["posting_id"]
    wait_for(lambda: idle(client, h), timeout=240, every=1)
    linkedin.configure(closed_ids=[CLOSING])

    def flagged() -> Any:
        cards = client.get(f"{API}/applications", headers=h).json()
        return next((c for c in cards if c["posting_id"] == pid and c["closed"]), None)

    assert wait_for(flagged, timeout=180, every=1)["posting"]["is_closed"] is True
    notes = client.get(f"{API}/notifications?unread=true", headers=h).json()["items"]
    assert [(n["kind"], n["posting_id"]) for n in notes] == [("closed", pid)]
    recs = client.get(f"{API}/recommendations?limit=200&include_tracked=true", headers=h)
    assert pid not in {i["posting"]["id"] for i in recs.json()["items"]}
