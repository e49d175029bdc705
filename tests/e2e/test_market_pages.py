"""Keeping up with the market in a real browser: on the Recommend page a job posted three
times is one card that says so and offers (never copies) the rating given to another post,
and "Save to tracker" takes a card off the list; a tracked posting that closes is flagged on
its Tracker card and announced on the Alerts page. The worker's beat re-checks postings
older than a few seconds, as in tests/integration/test_reposts_and_closed.py."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.sandbox.generator import search_ids
from tests.conftest import Worker, wait_for
from tests.e2e.test_browser import shot, sign_up

pytestmark = pytest.mark.browser

URL = "https://www.linkedin.com/jobs/view/{}/"
# The stand-in's remote Director postings; B and C repeat A (the same job posted again).
A, B, C = "3400660351", "3400660352", "3400660353"
TRACK, OTHER, CLOSING = "3400660379", "3400660493", "3400660004"
FILTERS = "workplace=remote&seniority=Director"


@pytest.fixture(scope="module")
def worker(database: str, redis_broker: str, linkedin: Any) -> Iterator[Worker]:
    linkedin.configure(reposts={B: A, C: A})
    w = Worker(
        "market-pages",
        env={"LIR_POSTING_MAX_AGE_HOURS": "0.002", "LIR_POSTING_RECHECK_INTERVAL_SECONDS": "2"},
    )
    yield w
    w.stop()
    linkedin.configure(reposts={}, closed_ids=[])


def call(page: Any, method: str, path: str, body: Any = None) -> Any:
    """The page's own API client (session cookie and CSRF header), as its buttons use it."""
    script = "async ([m, p, b]) => (await LIR.api(m, p, b ?? undefined)).data"
    return page.evaluate(script, [method, path, body])


def idle(page: Any) -> bool:
    jobs = page.request.get("/api/v1/jobs?limit=200").json()["items"]
    return all(j["status"] in ("succeeded", "failed", "cancelled") for j in jobs)


def card(page: Any, job_id: str) -> Any:
    return page.locator(f"#results .posting:has(a[href*='{job_id}'])")


def show_stored(page: Any) -> None:
    page.goto("/recommend")
    page.wait_for_selector("#results[aria-busy=false]")
    page.locator("#f-workplace").select_option("remote")
    page.locator("#f-seniority").select_option("Director")
    page.wait_for_selector("#results[aria-busy=false]")  # the last filter's answer


def test_recommend_folds_reposts_offers_the_rating_and_tracks(page: Any, artifacts: Path) -> None:
    sign_up(page, f"market-{uuid.uuid4().hex[:8]}@example.com")
    a_id = call(page, "POST", "/ratings", {"url": URL.format(A), "rating": 3})["posting"]["id"]
    for job_id in (B, C, TRACK, OTHER):
        call(page, "POST", "/predictions", {"url": URL.format(job_id)})
    wait_for(lambda: idle(page), timeout=300, every=1)

    def group_listed() -> bool:
        res = page.request.get(f"/api/v1/recommendations?limit=50&{FILTERS}").json()
        return any(i["posting"]["job_id"] in (B, C) for i in res["items"])

    wait_for(group_listed, timeout=120, every=1)  # grouped at extraction, scored on sight
    show_stored(page)
    group = card(page, B).or_(card(page, C))
    assert group.count() == 1  # three posts of one job: one card (A is rated, so not listed)
    shown = B if card(page, B).count() else C
    other = C if shown == B else B
    assert card(page, TRACK).count() == 1 and card(page, OTHER).count() == 1
    assert card(page, OTHER).locator("details.reposts").count() == 0
    assert card(page, OTHER).locator("button.offer").count() == 0

    reposts = group.locator("details.reposts")
    assert reposts.locator("summary").inner_text() == "Also posted 2 more times"
    reposts.locator("summary").click()
    reposts.locator(".repost-list li").nth(1).wait_for()
    lines = reposts.locator(".repost-list li").all_inner_texts()
    assert lines == [f"LinkedIn job {A} · you rated it 3", f"LinkedIn job {other} · not rated"]
    offer = group.locator("button.offer")
    assert offer.inner_text() == (
        "You rated another post of this job 3 (Dream job): rate this one the same"
    )
    # Offered, not copied: only A is rated so far.
    assert [r["posting_id"] for r in call(page, "GET", "/ratings")["items"]] == [a_id]
    shot(page, artifacts, "23-recommend-reposts")

    offer.click()
    group.get_by_text("Rated 3").wait_for()
    assert offer.count() == 0
    rated = {r["posting_id"]: r["rating"] for r in call(page, "GET", "/ratings")["items"]}
    assert rated == {a_id: 3, int(group.get_attribute("data-posting-id")): 3}

    card(page, TRACK).get_by_role("button", name="Save to tracker").click()
    page.locator("#hide-status").get_by_role("link", name="tracker").wait_for()
    assert card(page, TRACK).count() == 0
    assert "to your tracker." in page.locator("#hide-status").inner_text()
    apps = call(page, "GET", "/applications")
    assert [(a["posting"]["job_id"], a["status"]) for a in apps] == [(TRACK, "saved")]
    shot(page, artifacts, "24-recommend-tracked")

    # Reloaded: the tracked card stays off; the job's last unrated post is its card now.
    show_stored(page)
    assert card(page, TRACK).count() == 0 and card(page, shown).count() == 0
    assert (
        card(page, other)
        .locator("button.offer")
        .inner_text()
        .startswith("You rated another post of this job 3")
    )
    assert card(page, other).locator("summary").inner_text() == "Also posted 2 more times"


