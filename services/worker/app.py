"""Worker entry point: `celery -A services.worker.app worker -Q scrape,extract,train`, and one
worker of its own for the reaper: `-Q maintenance --pool solo` (with beat, or beside it)."""

from __future__ import annotations

from shared.queue import celery_app

celery_app.conf.update(include=["services.worker.tasks"])
app = celery_app
