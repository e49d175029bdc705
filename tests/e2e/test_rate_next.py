"""The Rate page's Rate-next mode in a real browser: one suggested card at a time, the keys
0-3 rate it and move on, and the progress towards a first model."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from shared.db.models import HiddenPosting, Posting, User
from tests.career_data import make_posting
from tests.e2e.test_browser import shot, sign_up

pytestmark = pytest.mark.browser


def test_rate_next_one_card_at_a_time(page: Any, db: Any, artifacts: Path) -> None:
    email = f"ratenext-{uuid.uuid4().hex[:8]}@example.com"
    sign_up(page, email)
    uid = db.scalar(select(User.id).where(User.email == email))
    for pid in db.scalars(select(Posting.id)):  # other tests' postings share the database
        db.add(HiddenPosting(user_id=uid, posting_id=pid))
    titles = {"Machine Learning Engineer", "Pastry Chef", "Staff Accountant"}
    for title in titles:
        make_posting(db, title, f"We are hiring a {title}.\nRemote.\n$150,000 - $180,000 a year.")
    db.commit()
    page.goto("/rate")
    progress = page.locator("#next-progress")
    progress.wait_for()
    page.wait_for_function("document.querySelector('#next-progress').textContent.includes('rated')")
    assert progress.inner_text().startswith("0 rated — model ready at ")
    first = page.locator("#next-card .posting h3").inner_text()
    assert first in titles
    assert "We are hiring" in page.locator("#next-card .intro").inner_text()
    shot(page, artifacts, "rate-next")

    page.keyboard.press("2")  # focus sits in the empty URL field; the digit rates the card
    page.wait_for_function(
        "document.querySelector('#next-progress').textContent.startsWith('1 rated')"
    )
    second = page.locator("#next-card .posting h3").inner_text()
    assert second in titles and second != first
    assert page.get_by_label("LinkedIn posting URL").input_value() == ""
    page.locator("#next-buttons button[data-rating='0']").click()
    page.wait_for_function(
        "document.querySelector('#next-progress').textContent.startsWith('2 rated')"
    )
    third = page.locator("#next-card .posting h3").inner_text()
    assert {first, second, third} == titles
    recent = page.locator("#recent li .title").all_inner_texts()
    assert recent == [f"{second} — Acme", f"{first} — Acme"]
    shot(page, artifacts, "rate-next-after-two")
