"""The embedded default's SQLite file is shared by the gateway and worker processes. A unit of
work that opens with a savepoint (an import row, say) must wait for another writer, not fail
with "database is locked" the moment someone else commits between its read and its write."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from shared.db.session import make_engine


def test_savepoint_read_then_write_waits_for_a_concurrent_writer(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    ours, theirs = make_engine(url), make_engine(url)
    with ours.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    errors: list[BaseException] = []

    def other_process_writes() -> None:
        try:
            with theirs.begin() as conn:
                conn.execute(text("INSERT INTO t VALUES (1)"))
        except BaseException as exc:  # reported below, on the test's thread
            errors.append(exc)

    with Session(ours) as session:
        with session.begin_nested():
            assert session.execute(text("SELECT count(*) FROM t")).scalar() == 0
            writer = threading.Thread(target=other_process_writes)
            writer.start()
            writer.join(timeout=0.5)  # it waits for our write lock rather than committing first
            session.execute(text("INSERT INTO t VALUES (2)"))
        session.commit()
    writer.join(timeout=30)
    assert not errors, errors
    with ours.connect() as conn:
        assert sorted(conn.execute(text("SELECT x FROM t")).scalars()) == [1, 2]
