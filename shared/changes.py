"""Change counters for cached reads (shared.db.models.ChangeVersion).

Every session records which scopes its writes touch — `user:<id>` for a user's ratings,
hidden postings, block rules, tracker, models, predictions, profile and preferences; `all`
for the shared postings, and for any write to those tables whose user it cannot tell — and
bumps their counters just before it commits, in the same transaction. A reader that finds
the counters unchanged knows none of those rows changed: there is no TTL to wait out, and
no write path to remember, because the hook sits on the Session itself (ORM objects and
bulk INSERT/UPDATE/DELETE alike). Counters are bumped late, at commit, so their row locks
are held only while the commit itself runs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import (
    BinaryExpression,
    BindParameter,
    Select,
    Table,
    bindparam,
    event,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.dml import ReturningInsert

from shared import change_mirror
from shared.db.models import (
    Application,
    BlockRule,
    ChangeVersion,
    HiddenPosting,
    ModelVersion,
    Posting,
    Prediction,
    Profile,
    Rating,
    StatedPreferences,
)

ALL = "all"
PER_USER = (
    Rating,
    HiddenPosting,
    BlockRule,
    Application,
    ModelVersion,
    Prediction,
    Profile,
    StatedPreferences,
)
_PER_USER_TABLES = {m.__tablename__ for m in PER_USER}
_SHARED_TABLES = {Posting.__tablename__}
_KEY = "lir_changed_scopes"
_REACHED = "lir_reached_versions"  # bumped in this transaction, copied after its commit


def user_scope(user_id: int) -> str:
    return f"user:{user_id}"


def versions(session: Session, scopes: Iterable[str]) -> tuple[int, ...]:
    """The scopes' counters, in the order given (0 for a scope never written): one read."""
    wanted = list(scopes)
    rows = session.execute(
        select(ChangeVersion.scope, ChangeVersion.version).where(ChangeVersion.scope.in_(wanted))
    ).all()
    found = {scope: version for scope, version in rows}
    return tuple(int(found.get(s, 0)) for s in wanted)


def _touched(session: Session) -> set[str]:
    scopes: set[str] = session.info.setdefault(_KEY, set())
    return scopes


@event.listens_for(Session, "before_flush")
def _record_objects(session: Session, _ctx: Any, _instances: Any) -> None:
    touched = _touched(session)
    for obj in session.new:
        # A posting row a rating or a search just created holds only its URL: no list can
        # show it (nothing is scored without a title) until its fetch writes it, and that
        # write bumps `all`. Skipping it keeps ratings of new URLs off the one hot row.
        if not (isinstance(obj, Posting) and obj.title is None):
            _record_object(touched, obj)
    for obj in session.deleted:
        _record_object(touched, obj)
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            _record_object(touched, obj)


def _record_object(touched: set[str], obj: object) -> None:
    if isinstance(obj, PER_USER):
        user_id = obj.user_id
        touched.add(user_scope(user_id) if user_id is not None else ALL)
    elif isinstance(obj, Posting):
        touched.add(ALL)


@event.listens_for(Session, "do_orm_execute")
def _record_statement(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table in _SHARED_TABLES:
        _touched(state.session).add(ALL)
    elif table in _PER_USER_TABLES:
        users = set(_statement_users(state))
        touched = _touched(state.session)
        if users and None not in users:
            touched.update(user_scope(u) for u in users)
        else:
            touched.add(ALL)  # cannot tell whose rows: every reader rechecks


def _statement_users(state: ORMExecuteState) -> Iterator[Any]:
    """The user ids a bulk statement writes: from its parameters, its VALUES, and
    `user_id = :x` / `user_id IN (...)` in its WHERE clause (a `bindparam()` without a value,
    in a statement built once, is read from the parameters)."""
    params: Any = state.parameters
    rows: list[Any] = params if isinstance(params, list) else [params] if params else []
    for row in rows:
        if "user_id" in row:
            yield row["user_id"]
    stmt: Any = state.statement
    for values in [[getattr(stmt, "_values", None) or {}], *(getattr(stmt, "_multi_values", ()))]:
        for row in values:
            for key, value in (row or {}).items():
                if getattr(key, "key", key) == "user_id":
                    yield from _bound(value, rows) if isinstance(value, BindParameter) else [value]
    where = getattr(stmt, "whereclause", None)
    if where is None:
        return
    for node in visitors.iterate(where):
        if (
            isinstance(node, BinaryExpression)
            and getattr(node.left, "key", None) == "user_id"
            and isinstance(node.right, BindParameter)
        ):
            if node.operator is operators.eq:
                yield from _bound(node.right, rows)
            elif node.operator is operators.in_op:
                for value in _bound(node.right, rows):
                    yield from value or [None]


def _bound(bind: BindParameter[Any], rows: list[Any]) -> Iterator[Any]:
    if not bind.required:
        yield bind.effective_value
        return
    for row in rows or [{}]:
        yield row.get(bind.key)


_VERSIONS: Table = ChangeVersion.__table__  # type: ignore[assignment]


def _counted(insert: Any) -> ReturningInsert[Any]:
    """The counters' one rule: a new scope starts at the inserted count, a known one goes up
    by it."""
    return insert.on_conflict_do_update(
        index_elements=["scope"], set_={"version": _VERSIONS.c.version + insert.excluded.version}
    ).returning(_VERSIONS.c.scope, _VERSIONS.c.version)


_BUMP = {  # per dialect, built once; Core, not the ORM's bulk path
    name: _counted(insert(_VERSIONS).values(scope=bindparam("scope"), version=1))
    for name, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


def bump_each(scopes: Select[Any]) -> ReturningInsert[Any]:
    """Each scope's counter bumped once per row of `scopes` (a column `scope`: one row per
    row a data-modifying CTE wrote), as a CTE of the same statement (PostgreSQL): for the
    one-statement ratings, which run outside any Session, where `_bump` cannot see them.
    The counters are written in scope order, as `_bump` writes them, so two writers never
    wait on each other in a cycle."""
    rows = scopes.subquery()
    counted = select(rows.c.scope, func.count()).group_by(rows.c.scope).order_by(rows.c.scope)
    return _counted(pg_insert(_VERSIONS).from_select(["scope", "version"], counted))


def reached(rows: Iterable[Any]) -> dict[str, int]:
    """The versions rows of `bump_each` statements reached, highest per scope: what to copy
    to the mirror once they are committed (`change_mirror.write`)."""
    out: dict[str, int] = {}
    for row in rows:
        out[row.scope] = max(out.get(row.scope, 0), row.version)
    return out


@event.listens_for(Session, "before_commit")
def _bump(session: Session) -> None:
    session.flush()  # the commit's own final flush comes after this hook: record it now
    if session.in_nested_transaction():
        return  # a savepoint: its scopes wait for the root commit, so that every counter
        # lock is taken at commit, in one order (a lock taken earlier could deadlock)
    scopes = session.info.pop(_KEY, None)
    if not scopes:
        return
    bump = _BUMP[session.get_bind().dialect.name]
    reached: dict[str, int] = session.info.setdefault(_REACHED, {})
    for scope in sorted(scopes):  # one order for every writer: no deadlock between two
        reached[scope] = session.execute(bump, {"scope": scope}).one().version


@event.listens_for(Session, "after_commit")
def _copy(session: Session) -> None:
    # Root commits only: now the versions count.
    change_mirror.write(session.info.pop(_REACHED, {}))


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    # A rolled-back root transaction wrote nothing. (A rolled-back savepoint's scopes are
    # kept: bumping one too many is harmless, one too few is not.)
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_KEY, None)
        session.info.pop(_REACHED, None)
