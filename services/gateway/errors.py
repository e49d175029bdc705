"""Error bodies: `{"detail": "<what is wrong>"}` everywhere; validation errors add the
per-field list, which never echoes a password and cuts any echoed input to a prefix."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from shared.quotas import QuotaExceeded

ECHO_CHARS = 40
SECRET_FIELDS = frozenset({"password", "confirm", "token", "csrf_token"})


class ErrorOut(BaseModel):
    detail: str


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str
    input: str | int | float | bool | None = None


class ValidationErrorOut(BaseModel):
    detail: str
    errors: list[FieldError] = []


def _short(value: Any) -> str | int | float | bool | None:
    if isinstance(value, str):
        return value if len(value) <= ECHO_CHARS else value[:ECHO_CHARS] + "…"
    if isinstance(value, bool | int | float) or value is None:
        return value
    return None  # a whole object or list would echo everything in it


def _field(error: dict[str, Any]) -> FieldError:
    loc = [p if isinstance(p, int) else str(p) for p in error.get("loc", ())]
    secret = any(str(p).lower() in SECRET_FIELDS for p in loc)
    return FieldError(
        loc=loc,
        msg=_message(error),
        type=str(error.get("type", "invalid")),
        input=None if secret else _short(error.get("input")),
    )


def _message(error: dict[str, Any]) -> str:
    if error.get("type") == "missing":
        return "field required"
    return str(error.get("msg", "invalid")).removeprefix("Value error, ")[:200]


def _describe(field: FieldError) -> str:
    where = ".".join(str(p) for p in field.loc if p not in ("body", "query", "path"))
    return f"{where}: {field.msg}" if where else field.msg


async def validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [_field(e) for e in exc.errors()]
    out = ValidationErrorOut(detail="; ".join(_describe(f) for f in fields), errors=fields)
    return JSONResponse(status_code=422, content=out.model_dump(mode="json"))


async def database_refused_value(_: Request, exc: Exception) -> JSONResponse:
    """Safety net behind the schemas: a value the database cannot store is the caller's
    error (422), never a 500 with SQL in it."""
    return JSONResponse(
        status_code=422,
        content={"detail": "a value is out of range for the database or not valid text"},
    )


async def quota_exceeded(_: Request, exc: Exception) -> JSONResponse:
    """A quota (shared.quotas): 429 or 413, the message naming the limit and its setting."""
    assert isinstance(exc, QuotaExceeded)
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    return JSONResponse({"detail": exc.message}, status_code=exc.status_code, headers=headers)


def _error(description: str, model: type[BaseModel] = ErrorOut) -> dict[str, Any]:
    return {"description": description, "model": model}


# Documented on every API route (FastAPI merges them into each operation).
API_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("malformed request"),
    401: _error("not signed in, or the token is invalid, revoked or expired"),
    403: _error("cookie session without a valid CSRF token"),
    404: _error("no such object, or it belongs to someone else"),
    409: _error("conflicts with existing data"),
    413: _error("request body over the size limit"),
    422: _error("invalid input; the message names the field", ValidationErrorOut),
    429: _error("over a rate limit or quota; see Retry-After"),
    503: _error("a backing service (database, broker) is unavailable; see Retry-After"),
}
