"""The Alembic migrations build exactly the schema the models declare, on both databases,
and can be rolled back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def alembic(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "infra/alembic.ini", "-x", f"url={url}", *args],
        cwd=REPO,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
    )


def test_postgres_schema_matches_models(database: str) -> None:
    checked = alembic("check", url=database)
    assert checked.returncode == 0, checked.stderr
    assert "No new upgrade operations detected" in checked.stdout + checked.stderr


def test_sqlite_upgrade_check_and_downgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    for step in (("upgrade", "head"), ("check",), ("downgrade", "base"), ("upgrade", "head")):
        done = alembic(*step, url=url)
        assert done.returncode == 0, (step, done.stderr)


def test_stored_predictions_are_rescored_to_the_median_of_their_odds(tmp_path: Path) -> None:
    """Rows written by the old cut-points (rating 2 beside p(0) = 0.8) come out consistent."""
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'p.db'}"
    assert alembic("upgrade", "0007_learning", url=url).returncode == 0
    engine = sa.create_engine(url)
    with engine.begin() as db:
        db.execute(sa.text("INSERT INTO users (id, email, password_hash, created_at) "
                           "VALUES (1, 'a@example.com', 'x', '2026-01-01')"))  # fmt: skip
        for pid in (1, 2):
            db.execute(sa.text("INSERT INTO postings (id, source, status, is_closed, created_at, "
                               "updated_at) VALUES (:p, 'linkedin', 'fetched', 0, '2026-01-01', "
                               "'2026-01-01')"), {"p": pid})  # fmt: skip
        rows = [(1, 2, "[0.8, 0.1, 0.05, 0.05]", 0.35), (2, 1, "[0.01, 0.02, 0.092, 0.878]", 2.85)]
        for pid, predicted, odds, expected in rows:
            db.execute(
                sa.text("INSERT INTO predictions (user_id, posting_id, predicted, probabilities, "
                        "expected_score, created_at) VALUES (1, :p, :r, :o, :e, '2026-01-01')"),
                {"p": pid, "r": predicted, "o": odds, "e": expected},
            )  # fmt: skip
    done = alembic("upgrade", "head", url=url)
    assert done.returncode == 0, done.stderr
    with engine.connect() as db:
        got = db.execute(sa.text("SELECT posting_id, predicted, expected_score FROM predictions "
                                 "ORDER BY posting_id")).all()  # fmt: skip
    engine.dispose()
    assert [(p, r) for p, r, _ in got] == [(1, 0), (2, 3)]
    assert [round(e, 4) for _, _, e in got] == [0.35, 2.838]


def test_sqlite_upgrade_keeps_existing_ratings(tmp_path: Path) -> None:
    """Tables that SQLite rebuilds by copy (postings, jobs...) must not cascade-delete the
    ratings and predictions that point at them: a user's data survives every upgrade."""
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'r.db'}"
    assert alembic("upgrade", "0001", url=url).returncode == 0
    engine = sa.create_engine(url)
    with engine.begin() as db:
        db.execute(sa.text("INSERT INTO users (id, email, password_hash, created_at) "
                           "VALUES (1, 'a@example.com', 'x', '2026-01-01')"))  # fmt: skip
        db.execute(sa.text("INSERT INTO postings (id, job_id, source, status, is_closed, "
                           "created_at, updated_at) VALUES (1, '4012345678', 'linkedin', "
                           "'fetched', 0, '2026-01-01', '2026-01-01')"))  # fmt: skip
        db.execute(sa.text("INSERT INTO ratings (id, user_id, posting_id, rating, "
                           "created_at, updated_at) VALUES (1, 1, 1, 3, '2026-01-01', "
                           "'2026-01-01')"))  # fmt: skip
        db.execute(sa.text("INSERT INTO predictions (user_id, posting_id, predicted, "
                           "probabilities, expected_score, created_at) VALUES (1, 1, 3, "
                           "'[0.0, 0.0, 0.1, 0.9]', 2.9, '2026-01-01')"))  # fmt: skip
    done = alembic("upgrade", "head", url=url)
    assert done.returncode == 0, done.stderr
    with engine.connect() as db:
        ratings = db.execute(sa.text("SELECT user_id, posting_id, rating FROM ratings")).all()
        predictions = db.execute(sa.text("SELECT posting_id FROM predictions")).all()
        postings = db.execute(sa.text("SELECT job_id FROM postings")).all()
    engine.dispose()
    assert ratings == [(1, 1, 3)]
    assert predictions == [(1,)]
    assert postings == [("4012345678",)]
