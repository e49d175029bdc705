"""LinkedIn rate limiting us, as a user sees it: the rating is kept, the Rate page and My
ratings say the posting is rate limited and when it will be tried again."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.linkedin.ratelimit import RateLimiter
from shared.settings import get_settings
from tests.e2e.test_browser import shot, sign_up

pytestmark = pytest.mark.browser


@pytest.fixture
def rate_limited(linkedin: Any) -> Iterator[None]:
    """Every LinkedIn answer is a 429 asking for an hour's pause."""
    linkedin.configure(burst_429=10**6, retry_after=3600)
    yield
    linkedin.reset()
    RateLimiter.from_settings(get_settings()).clear()  # lift the pause for later tests


def test_rate_limited_posting_says_when_it_is_tried_again(
    page: Any, artifacts: Path, rate_limited: None
) -> None:
    sign_up(page, f"ratelimited-{uuid.uuid4().hex[:8]}@example.com")
    job_id = 3_700_000_000 + uuid.uuid4().int % 10**8
    page.get_by_label("LinkedIn posting URL").fill(f"https://www.linkedin.com/jobs/view/{job_id}/")
    page.locator("#rating-buttons button[data-rating='3']").click()
    page.wait_for_function(  # the status line is redrawn on each poll
        "() => document.querySelector('#recent li .job-label')?.textContent"
        ".includes('will try again at')",
        timeout=90_000,
    )
    text = page.locator("#recent li .job-label").first.inner_text()
    assert text.startswith("Queued: rate limited: HTTP 429 Too Many Requests after 1 attempt; ")
    assert "will try again at 20" in text
    shot(page, artifacts, "rate-limited-rate")

    page.goto("/ratings")
    cell = page.locator("#ratings-table tbody tr").first.locator("td").nth(3)
    cell.locator(".status-reason").wait_for()
    assert cell.inner_text().splitlines()[0] == "Rate limited"
    assert "will try again at 20" in cell.locator(".status-reason").inner_text()
    shot(page, artifacts, "rate-limited-ratings")
