"""The Celery app as both sides see it. The gateway only sends tasks by name; the worker
registers them (services.worker.tasks). Embedded mode uses kombu's filesystem transport,
so `make run` needs no broker server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from celery import Celery

from shared.settings import Settings, get_settings

# kind -> (task name, queue). One queue per kind of work, so training never holds up scraping.
# A search runs on the scrape queue (its LinkedIn request is a scrape's) but ranks on the
# extract queue, as a child "rank" job: scoring loads pandas, scikit-learn and the user's
# model, which the extract processes hold anyway and the scrape worker then never loads.
ROUTES: dict[str, tuple[str, str]] = {
    "scrape": ("scrape.posting", "scrape"),
    "extract": ("extract.posting", "extract"),
    "train": ("train.model", "train"),
    "search": ("search.run", "scrape"),
    "import": ("import.ratings", "extract"),
    "saved_search": ("saved_search.run", "scrape"),
    "rank": ("search.rank", "extract"),
}
QUEUES = sorted({queue for _, queue in ROUTES.values()})
# The reaper's own queue, consumed by a worker of its own: a backlog of real work can
# neither delay it nor (with the message's expiry) make it be thrown away.
MAINTENANCE_QUEUE = "maintenance"


def broker_config(settings: Settings) -> dict[str, Any]:
    if settings.broker_url:
        return {
            "broker_url": settings.broker_url,
            # Unacked messages of a dead worker come back after this; the job reaper is
            # the faster path, this is the safety net.
            "broker_transport_options": {
                "visibility_timeout": 3600,
                **(
                    {"global_keyprefix": settings.broker_key_prefix}
                    if settings.broker_key_prefix
                    else {}
                ),
            },
        }
    folder = (settings.data_dir / "broker").resolve()
    for sub in ("queue", "processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "broker_url": "filesystem://",
        "broker_transport": "shared.fs_broker:Transport",
        "broker_transport_options": {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
        },
    }


def make_celery(settings: Settings | None = None) -> Celery:
    settings = settings or get_settings()
    app = Celery("lirecommend")
    app.conf.update(
        broker_config(settings),
        task_serializer="json",
        accept_content=["json"],
        # The job row in the database is the truth clients poll; no result backend.
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue="extract",
        broker_connection_retry_on_startup=True,
        beat_schedule={
            "reap-jobs": {
                "task": "jobs.reap",
                "schedule": float(settings.job_reap_interval_seconds),
                "options": {
                    "queue": MAINTENANCE_QUEUE,
                    # A reap the maintenance worker cannot run in time is replaced by the next.
                    "expires": settings.job_reap_interval_seconds,
                },
            },
            "recheck-postings": {
                "task": "postings.recheck",
                "schedule": settings.posting_recheck_interval_seconds,
                "options": {
                    "queue": MAINTENANCE_QUEUE,
                    "expires": settings.posting_recheck_interval_seconds,
                },
            },
            "dispatch-saved-searches": {
                "task": "saved_search.dispatch",
                "schedule": settings.saved_search_tick_seconds,
                "options": {
                    "queue": MAINTENANCE_QUEUE,
                    "expires": settings.saved_search_tick_seconds,
                },
            },
        },
        beat_schedule_filename=str(Path(settings.data_dir).resolve() / "celerybeat-schedule"),
    )
    return app


celery_app = make_celery()
