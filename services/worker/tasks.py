"""Thin Celery tasks: each claims its job row and runs one domain function from shared/.

Every job message is `(job_id, attempt)`; see shared.jobs.claim."""

from __future__ import annotations

from typing import Any

from celery import Task
from celery.utils.time import get_exponential_backoff_interval

from shared import jobs
from shared.queue import celery_app


class JobTask(Task):  # type: ignore[misc]
    # The database going away is retried by re-sending the message (with the attempt that
    # failed, so it may take the job over); other transient errors defer the job row.
    max_retries = 5
    # A rerun is harmless: the job row says whether the work is already done.
    acks_late = True

    def run_job(self, job_id: str, attempt: int | None, work: jobs.Work) -> None:
        try:
            jobs.run_job(job_id, work, attempt)
        except jobs.DatabaseUnavailable as exc:
            countdown = get_exponential_backoff_interval(
                factor=2, retries=self.request.retries, maximum=60, full_jitter=True
            )
            raise self.retry(
                args=[job_id, exc.attempt], exc=exc.__cause__ or exc, countdown=max(1, countdown)
            ) from exc

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        if args:
            jobs.fail_exhausted(args[0], args[1] if len(args) > 1 else None, exc)


@celery_app.task(name="scrape.posting", base=JobTask, bind=True)
def scrape_posting_task(self: JobTask, job_id: str, attempt: int | None = None) -> None:
    from shared.postings import scrape_work

    self.run_job(job_id, attempt, scrape_work)


@celery_app.task(name="extract.posting", base=JobTask, bind=True)
def extract_posting_task(self: JobTask, job_id: str, attempt: int | None = None) -> None:
    from shared.postings import extract_work

    self.run_job(job_id, attempt, extract_work)


@celery_app.task(name="jobs.reap")
def reap_task() -> dict[str, int]:
    from shared.dispatch import dispatch_now
    from shared.recovery.reaper import reap

    # Beat's pass of the dispatcher rides along: the safety net behind the passes that run
    # after every commit of new jobs and every finished job.
    return {**reap(), "released": dispatch_now()}


@celery_app.task(name="train.model", base=JobTask, bind=True)
def train_model_task(self: JobTask, job_id: str, attempt: int | None = None) -> None:
    from shared.training import train_work

    self.run_job(job_id, attempt, train_work)


@celery_app.task(name="search.run", base=JobTask, bind=True)
def search_task(self: JobTask, job_id: str, attempt: int | None = None) -> None:
    from shared.searches import search_work

    self.run_job(job_id, attempt, search_work)


@celery_app.task(name="search.rank", base=JobTask, bind=True)
def rank_task(self: JobTask, job_id: str, attempt: int | None = None) -> None:
    from shared.searches import rank_work

    self.run_job(job_id, attempt, rank_work)


@celery_app.task(name="import.ratings", base=JobTask, bind=True)
def import_task(self: JobTask, job_id: str, attempt: int | None = None) -> None:
    from shared.data_io import import_work

    self.run_job(job_id, attempt, import_work)


@celery_app.task(name="saved_search.run", base=JobTask, bind=True)
def saved_search_task(self: JobTask, job_id: str, attempt: int | None = None) -> None:
    from shared.saved_searches.service import run_work

    self.run_job(job_id, attempt, run_work)


@celery_app.task(name="saved_search.dispatch")
def dispatch_saved_searches_task() -> dict[str, int]:
    from shared.db.session import session_scope
    from shared.saved_searches.service import dispatch

    with session_scope() as session:
        return dispatch(session)


@celery_app.task(name="postings.recheck")
def recheck_postings_task() -> dict[str, int]:
    from shared.db.session import session_scope
    from shared.freshness.service import recheck

    with session_scope() as session:
        return recheck(session)
