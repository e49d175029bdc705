"""The Profile and Path pages in a real browser: empty states, skills added by hand and
from an uploaded resume (reviewed before they count), the map with a link per posting, the
ranked gaps, the plan and a what-if; the match on Predict."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from shared.db.models import HiddenPosting, Posting, User
from shared.ratings import upsert_rating
from tests.career_data import make_posting, txt_resume, wanted_and_not
from tests.e2e.test_browser import shot, sign_up

pytestmark = pytest.mark.browser


def test_profile_and_path_pages(page: Any, artifacts: Path, db: Any, tmp_path: Path) -> None:
    # The shared 2-core machine can be slow: a load spike is not a failure of these pages.
    page.set_default_timeout(90_000)
    email = f"career-{uuid.uuid4().hex[:8]}@example.com"
    sign_up(page, email)

    # Empty states: no profile, no ratings, no model.
    page.goto("/path")
    page.wait_for_selector("#map-card:not([hidden])")
    empty = page.locator("#empty").inner_text()
    assert "no skills yet" in empty and "not rated any postings" in empty
    assert "No trained model yet" in empty
    shot(page, artifacts, "30-path-empty")

    # The user's wanted (Kubernetes) and unwanted postings, over only this test's postings.
    uid = db.scalar(select(User.id).where(User.email == email))
    for pid in db.scalars(select(Posting.id)):
        db.add(HiddenPosting(user_id=uid, posting_id=pid))
    kubernetes, others = wanted_and_not(lambda title, text: make_posting(db, title, text))
    for made, rating in [(m, 3) for m in kubernetes] + others:
        upsert_rating(db, uid, made.id, rating)
    db.commit()

    # Profile: two skills by hand, then a resume whose suggestions are reviewed.
    page.goto("/profile")
    page.wait_for_selector("#my-skills li.empty")
    for typed in ("python", "SQL"):
        page.get_by_label("Add a skill").fill(typed)
        page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_function("document.querySelectorAll('#my-skills li:not(.empty)').length === 2")
    assert page.locator("#my-skills").inner_text().startswith("Python")
    resume = tmp_path / "resume.txt"
    resume.write_bytes(txt_resume())
    page.get_by_label("Upload a file").set_input_files(str(resume))
    page.get_by_role("button", name="Read resume").click()
    page.wait_for_selector("#suggestions:not([hidden])")
    status = page.locator("#resume-status").inner_text()
    assert "skills found that you have not listed yet" in status
    assert page.locator("#years-hint").inner_text().startswith("Your resume mentions 6")
    shot(page, artifacts, "31-profile-suggestions")
    # Keep only Docker: everything else the resume named is declined.
    for box in page.locator('input[name="suggested"]').all():
        if box.get_attribute("value") != "Docker":
            box.uncheck()
    page.get_by_role("button", name="Add the selected skills").click()
    page.wait_for_selector("#suggestions[hidden]", state="attached")
    chips = page.locator("#my-skills li")
    assert chips.count() == 3 and chips.nth(2).inner_text().startswith("Docker")
    assert chips.nth(2).get_attribute("data-source") == "resume"
    page.get_by_label("Years of experience").fill("5")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.").wait_for()
    shot(page, artifacts, "32-profile")

    # Path: the map, the gaps, the plan.
    page.goto("/path")
    page.wait_for_selector("#gaps-grid:not([hidden])")
    empty = page.locator("#empty").inner_text()
    assert empty.startswith("No trained model yet")  # the profile and ratings notes are gone
    dots = page.locator("#map svg a")
    assert dots.count() == len(kubernetes) + len(others)
    assert dots.first.get_attribute("href").startswith("https://www.linkedin.com/jobs/view/")
    assert (
        "Wanted: desirability ≥ 2.0 of 3. Matching: match ≥ 70%"
        in page.locator("#thresholds").inner_text()
    )
    assert page.locator("#legend").inner_text().split("\n")[1] == "Stretch: 8"
    first_gap = page.locator("#gaps-table tbody tr").first
    assert first_gap.locator("th").inner_text() == "Kubernetes"
    assert "Python" not in page.locator("#gaps-table").inner_text()
    plan = page.locator("#plan li").first.inner_text()
    assert plan.startswith("Learn Kubernetes") and "8 of your 8 stretch jobs" in plan
    shot(page, artifacts, "33-path")

    # What if: with Kubernetes, the eight move into reach.
    page.get_by_role("checkbox", name="Kubernetes").check()
    page.wait_for_function(
        "document.getElementById('what-if-note').innerText.startsWith('With Kubernetes')"
    )
    assert "8 postings move into reach" in page.locator("#what-if-note").inner_text()
    assert page.locator("#legend").inner_text().split("\n")[0] == "Within reach: 8"
    shot(page, artifacts, "34-path-what-if")

    # Predict shows the match of a stored posting.
    page.goto("/predict")
    page.get_by_label("LinkedIn posting URL").fill(kubernetes[0].url)
    page.get_by_role("button", name="Predict").click()
    page.wait_for_selector("#result:not([hidden])")
    assert page.locator("#match").inner_text().startswith("Match 40% · missing Kubernetes")
    shot(page, artifacts, "35-predict-match")