def test_a_tracked_posting_that_closes_is_flagged_and_announced(
    page: Any, linkedin: Any, artifacts: Path
) -> None:
    sign_up(page, f"closing-{uuid.uuid4().hex[:8]}@example.com")
    page.goto("/tracker")
    page.wait_for_selector("#board[aria-busy=false]")
    page.get_by_label("Track a LinkedIn posting").fill(URL.format(CLOSING))
    page.locator("#track-status").select_option("applied")
    page.get_by_role("button", name="Track", exact=True).click()
    page.wait_for_function(
        "[...document.querySelectorAll('.app-card h3')].some(h => h.innerText !== 'Fetching…')",
        timeout=90_000,
    )
    wait_for(lambda: idle(page), timeout=300, every=1)
    page.reload()
    page.wait_for_selector("#board[aria-busy=false]")
    assert page.locator(".app-card.closed").count() == 0
    assert page.locator("#alert-badge").is_hidden()

    linkedin.configure(closed_ids=[CLOSING])  # LinkedIn now says: no longer accepting

    def closed() -> bool:
        return bool(page.request.get("/api/v1/applications").json()[0]["closed"])

    wait_for(closed, timeout=120, every=1)  # beat re-checks it once it is a few seconds old
    page.reload()
    page.wait_for_selector("#board[aria-busy=false]")
    flagged = page.locator(".column[data-status=applied] .app-card.closed")
    assert flagged.locator(".flag").inner_text() == "Closed: no longer accepting applications"
    badge = page.locator("#alert-badge")
    badge.wait_for()
    assert badge.inner_text() == "1"
    shot(page, artifacts, "25-tracker-closed")

    page.get_by_role("link", name="Alerts").click()
    page.wait_for_selector("#notes[aria-busy=false]")
    note = page.locator("#notes li.unread.closed")
    assert note.count() == 1 and note.locator(".pill.closed").inner_text() == "Closed"
    link = note.get_by_role("link")
    assert link.inner_text().startswith("No longer accepting applications: ")
    assert link.get_attribute("href") == "/tracker"
    assert "New:" not in note.inner_text()  # the Closed pill is the news
    shot(page, artifacts, "26-alerts-closed")


def test_a_saved_searchs_matches_fold_reposts(page: Any, linkedin: Any, artifacts: Path) -> None:
    keywords, location = "repost watcher", "Oslo"
    first, second = (str(i) for i in search_ids(keywords, location, [], 0, 2))
    linkedin.configure(reposts={B: A, C: A, second: first})  # two results: one job
    try:
        sign_up(page, f"matches-{uuid.uuid4().hex[:8]}@example.com")
        body = {"keywords": keywords, "location": location, "limit": 4, "alert_min_score": 0}
        sid = call(page, "POST", "/saved-searches", body)["id"]

        def ran() -> bool:
            job = page.request.get(f"/api/v1/saved-searches/{sid}").json()["last_job"]
            return bool(job and job["status"] in ("succeeded", "failed"))

        wait_for(ran, timeout=300, every=1)  # by beat: due on creation
        wait_for(lambda: idle(page), timeout=300, every=1)  # grouped at extraction
    finally:
        linkedin.configure(reposts={B: A, C: A})
    page.goto("/alerts")
    page.locator("#saved-table tbody tr").first.get_by_role("button", name="Matches").click()
    page.wait_for_selector("#matches .posting")
    cards = page.locator("#matches .posting")
    assert cards.count() == 3  # four found, two of them the same job
    group = cards.filter(has=page.locator("details.reposts"))
    assert group.count() == 1 and group.locator("summary").inner_text() == (
        "Also posted 1 more time"
    )
    group.locator("summary").click()
    group.locator(".repost-list li").wait_for()
    [line] = group.locator(".repost-list li").all_inner_texts()
    assert line.endswith("· not rated") and (first in line or second in line)
    # The card stood for both posts: none is new any more; one alert per job.
    row = page.locator("#saved-table tbody tr").first
    page.wait_for_function(
        "document.querySelector('#saved-table tbody tr td.unseen').innerText === '0'"
    )
    assert "repost watcher in Oslo" in row.inner_text()
    assert page.locator("#notes li.unread").count() == 3
    shot(page, artifacts, "27-alerts-matches-reposts")
