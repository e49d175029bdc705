"""The platform end to end: gateway -> Redis -> Celery worker -> LinkedIn stand-in -> Postgres,
polled through the API."""

from __future__ import annotations

import os
import threading
import uuid
from typing import Any

import pytest

from tests.conftest import Worker, signup, wait_job

URL = "https://www.linkedin.com/jobs/view/{}/"


@pytest.fixture(scope="module")
def running(worker: Worker, linkedin: Any, api: Any) -> Any:
    return api


def test_signup_and_token_errors(api: Any) -> None:
    headers = signup(api, "Ann@Example.com", "a good password")
    assert api.get("/api/v1/ratings", headers=headers).status_code == 200
    again = api.post(
        "/api/v1/auth/signup", json={"email": "ann@example.COM", "password": "another good one"}
    )
    assert again.status_code == 409
    assert "already exists" in again.json()["detail"]
    ok = api.post(
        "/api/v1/auth/token", json={"email": "ANN@example.com", "password": "a good password"}
    )
    assert ok.status_code == 200 and ok.json()["token"].startswith("lir_")
    bad = api.post("/api/v1/auth/token", json={"email": "ann@example.com", "password": "nope-nope"})
    assert bad.status_code == 401
    assert bad.json()["detail"] == "wrong email or password"
    assert api.get("/api/v1/ratings").status_code == 401
    wrong = api.get("/api/v1/ratings", headers={"Authorization": "Bearer lir_forged"})
    assert wrong.status_code == 401
    assert wrong.json()["detail"] == "invalid, revoked or expired API token"
    short = api.post("/api/v1/auth/signup", json={"email": "b@example.com", "password": "short"})
    assert short.status_code == 422 and "at least 10" in short.json()["detail"]


def test_password_guessing_is_throttled_per_account(api: Any) -> None:
    email = f"guess-{uuid.uuid4().hex[:8]}@example.com"
    signup(api, email, "the right password")
    for _ in range(10):
        res = api.post("/api/v1/auth/token", json={"email": email, "password": "a wrong guess"})
        assert res.status_code == 401
    blocked = api.post(
        "/api/v1/auth/token", json={"email": email, "password": "the right password"}
    )
    assert blocked.status_code == 429
    assert blocked.json()["detail"].startswith("too many failed sign-ins for this account")
    assert 1 <= int(blocked.headers["Retry-After"]) <= 61
    other = signup(api)
    assert api.get("/api/v1/ratings", headers=other).status_code == 200


def test_tokens_are_listed_and_revoked(api: Any) -> None:
    headers = signup(api)
    made = api.post("/api/v1/auth/tokens", json={"name": "laptop"}, headers=headers)
    assert made.status_code == 201
    laptop = {"Authorization": f"Bearer {made.json()['token']}"}
    assert api.get("/api/v1/ratings", headers=laptop).status_code == 200
    tokens = api.get("/api/v1/auth/tokens", headers=headers).json()
    assert [t["name"] for t in tokens] == ["signup", "laptop"]
    assert tokens[1]["last_used_at"] is not None
    assert api.delete(f"/api/v1/auth/tokens/{tokens[1]['id']}", headers=headers).status_code == 204
    assert api.get("/api/v1/ratings", headers=laptop).status_code == 401
    assert api.get("/api/v1/ratings", headers=headers).status_code == 200
    other = signup(api)
    assert api.delete(f"/api/v1/auth/tokens/{tokens[0]['id']}", headers=other).status_code == 404


def test_bad_input_gets_clear_4xx(api: Any) -> None:
    headers = signup(api)
    post = lambda body: api.post("/api/v1/ratings", json=body, headers=headers)  # noqa: E731
    not_li = post({"url": "https://example.com/jobs/view/123", "rating": 2})
    assert not_li.status_code == 422
    assert "not a LinkedIn job URL" in not_li.json()["detail"]
    five = post({"url": URL.format(4001), "rating": 5})
    assert five.status_code == 422
    assert five.json()["detail"] == "rating: rating must be 0, 1, 2 or 3"
    missing = post({"rating": 1})
    assert missing.status_code == 422 and missing.json()["detail"] == "url: field required"
    assert api.get("/api/v1/ratings", headers=headers).json()["total"] == 0


