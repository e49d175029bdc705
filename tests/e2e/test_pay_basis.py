"""Pay chosen from a table shows its rule next to the figure, on the Rate and Predict cards,
after a posting stored under older extraction rules is read again by the worker."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.db.base import utcnow
from shared.db.models import Posting
from shared.db.session import session_scope
from tests.conftest import Worker, roomy_worker
from tests.e2e.test_browser import shot, sign_up

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def worker(database: str, redis_broker: str, linkedin: Any) -> Iterator[Worker]:
    yield from roomy_worker("paybasis")


LADDER = (
    "Join the platform team. Base salary by location: Seattle, WA: $130,000 - $160,000; "
    "San Francisco, CA: $140,000 - $175,000; All other locations: $110,000 - $140,000. "
    "A $5,000 sign-on bonus and 401(k) match up to $6,000 come on top."
)


def _stored_posting() -> str:
    job_id = str(3_600_000_000 + uuid.uuid4().int % 10**8)
    with session_scope() as session:
        session.add(
            Posting(
                job_id=job_id,
                url=f"https://www.linkedin.com/jobs/view/{job_id}/",
                status="fetched",
                fetched_at=utcnow(),
                title="Platform Engineer",
                company="Acme Robotics",
                location="Denver, CO (Hybrid)",
                description_text=LADDER,
                extraction_source="rules",
                rules_extraction={"rules_version": "2026.11.26-1"},
                annual_min=140_000.0,
                annual_max=175_000.0,
                extracted_at=utcnow(),
            )
        )
    return job_id


def test_pay_basis_is_shown_with_the_pay(page: Any, artifacts: Path) -> None:
    job_id = _stored_posting()
    url = f"https://www.linkedin.com/jobs/view/{job_id}/"
    sign_up(page, f"pay-{uuid.uuid4().hex[:8]}@example.com")

    page.get_by_label("LinkedIn posting URL").fill(url)
    page.locator("#rating-buttons button[data-rating='2']").click()
    basis = page.locator("#latest .facts dd .basis")
    basis.wait_for(timeout=90_000)
    assert basis.inner_text() == "range across 3 locations"
    pay = page.locator("#latest .facts div", has_text="Pay").locator("dd")
    assert pay.inner_text().splitlines()[0] == "$110k–175k /yr"
    assert page.locator("#latest .facts div", has_text="Workplace").locator("dd").inner_text() == (
        "Hybrid"
    )
    shot(page, artifacts, "pay-basis-rate")

    page.goto("/predict")
    page.get_by_label("LinkedIn posting URL").fill(url)
    page.get_by_role("button", name="Predict").click()
    page.wait_for_selector("#result:not([hidden]) #posting .facts dd .basis", timeout=60_000)
    assert page.locator("#posting .facts dd .basis").inner_text() == "range across 3 locations"
    shot(page, artifacts, "pay-basis-predict")
