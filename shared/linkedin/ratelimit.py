"""One LinkedIn request budget for the whole deployment.

Every worker process shares a moving window in Redis (the `limits` library) when a Redis
URL is configured; the embedded mode keeps it in process memory.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from fractions import Fraction

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from shared.settings import Settings

DEFAULT_KEY = "lirecommend-linkedin"


def interval_item(interval: float) -> RateLimitItem:
    """`amount` requests per whole-second window approximating one per `interval` seconds.

    Redis expiries are whole seconds, so a sub-second interval becomes e.g. 2 per 1 s for
    0.5 s: the same average rate, with at most `amount` requests close together.
    """
    if interval <= 0:
        raise ValueError("interval must be positive")
    ratio = Fraction(interval).limit_denominator(20)  # seconds per request = window / amount
    window, amount = ratio.numerator, ratio.denominator
    if window == 0:  # tiny intervals: round to a 1 s window
        window, amount = 1, max(1, round(1 / interval))
    return RateLimitItemPerSecond(amount, window)


class RateLimiter:
    """Blocks until the shared budget allows one more LinkedIn request."""

    def __init__(
        self,
        interval: float,
        jitter: float = 0.0,
        redis_url: str = "",
        key: str = DEFAULT_KEY,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.item = interval_item(interval)
        self.jitter = max(0.0, jitter)
        self.key = key
        self.storage: Storage = RedisStorage(redis_url) if redis_url else MemoryStorage()
        self.limiter = MovingWindowRateLimiter(self.storage)
        self._sleep = sleep
        self._rng = rng or random.Random()

    @classmethod
    def from_settings(cls, settings: Settings, key: str = DEFAULT_KEY) -> RateLimiter:
        return cls(
            interval=settings.linkedin_min_interval_seconds,
            jitter=settings.linkedin_jitter_seconds,
            redis_url=settings.rate_limit_redis_url,
            key=key,
        )

    @property
    def shared(self) -> bool:
        return isinstance(self.storage, RedisStorage)

    def try_acquire(self) -> bool:
        """Takes a slot if one is free now (the limiter's `hit`)."""
        return self.limiter.hit(self.item, self.key)

    def available(self) -> bool:
        """Whether a slot is free now, without taking it (the limiter's `test`)."""
        return self.limiter.test(self.item, self.key)

    def acquire(self) -> float:
        """Waits for a slot and takes it; returns the seconds spent waiting.

        When it had to wait it adds up to `jitter` seconds on top, so consecutive requests
        are spaced by interval..interval+jitter rather than a fixed, bot-like cadence.
        """
        waited = 0.0
        while not self.try_acquire():
            reset_at = self.limiter.get_window_stats(self.item, self.key).reset_time
            delay = max(0.01, reset_at - time.time()) + self._rng.uniform(0, self.jitter)
            self._sleep(delay)
            waited += delay
        return waited

    def clear(self) -> None:
        self.limiter.clear(self.item, self.key)
