"""Errors stored on jobs and postings are for users: no SQL, no driver text, bounded."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import IntegrityError, OperationalError

from shared.recovery.errors import MAX_ERROR_CHARS, public_error


def test_database_outage_is_named_not_dumped() -> None:
    exc = OperationalError("SELECT * FROM jobs", {}, sqlite3.OperationalError("database is locked"))
    assert public_error(exc) == "the database was unavailable; the job will be retried"


def test_other_database_errors_hide_the_statement() -> None:
    exc = IntegrityError(
        "INSERT INTO users (id) VALUES (?)", (None,), sqlite3.IntegrityError("NOT NULL failed")
    )
    text = public_error(exc)
    assert text == "internal database error (IntegrityError); the details are in the log"
    assert "INSERT" not in text


def test_sql_tail_is_cut_and_length_bounded() -> None:
    assert public_error(ValueError("bad row\n[SQL: SELECT 1]\n(Background on this error")) == (
        "bad row"
    )
    assert len(public_error(RuntimeError("x" * 5000))) == MAX_ERROR_CHARS
    assert public_error(KeyError()) == "KeyError"
