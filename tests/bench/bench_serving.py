"""Serving under load: the gateway as `make run` starts it (services.launcher, on this
machine's PostgreSQL and Redis, with the LinkedIn stand-in) against a bare FastAPI app run
the same way (same uvicorn command and process count), both driven by `wrk` with one script.

Seeds 50 users, 10 with 30 ratings and a trained model, 40 with 10 ratings (below the
minimum: the heuristic), and 2 020 stored postings (scraped from the stand-in and extracted),
then measures at 1 and 50 concurrent clients, with one token and with 50 tokens. Every
accepted (202) rating is looked up in the database after the workers drain. Prints one JSON line.

Each phase starts with no job queued or running and the deployment idle. The rating phase at
50 clients runs in rounds, each right after a bare POST round (its pair), until 2 000 ratings
are in and three pairs ran, with the gateway's RSS before, after each round and after.

Targets (same run): 0 errors at 50 clients on one token; rating >= 25 % of the bare POST's
rate with p99 <= 4x the bare POST's p99 (the median pair's) and ratings_lost 0; stored
prediction p50 at 1 client <= 10 ms and >= 25 % of the bare GET's rate at 50 clients;
recommendations and job polls >= 25 % of the bare GET; /healthz >= 80 % of the bare GET;
gateway <= 300 MB RSS per process, scrape worker <= 200 MB, no growth over the rating run.

Run: .venv/bin/python -m tests.bench.bench_serving   (needs `wrk`: `make wrk`)
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import func, select

# -- the reference: a bare FastAPI app, one GET and one small-JSON POST -----------------------
bare_app = FastAPI()


class Small(BaseModel):
    url: str
    rating: int


@bare_app.get("/get")
async def bare_get() -> dict[str, str]:
    return {"status": "ok"}


@bare_app.post("/post", status_code=202)
async def bare_post(body: Small) -> Small:
    return body


# -- the run ---------------------------------------------------------------------------------
REPO = Path(__file__).resolve().parents[2]
LUA = Path(__file__).with_name("serving_load.lua")
# Enough stored postings that every rating of the three 50-client rounds is a new row at the
# rates of this machine (50 users x 1 990 unrated postings: three rounds at 6 000 ratings/s);
# past them, a line rates again (`rating_rerated`).
N_USERS, N_SEEDED, N_STORED, N_MODELS = 50, 30, 2020, 10
SECONDS = 5
# The rating phase at 50 clients runs in 5 s rounds until this many distinct ratings were
# accepted (the "no growth over a 2 000-rating run" target) and PAIRED_ROUNDS ran, or
# MAX_RATING_ROUNDS.
RATINGS_TARGET, MAX_RATING_ROUNDS = 2000, 12
# Each rating round runs right after a bare POST round; the p99s compared are the median
# pair's of at least this many.
PAIRED_ROUNDS = 3
JOB_ID_BASE = 4_300_000_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_env(run: str, stand_in_port: int, data_dir: Path) -> dict[str, str]:
    return {
        "LIR_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/lir_bench_{run}",
        "LIR_BROKER_URL": "redis://127.0.0.1:6379/13",
        "LIR_REDIS_URL": "redis://127.0.0.1:6379/13",
        "LIR_BROKER_KEY_PREFIX": f"lir-bench-{run}:",
        "LIR_DATA_DIR": str(data_dir),
        "LIR_LINKEDIN_BASE_URL": f"http://127.0.0.1:{stand_in_port}",
        # 20 requests/s: the stand-in is local, the budget shape is the real one.
        "LIR_LINKEDIN_MIN_INTERVAL_SECONDS": "0.05",
        "LIR_LINKEDIN_JITTER_SECONDS": "0",
        "LIR_LLM_BASE_URL": "",
        # Models are trained once, on demand; the rating run must not start 50 retrainings.
        "LIR_RETRAIN_EVERY": "100000",
        "LIR_SECRET_KEY": "bench-" + run * 4,
        "LIR_SIGNUPS_PER_ADDRESS": "1000/hour",  # 51 sign-ups from this one address
        "MALLOC_ARENA_MAX": "1",  # as the launcher runs its children; the bare app too
    }


def admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres") as conn:
        conn.autocommit = True
        conn.execute(sql)  # type: ignore[arg-type]


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@contextmanager
def started(cmd: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# -- process memory (from /proc, no extra package) --------------------------------------------
def children(pid: int, recursive: bool = True) -> list[int]:
    out: list[int] = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                ppid = int((p / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            if ppid == pid:
                out += [int(p.name), *(children(int(p.name)) if recursive else [])]
    return out


def tree(pid: int) -> list[int]:
    return [pid, *children(pid)]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def memory(launcher_pid: int) -> dict[str, float]:
    """Largest RSS per role: a gateway process (uvicorn's workers are spawned children, so
    a process counts by the launcher's child it descends from), the scrape worker, others."""
    roles: dict[str, list[float]] = {"gateway": [], "scrape": [], "work": []}
    for top in children(launcher_pid, recursive=False):
        try:
            cmd = Path(f"/proc/{top}/cmdline").read_bytes()
        except OSError:
            continue
        role = "gateway" if b"uvicorn" in cmd else "scrape" if b"scrape@" in cmd else "work"
        for pid in tree(top):
            try:
                roles[role].append(rss_mb(pid))
            except OSError:
                continue
    return {k: round(max(v, default=0.0), 1) for k, v in roles.items()}


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (a process gone since counts 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def settle(pids: list[int], timeout: float = 60) -> None:
    """Wait until these processes are idle (under 5 % of a core for half a second)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = cpu_seconds(pids)
        time.sleep(0.5)
        if cpu_seconds(pids) - before < 0.025:
            return


def quiet(launcher_pid: int) -> None:
    """No job queued or running and every process of the deployment idle: requests a phase
    left in flight, and jobs it started (the first trainings of the heuristic users, whom
    the 1-client rating phase takes past the minimum), never run in the next phase."""
    from shared.db.models import Job

    until(lambda: count(Job, Job.status.in_(("queued", "running"))) == 0, 600)
    settle(tree(launcher_pid))


def gateway_processes(launcher_pid: int) -> list[int]:
    """The uvicorn process the launcher started and its workers."""
    for top in children(launcher_pid, recursive=False):
        if b"uvicorn" in Path(f"/proc/{top}/cmdline").read_bytes():
            return tree(top)
    raise RuntimeError("no gateway process under the launcher")


def database_cpu_seconds() -> float:
    """CPU of the PostgreSQL backends serving the bench's database (same machine)."""
    import psycopg

    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres") as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (bench_database(),)
        ).fetchall()
    return cpu_seconds([pid for (pid,) in rows])


def bench_database() -> str:
    return os.environ["LIR_DATABASE_URL"].rsplit("/", 1)[1]


# -- load ------------------------------------------------------------------------------------
Line = tuple[str, str, str, str]  # method, path, token, JSON body


def wrk(base: str, lines: list[Line], conns: int, seconds: float = SECONDS) -> dict[str, Any]:
    threads = 1 if conns == 1 else 2
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
        f.writelines("\t".join(line) + "\n" for line in lines)
    try:
        out = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{conns}", f"-d{seconds}s", "--timeout", "10s"]
            + ["-s", str(LUA), base, "--", f.name, str(threads)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(f.name)
    raw = json.loads(out.strip().splitlines()[-1])
    seconds_run = raw["duration_us"] / 1e6
    return {
        "requests": raw["ok"] + raw["bad"],
        "ok": raw["ok"],
        "seconds": seconds_run,
        "rps": round(raw["ok"] / seconds_run, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "errors": raw["bad"] + raw["socket_errors"],
        "ids": [int(i) for i in raw["ids"].split(",") if i],
    }


def rating_rounds(
    base: str,
    lines: list[Line],
    bare_base: str,
    bare_post: list[Line],
    launcher_pid: int,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """wrk in rounds over successive lines (each a new rating), each round right after a
    bare POST round, its pair, until RATINGS_TARGET are in and PAIRED_ROUNDS pairs ran; the
    gateway's RSS after each round. The p99 compared is the median pair's: this machine's
    speed moves from one 5 s window to the next (up to a third of its CPU taken by other
    machines on the host), so a p99 from one window against a p99 from another, minutes
    apart, measured the host as much as the gateway. Every pair is listed."""
    rounds: list[dict[str, Any]] = []
    pairs: list[dict[str, float]] = []
    ids: set[int] = set()
    rss: list[float] = []
    offset = 0
    while len(rounds) < MAX_RATING_ROUNDS and (
        len(ids) < RATINGS_TARGET or len(rounds) < PAIRED_ROUNDS
    ):
        quiet(launcher_pid)
        bare = wrk(bare_base, bare_post, 50)
        res = wrk(base, lines[offset:] + lines[:offset], 50)
        offset = (offset + res["requests"]) % len(lines)
        rounds.append(res)
        ids.update(res["ids"])
        pairs.append(
            {
                "bare_post_p99_ms": bare["p99_ms"],
                "rating_p99_ms": res["p99_ms"],
                "ratio": round(res["p99_ms"] / bare["p99_ms"], 2),
            }
        )
        rss.append(memory(launcher_pid)["gateway"])
        log(
            f"rating round {len(rounds)}: {res['rps']}/s, p99 {res['p99_ms']} ms against the "
            f"bare POST's {bare['p99_ms']} ms, {len(ids)} ratings, gateway {rss[-1]} MB"
        )
    p50s = sorted(r["p50_ms"] for r in rounds)
    median_pair = sorted(pairs, key=lambda pair: pair["ratio"])[len(pairs) // 2]
    return {
        "requests": sum(r["requests"] for r in rounds),
        "rps": round(sum(r["ok"] for r in rounds) / sum(r["seconds"] for r in rounds), 1),
        "p50_ms": p50s[len(p50s) // 2],
        "p99_ms": median_pair["rating_p99_ms"],
        "p99_worst_ms": max(r["p99_ms"] for r in rounds),
        "pair": median_pair,
        "pairs": pairs,
        "errors": sum(r["errors"] for r in rounds),
        "ids": sorted(ids),
        "rss_rounds_mb": rss,
        # Requests past the distinct lines: ratings of a posting the user had rated already.
        "rerated": max(0, sum(r["requests"] for r in rounds) - len(lines)),
    }


def group_mean(base: str) -> float | None:
    """Ratings per commit so far in the gateway process that answers /metrics (each process
    has its own registry; the requests spread evenly over them)."""
    import httpx

    text = httpx.get(base + "/metrics", timeout=10).text
    found = dict(
        re.findall(r'^lir_statement_groups_(sum|count)\{kind="write"\} ([0-9.e+]+)$', text, re.M)
    )
    if not found or float(found["count"]) == 0:
        return None
    return round(float(found["sum"]) / float(found["count"]), 1)


Buckets = dict[float, float]  # a histogram's cumulative counts by upper bound (le)
Snapshots = dict[str, str]  # each gateway process's /metrics, by its pid


def snapshots(base: str, processes: int, tries: int = 40) -> Snapshots:
    """Each gateway process's /metrics, by the process's pid: /metrics answers from whichever
    process takes the connection, so it is asked until every process has answered."""
    import httpx

    found: Snapshots = {}
    for _ in range(tries):
        with httpx.Client(timeout=10) as client:  # a new connection: any process may answer
            text = client.get(base + "/metrics").text
        pid = re.search(r'^lir_gateway_process_info\{pid="([0-9]+)"\}', text, re.M)
        if pid is None:
            break
        found[pid.group(1)] = text
        if len(found) == processes:
            break
    return found


def round_trips(snaps: Snapshots) -> dict[str, Buckets]:
    """Each process's write groups' round-trip histogram (lir_statement_group_seconds)."""
    return {
        proc: {
            float(le): float(v)
            for le, v in re.findall(
                r'^lir_statement_group_seconds_bucket\{kind="write",le="([^"]+)"\} ([0-9.e+]+)$',
                text,
                re.M,
            )
        }
        for proc, text in snaps.items()
    }


def full_collections(before: Snapshots, after: Snapshots) -> int | None:
    """The collector's full passes (generation 2) between the two snapshots, over the
    processes seen in both: each stops its process's event loop while it scans."""

    def count(text: str) -> float:
        found = re.search(
            r'^python_gc_collections_total\{generation="2"\} ([0-9.e+]+)$', text, re.M
        )
        return float(found.group(1)) if found else float("nan")

    passes = [count(after[p]) - count(before[p]) for p in after if p in before]
    return None if not passes or any(n != n for n in passes) else int(sum(passes))


def quantile_ms(before: dict[str, Buckets], after: dict[str, Buckets], q: float) -> float | None:
    """The q-quantile (ms) of the round trips between the two snapshots, over the processes
    seen in both, interpolated within its bucket as Prometheus's histogram_quantile does."""
    total: Buckets = {}
    for proc, buckets in after.items():
        if proc not in before:
            continue
        for le, count in buckets.items():
            total[le] = total.get(le, 0.0) + count - before[proc].get(le, 0.0)
    bounds = sorted(total)
    if not bounds or total[bounds[-1]] == 0:
        return None
    rank, low, below = q * total[bounds[-1]], 0.0, 0.0
    for le in bounds:
        if total[le] >= rank:
            if le == float("inf"):
                return round(low * 1000, 1)
            share = (rank - below) / max(total[le] - below, 1e-9)
            return round((low + (le - low) * share) * 1000, 1)
        low, below = le, total[le]
    return None


# -- seeding through the API and the workers --------------------------------------------------
def seed(api: str, log: Callable[[str], None]) -> dict[str, Any]:
    import httpx

    from shared.db.models import Job, Posting
    from shared.db.session import session_scope
    from shared.ratings import upsert_rating

    client = httpx.Client(base_url=api, timeout=60)

    def signup(i: int) -> tuple[int, str]:
        res = client.post(
            "/auth/signup",
            json={
                "email": f"bench-{i}-{uuid.uuid4().hex[:6]}@example.com",
                "password": "bench pw 1",
            },
        )
        res.raise_for_status()
        return int(res.json()["user"]["id"]), str(res.json()["token"])

    seeder_id, seeder = signup(-1)
    users = [signup(i) for i in range(N_USERS)]
    urls = [f"https://www.linkedin.com/jobs/view/{JOB_ID_BASE + i}/" for i in range(N_STORED)]
    sheet = io.StringIO()
    csv.writer(sheet).writerows([("url", "rating"), *((u, i % 4) for i, u in enumerate(urls))])
    client.post(
        "/imports",
        headers={"Authorization": f"Bearer {seeder}"},
        files={"file": ("seed.csv", sheet.getvalue().encode(), "text/csv")},
    ).raise_for_status()
    log(f"seeding {N_STORED} postings through the stand-in")

    def settled() -> bool:
        n = count(Posting, Posting.extracted_at.is_not(None))
        live = count(Job, Job.status.in_(("queued", "running")), Job.kind != "train")
        log(f"{n} postings extracted, {live} jobs to go")
        return live == 0 and count(Job, Job.kind == "import", Job.status == "succeeded") > 0

    until(settled, 300)
    with session_scope() as s:
        # The few a race may have failed (e.g. two first trainings at once) are left out.
        stored = s.execute(
            select(Posting.id, Posting.url)
            .where(Posting.extracted_at.is_not(None))
            .order_by(Posting.job_id)
        ).all()
        postings, urls = [p for p, _ in stored], [u for _, u in stored]
        first, last = s.execute(
            select(func.min(Posting.fetched_at), func.max(Posting.fetched_at))
        ).one()
        rng = random.Random(7)
        for n, (user_id, _) in enumerate(users):
            for pid in postings[: N_SEEDED if n < N_MODELS else 10]:
                upsert_rating(s, user_id, pid, rng.randrange(4))
    # Each user rates a posting not stored yet through the API: a scrape job of their own to
    # poll (a stored fresh posting's rating queues none).
    for n, (_, token) in enumerate(users):
        client.post(
            "/ratings",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "url": f"https://www.linkedin.com/jobs/view/{JOB_ID_BASE + N_STORED + n}/",
                "rating": 3,
            },
        ).raise_for_status()
    for _, token in users[:N_MODELS]:  # the job the rating above queued, if it did
        client.post(
            "/models/train", headers={"Authorization": f"Bearer {token}"}
        ).raise_for_status()
    log(f"training {N_MODELS} models")
    until(lambda: count(Job, Job.kind == "train", Job.status.in_(("queued", "running"))) == 0, 600)
    # How fast the scrape queue drained, against the 20/s the rate limit allows.
    scrape_rate = (N_STORED - 1) / max((last - first).total_seconds(), 1e-3)
    return {
        "users": users,
        "postings": postings,
        "urls": urls,
        "scrape_per_s": scrape_rate,
        "stored_postings": len(postings),
    }


def count(model: Any, *where: Any) -> int:
    from shared.db.session import session_scope

    with session_scope() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def until(predicate: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"not done within {timeout} s")
        time.sleep(1)


def job_ids(user_id: int) -> list[str]:
    from shared.db.models import Job
    from shared.db.session import session_scope

    with session_scope() as s:
        return [str(j) for j in s.scalars(select(Job.id).where(Job.user_id == user_id).limit(40))]


def drain_and_check(ids: list[int], timeout: float = 240) -> dict[str, Any]:
    """Wait for every job to finish, then look up every accepted rating."""
    from shared.db.models import Job, Rating
    from shared.db.session import session_scope

    started_at = time.monotonic()
    while True:
        live = count(Job, Job.status.in_(("queued", "running")))
        if not live or time.monotonic() - started_at > timeout:
            break
        time.sleep(0.5)
    wanted = set(ids)
    with session_scope() as s:
        # By range, not IN: tens of thousands of ids are past PostgreSQL's 65 535 parameters.
        span = Rating.id.between(min(wanted, default=0), max(wanted, default=0))
        found = set(s.scalars(select(Rating.id).where(span))) & wanted
    return {
        "ratings_accepted": len(wanted),
        "ratings_lost": len(wanted - found),
        "drain_seconds": round(time.monotonic() - started_at, 1),
        "jobs_left": int(live or 0),
        "jobs_failed": count(Job, Job.status == "failed"),
    }


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: `make wrk` (Debian package)")
    run = uuid.uuid4().hex[:8]
    data_dir = Path(tempfile.mkdtemp(prefix="lir-bench-serving-"))
    stand_in, gateway, bare = free_port(), free_port(), free_port()
    env = {**os.environ, **bench_env(run, stand_in, data_dir)}
    os.environ.update(env)

    def log(msg: str) -> None:
        print(f"[bench_serving] {msg}", file=sys.stderr, flush=True)

    from services.launcher import gateway_command

    py = sys.executable
    admin_sql(f'CREATE DATABASE "lir_bench_{run}"')
    try:
        with (
            started(
                [py, "-m", "services.sandbox", "--port", str(stand_in)],
                env,
                data_dir / "stand-in.log",
            ),
            started(
                [py, "-m", "services.launcher", "--port", str(gateway)],
                env,
                data_dir / "launcher.log",
            ) as launcher,
            started(
                gateway_command("tests.bench.bench_serving:bare_app", bare),
                env,
                data_dir / "bare.log",
            ) as bare_proc,
        ):
            base, bare_base = f"http://127.0.0.1:{gateway}", f"http://127.0.0.1:{bare}"
            wait_http(base + "/healthz", launcher)
            wait_http(bare_base + "/get", bare_proc)
            seeded = seed(base + "/api/v1", log)
            pids = {"gateway": gateway_processes(launcher.pid), "bare": tree(bare_proc.pid)}
            result = measure(base, bare_base, seeded, launcher.pid, pids, log)
            result.update(drain_and_check(result.pop("_rating_ids")))
            result.update({f"after_{k}": v for k, v in memory(launcher.pid).items()})
    finally:
        from shared.db.session import get_engine

        get_engine().dispose()
        admin_sql(f'DROP DATABASE IF EXISTS "lir_bench_{run}" WITH (FORCE)')
    shutil.rmtree(data_dir, ignore_errors=True)  # kept for a look when the run failed
    print(json.dumps(result))


# Phases: (route, clients) -> what it sends; each reports {route}_{field}[_c1].
Phase = tuple[str, int]


def measure(
    base: str,
    bare_base: str,
    seeded: dict[str, Any],
    launcher_pid: int,
    pids: dict[str, list[int]],
    log: Callable[[str], None],
) -> dict[str, Any]:
    users: list[tuple[int, str]] = seeded["users"]
    urls: list[str] = seeded["urls"]
    tokens = [t for _, t in users]
    one = tokens[0]
    unrated = urls[N_SEEDED:]
    predict_one: list[Line] = [
        ("POST", "/api/v1/predictions", one, json.dumps({"url": u})) for u in unrated
    ]
    recommend_many: list[Line] = [
        ("GET", "/api/v1/recommendations?limit=20", t, "") for t in tokens
    ]
    # Every line a distinct (user, unrated posting): each accepted rating is a new row.
    ratings: list[Line] = [
        ("POST", "/api/v1/ratings", tokens[k % N_USERS], json.dumps({"url": u, "rating": k % 4}))
        for k, u in enumerate(u for u in unrated for _ in range(N_USERS))
    ]
    bare = {"bare_get", "bare_post"}
    phases: dict[Phase, list[Line]] = {
        ("bare_get", 1): [("GET", "/get", "", "")],
        ("bare_get", 50): [("GET", "/get", "", "")],
        ("bare_post", 1): [("POST", "/post", "", json.dumps({"url": urls[0], "rating": 2}))],
        ("bare_post", 50): [("POST", "/post", "", json.dumps({"url": urls[0], "rating": 2}))],
        ("healthz", 50): [("GET", "/healthz", "", "")],
        ("predict", 1): predict_one,
        ("predict", 50): predict_one,
        ("recommend", 50): recommend_many,
        ("job_poll", 50): [("GET", f"/api/v1/jobs/{j}", one, "") for j in job_ids(users[0][0])],
        ("job_poll_50_tokens", 50): [
            ("GET", f"/api/v1/jobs/{job_ids(uid)[0]}", t, "") for uid, t in users
        ],
        ("me", 50): [("GET", "/api/v1/me", one, "")],
        ("rating", 1): ratings[: N_USERS * 20],
        ("rating", 50): ratings[N_USERS * 20 :],
    }
    out: dict[str, Any] = {"date": time.strftime("%Y-%m-%d"), "cores": os.cpu_count()}
    out["scrape_postings_per_s"] = round(seeded["scrape_per_s"], 1)
    out["scrape_rate_limit_per_s"] = 20.0
    out["stored_postings"] = seeded["stored_postings"]
    out["load_before"] = round(os.getloadavg()[0], 2)
    r: dict[Phase, dict[str, Any]] = {}
    for (route, conns), lines in phases.items():
        if (route, conns) == ("predict", 1):
            # Caches warm, as a running deployment's are: each user's model and list seen by
            # every gateway process, at a pace it keeps up with. wrk's thread t of n sends
            # lines t, t+n, ...: each user's line twice in a row reaches both threads, and 8
            # connections a thread land on both processes (4 in all, each user's list went
            # to one thread, whose connections could all sit on one process: the other then
            # built half the lists during the measured phase, a p99 of ~1 s).
            warm = [line for line in recommend_many for _ in range(2)]
            wrk(base, predict_one + warm * 2, 16, 20)
        quiet(launcher_pid)  # nothing an earlier phase started counts in this one
        if (route, conns) == ("rating", 1):
            before = memory(launcher_pid)
        serving = pids["bare" if route in bare else "gateway"]
        cpu = cpu_seconds(serving) + database_cpu_seconds()
        if (route, conns) == ("rating", 50):
            snaps = snapshots(base, os.cpu_count() or 1)
            bare_post = phases[("bare_post", 50)]
            r[(route, conns)] = res = rating_rounds(
                base, lines, bare_base, bare_post, launcher_pid, log
            )
            snaps_after = snapshots(base, os.cpu_count() or 1)
            # What each rating of a group waits on, and the next group's ratings too.
            for q in (0.5, 0.99):
                out[f"rating_group_round_trip_p{round(q * 100)}_ms"] = quantile_ms(
                    round_trips(snaps), round_trips(snaps_after), q
                )
            out["rating_full_collections"] = full_collections(snaps, snaps_after)
        else:
            r[(route, conns)] = res = wrk(bare_base if route in bare else base, lines, conns)
        # Gateway and PostgreSQL CPU per request: comparable on a machine under load.
        res["cpu_ms"] = round(
            1000 * (cpu_seconds(serving) + database_cpu_seconds() - cpu) / max(res["requests"], 1),
            2,
        )
        suffix = "_c1" if conns == 1 else ""
        for field in ("rps", "p50_ms", "p99_ms", "cpu_ms"):
            out[f"{route}_{field}{suffix}"] = res[field]
        log(
            f"{route} c{conns}: {res['rps']}/s p50 {res['p50_ms']} ms p99 {res['p99_ms']} ms "
            f"cpu {res['cpu_ms']} ms/request, errors {res['errors']}"
        )
    out["load_during"] = round(os.getloadavg()[0], 2)
    for route in ("healthz", "predict", "recommend", "job_poll"):
        out[f"{route}_vs_bare_get"] = round(out[f"{route}_rps"] / out["bare_get_rps"], 3)
    out["rating_vs_bare_post"] = round(out["rating_rps"] / out["bare_post_rps"], 3)
    # The rating's p99 against the bare POST's of the round just before it (median pair).
    pair = r[("rating", 50)]["pair"]
    out["rating_pair_bare_post_p99_ms"] = pair["bare_post_p99_ms"]
    out["rating_p99_vs_bare_p99"] = pair["ratio"]
    out["rating_p99_pairs"] = r[("rating", 50)]["pairs"]
    out["rating_p99_worst_ms"] = r[("rating", 50)]["p99_worst_ms"]
    out["rating_rerated"] = r[("rating", 50)]["rerated"]
    one_token = [("predict", 50), ("predict", 1), ("job_poll", 50), ("me", 50)]
    out["single_token_errors"] = sum(r[k]["errors"] for k in one_token)
    many = [("rating", 50), ("recommend", 50), ("job_poll_50_tokens", 50)]
    out["errors_50_tokens"] = sum(r[k]["errors"] for k in many)
    out["bare_errors"] = sum(v["errors"] for (route, _), v in r.items() if route in bare)
    out["rating_group_mean"] = group_mean(base)
    after = memory(launcher_pid)
    ids = r[("rating", 50)]["ids"] + r[("rating", 1)]["ids"]
    out.update(
        gateway_rss_mb=after["gateway"],
        scrape_worker_rss_mb=after["scrape"],
        worker_rss_mb=after["work"],
        gateway_rss_before_rating_mb=before["gateway"],
        gateway_rss_after_rating_mb=after["gateway"],
        gateway_rss_rating_rounds_mb=r[("rating", 50)]["rss_rounds_mb"],
        gateway_rss_growth_mb=round(after["gateway"] - before["gateway"], 1),
        ratings_in_run=len(set(ids)),
    )
    out["_rating_ids"] = ids
    return out


if __name__ == "__main__":
    main()
