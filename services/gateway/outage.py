"""A database outage (down, restarting, or an embedded file still locked after the busy
timeout) answers 503 with Retry-After, never a 500 with the driver's text."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from shared.recovery.errors import DATABASE_UNAVAILABLE

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
MESSAGE = "the database is unavailable for a moment; try again shortly"


async def database_unavailable(request: Request, exc: Exception) -> Response:
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    ):
        page = (
            "<!doctype html><meta charset=utf-8><title>Back in a moment · LIRecommend</title>"
            f"<h1>Back in a moment</h1><p>The {MESSAGE}. This page will work again shortly.</p>"
        )
        return HTMLResponse(page, status_code=503, headers=headers)
    return JSONResponse({"detail": MESSAGE}, status_code=503, headers=headers)


def install_outage_handler(app: FastAPI) -> None:
    for error in DATABASE_UNAVAILABLE:
        app.add_exception_handler(error, database_unavailable)
