"""Pure ASGI middleware (no BaseHTTPMiddleware: each costs a task and a copy per request):
the liveness probe, security headers on every response, a request-body cap enforced while
the body streams in (and no NUL bytes), and the session cookie marked Secure whenever the
request came over HTTPS."""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Only our own assets; no inline script or style, nothing framed, no referrer leak.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


class Liveness:
    """GET /healthz, answered before any other middleware or the router: a liveness probe
    needs neither, and is polled often. It says only that the process serves; /readyz
    checks the database and the broker."""

    BODY = b'{"status":"ok"}'
    HEADERS = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(BODY)).encode()),
        *SECURITY_HEADERS,
    ]

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/healthz" and scope["method"] == "GET":
            await send({"type": "http.response.start", "status": 200, "headers": self.HEADERS})
            await send({"type": "http.response.body", "body": self.BODY})
            return
        await self.app(scope, receive, send)


def too_large(limit: int) -> HTTPException:
    return HTTPException(413, f"request body is larger than the limit of {limit} bytes")


def nul_refused() -> HTTPException:
    return HTTPException(422, "NUL bytes (\\u0000, %00) are not allowed in any input")


# How a NUL byte looks in each encoding we parse (multipart files are the import's concern).
_NUL_FORMS = {b"application/json": b"\\u0000", b"application/x-www-form-urlencoded": b"%00"}


class RequestGuard:
    """Caps the request body, refusing it at once when Content-Length says it is over, else as
    soon as the streamed bytes pass the cap (the route's read fails with 413; nothing more is
    read). Also refuses NUL bytes in the path, query and JSON or form bodies: no database
    text column can hold one."""

    def __init__(self, app: ASGIApp, max_body: int, max_upload: int) -> None:
        self.app, self.max_body, self.max_upload = app, max_body, max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope["query_string"]:
            await _send_error(send, nul_refused())
            return
        headers = dict(scope["headers"])
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        limit = self.max_upload if content_type.startswith(b"multipart/") else self.max_body
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _send_error(send, too_large(limit))
            return
        nul = _NUL_FORMS.get(content_type)
        seen, tail = 0, b""

        async def guarded() -> Message:
            nonlocal seen, tail
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                seen += len(chunk)
                if seen > limit:
                    raise too_large(limit)
                if nul is not None:
                    if nul in tail + chunk:
                        raise nul_refused()
                    tail = (tail + chunk)[-len(nul) :]
            return message

        await self.app(scope, guarded, send)


async def _send_error(send: Send, exc: HTTPException) -> None:
    body = json.dumps({"detail": exc.detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": exc.status_code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SessionCookies:
    """Starlette's signed-cookie session, with `Secure` whenever the request's scheme is
    https: directly, or as a trusted proxy said through X-Forwarded-Proto (uvicorn's
    proxy headers rewrite the scheme)."""

    def __init__(self, app: ASGIApp, secret_key: str, cookie: str, always_secure: bool) -> None:
        options: dict[str, Any] = {
            "secret_key": secret_key,
            "session_cookie": cookie,
            "same_site": "lax",
        }
        self.plain = SessionMiddleware(app, https_only=always_secure, **options)
        self.secure = SessionMiddleware(app, https_only=True, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        https = scope.get("scheme") in ("https", "wss")
        await (self.secure if https else self.plain)(scope, receive, send)
