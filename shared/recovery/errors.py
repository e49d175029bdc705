"""Error text for job rows and postings: what went wrong, never raw SQL or a stack dump."""

from __future__ import annotations

import re

from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)

MAX_ERROR_CHARS = 500
# Errors that mean the database went away for a moment, not that the work is wrong.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError)
_SQL_DETAIL = re.compile(r"\[SQL: .*|\(Background on this error.*", re.DOTALL)


def _is_driver_error(exc: BaseException) -> bool:
    module = type(exc).__module__
    return module.startswith(("psycopg", "sqlite3")) or module == "_sqlite3"


def public_error(exc: BaseException) -> str:
    """A short, user-facing reason for `exc`; the full error stays in the worker's log."""
    if isinstance(exc, DATABASE_UNAVAILABLE) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        return "the database was unavailable; the job will be retried"
    if isinstance(exc, SQLAlchemyError) or _is_driver_error(exc):
        orig = getattr(exc, "orig", None) or exc
        return f"internal database error ({type(orig).__name__}); the details are in the log"
    text = _SQL_DETAIL.sub("", str(exc)).strip() or type(exc).__name__
    if len(text) > MAX_ERROR_CHARS:
        text = text[: MAX_ERROR_CHARS - 1] + "…"
    return text
