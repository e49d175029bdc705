"""The API gateway: REST under /api/v1, health probes, and (later) the web pages."""

from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from services.gateway.metrics import install_metrics
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
    profile,
    ratings,
    recommendations,
    searches,
)
from services.gateway.web import router as web
from services.gateway.web.render import HERE as WEB_DIR
from shared.settings import DEV_SECRET, get_settings


def _describe(error: dict) -> str:  # type: ignore[type-arg]
    where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path"))
    msg = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    if error.get("type") == "missing":
        msg = "field required"
    return f"{where}: {msg}" if where else msg


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    return JSONResponse(
        status_code=422,
        content={"detail": "; ".join(_describe(e) for e in errors), "errors": jsonable(errors)},
    )


def jsonable(errors: object) -> object:
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(errors, custom_encoder={Exception: str})


def create_app() -> FastAPI:
    settings = get_settings()
    if settings.database_url and settings.secret_key.get_secret_value() == DEV_SECRET:
        logging.getLogger(__name__).warning(
            "LIR_SECRET_KEY is the development default: set it before exposing this gateway"
        )
    app = FastAPI(title="LIRecommend", version="0.1.0", docs_url="/docs")
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie="lir_session",
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_exception_handler(RequestValidationError, _validation_error)
    install_outage_handler(app)
    install_metrics(app)
    api = APIRouter(prefix="/api/v1")
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
    )
    for router in routers:
        api.include_router(router)
    app.include_router(api)
    app.include_router(health.router)
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    return app


app = create_app()
