"""The fast lane answers the job poll, a stored prediction and a cached recommendation list
by an API token the process holds, without FastAPI's routing. What it answers is what the
route answers (the same requests over a cookie session take the route), whatever it cannot
answer reaches the app with its body intact, and its answers keep the guards, the security
headers and the route's latency label."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import delete

from services.gateway import pool
from services.gateway.fast_lane import FastLane
from services.gateway.pool import pool_on_this_loop
from tests.conftest import cancel_user_jobs, free_port, signup
from tests.integration.planted import planted_posting

PASSWORD = "correct horse 1"
JOB_ID_BASE = 4_710_000_000


@pytest.fixture
def setup(api: Any) -> Iterator[dict[str, Any]]:
    """A user with a token (the lane) and a cookie session (the route), a job, two planted
    postings only this test's seniority filter lists, and a stored score for the first."""
    from shared.db.models import Posting
    from shared.db.session import session_scope

    tag = f"Lanetest {uuid.uuid4().hex[:8]}"
    email = f"lane-{uuid.uuid4().hex[:8]}@example.com"
    headers = signup(api, email, PASSWORD)
    user_id = api.get("/api/v1/me", headers=headers).json()["user"]["id"]
    first = JOB_ID_BASE + uuid.uuid4().int % 1_000_000 * 10
    with session_scope() as session:
        session.add_all(
            [
                planted_posting(first, tag, f"Lane {tag}"),
                planted_posting(first + 1, tag, f"Lane {tag}"),
            ]
        )
    url = f"https://www.linkedin.com/jobs/view/{first}/"
    computed = api.post("/api/v1/predictions", json={"url": url}, headers=headers)
    assert computed.status_code == 200, computed.text  # scored and stored by the full path
    stored = api.post(
        "/api/v1/ratings",
        json={"url": f"https://www.linkedin.com/jobs/view/{first + 1}/", "rating": 2},
        headers=headers,
    )
    assert stored.status_code == 202 and stored.json()["job"] is None, stored.text
    # A URL not stored yet: its rating queues a scrape, the job the lane's poll reads.
    rated = api.post(
        "/api/v1/ratings",
        json={"url": f"https://www.linkedin.com/jobs/view/{first + 2}/", "rating": 2},
        headers=headers,
    )
    assert rated.status_code == 202, rated.text
    with TestClient(api.app) as browser:
        page = browser.get("/signin").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert csrf
        signin = {"email": email, "password": PASSWORD, "csrf_token": csrf.group(1)}
        assert browser.post("/signin", data=signin, follow_redirects=False).status_code == 303
        found = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/rate").text)
        assert found
        yield {
            "headers": headers,
            "browser": browser,
            "csrf": {"X-CSRF-Token": found.group(1)},
            "url": url,
            "stored_url": f"https://www.linkedin.com/jobs/view/{first + 1}/",
            "job_id": rated.json()["job"]["id"],
            "list": f"/api/v1/recommendations?limit=20&seniority={tag.replace(' ', '%20')}",
        }
    cancel_user_jobs(user_id)
    with session_scope() as session:  # postings are global: later tests count theirs
        session.execute(delete(Posting).where(Posting.seniority == tag))
        session.execute(delete(Posting).where(Posting.job_id == str(first + 2)))


class Inner:
    """What lies behind the lane in the gateway, as a recorder: it answers 599 with the body
    it received, so a test sees whether the lane let a request through and with what."""

    def __init__(self) -> None:
        self.calls: list[bytes] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.calls.append(body)
        await send({"type": "http.response.start", "status": 599, "headers": []})
        await send({"type": "http.response.body", "body": body})


def through_lane(
    method: str, target: str, headers: dict[str, str], body: bytes = b"", gone: bool = False
) -> tuple[int, bytes, Inner]:
    """One request through a FastLane in front of a recorder, on an event loop with the
    reads' pool as the gateway's lifespan opens it (`gone`: a pool whose server is gone)."""
    path, _, query = target.partition("?")
    inner, sent = Inner(), []

    async def run() -> None:
        received = False

        async def receive() -> dict[str, Any]:
            nonlocal received
            if received:
                return {"type": "http.disconnect"}
            received = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "method": method,
            "path": path,
            "query_string": query.encode(),
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        }
        if not gone:
            async with pool_on_this_loop():
                await FastLane(inner)(scope, receive, send)
            return
        dead = AsyncConnectionPool(
            f"postgresql://postgres@127.0.0.1:{free_port()}/none", timeout=0.5, open=False
        )
        await dead.open()
        pool._pools[asyncio.get_running_loop()] = dead
        try:
            await FastLane(inner)(scope, receive, send)
        finally:
            pool._pools.clear()
            await dead.close()

    asyncio.run(run())
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:]), inner


