"""`make run`: migrate, then start the gateway and the workers, and print the URL.

Without LIR_DATABASE_URL / LIR_BROKER_URL this runs on the embedded SQLite file and the
filesystem broker under LIR_DATA_DIR; with them, on Postgres and Redis.

Ctrl-C or SIGTERM stops every process it started within STOP_SECONDS; if the launcher
itself is killed, the kernel signals its children (PR_SET_PDEATHSIG), so none is left behind.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import IO

from shared.settings import SettingsError, get_settings

STOP_SECONDS = 10
# Threads, not processes: a scrape mostly waits (on the rate limit, LinkedIn, the database).
# Eight: the bulk budget's four (LIR_DISPATCH_BULK_PER_QUEUE) fetching at the rate limit,
# and as many free for users' own ratings and searches, which never wait for a thread.
SCRAPE_POOL = ("--pool", "threads", "--concurrency", "8")
PR_SET_PDEATHSIG = 1


def gateway_command(app: str, port: int, workers: int | None = None) -> list[str]:
    """uvicorn with one process per core. No access log: /metrics has the latency per route,
    and a log line per request costs more than a small request itself."""
    return [
        *(sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)),
        *("--workers", str(workers or os.cpu_count() or 1), "--no-access-log"),
    ]


def commands(port: int, concurrency: int, gateway_workers: int | None = None) -> list[list[str]]:
    """The gateway, one process for the scrape queue, a pool each for extract and train, and
    beat with the reaper on a worker of its own.

    A single scrape process keeps the LinkedIn budget exact even without Redis, where the
    rate limit lives in process memory; its threads overlap the waits on LinkedIn and the
    database (a scrape is mostly waiting), so the queue drains at the rate limit, and a
    search holds one thread, not the queue. Extraction and training have a pool each, so
    neither holds up the other or scraping; and no backlog can hold up the reaper."""
    from shared.queue import MAINTENANCE_QUEUE, QUEUES

    py = sys.executable
    worker = [py, "-m", "celery", "-A", "services.worker.app", "worker", "--loglevel=INFO"]
    quiet = ["--without-gossip", "--without-mingle"]
    others = ",".join(q for q in QUEUES if q not in ("scrape", "extract"))
    pool = ("--concurrency", str(concurrency))
    return [
        gateway_command("services.gateway.app:app", port, gateway_workers),
        [*worker, "-Q", "scrape", "-n", "scrape@%h", *SCRAPE_POOL, *quiet],
        # Only these processes ever load the embedding model (torch); they rank searches too
        # (a search's `rank` child), so the scrape worker never loads the scoring stack.
        [*worker, "-Q", "extract", "-n", "extract@%h", *pool, *quiet],
        [*worker, "-Q", others, "-n", "work@%h", *pool, *quiet],
        [*worker, "-Q", MAINTENANCE_QUEUE, "-n", "maintenance@%h", "--pool", "solo", "--beat"]
        + quiet,
    ]


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM it when the launcher dies, however it dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def _exit(*_: object) -> None:
    raise SystemExit(0)


class Supervisor:
    """Child processes, each in its own process group (so a terminal's Ctrl-C reaches only
    the launcher, which then stops each child once, cleanly, with its pool and beat).
    From here on Ctrl-C and SIGTERM unwind the caller (SystemExit), whose `finally` stops."""

    def __init__(
        self,
        cmds: Sequence[list[str]],
        env: dict[str, str] | None = None,
        log: IO[bytes] | None = None,
    ) -> None:
        """`log`: where the children's output goes (default: the launcher's own)."""
        signal.signal(signal.SIGTERM, _exit)
        signal.signal(signal.SIGINT, _exit)
        # One malloc arena, not one per thread: a gateway's 16 threads would otherwise each
        # keep their own freed memory (most of a process's growth under load). Python threads
        # take turns under the GIL anyway, so they hardly contend for it; a second arena
        # held ~10 MB of a gateway process under bench_serving.
        env = {"MALLOC_ARENA_MAX": "1", **(env or os.environ)}
        self.procs = [
            subprocess.Popen(
                cmd,
                env=env,
                stdout=log,
                stderr=None if log is None else subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
            for cmd in cmds
        ]

    def running(self) -> bool:
        return all(p.poll() is None for p in self.procs)

    def run_until_signal(self) -> None:
        """Serve until Ctrl-C, SIGTERM or a child's exit, then stop everything."""
        try:
            while self.running():
                time.sleep(0.5)
        finally:
            self.stop()

    def stop(self, timeout: float = STOP_SECONDS - 1) -> None:
        """SIGTERM (a warm shutdown), then SIGKILL what is still there when time is up: an
        unfinished task is redelivered, its job row says what is left to do."""
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for p in self.procs:
            if p.poll() is None:  # the leader only: it stops its own pool (or workers) in order
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for p in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(timeout=max(0.0, deadline - time.monotonic()))
        for p in self.procs:
            # The group too: pool children of a worker that has already exited.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def migrate() -> None:
    subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "infra/alembic.ini", "upgrade", "head"], check=True
    )
    # Postings stored under older extraction rules are queued for re-extraction (bulk).
    subprocess.run([sys.executable, "-m", "shared.reextraction"], check=True)


def main() -> None:
    try:  # a bad setting is reported by name before anything starts
        settings = get_settings()
    except SettingsError as exc:
        sys.exit(str(exc))
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=settings.port)
    parser.add_argument(
        "--concurrency", type=int, default=2, help="processes for extract, and for train"
    )
    parser.add_argument(
        "--gateway-workers", type=int, default=None, help="gateway processes (default: cores)"
    )
    parser.add_argument("--no-migrate", action="store_true")
    args = parser.parse_args()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if not args.no_migrate:
        migrate()
    children = Supervisor(commands(args.port, args.concurrency, args.gateway_workers))
    mode = "Postgres/Redis" if settings.database_url else f"embedded ({settings.data_dir}/)"
    print(
        f"\nLIRecommend is running on {mode}: http://127.0.0.1:{args.port}/  (Ctrl-C stops)\n",
        flush=True,
    )
    children.run_until_signal()


if __name__ == "__main__":
    main()
