"""The hottest requests (job poll, stored prediction, cached recommendation list, rating of a
stored posting) by an API token, answered without FastAPI's routing and dependency
resolution, which cost more than the answer itself (a cached list: 2/3 of its CPU).

Pure ASGI, inside the body cap, the security headers and the latency metric (the request is
labelled with its route's template as if routed). Each answer is the route's own function
(`job_body`, `stored_prediction`, `served`, `stored_rating`); anything else falls through
to the app, body replayed: another credential, an unknown token, a parameter to refuse, a
list to build, a score to compute, a posting to fetch. So every refusal reads as the
route's; the database being unavailable gets the route's 503."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, HTTPException, Request
from pydantic import ValidationError
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.deps import known_user
from services.gateway.outage import database_unavailable
from services.gateway.routes import jobs, predictions, ratings, recommendations
from services.gateway.routes.jobs import job_body
from services.gateway.routes.predictions import PredictIn, stored_prediction
from services.gateway.routes.ratings import stored_rating
from services.gateway.routes.recommendations import ListQuery, list_key
from shared.db.models import User
from shared.recommendation_cache import served
from shared.recovery.errors import DATABASE_UNAVAILABLE
from shared.schemas import RatingIn

# An answer, or None to let the app answer.
Handler = Callable[[User, Scope, bytes], Awaitable[bytes | None]]
_JOB = re.compile(r"/api/v1/jobs/([0-9a-fA-F-]{32,36})")


async def _job_poll(user: User, scope: Scope, _: bytes) -> bytes | None:
    found = _JOB.fullmatch(scope["path"])
    try:
        job_id = uuid.UUID(found.group(1)) if found else None
    except ValueError:
        return None
    # A job that is not the caller's falls through for the route's own 404.
    return None if job_id is None else await job_body(user.id, job_id)


async def _prediction(user: User, scope: Scope, body: bytes) -> bytes | None:
    if scope["query_string"] not in (b"", b"explain=false"):
        return None
    try:
        return await stored_prediction(user.id, PredictIn.model_validate_json(body).url)
    except (ValidationError, ValueError):
        return None


async def _rating(user: User, scope: Scope, body: bytes) -> bytes | None:
    if scope["query_string"]:
        return None
    try:
        return await stored_rating(user.id, RatingIn.model_validate_json(body))
    except (ValidationError, ValueError):
        return None


async def _recommendations(user: User, scope: Scope, _: bytes) -> bytes | None:
    pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
    if any(value == "" for _, value in pairs):
        return None  # FastAPI's reading of an empty value is the route's to give
    try:
        return served(user.id, list_key(ListQuery.model_validate(dict(pairs))))
    except ValidationError:
        return None


_HEADERS = [(b"content-type", b"application/json")]


def _bearer(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            return (credentials or None) if scheme.lower() == "bearer" else None  # as HTTPBearer
    return None


class FastLane:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # Each handler with the route it answers for (the metric's label comes from it) and
        # the route's status.
        self.job_poll = (_job_poll, _route(jobs.router, jobs.get_job), 200)
        self.routes: dict[tuple[str, str], tuple[Handler, BaseRoute, int]] = {
            ("POST", "/api/v1/predictions"): (
                _prediction,
                _route(predictions.router, predictions.predict),
                200,
            ),
            ("GET", "/api/v1/recommendations"): (
                _recommendations,
                _route(recommendations.router, recommendations.recommendations),
                200,
            ),
            ("POST", "/api/v1/ratings"): (
                _rating,
                _route(ratings.router, ratings.submit_rating),
                202,
            ),
        }

    def _find(self, scope: Scope) -> tuple[Handler, BaseRoute, int] | None:
        path, method = scope["path"], scope["method"]
        if method == "GET" and path.startswith("/api/v1/jobs/"):
            return self.job_poll
        return self.routes.get((method, path))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self._find(scope) if scope["type"] == "http" else None
        token = None if found is None else _bearer(scope)
        try:
            user = None if token is None else await known_user("token", token)
        except DATABASE_UNAVAILABLE:  # the app answers it as it answers every route
            user = None
        if user is None:  # no token, or one the app refuses with its own 401
            await self.app(scope, receive, send)
            return
        handler, route, status = found  # type: ignore[misc]
        body, replay = b"", receive
        if scope["method"] == "POST":
            if _content_type(scope) != b"application/json":
                await self.app(scope, receive, send)
                return
            try:
                body = await _read_body(receive)
            except HTTPException as exc:  # the body cap or a NUL byte: the app's error
                await self.app(scope, _raising(exc), send)
                return
            replay = _replay(body, receive)
        try:
            answer = await handler(user, scope, body)
        except DATABASE_UNAVAILABLE as exc:  # the route would answer the same 503
            await (await database_unavailable(Request(scope), exc))(scope, receive, send)
            return
        if answer is None:
            await self.app(scope, replay, send)
            return
        scope["route"] = route  # the latency metric's label, as routing would have set it
        headers = [*_HEADERS, (b"content-length", str(len(answer)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": answer})


def _content_type(scope: Scope) -> bytes:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return value.split(b";")[0].strip().lower()
    return b""


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Callable[[], Awaitable[Message]]:
    """The body already read, once, then the connection's own messages (a disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return dict(await receive())
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


def _raising(exc: HTTPException) -> Callable[[], Awaitable[Message]]:
    async def receive() -> Message:
        raise exc

    return receive


def _route(router: APIRouter, endpoint: Callable[..., Any]) -> BaseRoute:
    return next(r for r in router.routes if getattr(r, "endpoint", None) is endpoint)