def test_the_lane_answers_exactly_what_the_route_answers(setup: dict[str, Any]) -> None:
    token, browser, csrf = setup["headers"], setup["browser"], setup["csrf"]
    body = json.dumps({"url": setup["url"]}).encode()
    json_post = {**token, "Content-Type": "application/json"}
    assert browser.get(setup["list"]).status_code == 200  # the list is built and cached
    cases = [
        ("GET", f"/api/v1/jobs/{setup['job_id']}", b""),
        ("POST", "/api/v1/predictions", body),
        ("GET", setup["list"], b""),
    ]
    for method, target, payload in cases:
        status, answer, inner = through_lane(method, target, json_post, payload)
        assert (status, inner.calls) == (200, []), (target, status, answer[:300])
        if method == "GET":
            route = browser.get(target)
        else:
            route = browser.post(
                target, content=payload, headers=csrf | {"Content-Type": "application/json"}
            )
        assert route.status_code == 200, route.text
        assert json.loads(answer) == route.json(), target
    # A rating of a stored posting: written by the lane, then rewritten by the route.
    rate = {"url": setup["stored_url"], "rating": 3}
    status, answer, inner = through_lane(
        "POST", "/api/v1/ratings", json_post, json.dumps(rate).encode()
    )
    assert (status, inner.calls) == (202, []), answer[:300]
    route = browser.post("/api/v1/ratings", json=rate | {"rating": 1}, headers=csrf)
    assert route.status_code == 202, route.text
    lane, routed = json.loads(answer), route.json()
    assert lane["job"] is None and routed["job"] is None
    assert (lane["rating"]["rating"], routed["rating"]["rating"]) == (3, 1)
    for key in ("rating", "updated_at"):
        del lane["rating"][key], routed["rating"][key]
    assert lane == routed
    # ... and both agree with what the ORM reads back (the full path's models).
    got = browser.get(f"/api/v1/ratings/{lane['rating']['id']}").json()
    assert got.pop("rating") == 1 and got.pop("updated_at")
    assert got == lane["rating"]
    full = browser.get(f"/api/v1/postings/{lane['posting']['id']}").json()
    assert full.pop("description_text").startswith(lane["posting"].pop("description_snippet"))
    assert full == lane["posting"]
    stored = json.loads(through_lane("POST", "/api/v1/predictions", json_post, body)[1])
    assert stored["posting"]["seniority"].startswith("Lanetest")
    assert stored["prediction"]["predicted"] in (0, 1, 2, 3)


def test_what_the_lane_cannot_answer_reaches_the_app_with_its_body(
    setup: dict[str, Any],
) -> None:
    token = {**setup["headers"], "Content-Type": "application/json"}
    body = json.dumps({"url": setup["url"]}).encode()
    new = json.dumps({"url": "https://www.linkedin.com/jobs/view/4719999999/"}).encode()
    spaced = {"Authorization": setup["headers"]["Authorization"].replace(" ", "  ", 1)}
    through: list[tuple[str, str, dict[str, str], bytes]] = [
        ("POST", "/api/v1/predictions?explain=true", token, body),  # explanations: the route
        ("POST", "/api/v1/predictions", token, new),  # not stored: scraped first
        ("POST", "/api/v1/predictions", token, b'{"url": '),  # the route's 422
        ("POST", "/api/v1/predictions", token, b'{"url": "https://example.com/x"}'),
        ("POST", "/api/v1/predictions", {**token, "Content-Type": "text/plain"}, body),
        ("POST", "/api/v1/ratings", token, new[:-1] + b', "rating": 2}'),  # to scrape first
        ("POST", "/api/v1/ratings", token, body[:-1] + b', "rating": 7}'),  # the route's 422
        ("POST", "/api/v1/ratings", token, body[:-1] + b', "rating": "2"}'),
        ("POST", "/api/v1/ratings?x=1", token, body[:-1] + b', "rating": 2}'),
        ("GET", f"/api/v1/jobs/{uuid.uuid4()}", token, b""),  # the route's 404
        ("GET", "/api/v1/jobs/not-a-uuid", token, b""),
        ("GET", "/api/v1/recommendations?limit=0", token, b""),  # the route's 422
        ("GET", "/api/v1/recommendations?limit=7&seniority=", token, b""),
        ("GET", "/api/v1/recommendations?limit=13", token, b""),  # not built yet
        ("GET", f"/api/v1/jobs/{setup['job_id']}", {"Authorization": "Bearer nope"}, b""),
        ("GET", f"/api/v1/jobs/{setup['job_id']}", spaced, b""),  # HTTPBearer refuses it
        ("GET", f"/api/v1/jobs/{setup['job_id']}", {}, b""),
    ]
    for method, target, headers, payload in through:
        status, answer, inner = through_lane(method, target, headers, payload)
        assert status == 599 and inner.calls == [payload], (target, status, answer[:200])


def test_the_database_gone_gets_the_routes_503_from_the_lane(setup: dict[str, Any]) -> None:
    status, answer, inner = through_lane(
        "GET", f"/api/v1/jobs/{setup['job_id']}", setup["headers"], gone=True
    )
    assert (status, inner.calls) == (503, [])
    detail = "the database is unavailable for a moment; try again shortly"
    assert json.loads(answer) == {"detail": detail}


def test_lane_answers_keep_the_guards_headers_and_latency_label(
    api: Any, setup: dict[str, Any]
) -> None:
    token = setup["headers"]
    poll = api.get(f"/api/v1/jobs/{setup['job_id']}", headers=token)
    assert poll.status_code == 200 and poll.json()["id"] == setup["job_id"]
    assert poll.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in poll.headers["content-security-policy"]
    as_json = {**token, "Content-Type": "application/json"}
    nul = api.post("/api/v1/predictions", content=b'{"url": "a\\u0000b"}', headers=as_json)
    assert nul.status_code == 422 and "NUL bytes" in nul.json()["detail"], nul.text
    huge = api.post("/api/v1/predictions", json={"url": "x" * 3_000_000}, headers=token)
    assert huge.status_code == 413 and "larger than the limit" in huge.json()["detail"]
    metrics = api.get("/metrics").text
    label = 'method="GET",route="/api/v1/jobs/{job_id}",status="200"'
    assert re.search(r"lir_http_request_seconds_count\{" + re.escape(label) + r"\} [1-9]", metrics)
