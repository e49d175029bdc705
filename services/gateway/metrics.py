"""Prometheus metrics at /metrics: request latency per route, and the job queue as the
database sees it (what to scale workers on)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

from fastapi import FastAPI, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    GCCollector,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.pool import GROUP_SECONDS, GROUP_SIZES
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


class ProcessIdentity(Collector):
    """Which process answered (its pid, read when asked: a forked process has its own). Two
    processes started in the same tick share process_start_time_seconds."""

    def collect(self) -> Iterator[InfoMetricFamily]:
        yield InfoMetricFamily(
            "lir_gateway_process", "The gateway process answering", value={"pid": str(os.getpid())}
        )


class LatencyMiddleware:
    """Request latency per route template. Pure ASGI: it only watches the response start
    go by, no per-request task or request object as @app.middleware("http") would make.
    Each label set's child is looked up once (`labels()` takes a lock and checks the
    labels on every call)."""

    def __init__(self, app: ASGIApp, histogram: Histogram) -> None:
        self.app, self.histogram = app, histogram
        self.children: dict[tuple[str, str, int], Histogram] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            key = (scope["method"], route_template(scope), status)
            child = self.children.get(key)
            if child is None:
                child = self.children[key] = self.histogram.labels(key[0], key[1], str(status))
            child.observe(time.perf_counter() - started)


def route_template(scope: Scope) -> str:
    """The path with its parameters named (/api/v1/jobs/{job_id}), so label values stay
    few: the matched route's own template (without its router's prefix) after the path's
    prefix."""
    template = getattr(scope.get("route"), "path_format", None)
    if not isinstance(template, str):
        return "unmatched"
    prefix = scope["path"].rsplit("/", template.count("/"))[0]
    return prefix + template


def install_metrics(app: FastAPI) -> None:
    registry = CollectorRegistry()
    registry.register(JobCollector())
    registry.register(GROUP_SIZES)
    registry.register(GROUP_SECONDS)
    # Each gateway process answers /metrics from its own registry, named by its pid: its
    # CPU and memory are its own, and so are its collector's passes by generation (a full
    # one stops its event loop: services.gateway.collector).
    registry.register(ProcessIdentity())
    ProcessCollector(registry=registry)
    GCCollector(registry=registry)
    latency = Histogram(
        "lir_http_request_seconds",
        "Request latency",
        ["method", "route", "status"],
        registry=registry,
    )
    app.add_middleware(LatencyMiddleware, histogram=latency)

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