def test_two_users_rate_at_once_and_shared_posting_is_fetched_once(
    running: Any, linkedin: Any
) -> None:
    api = running
    linkedin.reset()
    users = [signup(api), signup(api)]
    shared_id, own = 3100200300, {0: [3100200301, 3100200302], 1: [3100200303, 3100200304]}
    submitted: dict[int, list[dict[str, Any]]] = {0: [], 1: []}

    def rate(i: int) -> None:
        for job_id in [shared_id, *own[i]]:
            res = api.post(
                "/api/v1/ratings",
                json={"url": URL.format(job_id), "rating": 2 + i % 2},
                headers=users[i],
            )
            assert res.status_code == 202, res.text
            submitted[i].append(res.json())

    threads = [threading.Thread(target=rate, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in (0, 1):
        for body in submitted[i]:
            assert body["job"]["status"] == "queued"
            job = wait_job(api, users[i], body["job"]["id"])
            assert job["status"] == "succeeded", job
    shared_postings = {submitted[i][0]["posting"]["id"] for i in (0, 1)}
    assert len(shared_postings) == 1
    posting = api.get(f"/api/v1/postings/{shared_postings.pop()}", headers=users[0]).json()
    assert posting["status"] == "fetched" and posting["title"] and posting["company"]
    assert linkedin.stats()["by_job_id"][str(shared_id)] == 1
    listed = api.get("/api/v1/ratings", headers=users[1]).json()
    assert listed["total"] == 3
    assert all(item["title"] and item["company"] for item in listed["items"])


def test_rating_again_updates_instead_of_duplicating(running: Any) -> None:
    api, headers = running, signup(running)
    first = api.post(
        "/api/v1/ratings", json={"url": URL.format(3100200400), "rating": 1}, headers=headers
    )
    second = api.post(
        "/api/v1/ratings",
        json={
            "url": "https://ch.linkedin.com/jobs/view/senior-dev-at-acme-3100200400?refId=x",
            "rating": 3,
        },
        headers=headers,
    )
    assert first.json()["rating"]["id"] == second.json()["rating"]["id"]
    listed = api.get("/api/v1/ratings", headers=headers).json()
    assert listed["total"] == 1 and listed["items"][0]["rating"] == 3
    rid = first.json()["rating"]["id"]
    patched = api.patch(f"/api/v1/ratings/{rid}", json={"rating": 0}, headers=headers)
    assert patched.status_code == 200 and patched.json()["rating"] == 0
    assert (
        api.patch(f"/api/v1/ratings/{rid}", json={"rating": 9}, headers=headers).status_code == 422
    )
    assert api.delete(f"/api/v1/ratings/{rid}", headers=headers).status_code == 204
    assert api.get(f"/api/v1/ratings/{rid}", headers=headers).status_code == 404


def test_users_cannot_touch_each_others_data(running: Any) -> None:
    api, alice, bob = running, signup(running), signup(running)
    body = api.post(
        "/api/v1/ratings", json={"url": URL.format(3100200500), "rating": 2}, headers=alice
    ).json()
    rid, jid = body["rating"]["id"], body["job"]["id"]
    nobody_rating, nobody_job = 999_999_999, "00000000-0000-0000-0000-000000000000"
    for method, path, payload in [
        ("get", "/api/v1/ratings/{r}", None),
        ("patch", "/api/v1/ratings/{r}", {"rating": 0}),
        ("delete", "/api/v1/ratings/{r}", None),
        ("get", "/api/v1/jobs/{j}", None),
        ("post", "/api/v1/jobs/{j}/cancel", None),
    ]:
        res = api.request(method, path.format(r=rid, j=jid), json=payload, headers=bob)
        assert res.status_code == 404, (method, path)
        # Someone else's object answers exactly like one that does not exist.
        missing = api.request(
            method, path.format(r=nobody_rating, j=nobody_job), json=payload, headers=bob
        )
        assert missing.status_code == 404 and missing.json() == res.json()
    assert api.get("/api/v1/jobs", headers=bob).json()["total"] == 0
    assert api.get(f"/api/v1/ratings/{rid}", headers=alice).json()["rating"] == 2


@pytest.mark.parametrize(
    ("knob", "status", "reason_part"),
    [("not_found_ids", "failed", "404"), ("authwall_ids", "blocked", "sign-in")],
)
def test_failed_scrape_keeps_the_rating_and_says_why(
    running: Any, linkedin: Any, knob: str, status: str, reason_part: str
) -> None:
    api, headers = running, signup(running)
    job_id = 3100200600 if knob == "not_found_ids" else 3100200601
    linkedin.configure(**{knob: [str(job_id)]})
    body = api.post(
        "/api/v1/ratings", json={"url": URL.format(job_id), "rating": 3}, headers=headers
    ).json()
    job = wait_job(api, headers, body["job"]["id"])
    assert job["status"] == "failed"
    posting = api.get(f"/api/v1/postings/{body['posting']['id']}", headers=headers).json()
    assert posting["status"] == status
    assert reason_part in posting["status_reason"].lower()
    assert reason_part in job["error"].lower()
    assert posting["title"] is None
    rating = api.get(f"/api/v1/ratings/{body['rating']['id']}", headers=headers).json()
    assert rating["rating"] == 3


def test_health_and_readiness(api: Any) -> None:
    assert api.get("/healthz").json() == {"status": "ok"}
    ready = api.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": "ok", "broker": "ok"}


def test_openapi_lists_the_api(api: Any) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/auth/signup", "/api/v1/ratings", "/api/v1/jobs/{job_id}"):
        assert path in paths


def test_metrics_show_jobs_and_request_latency(running: Any) -> None:
    api, headers = running, signup(running)
    job = api.post(
        "/api/v1/ratings", json={"url": URL.format(3100200800), "rating": 2}, headers=headers
    ).json()
    api.get("/api/v1/ratings", headers=headers)
    api.get(f"/api/v1/jobs/{job['job']['id']}", headers=headers)
    text = api.get("/metrics").text
    assert 'lir_jobs{kind="scrape",status=' in text
    assert (
        'lir_http_request_seconds_count{method="GET",route="/api/v1/ratings",status="200"}' in text
    )
    # Each gateway process answers from its own registry, named by its pid, with its CPU,
    # memory and collector's passes (a full one stops the process's event loop).
    assert f'lir_gateway_process_info{{pid="{os.getpid()}"}} 1.0' in text
    assert "process_start_time_seconds " in text
    assert 'python_gc_collections_total{generation="2"} ' in text
