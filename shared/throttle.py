"""Sign-in throttling: failed password attempts per account, in the same store as the
LinkedIn budget (Redis when configured, so every gateway process counts together)."""

from __future__ import annotations

import time
from functools import lru_cache

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from shared.settings import get_settings

FAILED_SIGNINS = RateLimitItemPerMinute(10)


@lru_cache
def _limiter() -> MovingWindowRateLimiter:
    url = get_settings().rate_limit_redis_url
    storage: Storage = RedisStorage(url) if url else MemoryStorage()
    return MovingWindowRateLimiter(storage)


def signin_wait(email: str) -> int:
    """Seconds until this account may try again; 0 when it may try now."""
    if _limiter().test(FAILED_SIGNINS, "signin", email):
        return 0
    reset = _limiter().get_window_stats(FAILED_SIGNINS, "signin", email).reset_time
    return max(1, int(reset - time.time()) + 1)


def record_failed_signin(email: str) -> None:
    _limiter().hit(FAILED_SIGNINS, "signin", email)
