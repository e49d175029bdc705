"""When saved searches run: the admission rule beat applies on every look.

The LinkedIn rate limit already guarantees the deployment never exceeds its budget. This
rule keeps saved searches to a share of it and keeps the bulk backlog short, so a user who
rates a posting at the busiest moment waits behind at most one look's worth of bulk work:
a search is started only while the requests of the saved searches still under way are
below what the share of one look's budget pays for. A burst of due searches (a thousand
created at once) therefore drains at that share, and as each next run is one interval after
the actual start, the runs stay spread afterwards."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Due:
    saved_search_id: int
    user_id: int
    next_run_at: datetime
    estimated_requests: float


def look_capacity(tick_seconds: float, min_interval_seconds: float, share: float) -> float:
    """LinkedIn requests the saved searches may have under way at once."""
    return share * tick_seconds / max(min_interval_seconds, 1e-6)


def estimate_requests(limit: int, last_new_postings: int | None) -> float:
    """Result pages plus postings to fetch: as many as the last run fetched, else all."""
    pages = math.ceil(limit / 10)
    return float(pages + (limit if last_new_postings is None else last_new_postings))


def admit(
    due: list[Due], in_flight_requests: float, busy_users: set[int], capacity: float
) -> list[Due]:
    """The due searches to start now, oldest first: one per user at a time, none of a user
    with one still running, and only while the work under way is below capacity."""
    started: list[Due] = []
    load, users = in_flight_requests, set(busy_users)
    for d in sorted(due, key=lambda d: (d.next_run_at, d.saved_search_id)):
        if load >= capacity:
            break
        if d.user_id in users:
            continue
        started.append(d)
        users.add(d.user_id)
        load += d.estimated_requests
    return started


def next_run(started: datetime, every_hours: float) -> datetime:
    """One interval after the actual start, so a backlog that drained slowly stays spread."""
    return started + timedelta(hours=every_hours)
