"""`make demo` stops everything it started: on Ctrl-C or SIGTERM cleanly (no error logged),
and when the demo process itself is killed, its gateway and workers follow it.

The first test seeds the demo's data directory (cold); the others start warm on it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from services.demo import EMAIL, N_RATINGS, PASSWORD
from tests.conftest import REPO, free_port, wait_for
from tests.integration.test_launcher import alive, descendants

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="lir-demo-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


class Demo:
    def __init__(self, data_dir: Path) -> None:
        self.log = data_dir / f"demo-{time.monotonic_ns()}.log"
        self.port = free_port()
        # The demo's own settings only (embedded mode), as `make demo` from a shell.
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIR_")}
        env["LIR_PORT"] = str(self.port)  # the demo honours it
        started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "services.demo", "--data-dir", str(data_dir)],
            cwd=REPO,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        # Up, seeded (or found seeded) and serving: the URL is printed last.
        wait_for(lambda: self._served(), timeout=900, every=1)
        self.children = descendants(self.proc.pid)
        lines = self.output().splitlines()
        seeded = [line for line in lines if line.startswith(("read ", "seeded"))]
        print(f"demo served in {time.monotonic() - started:.0f} s {seeded}")

    def _served(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"demo exited:\n{self.output()[-3000:]}")
        return f"LIRecommend demo: http://127.0.0.1:{self.port}/" in self.output()

    def output(self) -> str:
        return self.log.read_text()


def assert_utc_offsets_on_sqlite(demo: Demo) -> None:
    """The demo runs embedded (SQLite): its timestamps carry their UTC offset too."""
    with httpx.Client(base_url=f"http://127.0.0.1:{demo.port}", timeout=60) as client:
        res = client.post("/api/v1/auth/token", json={"email": EMAIL, "password": PASSWORD})
        client.headers["Authorization"] = f"Bearer {res.json()['token']}"
        jobs = client.get("/api/v1/jobs?limit=200").json()["items"]
        ratings = client.get("/api/v1/ratings?limit=50").json()["items"]
        model = client.get("/api/v1/models/active").json()
    stamps = [model["created_at"]] + [j["created_at"] for j in jobs]
    stamps += [j["finished_at"] for j in jobs if j["status"] in ("succeeded", "failed")]
    stamps += [r[k] for r in ratings for k in ("created_at", "updated_at")]
    assert len(ratings) == N_RATINGS and jobs
    for stamp in stamps:
        assert datetime.fromisoformat(stamp).utcoffset() == timedelta(0), stamp
    assert all(j["message"].startswith("finished") for j in jobs if j["status"] == "succeeded")


@pytest.fixture
def demo(data_dir: Path) -> Iterator[Demo]:
    run = Demo(data_dir)
    yield run
    for pid in alive(run.children | {run.proc.pid}):  # only when a test failed
        os.kill(pid, signal.SIGKILL)


# The first start reads 36 postings and trains: minutes on a busy 2-core machine.
@pytest.mark.timeout(1200)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_ctrl_c_or_sigterm_stops_the_demo_and_all_it_started(
    demo: Demo, sig: signal.Signals
) -> None:
    # The gateway and its 2 processes, 4 celery workers and their pools.
    assert len(demo.children) >= 8, demo.children
    assert "training succeeded" in demo.output() or "demo data already present" in demo.output()
    assert_utc_offsets_on_sqlite(demo)
    started = time.monotonic()
    os.killpg(demo.proc.pid, sig)  # a terminal's Ctrl-C signals the foreground group
    assert demo.proc.wait(timeout=60) == 0
    assert alive(demo.children) == set()
    print(f"demo stopped by {sig.name} in {time.monotonic() - started:.1f} s")
    after_url = demo.output().split("LIRecommend demo: http://", 1)[1]
    for bad in ("Traceback", "ERROR", "CRITICAL", "Error"):
        assert bad not in after_url, after_url[-3000:]


@pytest.mark.timeout(600)
def test_the_demos_children_follow_it_when_it_is_killed(demo: Demo) -> None:
    os.kill(demo.proc.pid, signal.SIGKILL)
    demo.proc.wait()
    wait_for(lambda: not alive(demo.children), timeout=60)
