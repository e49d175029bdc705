"""Career path benchmark: prints ONE JSON line.

A user with 2 000 scored postings (200 rated, 1 800 predicted; 6-12 skills each, some named
as nice-to-have) and a 40-skill profile, on the embedded default (SQLite, migrated by the
real Alembic migrations) or on `--database-url`. GET /api/v1/career/map and
GET /api/v1/career/gaps are timed through the real app (in-process ASGI client, bearer
token), p50 and p95 of 30 requests each after one cold request (which works out and stores
each posting's nice-to-have skills once).

The reference, in the same run, answers the same gaps the straightforward way: load every
posting with its description, reread each description for its nice-to-have skills, and
recompute the whole match once per missing skill of every stretch posting.

Run: .venv/bin/python tests/bench/bench_career.py [--postgres]   (--postgres: a throw-away
database on 127.0.0.1:5432, dropped afterwards)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # this checkout's code, whatever the venv's install points at
N_POSTINGS, N_RATED, N_PROFILE = 2000, 200, 40
RUNS = 30


def _setup_env(database_url: str | None) -> None:
    os.environ["LIR_DATA_DIR"] = tempfile.mkdtemp(prefix="lir-bench-career-")
    os.environ["LIR_DATABASE_URL"] = database_url or ""
    os.environ["LIR_SECRET_KEY"] = os.urandom(32).hex()  # a real database refuses the default
    for key in ("LIR_LLM_BASE_URL", "LIR_LLM_API_KEY", "LIR_LLM_MODEL", "LIR_BROKER_URL"):
        os.environ.pop(key, None)
    subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "infra/alembic.ini", "upgrade", "head"],
        cwd=REPO,
        check=True,
        env=os.environ.copy(),
        capture_output=True,
    )


def _seed(session: Any, user_id: int) -> list[str]:
    from shared.db.base import utcnow
    from shared.db.models import Posting, Prediction, Rating
    from shared.extraction.skills import vocabulary_names

    rng = random.Random(11)
    pool = vocabulary_names()[:120]
    now = utcnow()
    postings = []
    for i in range(N_POSTINGS):
        skills = rng.sample(pool, rng.randint(6, 12))
        nice = skills[-2:] if i % 3 == 0 else []
        required = [s for s in skills if s not in nice]
        text = "About the role\nYou will build things.\nRequirements:\n" + "\n".join(
            f"- {s} in production" for s in required
        )
        if nice:
            text += "\nNice to have:\n" + "\n".join(f"- {s}" for s in nice)
        postings.append(
            Posting(
                job_id=str(4_100_000_000 + i),
                url=f"https://www.linkedin.com/jobs/view/{4_100_000_000 + i}/",
                status="fetched",
                fetched_at=now,
                title=f"Engineer {i}",
                company=f"Company {i % 97}",
                description_text=text,
                seniority=rng.choice(["Entry level", "Associate", "Mid-Senior level", "Director"]),
                years_experience=float(rng.randint(0, 8)),
                skills=skills,
                extracted_at=now,
                created_at=now,
                updated_at=now,
            )
        )
    session.add_all(postings)
    session.flush()
    for n, p in enumerate(postings):
        if n < N_RATED:
            session.add(Rating(user_id=user_id, posting_id=p.id, rating=rng.randint(0, 3)))
        else:
            score = round(rng.uniform(0, 3), 3)
            session.add(
                Prediction(
                    user_id=user_id,
                    posting_id=p.id,
                    predicted=round(score),
                    probabilities=[0.25] * 4,
                    expected_score=score,
                )
            )
    return rng.sample(pool, N_PROFILE)


def _reference_gaps(session: Any, user_id: int) -> list[tuple[str, float]]:
    """The straightforward way, as a first implementation would write it."""
    from sqlalchemy import select

    from shared.career.match import PostingFacts, match
    from shared.career.path import thresholds, zone_of
    from shared.career.profile import get_profile, user_facts
    from shared.career.requirements import nice_to_have
    from shared.db.models import Posting, Prediction, Rating

    t = thresholds()
    user = user_facts(get_profile(session, user_id))
    ratings = session.scalars(select(Rating).where(Rating.user_id == user_id))
    rated = {r.posting_id: float(r.rating) for r in ratings}
    predicted = {
        p.posting_id: p.expected_score
        for p in session.scalars(select(Prediction).where(Prediction.user_id == user_id))
    }
    gains: dict[str, float] = defaultdict(float)
    for posting in session.scalars(select(Posting).where(Posting.id.in_([*rated, *predicted]))):
        d = rated.get(posting.id, predicted.get(posting.id, 0.0))
        facts = PostingFacts(
            posting.id,
            tuple(posting.skills or ()),
            frozenset(nice_to_have(posting.skills or [], posting.description_text)),
            posting.years_experience,
            posting.seniority,
        )
        m = match(user, facts)
        if zone_of(d, m.match, t) != "stretch":
            continue
        for skill in m.missing_skills:
            gains[skill] += d * (match(user, facts, extra={skill}).match - m.match)
    return sorted(gains.items(), key=lambda kv: -kv[1])


CPU: dict[str, list[float]] = defaultdict(list)


def _ms(fn: Any, runs: int, name: str = "") -> list[float]:
    """Wall-clock ms per call; the process's CPU ms (all threads, so the app's too) go to
    CPU[name]: on a shared, loaded machine the CPU time is the comparable figure."""
    out = []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - start) * 1000)
        CPU[name].append((time.process_time() - cpu) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    if not args.postgres:
        _setup_env(None)
        run()
        return
    on_throwaway_postgres("lir_bench_career", run)


def on_throwaway_postgres(prefix: str, body: Callable[[], object]) -> None:
    """Run `body` against a PostgreSQL database made for it (by the real migrations) and
    dropped after, so a benchmark never touches the tests' or anyone's data."""
    import uuid

    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    try:
        _setup_env(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
        body()
    finally:
        from shared.db.session import get_engine

        get_engine().dispose()
        with psycopg.connect(**admin, autocommit=True) as conn:  # type: ignore[arg-type]
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def run() -> None:
    from fastapi.testclient import TestClient

    from services.gateway.app import create_app
    from shared.db.session import get_engine, session_scope

    client = TestClient(create_app())
    res = client.post(
        "/api/v1/auth/signup", json={"email": "bench@example.com", "password": "bench-password"}
    )
    token, user_id = res.json()["token"], res.json()["user"]["id"]
    headers = {"Authorization": f"Bearer {token}"}
    with session_scope() as session:
        profile = _seed(session, user_id)
    res = client.put("/api/v1/profile", json={"skills": profile}, headers=headers)
    assert res.status_code == 200, res.text

    def get(path: str) -> dict[str, Any]:
        r = client.get(path, headers=headers)
        assert r.status_code == 200, r.text
        return dict(r.json())

    cold_start = time.perf_counter()
    first_map = get("/api/v1/career/map")
    cold_ms = (time.perf_counter() - cold_start) * 1000
    map_ms = _ms(lambda: get("/api/v1/career/map"), RUNS, "map")
    gaps = get("/api/v1/career/gaps?limit=10")
    gaps_ms = _ms(lambda: get("/api/v1/career/gaps?limit=10"), RUNS, "gaps")
    assume = ",".join(g["skill"] for g in gaps["gaps"][:2])
    what_if_ms = _ms(lambda: get(f"/api/v1/career/gaps?limit=10&assume={assume}"), RUNS)

    reference: list[tuple[str, float]] = []

    def run_reference() -> None:
        nonlocal reference
        with session_scope() as session:
            reference = _reference_gaps(session, user_id)

    reference_ms = _ms(run_reference, 5, "reference")
    same = [g["skill"] for g in gaps["gaps"][:10]] == [s for s, _ in reference[:10]]
    p50 = statistics.median
    print(
        json.dumps(
            {
                "bench": "career",
                "database": get_engine().dialect.name,
                "postings": len(first_map["postings"]),
                "profile_skills": N_PROFILE,
                "zones": first_map["counts"],
                "map_p50_ms": round(p50(map_ms), 1),
                "map_p95_ms": round(statistics.quantiles(map_ms, n=20)[18], 1),
                "map_cold_ms": round(cold_ms, 1),
                "gaps_p50_ms": round(p50(gaps_ms), 1),
                "gaps_p95_ms": round(statistics.quantiles(gaps_ms, n=20)[18], 1),
                "what_if_p50_ms": round(p50(what_if_ms), 1),
                "map_cpu_p50_ms": round(p50(CPU["map"]), 1),
                "gaps_cpu_p50_ms": round(p50(CPU["gaps"]), 1),
                "reference_gaps_p50_ms": round(p50(reference_ms), 1),
                "reference_gaps_cpu_p50_ms": round(p50(CPU["reference"]), 1),
                "speedup_vs_reference": round(p50(reference_ms) / p50(gaps_ms), 1),
                "same_ranking_as_reference": same,
                "target_p50_ms": 100,
                # 2 cores shared with other work: read the timings against the load.
                "load_average_1m": round(os.getloadavg()[0], 1),
                "ok": p50(map_ms) <= 100 and p50(gaps_ms) <= 100 and same,
            }
        )
    )


if __name__ == "__main__":
    main()
