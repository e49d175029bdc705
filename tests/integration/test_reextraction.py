"""A change of extraction rules re-extracts stored postings: `python -m shared.reextraction`
queues bulk extract jobs, a real Celery worker runs them, and the API shows the new pay with
the rule that chose it."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from shared.db.base import utcnow
from shared.db.models import Job, Posting, Rating
from shared.db.session import session_scope
from shared.extraction import rules_version
from tests.conftest import REPO, Worker, roomy_worker, signup, wait_for

OLD_VERSION = "2026.11.26-1"
ZONES = (
    "We hire across the country. The base salary range by zone: US Zone 1: $100,000 - "
    "$120,000 USDUS Zone 2: $90,000 - $110,000 USDUS Zone 3: $80,000 - $95,000 USD"
)


@pytest.fixture(scope="module")
def worker(database: str, redis_broker: str, linkedin: Any) -> Iterator[Worker]:
    yield from roomy_worker("reextract")


def _reextract(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "shared.reextraction", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


def _stored_posting(description: str, version: str | None) -> int:
    """A posting as an older release left it: fetched, extracted by `version`'s rules."""
    with session_scope() as session:
        posting = Posting(
            job_id=str(uuid.uuid4().int % 10**10),
            status="fetched",
            fetched_at=utcnow(),
            title="Data Engineer",
            company="Acme",
            location="Austin, TX (Hybrid)",
            description_text=description,
            extraction_source="rules" if version else None,
            annual_min=80_000.0 if version else None,
            annual_max=95_000.0 if version else None,
            rules_extraction={"rules_version": version} if version else None,
            extracted_at=utcnow() if version else None,
        )
        session.add(posting)
        session.flush()
        return posting.id


def _extract_jobs(posting_id: int) -> list[Job]:
    with session_scope() as session:
        return list(
            session.scalars(select(Job).where(Job.posting_id == posting_id, Job.kind == "extract"))
        )


def test_version_change_reextracts_stored_postings_through_the_worker(
    worker: Worker, api: Any
) -> None:
    stale = _stored_posting(ZONES, OLD_VERSION)
    current = _stored_posting("Pay: $50 - $60 an hour.", rules_version)
    never = _stored_posting("Not extracted yet: its own scrape job will do it.", None)

    assert "postings extracted by rules other than" in _reextract("--dry-run")
    assert _extract_jobs(stale) == []  # a dry run queues nothing
    assert _reextract().startswith("queued ")

    def finished() -> Job | None:
        jobs = _extract_jobs(stale)
        return jobs[0] if jobs and jobs[0].status in ("succeeded", "failed") else None

    job = wait_for(finished, timeout=90)
    assert (job.status, job.priority, job.user_id, job.error) == ("succeeded", "bulk", None, None)
    assert _extract_jobs(current) == [] and _extract_jobs(never) == []

    with session_scope() as session:
        posting = session.get(Posting, stale)
        assert posting is not None
        assert posting.rules_extraction is not None
        assert posting.rules_extraction["rules_version"] == rules_version
        # The zone table: the posting's country names every zone, so the envelope.
        assert (posting.annual_min, posting.annual_max) == (80_000.0, 120_000.0)
        assert posting.salary_basis == "range across 3 locations for the posting's country"
        assert posting.workplace_type == "hybrid"  # from the location's suffix
        assert posting.country == "United States"

    # Once current, running the command again queues nothing.
    assert _reextract() == f"queued 0 extract jobs for rules {rules_version}"
    assert len(_extract_jobs(stale)) == 1

    # The API shows the pay with the rule that chose it, to a user who rated the posting.
    headers = signup(api)
    me = api.get("/api/v1/me", headers=headers).json()["user"]
    with session_scope() as session:
        session.add(Rating(user_id=me["id"], posting_id=stale, rating=2))
    body = api.get(f"/api/v1/postings/{stale}", headers=headers).json()
    assert (body["annual_min"], body["annual_max"], body["salary_basis"]) == (
        80_000.0,
        120_000.0,
        "range across 3 locations for the posting's country",
    )


def test_rating_a_posting_extracted_by_old_rules_extracts_it_again(
    worker: Worker, api: Any
) -> None:
    stale = _stored_posting(ZONES, OLD_VERSION)
    with session_scope() as session:
        job_id = session.get(Posting, stale).job_id  # type: ignore[union-attr]
    headers = signup(api)
    res = api.post(
        "/api/v1/ratings",
        json={"url": f"https://www.linkedin.com/jobs/view/{job_id}/", "rating": 1},
        headers=headers,
    )
    assert res.status_code == 202, res.text
    assert res.json()["job"] is not None  # fresh, but extracted by other rules

    def extracted() -> Any:
        body = api.get(f"/api/v1/postings/{stale}", headers=headers).json()
        return body if body["salary_basis"] else None

    body = wait_for(extracted, timeout=90)
    assert body["annual_max"] == 120_000.0
