"""Sign-in throttling per account+address, per address and deployment-wide (checked before
the hash), sign-up throttling, and password and email rules, through a real gateway whose
limits are lowered; the source address comes from X-Forwarded-For (uvicorn's proxy headers,
trusted from 127.0.0.1)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import Gateway

PASSWORD = "correct horse 1"


@pytest.fixture(scope="module")
def gateway(database: str, redis_broker: str) -> Iterator[str]:
    env = {
        **os.environ,
        # Own counters: a fresh key prefix, apart from every other test's.
        "LIR_BROKER_KEY_PREFIX": f"lir-throttle-{uuid.uuid4().hex[:8]}:",
        "LIR_SIGNIN_FAILURES_PER_ACCOUNT": "3/minute",
        "LIR_SIGNIN_FAILURES_PER_ADDRESS": "5/minute",
        "LIR_SIGNIN_FAILURES_PER_DEPLOYMENT": "9/minute",
        "LIR_SIGNUPS_PER_ADDRESS": "4/hour",
    }
    gw = Gateway(env)
    yield gw.base
    gw.stop()


def _post(base: str, path: str, body: dict[str, Any], address: str) -> httpx.Response:
    return httpx.post(base + path, json=body, headers={"X-Forwarded-For": address}, timeout=30)


def _signin(base: str, email: str, password: str, address: str) -> httpx.Response:
    return _post(base, "/api/v1/auth/token", {"email": email, "password": password}, address)


def test_signin_throttles_never_lock_the_owner_out_but_stop_each_attacker(gateway: str) -> None:
    owner, other = "owner@example.com", "other@example.com"
    for email, address in ((owner, "10.1.0.1"), (other, "10.1.0.2")):
        res = _post(gateway, "/api/v1/auth/signup", {"email": email, "password": PASSWORD}, address)
        assert res.status_code == 201, res.text

    # A stranger guessing the owner's password is stopped after 3 failures...
    codes = [_signin(gateway, owner, "wrong guess no", "10.9.9.9").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    blocked = _signin(gateway, owner, PASSWORD, "10.9.9.9")  # even with the right password
    assert blocked.status_code == 429
    assert blocked.json()["detail"].startswith("too many failed sign-ins for this account")
    assert 1 <= int(blocked.headers["Retry-After"]) <= 61
    # ...while the owner, from their own address, signs in as usual.
    assert _signin(gateway, owner, PASSWORD, "10.1.0.1").status_code == 200

    # The same stranger moving on to other accounts is stopped per address (5 failures).
    tries = [_signin(gateway, f"x{i}@example.com", "nope nope no", "10.9.9.9") for i in range(3)]
    assert [r.status_code for r in tries] == [401, 401, 429]
    assert "from this address" in tries[-1].json()["detail"]
    assert _signin(gateway, other, PASSWORD, "10.1.0.2").status_code == 200

    # Spread over many addresses: deployment-wide, 9 failures in all.
    spread = [
        _signin(gateway, f"y{i}@example.com", "nope nope no", f"10.7.0.{i}").status_code
        for i in range(5)
    ]
    assert spread == [401, 401, 401, 401, 429]
    refused = _signin(gateway, other, PASSWORD, "10.1.0.2")
    assert refused.status_code == 429 and "on this server" in refused.json()["detail"]


def test_signup_is_throttled_per_address(gateway: str) -> None:
    def attempt(i: int, address: str) -> int:
        body = {"email": f"s{i}-{uuid.uuid4().hex[:6]}@example.com", "password": PASSWORD}
        return _post(gateway, "/api/v1/auth/signup", body, address).status_code

    assert [attempt(i, "10.3.0.1") for i in range(5)] == [201, 201, 201, 201, 429]
    assert attempt(9, "10.3.0.2") == 201


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("pw1@example.com", "short one", "password must be at least 10 characters"),
        ("pw2@example.com", "password123", "choose a less common password"),
        ("pw3@example.com", "qwertyuiop", "choose a less common password"),
        ("not-an-email", PASSWORD, "email is not valid"),
        ("a@b", PASSWORD, "email is not valid"),
        ("two@@example.com", PASSWORD, "email is not valid"),
    ],
)
def test_passwords_and_emails_are_checked(
    api: Any, email: str, password: str, message: str
) -> None:
    res = api.post("/api/v1/auth/signup", json={"email": email, "password": password})
    assert res.status_code == 422
    assert res.json()["detail"].startswith(message), res.json()
    assert password not in res.text
