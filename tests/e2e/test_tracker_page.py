"""The Tracker page in a real browser: track by URL, move cards with buttons, keys and
drag, edit a note; the server keeps every move with its date."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_browser import shot, sign_up

pytestmark = pytest.mark.browser

JOB_IDS = ["3400880001", "3400880002", "3400880003"]


def card(page: Any, job_id: str) -> Any:
    return page.locator(f".app-card:has(a[href*='{job_id}'])")


def column_of(page: Any, job_id: str) -> str:
    return str(card(page, job_id).get_attribute("data-status"))


def test_tracker_board(page: Any, artifacts: Path) -> None:
    sign_up(page, f"tracker-{uuid.uuid4().hex[:8]}@example.com")
    page.goto("/tracker")
    page.wait_for_selector("#board[aria-busy=false]")
    assert page.locator(".column").count() == 6
    for n, (job_id, status) in enumerate(zip(JOB_IDS, ["saved", "saved", "applied"], strict=True)):
        page.get_by_label("Track a LinkedIn posting").fill(
            f"https://www.linkedin.com/jobs/view/{job_id}/"
        )
        page.locator("#track-status").select_option(status)
        page.get_by_role("button", name="Track", exact=True).click()
        page.wait_for_function(f"document.querySelectorAll('.app-card').length === {n + 1}")
    # The worker fetches the postings; the page reloads their titles.
    page.wait_for_function(
        "[...document.querySelectorAll('.app-card h3')].every(h => h.innerText !== 'Fetching…')",
        timeout=90_000,
    )
    assert page.locator(".column[data-status=saved] .app-card").count() == 2
    first = card(page, JOB_IDS[0])
    assert first.locator(".badge").count() == 1  # predicted rating
    assert "changed today" in first.inner_text()

    # buttons: saved -> applied
    first.get_by_role("button", name="Move to Applied").click()
    page.wait_for_function(
        f"document.querySelector(\".app-card:has(a[href*='{JOB_IDS[0]}'])\").dataset.status"
        " === 'applied'"
    )
    # keys: focused card, ArrowRight -> interviewing, then 4 -> offer
    card(page, JOB_IDS[0]).focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        f"document.querySelector(\".app-card:has(a[href*='{JOB_IDS[0]}'])\")?.dataset.status"
        " === 'interviewing'"
    )
    page.keyboard.press("4")
    page.wait_for_function(
        f"document.querySelector(\".app-card:has(a[href*='{JOB_IDS[0]}'])\")?.dataset.status"
        " === 'offer'"
    )
    # drag: the second card onto "rejected"
    card(page, JOB_IDS[1]).drag_to(page.locator(".column[data-status=rejected]"))
    page.wait_for_function(
        f"document.querySelector(\".app-card:has(a[href*='{JOB_IDS[1]}'])\")?.dataset.status"
        " === 'rejected'"
    )
    note = card(page, JOB_IDS[2]).get_by_label("Note for", exact=False)
    note.fill("Recruiter call on Friday")
    note.blur()
    card(page, JOB_IDS[2]).get_by_text("Note saved").wait_for()
    shot(page, artifacts, "20-tracker")

    page.reload()
    page.wait_for_selector("#board[aria-busy=false]")
    assert column_of(page, JOB_IDS[0]) == "offer"
    assert column_of(page, JOB_IDS[1]) == "rejected"
    assert card(page, JOB_IDS[2]).locator("textarea").input_value() == "Recruiter call on Friday"
    apps = {a["posting"]["job_id"]: a for a in page.request.get("/api/v1/applications").json()}
    assert [h["status"] for h in apps[JOB_IDS[0]]["history"]] == [
        "saved",
        "applied",
        "interviewing",
        "offer",
    ]
    assert [h["status"] for h in apps[JOB_IDS[1]]["history"]] == ["saved", "rejected"]
