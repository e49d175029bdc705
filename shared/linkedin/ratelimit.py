"""One LinkedIn request budget for the whole deployment.

Every worker process shares a moving window in Redis (the `limits` library) when a Redis
URL is configured; the embedded mode keeps it in process memory. A Retry-After from
LinkedIn pauses that whole budget (`pause`), so no worker knocks again before it is over.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from fractions import Fraction

import redis
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from shared.settings import Settings

DEFAULT_KEY = "lirecommend-linkedin"

# Keeps the later of two pauses: a short Retry-After never cuts a longer one short.
_EXTEND_PAUSE = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return ARGV[1]
end
return tostring(current)
"""

# Embedded mode: pauses of the in-memory budgets of this process, by key.
_local_pauses: dict[str, float] = {}
_local_lock = threading.Lock()


class RateLimitPaused(Exception):
    """The budget is paused for longer than the caller is willing to wait."""

    def __init__(self, until: float) -> None:
        super().__init__(f"LinkedIn requests are paused until {until:.0f} (epoch seconds)")
        self.until = until


def interval_item(interval: float) -> RateLimitItem | None:
    """`amount` requests per whole-second window approximating one per `interval` seconds;
    None for no spacing at all (interval 0, for local stand-ins).

    Redis expiries are whole seconds, so a sub-second interval becomes e.g. 2 per 1 s for
    0.5 s: the same average rate, with at most `amount` requests close together.
    """
    if interval < 0:
        raise ValueError("interval must not be negative")
    if interval == 0:
        return None
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
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.item = interval_item(interval)
        self.jitter = max(0.0, jitter)
        self.key = key
        self.pause_key = f"{key}:paused-until"
        self.storage: Storage = RedisStorage(redis_url) if redis_url else MemoryStorage()
        self._redis = redis.Redis.from_url(redis_url) if redis_url else None
        self.limiter = MovingWindowRateLimiter(self.storage)
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()

    @classmethod
    def from_settings(cls, settings: Settings, key: str = DEFAULT_KEY) -> RateLimiter:
        return cls(
            interval=settings.linkedin_min_interval_seconds,
            jitter=settings.linkedin_jitter_seconds,
            redis_url=settings.rate_limit_redis_url,
            # Deployments (and test runs) sharing one Redis keep separate budgets.
            key=settings.broker_key_prefix + key,
        )

    @property
    def shared(self) -> bool:
        return isinstance(self.storage, RedisStorage)

    # -- deployment-wide pause ----------------------------------------------------------------
    def pause(self, seconds: float) -> float:
        """Pauses every request of this budget for `seconds` (Retry-After); returns the
        epoch time the pause ends, which may be later if a longer pause is already set."""
        until = self._clock() + max(0.0, seconds)
        if self._redis is not None:
            ttl_ms = max(1, int(seconds * 1000) + 1000)
            kept = self._redis.eval(_EXTEND_PAUSE, 1, self.pause_key, repr(until), ttl_ms)
            return float(kept)
        with _local_lock:
            until = max(until, _local_pauses.get(self.pause_key, 0.0))
            _local_pauses[self.pause_key] = until
        return until

    def paused_until(self) -> float | None:
        """The epoch time the current pause ends, or None when requests may go."""
        if self._redis is not None:
            raw = self._redis.get(self.pause_key)
            until = float(raw) if raw is not None else 0.0
        else:
            with _local_lock:
                until = _local_pauses.get(self.pause_key, 0.0)
        return until if until > self._clock() else None

    # -- the budget ---------------------------------------------------------------------------
    def try_acquire(self) -> bool:
        """Takes a slot if one is free now (the limiter's `hit`)."""
        return self.item is None or self.limiter.hit(self.item, self.key)

    def available(self) -> bool:
        """Whether a slot is free now, without taking it (the limiter's `test`)."""
        return self.item is None or self.limiter.test(self.item, self.key)

    def acquire(self, max_wait: float | None = None) -> float:
        """Waits out any pause, then for a slot, and takes it; returns the seconds waited.

        Raises RateLimitPaused instead of sleeping through a pause longer than `max_wait`.
        When it had to wait for a slot it adds up to `jitter` seconds on top, so consecutive
        requests are spaced by interval..interval+jitter rather than a bot-like cadence.
        """
        waited = 0.0
        while True:
            until = self.paused_until()
            if until is not None:
                delay = until - self._clock()
                if max_wait is not None and waited + delay > max_wait:
                    raise RateLimitPaused(until)
                self._sleep(delay)
                waited += delay
                continue
            if self.try_acquire():
                return waited
            assert self.item is not None
            reset_at = self.limiter.get_window_stats(self.item, self.key).reset_time
            delay = max(0.01, reset_at - time.time()) + self._rng.uniform(0, self.jitter)
            self._sleep(delay)
            waited += delay

    def clear(self) -> None:
        if self.item is not None:
            self.limiter.clear(self.item, self.key)
        if self._redis is not None:
            self._redis.delete(self.pause_key)
        else:
            with _local_lock:
                _local_pauses.pop(self.pause_key, None)
