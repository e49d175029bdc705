"""Thin Celery tasks: each claims its job row and runs one domain function from shared/."""

from __future__ import annotations

from typing import Any

from celery import Task

from shared import jobs
from shared.queue import celery_app


class JobTask(Task):  # type: ignore[misc]
    autoretry_for = jobs.TRANSIENT
    retry_backoff = 5
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 3
    # A rerun is harmless: the job row says whether the work is already done.
    acks_late = True

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        if isinstance(exc, jobs.TRANSIENT) and args:
            jobs.fail_exhausted(args[0], exc)


@celery_app.task(name="scrape.posting", base=JobTask)
def scrape_posting_task(job_id: str) -> None:
    from shared.postings import scrape_work

    jobs.run_job(job_id, scrape_work)


@celery_app.task(name="extract.posting", base=JobTask)
def extract_posting_task(job_id: str) -> None:
    from shared.postings import extract_work

    jobs.run_job(job_id, extract_work)


@celery_app.task(name="jobs.reap")
def reap_task() -> dict[str, int]:
    return jobs.reap()


@celery_app.task(name="train.model", base=JobTask)
def train_model_task(job_id: str) -> None:
    from shared.training import train_work

    jobs.run_job(job_id, train_work)


@celery_app.task(name="search.run", base=JobTask)
def search_task(job_id: str) -> None:
    from shared.searches import search_work

    jobs.run_job(job_id, search_work)


@celery_app.task(name="import.ratings", base=JobTask)
def import_task(job_id: str) -> None:
    from shared.data_io import import_work

    jobs.run_job(job_id, import_work)
