"""Set statements: many calls of one statement run as one (PostgreSQL).

Each parameter is an array with an element per call, unnested into a `calls` table whose
`call` column numbers the calls from 1; each row of the statement answers the call it
names. The gateway's `pool.grouped` gathers concurrent calls into such arrays."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.selectable import NamedFromClause


def calls_table(types: dict[str, Any]) -> NamedFromClause:
    """The calls as rows: a column per parameter (`types`: its name and element type) and
    `call`, each call's number in the arrays."""
    return (
        func.unnest(*(bindparam(name, type_=ARRAY(type_)) for name, type_ in types.items()))
        .table_valued(*types, with_ordinality="call")
        .render_derived(name="calls")
    )


def as_arrays(calls: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The calls' parameters, each an array of their values in call order."""
    return {name: [call[name] for call in calls] for name in calls[0]}
