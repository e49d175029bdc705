"""`make run`: migrate, then start the gateway and a worker with beat, and print the URL.

Without LIR_DATABASE_URL / LIR_BROKER_URL this runs on the embedded SQLite file and the
filesystem broker under LIR_DATA_DIR; with them, on Postgres and Redis.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

from shared.settings import SettingsError, get_settings


def commands(port: int, concurrency: int) -> list[list[str]]:
    """The gateway, one process for the scrape queue, a pool for the rest, and beat with
    the reaper on a worker of its own.

    A single scrape process keeps the LinkedIn budget exact even without Redis, where the
    rate limit lives in process memory; training on its own pool never holds up scraping;
    and no backlog of either can hold up the reaper."""
    from shared.queue import MAINTENANCE_QUEUE, QUEUES

    py = sys.executable
    worker = [py, "-m", "celery", "-A", "services.worker.app", "worker", "--loglevel=INFO"]
    quiet = ["--without-gossip", "--without-mingle"]
    others = ",".join(q for q in QUEUES if q != "scrape")
    return [
        [
            py,
            "-m",
            "uvicorn",
            "services.gateway.app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        [*worker, "-Q", "scrape", "-n", "scrape@%h", "--concurrency", "1", *quiet],
        [*worker, "-Q", others, "-n", "work@%h", "--concurrency", str(concurrency), *quiet],
        [*worker, "-Q", MAINTENANCE_QUEUE, "-n", "maintenance@%h", "--pool", "solo", "--beat"]
        + quiet,
    ]


def migrate() -> None:
    subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "infra/alembic.ini", "upgrade", "head"], check=True
    )
    # Postings stored under older extraction rules are queued for re-extraction (bulk).
    subprocess.run([sys.executable, "-m", "shared.reextraction"], check=True)


def terminate(procs: list[subprocess.Popen[bytes]], timeout: float = 15) -> None:
    """SIGTERM every process, then wait for each; one that will not stop is killed."""
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()


def main() -> None:
    try:  # a bad setting is reported by name before anything starts
        settings = get_settings()
    except SettingsError as exc:
        sys.exit(str(exc))
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=settings.port)
    parser.add_argument(
        "--concurrency", type=int, default=2, help="processes for extract and train"
    )
    parser.add_argument("--no-migrate", action="store_true")
    args = parser.parse_args()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if not args.no_migrate:
        migrate()
    procs = [
        subprocess.Popen(cmd, env=os.environ.copy())
        for cmd in commands(args.port, args.concurrency)
    ]
    mode = "Postgres/Redis" if settings.database_url else f"embedded ({settings.data_dir}/)"
    print(
        f"\nLIRecommend is running on {mode}: http://127.0.0.1:{args.port}/  (Ctrl-C stops)\n",
        flush=True,
    )

    def stop(*_: object) -> None:
        terminate(procs)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while all(p.poll() is None for p in procs):
        time.sleep(0.5)
    stop()


if __name__ == "__main__":
    main()
