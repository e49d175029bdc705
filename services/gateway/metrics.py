"""Prometheus metrics at /metrics: request latency per route, and the job queue as the
database sees it (what to scale workers on)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from shared.db.base import utcnow
from shared.db.models import Job
from shared.db.session import session_scope
from shared.jobs import aware


class JobCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        counts = GaugeMetricFamily("lir_jobs", "Jobs by kind and status", labels=["kind", "status"])
        oldest = GaugeMetricFamily(
            "lir_oldest_queued_job_seconds", "Age of the oldest queued job", labels=["kind"]
        )
        with session_scope() as session:
            for kind, status, n in session.execute(
                select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status)
            ):
                counts.add_metric([kind, status], n)
            for kind, created in session.execute(
                select(Job.kind, func.min(Job.created_at))
                .where(Job.status == "queued")
                .group_by(Job.kind)
            ):
                since = aware(created)
                oldest.add_metric([kind], (utcnow() - since).total_seconds() if since else 0.0)
        yield counts
        yield oldest


def route_template(request: Request) -> str:
    """The path with its parameters named (/api/v1/jobs/{job_id}), so label values stay few."""
    if request.scope.get("route") is None:
        return "unmatched"
    names = {str(v): k for k, v in request.path_params.items()}
    return "/".join(
        f"{{{names[seg]}}}" if seg in names else seg for seg in request.url.path.split("/")
    )


def install_metrics(app: FastAPI) -> None:
    registry = CollectorRegistry()
    registry.register(JobCollector())
    latency = Histogram(
        "lir_http_request_seconds",
        "Request latency",
        ["method", "route", "status"],
        registry=registry,
    )

    @app.middleware("http")
    async def _time(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        latency.labels(request.method, route_template(request), str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
