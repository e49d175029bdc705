"""Shared parameter types: ids and offsets bounded to the database's integer range, so an
out-of-range value is a 422 rather than a database error."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

DB_INT_MAX = 2**31 - 1

PathId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="an id from a listing")]
Offset = Annotated[int, Query(ge=0, le=DB_INT_MAX)]
