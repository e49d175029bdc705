"""Sign-in and sign-up throttling, in the same store as the LinkedIn budget (Redis when
configured, so every gateway process counts together).

Failed sign-ins count per account *and source address* (a stranger's guesses can't lock the
owner out from their own address), per address (one source guessing many accounts) and
deployment-wide (a spread-out attack costs us at most so many argon2 hashes). Every check
is a `test` on the counters, done before the password hash is computed."""

from __future__ import annotations

import time
from functools import lru_cache

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from shared.settings import get_settings


@lru_cache
def _limiter() -> MovingWindowRateLimiter:
    url = get_settings().rate_limit_redis_url
    storage: Storage = RedisStorage(url) if url else MemoryStorage()
    return MovingWindowRateLimiter(storage)


@lru_cache
def _items() -> dict[str, RateLimitItem]:
    s = get_settings()
    return {
        "account": parse(s.signin_failures_per_account),
        "address": parse(s.signin_failures_per_address),
        "deployment": parse(s.signin_failures_per_deployment),
        "signup": parse(s.signups_per_address),
    }


def _key(*parts: str) -> tuple[str, ...]:
    return (get_settings().broker_key_prefix + "throttle", *parts)


def _wait(item: RateLimitItem, key: tuple[str, ...]) -> int:
    """Seconds until `key` may go again under `item`; 0 when it may go now."""
    if _limiter().test(item, *key):
        return 0
    reset = _limiter().get_window_stats(item, *key).reset_time
    return max(1, int(reset - time.time()) + 1)


def _signin_keys(email: str, address: str) -> list[tuple[str, str, tuple[str, ...]]]:
    return [
        ("account", "failed sign-ins for this account", _key("signin", email, address)),
        ("address", "failed sign-ins from this address", _key("signin-from", address)),
        ("deployment", "failed sign-ins on this server", _key("signin-all")),
    ]


def signin_blocked(email: str, address: str) -> tuple[str, int] | None:
    """(what is exceeded, seconds to wait), or None when this attempt may go ahead."""
    for name, what, key in _signin_keys(email, address):
        wait = _wait(_items()[name], key)
        if wait:
            return what, wait
    return None


def record_failed_signin(email: str, address: str) -> None:
    for name, _, key in _signin_keys(email, address):
        _limiter().hit(_items()[name], *key)


def signup_wait(address: str) -> int:
    return _wait(_items()["signup"], _key("signup", address))


def record_signup(address: str) -> None:
    _limiter().hit(_items()["signup"], *_key("signup", address))
