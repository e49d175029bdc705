"""`make run`'s launcher stops everything it started: on Ctrl-C or SIGTERM cleanly (no
error logged), and when the launcher itself is killed, its children follow it."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import wait_for
from tests.integration import embedded


def descendants(pid: int) -> set[int]:
    out: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            out |= {int(entry.name), *descendants(int(entry.name))}
    return out


def alive(pids: set[int]) -> set[int]:
    """Those still running (a zombie has exited; only its parent has not reaped it yet)."""
    running = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            running.add(pid)
    return running


class Launched:
    def __init__(self) -> None:
        run = embedded.start("lir-launcher-", {}, "--concurrency", "1", "--gateway-workers", "2")
        self.proc, self.log = run.proc, run.log
        wait_for(lambda: embedded.up(run.base), timeout=120)
        # Every worker is ready (its pool started) before we stop it.
        wait_for(lambda: self.log.read_text().count(" ready.") >= 3, timeout=120)
        self.children = descendants(self.proc.pid)

    def output(self) -> str:
        return self.log.read_text()


@pytest.fixture
def launched() -> Iterator[Launched]:
    run = Launched()
    yield run
    for pid in alive(run.children | {run.proc.pid}):  # only when a test failed
        os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_stops_every_process_without_an_error(
    launched: Launched, sig: signal.Signals
) -> None:
    # The gateway, its 2 worker processes, 3 celery workers and their pool processes.
    assert len(launched.children) >= 8, launched.children
    os.killpg(launched.proc.pid, sig)  # a terminal's Ctrl-C signals the foreground group
    assert launched.proc.wait(timeout=60) == 0
    assert alive(launched.children) == set()
    out = launched.output()
    for bad in ("Traceback", "ERROR", "CRITICAL", "Error"):
        assert bad not in out, out[-3000:]


def test_children_follow_a_killed_launcher(launched: Launched) -> None:
    os.kill(launched.proc.pid, signal.SIGKILL)
    launched.proc.wait()
    wait_for(lambda: not alive(launched.children), timeout=60)
