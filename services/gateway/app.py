"""The API gateway: REST under /api/v1, health probes, the web pages and offline docs."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError

from services.gateway import docs
from services.gateway.errors import (
    API_ERRORS,
    database_refused_value,
    quota_exceeded,
    validation_error,
)
from services.gateway.metrics import install_metrics
from services.gateway.middleware import RequestGuard, SecurityHeaders, SessionCookies
from services.gateway.outage import install_outage_handler
from services.gateway.routes import (
    applications,
    auth,
    career,
    data,
    health,
    jobs,
    models,
    predictions,
    preferences,
    profile,
    rate_next,
    ratings,
    recommendations,
    searches,
)
from services.gateway.web import router as web
from services.gateway.web.render import HERE as WEB_DIR
from shared.quotas import QuotaExceeded
from shared.secret_key import secret_key
from shared.settings import get_settings


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(title="LIRecommend", version="0.1.0", docs_url=None, redoc_url=None)
    # Added innermost first: the headers wrap everything, even a 413 sent before routing.
    app.add_middleware(
        SessionCookies,
        secret_key=secret_key(settings),
        cookie="lir_session",
        always_secure=settings.cookie_secure,
    )
    app.add_middleware(
        RequestGuard, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes
    )
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(RequestValidationError, validation_error)
    install_outage_handler(app)
    app.add_exception_handler(DataError, database_refused_value)
    app.add_exception_handler(QuotaExceeded, quota_exceeded)
    install_metrics(app)
    api = APIRouter(prefix="/api/v1", responses=API_ERRORS)
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
    )
    for router in routers:
        api.include_router(router)
    app.include_router(api)
    app.include_router(health.router)
    app.include_router(web.router)
    app.include_router(docs.router)
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    app.mount("/docs-assets", StaticFiles(directory=docs.ASSETS), name="docs-assets")
    return app


app = create_app()
