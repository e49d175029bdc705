"""Web sessions live on the server (sign-out ends them; a replayed cookie is refused), the
cookie is Secure over HTTPS or behind a proxy that says so, signing in on the page mints no
API token, tokens may expire, and the secret key is generated or demanded per mode."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from tests.conftest import REPO, Gateway, signup

PASSWORD = "correct horse 1"


def _csrf(client: Any, path: str) -> str:
    page = client.get(path)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def _web_signin(client: Any, email: str) -> None:
    res = client.post(
        "/signin",
        data={"email": email, "password": PASSWORD, "csrf_token": _csrf(client, "/signin")},
        follow_redirects=False,
    )
    assert res.status_code == 303, res.text


def test_signout_ends_the_session_on_the_server_and_a_replayed_cookie_is_refused(
    api: Any,
) -> None:
    email = f"web-{uuid.uuid4().hex[:8]}@example.com"
    headers = signup(api, email, PASSWORD)
    with TestClient(api.app) as browser:
        _web_signin(browser, email)
        stolen = browser.cookies.get("lir_session")
        assert browser.get("/api/v1/me").json()["user"]["email"] == email
        assert browser.get("/rate", follow_redirects=False).status_code == 200
        csrf = _csrf(browser, "/rate")
        out = browser.post("/signout", data={"csrf_token": csrf}, follow_redirects=False)
        assert out.status_code == 303
    with TestClient(api.app, cookies={"lir_session": stolen}) as replay:
        assert replay.get("/api/v1/me").status_code == 401
        assert replay.get("/rate", follow_redirects=False).headers["location"].startswith("/signin")
    # Signing in on the page minted no API token: only the one from sign-up exists.
    tokens = api.get("/api/v1/auth/tokens", headers=headers).json()
    assert [t["name"] for t in tokens] == ["signup"]


def test_cookie_is_secure_over_https_only(api: Any) -> None:
    email = f"https-{uuid.uuid4().hex[:8]}@example.com"
    signup(api, email, PASSWORD)
    with TestClient(api.app, base_url="https://testserver") as browser:
        res = browser.post(
            "/signin",
            data={"email": email, "password": PASSWORD, "csrf_token": _csrf(browser, "/signin")},
            follow_redirects=False,
        )
        assert "; secure" in res.headers["set-cookie"].lower()
    with TestClient(api.app) as plain:
        res = plain.get("/signin")
        assert "; secure" not in res.headers["set-cookie"].lower()


def test_cookie_is_secure_behind_a_proxy_that_says_https(database: str) -> None:
    gateway = Gateway()  # uvicorn trusts X-Forwarded-* from 127.0.0.1 (its default)
    try:
        proxied = httpx.get(gateway.base + "/signin", headers={"X-Forwarded-Proto": "https"})
        direct = httpx.get(gateway.base + "/signin")
    finally:
        gateway.stop()
    assert "; secure" in proxied.headers["set-cookie"].lower()
    assert "; secure" not in direct.headers["set-cookie"].lower()


def test_api_tokens_may_expire(api: Any, db: Any) -> None:
    from shared.db.base import utcnow
    from shared.db.models import ApiToken

    headers = signup(api)
    made = api.post(
        "/api/v1/auth/tokens", json={"name": "ci", "expires_in_days": 30}, headers=headers
    )
    assert made.status_code == 201
    listed = api.get("/api/v1/auth/tokens", headers=headers).json()
    assert listed[1]["name"] == "ci" and listed[1]["expires_at"] is not None
    assert listed[0]["expires_at"] is None
    for bad in ({"expires_in_days": 0}, {"expires_in_days": "30"}, {"expires_in_days": 10**6}):
        assert api.post("/api/v1/auth/tokens", json=bad, headers=headers).status_code == 422
    # The same token, its expiry moved into the past before its first use, is refused.
    soon = api.post("/api/v1/auth/tokens", json={"expires_in_days": 1}, headers=headers).json()
    row = db.query(ApiToken).order_by(ApiToken.id.desc()).first()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    expired = api.get("/api/v1/me", headers={"Authorization": f"Bearer {soon['token']}"})
    assert expired.status_code == 401
    assert expired.json()["detail"] == "invalid, revoked or expired API token"


def _start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import services.gateway.app"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_secret_key_generated_in_embedded_mode_and_demanded_otherwise() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="lir-secret-"))
    base = {k: v for k, v in os.environ.items() if not k.startswith("LIR_")}
    embedded = {**base, "LIR_DATA_DIR": str(data_dir)}
    assert _start(embedded).returncode == 0
    key = (data_dir / "secret_key").read_text()
    assert len(key) == 64 and key != "dev-insecure-change-me"
    assert (data_dir / "secret_key").stat().st_mode & 0o077 == 0
    assert _start(embedded).returncode == 0
    assert (data_dir / "secret_key").read_text() == key  # kept across restarts

    real_db = {**base, "LIR_DATABASE_URL": os.environ["LIR_DATABASE_URL"]}
    refused = _start(real_db)
    assert refused.returncode != 0
    assert "LIR_SECRET_KEY is the development default" in refused.stderr
    explicit = _start({**real_db, "LIR_SECRET_KEY": "dev-insecure-change-me"})
    assert explicit.returncode != 0
    assert _start({**real_db, "LIR_SECRET_KEY": "a-real-secret-" + "y" * 40}).returncode == 0
