"""Alerts in a real browser: a saved search made on the Alerts page runs by beat, its new
matches light the nav badge and list as notifications; reading them clears the badge."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import wait_for
from tests.e2e.test_browser import shot, sign_up

pytestmark = pytest.mark.browser


def test_alerts_badge_and_page(page: Any, artifacts: Path) -> None:
    sign_up(page, f"alerts-{uuid.uuid4().hex[:8]}@example.com")
    page.goto("/alerts")
    assert page.locator("#alert-badge").is_hidden()
    page.get_by_label("Search term").fill("marketing manager")
    page.get_by_label("Location").fill("Madrid")
    page.get_by_label("Results").fill("5")
    page.get_by_label("Alert at score ≥").fill("0")
    page.get_by_role("button", name="Save search").click()
    page.get_by_text("its first run starts shortly").wait_for()

    # Beat starts it (it is due on creation); the badge refreshes on the next page load.
    def ran() -> Any:
        searches = page.request.get("/api/v1/saved-searches").json()
        job = searches[0]["last_job"]
        return job if job and job["status"] in ("succeeded", "failed") else None

    job = wait_for(ran, timeout=300, every=1)
    assert job["status"] == "succeeded", (job["error"], job["message"], job["attempts"])
    unread = page.request.get("/api/v1/notifications").json()["unread"]
    assert unread > 0
    page.goto("/rate")
    badge = page.locator("#alert-badge")
    badge.wait_for()
    assert badge.inner_text() == str(unread)
    shot(page, artifacts, "21-alerts-badge")

    page.get_by_role("link", name="Alerts").click()
    page.wait_for_selector("#notes[aria-busy=false]")
    assert page.locator("#notes li.unread").count() == unread
    row = page.locator("#saved-table tbody tr").first
    assert "marketing manager in Madrid" in row.inner_text()
    assert row.locator("td").nth(2).inner_text() == "score ≥ 0"  # what it alerts at
    row.get_by_role("button", name="Matches").click()
    page.wait_for_selector("#matches .posting")
    assert page.locator("#matches .pill.new").count() == unread  # new until seen
    # Seen now: the table says none unseen, the heading says how many were new.
    assert f"{unread} new since you last looked" in page.locator(".matches-h").inner_text()
    page.wait_for_function(
        "document.querySelector('#saved-table tbody tr td.unseen').textContent === '0'"
    )
    page.get_by_role("button", name="Make a feed URL").click()
    page.wait_for_selector("#feed-url:not([hidden])")
    assert page.locator("#feed-url").inner_text().endswith(".atom")
    shot(page, artifacts, "22-alerts")

    page.get_by_role("button", name="Mark all read").click()
    page.wait_for_function("document.getElementById('alert-badge').hidden === true")
    assert page.locator("#notes li.unread").count() == 0
    assert page.request.get("/api/v1/notifications").json()["unread"] == 0
