"""The API gateway: REST under /api/v1, health probes, the web pages and offline docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError

from services.gateway import collector, docs, pool, retrain_checks
from services.gateway.errors import (
    API_ERRORS,
    database_refused_value,
    quota_exceeded,
    validation_error,
)
from services.gateway.fast_lane import FastLane
from services.gateway.metrics import install_metrics
from services.gateway.middleware import Liveness, RequestGuard, SecurityHeaders, SessionCookies
from services.gateway.outage import install_outage_handler
from services.gateway.routes import (
    applications,
    auth,
    career,
    data,
    health,
    jobs,
    models,
    notifications,
    predictions,
    preferences,
    profile,
    rate_next,
    ratings,
    recommendations,
    reposts,
    saved_searches,
    searches,
)
from services.gateway.web import router as web
from services.gateway.web.render import HERE as WEB_DIR
from shared.quotas import QuotaExceeded
from shared.secret_key import secret_key
from shared.settings import get_settings


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    to_thread.current_default_thread_limiter().total_tokens = get_settings().gateway_threads
    async with pool.pool_on_this_loop():
        with collector.tuned_for_serving(app):
            try:
                yield
            finally:
                await retrain_checks.flush()


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(
        title="LIRecommend",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
        # Metrics are Prometheus's (/metrics). FastAPI's own OpenTelemetry asks on every
        # request whether a provider was set up: ~10 µs of a request's CPU, for nothing here.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    # Added innermost first: the headers wrap everything, even a 413 sent before routing.
    app.add_middleware(
        SessionCookies,
        secret_key=secret_key(settings),
        cookie="lir_session",
        always_secure=settings.cookie_secure,
    )
    app.add_middleware(FastLane)  # the hot requests skip routing, inside the guards and metric
    app.add_middleware(
        RequestGuard, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes
    )
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(RequestValidationError, validation_error)
    install_outage_handler(app)
    app.add_exception_handler(DataError, database_refused_value)
    app.add_exception_handler(QuotaExceeded, quota_exceeded)
    # Routes match in order: the readiness probe first, then the API, then the pages.
    app.include_router(health.router)
    install_metrics(app)
    routers = (
        auth.router,
        ratings.router,
        ratings.postings_router,
        jobs.router,
        predictions.router,
        recommendations.router,
        searches.router,
        models.router,
        data.router,
        applications.router,
        profile.router,
        career.router,
        preferences.router,
        rate_next.router,
        saved_searches.router,
        reposts.router,
        notifications.router,
    )
    for router in routers:  # each on the app itself: a nested router costs a match per level
        app.include_router(router, prefix="/api/v1", responses=API_ERRORS)
    app.include_router(notifications.feeds)
    app.include_router(web.router)
    app.include_router(docs.router)
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    app.mount("/docs-assets", StaticFiles(directory=docs.ASSETS), name="docs-assets")
    # Outermost, outside the metrics too: GET /healthz costs no more than a bare app's GET.
    app.add_middleware(Liveness)
    return app


app = create_app()
