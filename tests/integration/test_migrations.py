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
