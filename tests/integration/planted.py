"""Postings planted straight into the database, as a scrape and extraction by the current
rules would leave them, for tests that need stored postings without the stand-in. Postings
are global: a test that plants them tags them (here by seniority) and deletes them after."""

from __future__ import annotations

from typing import Any


def planted_posting(job_id: int, tag: str, company: str) -> Any:
    from shared.db.base import utcnow
    from shared.db.models import Posting
    from shared.extraction.version import RULES_VERSION

    now = utcnow()
    return Posting(
        job_id=str(job_id),
        url=f"https://www.linkedin.com/jobs/view/{job_id}/",
        status="fetched",
        title=f"Data Engineer {job_id}",
        company=company,
        location="Remote",
        seniority=tag,
        workplace_type="remote",
        description_text="Python, SQL and Airflow pipelines.",
        skills=["Python", "SQL"],
        salary_currency="USD",
        annual_min=100_000.0,
        annual_max=150_000.0,
        rules_extraction={"rules_version": RULES_VERSION},
        extracted_at=now,
        extraction_source="rules",
        fetched_at=now,
        created_at=now,
        updated_at=now,
    )
