"""`make run`'s embedded default started as a user starts it: services.launcher with SQLite
and the filesystem broker in a fresh data directory, no servers at all."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import REPO, free_port, wait_for


@dataclass
class Embedded:
    proc: subprocess.Popen[bytes]
    data_dir: Path
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "lirecommend.db"

    @property
    def log(self) -> Path:
        return self.data_dir / "launcher.log"


def linkedin_env(linkedin: Any) -> dict[str, str]:
    """The LinkedIn stand-in, with the polite interval shortened for tests."""
    return dict(
        LIR_LINKEDIN_BASE_URL=linkedin.base_url,
        LIR_LINKEDIN_MIN_INTERVAL_SECONDS="0.05",
        LIR_LINKEDIN_JITTER_SECONDS="0",
    )


def up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def start(prefix: str, env: dict[str, str], *args: str, port: int | None = None) -> Embedded:
    """Start the launcher in its own process group; `env` adds LIR_* settings to a clean slate
    (none of the caller's LIR_* variables leak in)."""
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    port = port or free_port()
    full = {k: v for k, v in os.environ.items() if not k.startswith("LIR_")}
    full.update(LIR_DATA_DIR=str(data_dir), **env)
    with (data_dir / "launcher.log").open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "services.launcher", "--port", str(port), *args],
            cwd=REPO,
            env=full,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Embedded(proc, data_dir, port)


@contextlib.contextmanager
def running(
    prefix: str, env: dict[str, str], *args: str, port: int | None = None, timeout: float = 90
) -> Iterator[Embedded]:
    """The launcher with one worker per queue, up and answering; stopped by SIGTERM after."""
    run = start(prefix, env, "--concurrency", "1", *args, port=port)
    try:
        wait_for(lambda: up(run.base), timeout=timeout)
        yield run
    finally:
        os.killpg(run.proc.pid, signal.SIGTERM)
        run.proc.wait(timeout=30)
