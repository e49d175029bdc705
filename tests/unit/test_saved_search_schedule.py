"""The admission rule beat applies to due saved searches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.saved_searches.schedule import Due, admit, estimate_requests, look_capacity

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def due(sid: int, user: int, minutes: int = 0, cost: float = 6.0) -> Due:
    return Due(sid, user, T0 + timedelta(minutes=minutes), cost)


def test_oldest_first_one_per_user_and_none_for_a_busy_user() -> None:
    waiting = [due(1, 10, 5), due(2, 10, 1), due(3, 11, 2), due(4, 12, 0)]
    started = admit(waiting, in_flight_requests=0, busy_users={12}, capacity=100)
    assert [d.saved_search_id for d in started] == [2, 3]


def test_stops_once_the_work_under_way_reaches_capacity() -> None:
    waiting = [due(i, i, i) for i in range(10)]
    assert len(admit(waiting, in_flight_requests=0, busy_users=set(), capacity=13)) == 3
    assert admit(waiting, in_flight_requests=13, busy_users=set(), capacity=13) == []
    # A search dearer than a whole look still starts when nothing else is under way.
    big = [due(1, 1, cost=40)]
    assert admit(big, in_flight_requests=0, busy_users=set(), capacity=13) == big


def test_estimates_and_capacity() -> None:
    assert estimate_requests(25, None) == 3 + 25
    assert estimate_requests(25, 2) == 3 + 2
    assert look_capacity(60, 2.0, 0.5) == 15
