"""A day of saved searches: 1 000 users x 3 searches due daily, against the one LinkedIn
budget (LIR_LINKEDIN_MIN_INTERVAL_SECONDS = 2 s plus up to 0.5 s jitter: at most 30
requests a minute), simulated second by second over two days.

Product: beat's real admission rule (shared.saved_searches.schedule: a look every 60 s that
starts due searches only while the bulk work under way is below half of one look's
budget, one per user at a time, each next run one day after its actual start).
Reference: a nightly cron that starts every due search at once (JobFunnel's way). Both
start from the worst case, all 3 000 searches due at 02:00. A run costs its result pages
(25 results: 3 requests) plus the postings it has not seen (Poisson, mean 2). LinkedIn is
one FIFO line spaced by the rate limit, with no priority classes, so the admission rule
alone must keep a rating quick. An interactive rating (one request) is sent every five
minutes of the second day, seven seconds after beat's look; "at peak" is the one nearest
the day's busiest minute.

Prints one JSON line. Run: .venv/bin/python -m tests.bench.bench_schedule
"""

from __future__ import annotations

import json
import math
import random
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from shared.saved_searches.schedule import Due, admit, estimate_requests, look_capacity, next_run

USERS, PER_USER, LIMIT, NEW_MEAN = 1000, 3, 25, 2.0
INTERVAL, JITTER, TICK, SHARE = 2.0, 0.5, 60, 0.5
DAY, FIRST_DUE = 86_400, 2 * 3600
BUDGET_PER_MIN = 60 / INTERVAL
T0 = datetime(2026, 12, 1, tzinfo=UTC)


@dataclass
class Search:
    id: int
    user: int
    next_at: int = FIRST_DUE
    last_new: int = 2  # steady state: the last run's unseen postings are known
    running: bool = False


@dataclass
class Run:
    search: Search | None  # None: an interactive rating
    left: int
    estimate: float = 0.0
    sent: int = 0


def poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p >= limit:
        p *= rng.random()
        k += 1
    return k


def simulate(product: bool, probes: list[int]) -> dict[str, object]:
    rng = random.Random(7)
    searches = [Search(u * PER_USER + i, u) for u in range(USERS) for i in range(PER_USER)]
    line: deque[Run] = deque()
    served = [0] * (2 * DAY // 60)
    bulk = [0] * (2 * DAY // 60)
    delays: dict[int, int] = {}
    capacity = look_capacity(TICK, INTERVAL + JITTER / 2, SHARE)
    pending = sorted(probes)
    free_at = 0.0

    def start(s: Search, now: int) -> None:
        estimate = estimate_requests(LIMIT, s.last_new)
        s.last_new, s.running = poisson(rng, NEW_MEAN), True
        at = T0 + timedelta(seconds=now)
        s.next_at = int((next_run(at, 24) - T0).total_seconds())
        line.append(Run(s, math.ceil(LIMIT / 10) + s.last_new, estimate, now))

    for now in range(2 * DAY):
        while pending and pending[0] == now:
            line.append(Run(None, 1, 0.0, pending.pop(0)))
        if product and now % TICK == 0:
            due = [
                Due(s.id, s.user, T0 + timedelta(seconds=s.next_at), 0.0)
                for s in searches
                if s.next_at <= now and not s.running
            ]
            due = [
                Due(d.saved_search_id, d.user_id, d.next_run_at,
                    estimate_requests(LIMIT, searches[d.saved_search_id].last_new))
                for d in due
            ]  # fmt: skip
            in_flight = sum(r.estimate for r in line if r.search is not None)
            busy = {r.search.user for r in line if r.search is not None}
            for d in admit(due, in_flight, busy, capacity):
                start(searches[d.saved_search_id], now)
        elif not product and now % TICK == 0:
            for s in searches:
                if s.next_at <= now and not s.running:
                    start(s, now)
        while line and free_at < now + 1:  # the limiter spaces requests, not the clock
            run = line[0]
            run.left -= 1
            served[now // 60] += 1
            free_at = max(free_at, now) + INTERVAL + rng.uniform(0, JITTER)
            if run.search is None:
                delays[run.sent] = now - run.sent
            else:
                bulk[now // 60] += 1
            if run.left == 0:
                line.popleft()
                if run.search is not None:
                    run.search.running = False
    day2 = served[DAY // 60 :]
    peak = max(day2)
    busiest = DAY // 60 + day2.index(peak)
    return {
        "served": served,
        "bulk": bulk,
        "peak_per_min": peak,
        "busiest_minute": busiest,
        "runs_day2": sum(bulk[DAY // 60 :]),
        "delays": delays,
        "unanswered": [p for p in probes if p not in delays],
    }


def measure(product: bool) -> dict[str, object]:
    # A rating every 5 minutes of day 2, 7 s after beat's look (just behind what it started).
    probes = [DAY + m * 300 + 7 for m in range(DAY // 300)]
    out = simulate(product, probes)
    delays: dict[int, int] = out["delays"]  # type: ignore[assignment]
    waits = {p: delays.get(p, 2 * DAY - p) for p in probes}  # unanswered: waited to the end
    busiest = int(out["busiest_minute"])  # type: ignore[call-overload]
    at_peak = min(probes, key=lambda p: abs(p - busiest * 60))
    bulk: list[int] = out["bulk"]  # type: ignore[assignment]
    peak = int(out["peak_per_min"])  # type: ignore[call-overload]
    return {
        "peak_requests_per_min": peak,
        "peak_vs_budget": round(peak / BUDGET_PER_MIN, 3),
        "busiest_minute_bulk_share": round(bulk[busiest] / BUDGET_PER_MIN, 3),
        "bulk_requests_day2": sum(bulk[DAY // 60 :]),
        "rating_delay_at_peak_s": waits[at_peak],
        "rating_delay_p95_s": sorted(waits.values())[int(0.95 * len(waits))],
        "rating_delay_worst_s": max(waits.values()),
    }


def main() -> None:
    started = time.perf_counter()
    product, reference = measure(True), measure(False)
    print(
        json.dumps(
            {
                "bench": "schedule",
                "users": USERS,
                "searches": USERS * PER_USER,
                "budget_requests_per_min": BUDGET_PER_MIN,
                "product": product,
                "reference_cron": reference,
                "never_above_budget": product["peak_vs_budget"] <= 1.0  # type: ignore[operator]
                and reference["peak_vs_budget"] <= 1.0,  # type: ignore[operator]
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
