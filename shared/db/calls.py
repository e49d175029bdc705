"""Set statements: many calls of one statement run as one (PostgreSQL).

The calls go as one parameter, `calls`: a JSON array with an object per call, read by
`json_to_recordset` into a `calls` table with a column per parameter and `call`, each call's
number from 1; each row of the statement answers the call it names. The gateway's
`pool.grouped` gathers concurrent calls into such a document.

One JSON text, not an array per parameter: psycopg dumps an array element by element in
Python. Ten ratings' six arrays took 389 µs of the gateway's CPU (their two timestamp arrays
most of it); their document takes 142 µs, its dump included."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Text, bindparam, cast, column, func
from sqlalchemy.dialects.postgresql import JSON
from sqlalchemy.sql.selectable import NamedFromClause


def calls_table(types: dict[str, Any]) -> NamedFromClause:
    """The calls as rows: a column per parameter (`types`: its name and type) and `call`,
    each call's number."""
    document = cast(bindparam("calls", type_=Text()), JSON)
    columns = [column(name, type_) for name, type_ in types.items()]
    return (
        func.json_to_recordset(document)
        .table_valued(*columns, column("call", Integer()))
        .render_derived(name="calls", with_types=True)
    )


def as_document(calls: list[dict[str, Any]]) -> dict[str, str]:
    """The calls' parameters as the statement's one parameter, `calls`, numbered in order."""
    numbered = [{**params, "call": number} for number, params in enumerate(calls, 1)]
    return {"calls": json.dumps(numbered, default=_json_value, separators=(",", ":"))}


def _json_value(value: Any) -> str:
    """A timestamp as PostgreSQL reads one (ISO 8601, with its offset)."""
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"no JSON form for a call's {type(value).__name__}")
