"""The Preferences page in a real browser: offered to a newcomer on the Rate page, every
stated preference edited and saved through PUT /api/v1/preferences, errors shown at the
field they concern (the browser's own checks and the server's 422 alike)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_browser import shot, sign_up

pytestmark = pytest.mark.browser


def test_preferences_offered_edited_saved_and_checked(page: Any, artifacts: Path) -> None:
    sign_up(page, f"prefs-{uuid.uuid4().hex[:8]}@example.com")
    offer = page.locator("#prefs-offer")
    offer.wait_for(state="visible")
    offer.get_by_role("link", name="Tell us what you are looking for").click()
    page.wait_for_url("**/preferences?welcome=1")
    page.locator("#welcome").wait_for(state="visible")
    nav = page.get_by_role("navigation", name="Main").get_by_role("link", name="Preferences")
    assert nav.get_attribute("aria-current") == "page"
    shot(page, artifacts, "preferences-welcome")

    page.get_by_label("Titles or keywords you want").fill("Machine Learning, data engineer")
    page.get_by_label("Title words you never want").fill("sales, intern")
    page.get_by_label("Amount").fill("120000")
    page.get_by_label("Remote").check()
    page.get_by_label("Hybrid").check()
    page.get_by_label("Mid-senior").check()
    page.get_by_label("Locations or countries").fill("Zurich, Germany")
    page.get_by_label("Skills you like working with").fill("Python, PyTorch")
    # The pay without its currency is refused before anything is sent.
    page.get_by_role("button", name="Save preferences").click()
    alert = page.locator("#prefs-error")
    alert.wait_for(state="visible")
    assert alert.inner_text() == "Not saved — Minimum pay: choose its currency."
    assert page.locator("#min_pay-error").inner_text() == "Choose its currency."
    assert page.get_by_label("Amount").get_attribute("aria-invalid") == "true"
    assert page.request.get("/api/v1/preferences").json()["min_pay"] is None
    shot(page, artifacts, "preferences-error")

    # What only the server checks (at most 50 keywords) is shown at its field too.
    page.get_by_label("Currency").select_option("CHF")
    page.get_by_label("Title words you never want").fill(", ".join(f"w{i}" for i in range(51)))
    page.get_by_role("button", name="Save preferences").click()
    page.wait_for_function(
        "document.querySelector('#avoid_keywords-error').textContent.includes('50')"
    )
    assert page.locator("#avoid_keywords-error").inner_text() == "At most 50 entries, not 51."
    assert (
        alert.inner_text() == "Not saved — Title words you never want: at most 50 entries, not 51."
    )
    shot(page, artifacts, "preferences-server-error")
    assert page.locator("#min_pay-error").is_hidden()
    page.get_by_label("Title words you never want").fill("sales, intern")
    page.get_by_role("button", name="Save preferences").click()
    page.wait_for_function(
        "document.querySelector('#prefs-status').textContent.startsWith('Saved')"
    )
    assert alert.is_hidden()

    stored = page.request.get("/api/v1/preferences").json()
    assert stored == {
        "want_keywords": ["machine learning", "data engineer"],
        "avoid_keywords": ["sales", "intern"],
        "min_pay": 120000,
        "currency": "CHF",
        "workplace_types": ["remote", "hybrid"],
        "locations": ["zurich", "germany"],
        "seniorities": ["mid-senior"],
        "skills": ["python", "pytorch"],
    }
    # Later visits show what is stored, and a newcomer's offer is gone from the Rate page.
    page.goto("/preferences")
    page.wait_for_function("document.querySelector('#want_keywords').value !== ''")
    page.wait_for_load_state("networkidle")
    assert page.get_by_label("Titles or keywords you want").input_value() == (
        "machine learning, data engineer"
    )
    assert page.get_by_label("Currency").input_value() == "CHF"
    assert (
        page.get_by_label("Remote").is_checked() and not page.get_by_label("On-site").is_checked()
    )
    assert page.locator("#welcome").is_hidden()
    shot(page, artifacts, "preferences-saved")
    page.goto("/rate")
    page.wait_for_function("document.querySelector('#next-progress').textContent.includes('rated')")
    assert offer.is_hidden()
