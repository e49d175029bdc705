"""The in-process limiter (the shared Redis one is in tests/integration)."""

from __future__ import annotations

import random

import pytest

from shared.linkedin.ratelimit import RateLimiter, RateLimitPaused, interval_item


@pytest.mark.parametrize(
    ("interval", "amount", "window"),
    [
        (2.0, 1, 2),
        (1.0, 1, 1),
        (0.5, 2, 1),
        (1.5, 2, 3),
        (0.25, 4, 1),
        (10.0, 1, 10),
        (0.01, 100, 1),
    ],
)
def test_interval_item(interval: float, amount: int, window: int) -> None:
    item = interval_item(interval)
    assert (item.amount, item.get_expiry()) == (amount, window)


def test_zero_interval_is_no_spacing_and_negative_is_refused() -> None:
    assert interval_item(0) is None
    with pytest.raises(ValueError):
        interval_item(-0.5)


def test_in_memory_pause_is_shared_by_limiters_of_one_key_and_waited_out() -> None:
    now = [1000.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    a = RateLimiter(interval=0, key="unit-pause", clock=lambda: now[0], sleep=sleep)
    b = RateLimiter(interval=0, key="unit-pause", clock=lambda: now[0], sleep=sleep)
    try:
        assert a.pause(30) == 1030.0
        assert b.paused_until() == 1030.0
        with pytest.raises(RateLimitPaused):
            b.acquire(max_wait=10)
        assert b.acquire(max_wait=60) == 30.0 and sleeps == [30.0]
        assert b.paused_until() is None
    finally:
        a.clear()


def test_memory_limiter_counts() -> None:
    limiter = RateLimiter(interval=60, key="unit-test")
    assert limiter.shared is False
    assert limiter.available() is True
    assert limiter.try_acquire() is True
    assert limiter.available() is False
    assert limiter.try_acquire() is False
    limiter.clear()
    assert limiter.try_acquire() is True


def _limiter_whose_sleep_frees_the_window(
    jitter: float, seed: int
) -> tuple[RateLimiter, list[float]]:
    """The injected sleep records the wait and, instead of waiting 60 s, clears the window."""
    sleeps: list[float] = []
    limiters: list[RateLimiter] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        limiters[0].clear()

    limiter = RateLimiter(
        interval=60, jitter=jitter, key=f"unit-{seed}", sleep=sleep, rng=random.Random(seed)
    )
    limiters.append(limiter)
    return limiter, sleeps


def test_acquire_sleeps_until_the_window_frees() -> None:
    limiter, sleeps = _limiter_whose_sleep_frees_the_window(jitter=0, seed=1)
    assert limiter.acquire() == 0.0  # free slot: no wait, no jitter
    waited = limiter.acquire()
    assert len(sleeps) == 1
    assert 59 < sleeps[0] <= 60
    assert waited == sleeps[0]


def test_acquire_adds_jitter_when_it_waits() -> None:
    limiter, sleeps = _limiter_whose_sleep_frees_the_window(jitter=2.0, seed=7)
    limiter.acquire()
    limiter.acquire()
    jitter = random.Random(7).uniform(0, 2.0)
    assert 59 < sleeps[0] - jitter <= 60
