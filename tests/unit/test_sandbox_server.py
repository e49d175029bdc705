"""The stand-in over real HTTP: routes, knobs set over the admin API, counters."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from services.sandbox.server import SandboxServer
from shared.linkedin import classify_page, parse_posting, parse_search


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(closed_ids=["4200000002"]) as sb:
        yield sb


@pytest.fixture
def http(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=sandbox.base_url, timeout=5, headers={"User-Agent": "test-agent"}
    ) as client:
        yield client


def test_posting_routes_serve_the_same_posting(http: httpx.Client) -> None:
    fragment = http.get("/jobs-guest/jobs/api/jobPosting/4200000001")
    view = http.get("/jobs/view/4200000001/")
    slug = http.get("/jobs/view/some-title-at-some-company-4200000001?refId=x")
    assert (fragment.status_code, view.status_code, slug.status_code) == (200, 200, 200)
    assert view.text == slug.text
    a, b = parse_posting(fragment.text), parse_posting(view.text)
    assert a.job_id == b.job_id == "4200000001"
    assert (a.title, a.company, a.salary) == (b.title, b.company, b.salary)
    assert "<html" not in fragment.text and "<html" in view.text


def test_closed_knob_from_constructor(http: httpx.Client) -> None:
    page = http.get("/jobs-guest/jobs/api/jobPosting/4200000002")
    assert classify_page(page.status_code, str(page.url), page.text).kind == "closed"


def test_search_pages(http: httpx.Client) -> None:
    params = {"keywords": "accountant", "location": "London", "start": "0"}
    first = parse_search(
        http.get("/jobs-guest/jobs/api/seeMoreJobPostings/search", params=params).text
    )
    params["start"] = "10"
    second = parse_search(
        http.get("/jobs-guest/jobs/api/seeMoreJobPostings/search", params=params).text
    )
    assert len(first) == len(second) == 10
    assert not {c.job_id for c in first} & {c.job_id for c in second}
    params["start"] = "1000"
    assert (
        http.get("/jobs-guest/jobs/api/seeMoreJobPostings/search", params=params).status_code == 400
    )


def test_admin_config_bursts_and_stats(http: httpx.Client, sandbox: SandboxServer) -> None:
    knobs = http.post(
        "/__sandbox/config",
        json={
            "burst_429": 2,
            "retry_after": 3,
            "authwall_ids": [4200000005],
            "not_found_ids": ["7"],
        },
    ).json()
    assert (knobs["burst_429"], knobs["authwall_ids"], knobs["retry_after"]) == (
        2,
        ["4200000005"],
        3,
    )
    first = http.get("/jobs/view/4200000001/")
    assert (first.status_code, first.headers["retry-after"]) == (429, "3")
    assert http.get("/jobs/view/4200000001/").status_code == 429
    assert http.get("/jobs/view/4200000001/").status_code == 200
    wall = http.get("/jobs-guest/jobs/api/jobPosting/4200000005")
    assert wall.status_code == 302 and wall.headers["location"].startswith("/authwall?")
    assert http.get("/jobs-guest/jobs/api/jobPosting/7").status_code == 404
    http.post("/__sandbox/config", json={"burst_999": 1})
    assert http.get("/jobs/view/1/").status_code == 999
    assert http.post("/__sandbox/config", json={"no_such_knob": 1}).status_code == 400
    assert http.get("/__sandbox/stats").json() == {
        "total": 6,
        "by_path": {
            "/jobs/view/4200000001/": 3,
            "/jobs-guest/jobs/api/jobPosting/4200000005": 1,
            "/jobs-guest/jobs/api/jobPosting/7": 1,
            "/jobs/view/1/": 1,
        },
        "by_job_id": {"4200000001": 3, "4200000005": 1, "7": 1, "1": 1},
        "by_status": {"429": 2, "200": 1, "302": 1, "404": 1, "999": 1},
        "user_agents": {"test-agent": 6},
    }
    assert sandbox.stats()["total"] == 6
    http.post("/__sandbox/reset")
    assert http.get("/__sandbox/stats").json()["total"] == 0
    assert http.get("/__sandbox/config").json()["closed_ids"] == ["4200000002"]  # constructor knobs


def test_truncated_and_padded(http: httpx.Client) -> None:
    http.post("/__sandbox/config", json={"truncated_ids": ["4200000009"], "pad_bytes": 50_000})
    cut = http.get("/jobs-guest/jobs/api/jobPosting/4200000009").text
    assert classify_page(200, None, cut).kind == "garbage"
    assert len(http.get("/jobs-guest/jobs/api/jobPosting/4200000010").content) > 50_000


def test_authwall_rate_is_stable_per_id(http: httpx.Client) -> None:
    http.post("/__sandbox/config", json={"authwall_rate": 0.5})
    ids = range(4200000100, 4200000140)
    first = [http.get(f"/jobs-guest/jobs/api/jobPosting/{i}").status_code for i in ids]
    again = [http.get(f"/jobs-guest/jobs/api/jobPosting/{i}").status_code for i in ids]
    assert first == again
    assert set(first) == {200, 302}


def test_unknown_path_is_404(http: httpx.Client) -> None:
    assert http.get("/feed/").status_code == 404
