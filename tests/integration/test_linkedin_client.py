"""The real LinkedInClient against a real stand-in server (and the real Redis for the
shared rate limit). Waits are recorded, not slept, where the test is about counts."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis

from services.sandbox.generator import generate, search_ids
from services.sandbox.server import SandboxServer
from shared.linkedin import LinkedInClient, SearchQuery
from shared.linkedin.client import SearchError
from shared.linkedin.ratelimit import RateLimiter, RateLimitPaused
from shared.settings import Settings

REDIS_URL = os.environ.get("LIR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
JOB = "4200000001"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as sb:
        yield sb


@pytest.fixture
def admin(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    """Steers the stand-in over HTTP, as a test in another process would."""
    with httpx.Client(base_url=sandbox.base_url, timeout=5) as client:
        client.post("/__sandbox/reset").raise_for_status()
        yield client


def configure(admin: httpx.Client, **knobs: Any) -> None:
    admin.post("/__sandbox/config", json=knobs).raise_for_status()


def stats(admin: httpx.Client) -> dict[str, Any]:
    return admin.get("/__sandbox/stats").json()  # type: ignore[no-any-return]


def settings_for(sandbox: SandboxServer, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "linkedin_base_url": sandbox.base_url,
        "linkedin_min_interval_seconds": 0.01,
        "linkedin_jitter_seconds": 0.0,
        "linkedin_max_retries": 3,
        "redis_url": "",
        "broker_url": "",
    }
    values.update(overrides)
    return Settings(**values)


class Client:
    """A LinkedInClient whose waits (its own backoff and the limiter's pauses) are recorded
    on a clock that jumps forward instead of sleeping."""

    def __init__(self, sandbox: SandboxServer, key: str = "", **overrides: Any) -> None:
        self.sleeps: list[float] = []
        self.offset = 0.0
        self.limiter = RateLimiter(
            interval=0.01, key=key or f"test-{uuid.uuid4()}", sleep=self.sleep, clock=self.now
        )
        self.client = LinkedInClient(
            settings_for(sandbox, **overrides),
            limiter=self.limiter,
            backoff_base=0.5,
            sleep=self.sleep,
        )

    def now(self) -> float:
        return time.time() + self.offset

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.offset += seconds


@pytest.fixture
def c(sandbox: SandboxServer, admin: httpx.Client) -> Iterator[Client]:
    wrapped = Client(sandbox)
    yield wrapped
    wrapped.client.close()


def test_fetches_and_parses(c: Client, admin: httpx.Client) -> None:
    result = c.client.fetch_posting(JOB)
    gen = generate(JOB)
    assert (result.status, result.http_status, result.attempts, result.reason) == (
        "fetched",
        200,
        1,
        None,
    )
    assert result.posting is not None and result.html is not None
    assert (result.posting.job_id, result.posting.title, result.posting.company) == (
        JOB,
        gen.title,
        gen.company,
    )
    assert result.final_url == f"{admin.base_url}/jobs-guest/jobs/api/jobPosting/{JOB}"
    s = stats(admin)
    assert s["by_path"] == {f"/jobs-guest/jobs/api/jobPosting/{JOB}": 1}
    assert list(s["user_agents"]) == [Settings().linkedin_user_agent]


def test_accepts_a_pasted_url_but_only_uses_its_id(c: Client, admin: httpx.Client) -> None:
    result = c.client.fetch_posting(f"https://ch.linkedin.com/jobs/view/x-at-y-{JOB}?refId=1")
    assert result.status == "fetched"
    assert stats(admin)["by_job_id"] == {JOB: 1}
    with pytest.raises(ValueError, match="not a LinkedIn job URL"):
        c.client.fetch_posting("https://linkedin.com.evil.com/jobs/view/1/")


def test_429_burst_honours_retry_after_then_succeeds(c: Client, admin: httpx.Client) -> None:
    configure(admin, burst_429=2, retry_after=7)
    result = c.client.fetch_posting(JOB)
    assert (result.status, result.attempts) == ("fetched", 3)
    assert c.sleeps == [7.0, 7.0]
    assert stats(admin)["by_status"] == {"429": 2, "200": 1}


def test_999_and_503_back_off_exponentially(c: Client, admin: httpx.Client) -> None:
    configure(admin, burst_999=2, burst_503=1, retry_after=None)
    result = c.client.fetch_posting(JOB)
    assert (result.status, result.attempts) == ("fetched", 4)
    assert c.sleeps == [0.5, 1.0, 2.0]
    assert stats(admin)["by_status"] == {"999": 2, "503": 1, "200": 1}


def test_rate_limit_that_never_lifts_is_rate_limited_until_the_pause_ends(
    c: Client, admin: httpx.Client
) -> None:
    configure(admin, burst_429=50, retry_after=1)
    result = c.client.fetch_posting(JOB)
    fields = {"status", "reason", "http_status", "attempts", "html", "transient"}
    assert result.model_dump(include=fields) == {
        "status": "rate_limited",
        "reason": "rate limited: HTTP 429 Too Many Requests after 4 attempts",
        "http_status": 429,
        "attempts": 4,
        "html": None,
        "transient": True,
    }
    assert stats(admin)["total"] == 4
    assert c.sleeps == [1.0, 1.0, 1.0]
    paused = c.limiter.paused_until()
    assert result.retry_at is not None and paused is not None
    assert result.retry_at.timestamp() == pytest.approx(paused, abs=0.01)


def test_retry_after_pauses_every_client_of_the_budget(
    sandbox: SandboxServer, admin: httpx.Client
) -> None:
    """Another worker of the deployment sends nothing while LinkedIn's pause runs."""
    key = f"test-pause-{uuid.uuid4()}"
    first, second = Client(sandbox, key=key), Client(sandbox, key=key)
    configure(admin, burst_429=1, retry_after=3600)
    assert first.client.fetch_posting(JOB).status == "rate_limited"
    result = second.client.fetch_posting(JOB)
    assert (result.status, result.attempts, result.reason) == (
        "rate_limited",
        0,
        "rate limited: LinkedIn's Retry-After pause is still running",
    )
    assert result.retry_at is not None
    assert stats(admin)["total"] == 1
    first.limiter.clear()
    assert second.client.fetch_posting(JOB).status == "fetched"


def test_retry_after_beyond_the_cap_gives_up_at_once(c: Client, admin: httpx.Client) -> None:
    configure(admin, burst_429=1, retry_after=3600)
    result = c.client.fetch_posting(JOB)
    assert (result.status, result.attempts, result.transient, c.sleeps) == (
        "rate_limited",
        1,
        True,
        [],
    )


def test_server_errors_that_persist_fail_as_transient(c: Client, admin: httpx.Client) -> None:
    configure(admin, burst_503=50, retry_after=None)
    result = c.client.fetch_posting(JOB)
    assert (result.status, result.reason, result.attempts, result.transient) == (
        "failed",
        "HTTP 503",
        4,
        True,
    )
    assert stats(admin)["total"] == 4  # no fallback to the full page after a 5xx


def test_auth_wall_is_blocked_and_not_followed(c: Client, admin: httpx.Client) -> None:
    configure(admin, authwall_ids=[JOB])
    result = c.client.fetch_posting(JOB)
    fields = {"status", "reason", "http_status", "html", "posting", "transient"}
    assert result.model_dump(include=fields) == {
        "status": "blocked",
        "reason": "sign-in wall: redirected to /authwall",
        "http_status": 302,
        "html": None,
        "posting": None,
        "transient": False,
    }
    assert (result.final_url or "").startswith(f"{admin.base_url}/authwall?")
    assert stats(admin)["by_path"] == {f"/jobs-guest/jobs/api/jobPosting/{JOB}": 1}


def test_not_found(c: Client, admin: httpx.Client) -> None:
    configure(admin, not_found_ids=[JOB])
    result = c.client.fetch_posting(JOB)
    assert (result.status, result.reason, result.http_status, result.html) == (
        "not_found",
        "HTTP 404",
        404,
        None,
    )
    assert stats(admin)["total"] == 1  # no fallback for a definite 404


def test_closed_posting_is_kept(c: Client, admin: httpx.Client) -> None:
    configure(admin, closed_ids=[JOB])
    result = c.client.fetch_posting(JOB)
    assert (result.status, result.reason) == ("closed", "no longer accepting applications")
    assert result.posting is not None and result.posting.is_closed
    assert result.posting.title == generate(JOB).title
    assert result.html is not None


def test_truncated_page_fails_after_trying_the_full_page(c: Client, admin: httpx.Client) -> None:
    configure(admin, truncated_ids=[JOB])
    result = c.client.fetch_posting(JOB)
    assert (result.status, result.reason, result.html, result.attempts, result.transient) == (
        "failed",
        "truncated posting: no description",
        None,
        2,
        False,
    )
    assert stats(admin)["by_path"] == {
        f"/jobs-guest/jobs/api/jobPosting/{JOB}": 1,
        f"/jobs/view/{JOB}/": 1,
    }


def test_same_site_redirect_is_followed(c: Client, admin: httpx.Client) -> None:
    slug = f"/jobs/view/some-title-at-some-company-{JOB}/"
    configure(admin, redirects={JOB: slug})
    result = c.client.fetch_posting(JOB)
    assert (result.status, result.final_url, result.attempts) == (
        "fetched",
        f"{admin.base_url}{slug}",
        1,
    )
    assert result.posting is not None and result.posting.title == generate(JOB).title
    assert stats(admin)["by_path"] == {f"/jobs-guest/jobs/api/jobPosting/{JOB}": 1, slug: 1}


def test_redirect_off_linkedin_is_refused(c: Client, admin: httpx.Client) -> None:
    configure(admin, redirects={JOB: "http://169.254.169.254/latest/meta-data/"})
    result = c.client.fetch_posting(JOB)
    assert (result.status, result.reason) == (
        "failed",
        "redirect off LinkedIn to '169.254.169.254'",
    )
    assert stats(admin)["total"] == 1


def test_redirect_loop_gives_up(c: Client, admin: httpx.Client) -> None:
    other = "4200000002"
    configure(
        admin,
        redirects={
            JOB: f"/jobs-guest/jobs/api/jobPosting/{other}",
            other: f"/jobs-guest/jobs/api/jobPosting/{JOB}",
        },
    )
    result = c.client.fetch_posting(JOB)
    assert (result.status, result.reason) == ("failed", "more than 5 redirects")


def test_size_cap_with_declared_length(sandbox: SandboxServer, admin: httpx.Client) -> None:
    configure(admin, pad_bytes=20_000)
    small = Client(sandbox, linkedin_max_bytes=10_000).client
    result = small.fetch_posting(JOB)
    assert result.status == "failed"
    assert result.reason is not None and result.reason.endswith("bytes exceeds the 10000 byte cap")


def test_size_cap_while_streaming(sandbox: SandboxServer, admin: httpx.Client) -> None:
    configure(admin, pad_bytes=20_000, omit_content_length=True)
    small = Client(sandbox, linkedin_max_bytes=10_000).client
    result = small.fetch_posting(JOB)
    assert (result.status, result.reason, result.transient) == (
        "failed",
        "response exceeds the 10000 byte cap",
        False,
    )
    roomy = Client(sandbox, linkedin_max_bytes=100_000).client
    assert roomy.fetch_posting(JOB).status == "fetched"


def test_read_timeout_is_retried_then_fails(sandbox: SandboxServer, admin: httpx.Client) -> None:
    configure(admin, latency_ms=400)
    slow = Client(sandbox, linkedin_read_timeout=0.05, linkedin_max_retries=1)
    result = slow.client.fetch_posting(JOB)
    assert result.status == "failed"
    assert (result.reason or "").startswith("network error: ReadTimeout")
    assert (result.attempts, result.http_status, result.transient) == (2, None, True)


def test_proxies_rotate(admin: httpx.Client) -> None:
    # Each stand-in also works as a plain HTTP forward proxy (absolute-form request line).
    with SandboxServer() as proxy_a, SandboxServer() as proxy_b:
        settings = Settings(
            linkedin_base_url="http://www.linkedin.invalid",
            linkedin_proxies=[proxy_a.base_url, proxy_b.base_url],
            linkedin_min_interval_seconds=0.01,
            linkedin_jitter_seconds=0,
            redis_url="",
            broker_url="",
        )
        with LinkedInClient(settings, limiter=RateLimiter(0.01, key=str(uuid.uuid4()))) as client:
            results = [client.fetch_posting(jid).status for jid in ("1", "2", "3", "4")]
        assert results == ["fetched"] * 4
        assert proxy_a.stats()["by_job_id"] == {"1": 1, "3": 1}
        assert proxy_b.stats()["by_job_id"] == {"2": 1, "4": 1}


def test_search_pages_and_dedupes(c: Client, admin: httpx.Client) -> None:
    configure(admin, search_overlap=3)
    progress: list[tuple[int, int]] = []
    query = SearchQuery(keywords="data scientist", location="Berlin", workplace=["remote"])
    cards = c.client.search(query, limit=25, progress=lambda a, b: progress.append((a, b)))
    expected = search_ids("data scientist", "Berlin", [2], 0, count=25)
    assert [card.job_id for card in cards] == [str(i) for i in expected]
    # start=10 repeats results 7-9, so that page brings 7 new cards
    assert progress == [(10, 25), (17, 25), (25, 25)]
    assert stats(admin)["by_path"] == {"/jobs-guest/jobs/api/seeMoreJobPostings/search": 3}
    # the cards resolve to postings with the same title and company
    for card in cards[:3]:
        posting = c.client.fetch_posting(card.job_id).posting
        assert posting is not None
        assert (posting.title, posting.company) == (card.title, card.company)


def test_search_stops_when_results_run_out(c: Client, admin: httpx.Client) -> None:
    configure(admin, search_total=23)
    cards = c.client.search(SearchQuery(keywords="nurse"), limit=100)
    assert len(cards) == len({card.job_id for card in cards}) == 23
    assert stats(admin)["total"] == 4  # 10 + 10 + 3 + an empty page


def test_search_blocked_raises_with_cards_so_far(c: Client, admin: httpx.Client) -> None:
    configure(admin, burst_429=50, retry_after=0)
    with pytest.raises(SearchError) as info:
        c.client.search(SearchQuery(keywords="nurse"), limit=30)
    assert (info.value.status, info.value.cards) == ("blocked", [])
    assert info.value.reason == "rate limited: HTTP 429 Too Many Requests after 4 attempts"


# -- the shared limit in Redis -------------------------------------------------------------


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        message = f"Redis at {REDIS_URL} is not reachable: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


def test_two_limiters_share_one_budget_through_redis(redis_url: str) -> None:
    key = f"test-shared-{uuid.uuid4()}"
    worker_a = RateLimiter(interval=30, redis_url=redis_url, key=key)
    worker_b = RateLimiter(interval=30, redis_url=redis_url, key=key)
    other = RateLimiter(interval=30, redis_url=redis_url, key=f"{key}-other")
    try:
        assert worker_a.shared and worker_b.shared
        assert worker_b.available() is True
        assert worker_a.try_acquire() is True
        assert worker_b.available() is False
        assert worker_b.try_acquire() is False
        assert worker_a.try_acquire() is False
        assert other.try_acquire() is True  # a different key is a different budget
    finally:
        worker_a.clear()
        other.clear()


def test_sub_second_interval_through_redis(redis_url: str) -> None:
    key = f"test-subsecond-{uuid.uuid4()}"
    worker_a = RateLimiter(interval=0.5, redis_url=redis_url, key=key)
    worker_b = RateLimiter(interval=0.5, redis_url=redis_url, key=key)
    try:
        # 0.5 s becomes 2 per 1 s window (Redis expiries are whole seconds).
        assert [worker_a.try_acquire(), worker_b.try_acquire(), worker_a.try_acquire()] == [
            True,
            True,
            False,
        ]
        assert worker_b.available() is False
    finally:
        worker_a.clear()


def test_clients_built_from_settings_share_the_redis_limit(
    sandbox: SandboxServer, admin: httpx.Client, redis_url: str
) -> None:
    settings = settings_for(sandbox, redis_url=redis_url, linkedin_min_interval_seconds=30)
    key = f"test-clients-{uuid.uuid4()}"
    client_a = LinkedInClient(settings, limiter=RateLimiter.from_settings(settings, key=key))
    client_b = LinkedInClient(settings, limiter=RateLimiter.from_settings(settings, key=key))
    try:
        assert client_a.limiter.shared
        assert client_a.fetch_posting(JOB).status == "fetched"
        # worker B would now have to wait out the 30 s interval
        assert client_b.limiter.available() is False
        assert stats(admin)["total"] == 1
    finally:
        client_a.limiter.clear()
        client_a.close()
        client_b.close()


def test_a_pause_reaches_every_worker_through_redis(redis_url: str) -> None:
    key = f"test-pause-{uuid.uuid4()}"
    worker_a = RateLimiter(interval=0, redis_url=redis_url, key=key)
    worker_b = RateLimiter(interval=0, redis_url=redis_url, key=key)
    try:
        assert worker_b.paused_until() is None and worker_b.acquire(max_wait=0) == 0
        until = worker_a.pause(600)
        assert worker_a.pause(5) == pytest.approx(until)  # a shorter pause keeps the longer
        assert worker_b.paused_until() == pytest.approx(until)
        with pytest.raises(RateLimitPaused) as info:
            worker_b.acquire(max_wait=60)
        assert info.value.until == pytest.approx(until)
    finally:
        worker_a.clear()
    assert worker_b.paused_until() is None


def test_zero_interval_means_no_spacing() -> None:
    limiter = RateLimiter(interval=0, key=f"test-{uuid.uuid4()}")
    assert all(limiter.try_acquire() for _ in range(100))
    with pytest.raises(ValueError, match="negative"):
        RateLimiter(interval=-1)
