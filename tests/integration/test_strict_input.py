"""Strict input and what the gateway wraps around every route: security headers, the body
cap (refused while the body streams in), NUL bytes, out-of-range ids, non-finite numbers,
validation messages that never echo a password, formula-safe CSV, and offline /docs."""

from __future__ import annotations

import csv
import io
import os
import select
import socket
import uuid
from typing import Any

import httpx
import pytest

from tests.conftest import Gateway, signup

URL = "https://www.linkedin.com/jobs/view/{}/"


@pytest.fixture(scope="module")
def headers(api: Any) -> dict[str, str]:
    return signup(api)


@pytest.mark.parametrize("path", ["/", "/signin", "/healthz", "/api/v1/me", "/docs", "/nope"])
def test_security_headers_on_every_response(api: Any, path: str) -> None:
    res = api.get(path)
    csp = res.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert res.headers["x-content-type-options"] == "nosniff"
    assert res.headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize(
    "rating", ["3", True, 3.0, 4, -1, None, [3]], ids=lambda r: f"{type(r).__name__}-{r}"
)
def test_rating_is_an_integer_0_to_3(api: Any, headers: dict[str, str], rating: Any) -> None:
    res = api.post("/api/v1/ratings", json={"url": URL.format(4055500001), "rating": rating},
                   headers=headers)  # fmt: skip
    assert res.status_code == 422, res.text
    assert res.json()["detail"].startswith("rating:")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/ratings/2147483648",
        "/api/v1/ratings/0",
        "/api/v1/ratings/-5",
        "/api/v1/postings/99999999999999999999",
        "/api/v1/ratings?offset=2147483648",
        "/api/v1/jobs?offset=-1",
        "/api/v1/recommendations?min_salary=nan",
        "/api/v1/recommendations?min_salary=inf",
        "/api/v1/recommendations?seniority=a%00b",
        "/api/v1/jobs?status=%00",
    ],
)
def test_out_of_range_and_nul_are_422(api: Any, headers: dict[str, str], path: str) -> None:
    res = api.get(path, headers=headers)
    assert res.status_code == 422, res.text
    assert res.json()["detail"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/blocklist", {"kind": "company", "pattern": "Ac\u0000me"}),
        ("/api/v1/ratings", {"url": "https://www.linkedin.com/jobs/view/1\u0000/", "rating": 1}),
        ("/api/v1/ratings", {"url": URL.format(0), "rating": 1}),
        ("/api/v1/searches", {"keywords": "data\u0000", "location": "Zurich"}),
    ],
)
def test_bad_bodies_are_422(
    api: Any, headers: dict[str, str], path: str, body: dict[str, Any]
) -> None:
    res = api.post(path, json=body, headers=headers)
    assert res.status_code == 422, res.text


def test_validation_messages_never_echo_a_password_and_cut_long_input(api: Any) -> None:
    secret = "my-secret-password-" * 60  # over the 1000-character limit
    res = api.post("/api/v1/auth/signup", json={"email": "e@example.com", "password": secret})
    assert res.status_code == 422
    assert "my-secret-password" not in res.text
    long_url = "https://example.com/" + "x" * 1990
    bad = api.post("/api/v1/auth/signup", json={"email": long_url, "password": 7})
    assert bad.status_code == 422
    assert "x" * 41 not in bad.text
    assert [e["loc"] for e in bad.json()["errors"]] == [["body", "email"], ["body", "password"]]
    assert all(e["input"] is None for e in bad.json()["errors"] if "password" in e["loc"])


def test_body_cap_refuses_by_content_length(api: Any, headers: dict[str, str]) -> None:
    from shared.settings import get_settings

    cap = get_settings().max_body_bytes
    res = api.post("/api/v1/blocklist", content=b"{" + b" " * cap + b"}", headers={
        **headers, "content-type": "application/json"})  # fmt: skip
    assert res.status_code == 413
    assert res.json()["detail"] == f"request body is larger than the limit of {cap} bytes"


def test_upload_is_refused_while_it_streams_in(database: str, redis_broker: str) -> None:
    """A chunked upload (no Content-Length) to a real gateway: the 413 arrives while the
    client is still sending, long before the whole body is out."""
    cap, chunk, total = 200_000, b"a" * 65536, 40_000_000
    gateway = Gateway({**os.environ, "LIR_MAX_UPLOAD_BYTES": str(cap)})
    try:
        token = httpx.post(gateway.base + "/api/v1/auth/signup", json={
            "email": f"up-{uuid.uuid4().hex[:8]}@example.com", "password": "correct horse 1"},
        ).json()["token"]  # fmt: skip
        with socket.create_connection(("127.0.0.1", gateway.port)) as sock:
            sock.sendall(
                b"POST /api/v1/imports HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                + f"Authorization: Bearer {token}\r\n".encode()
                + b"Content-Type: multipart/form-data; boundary=b\r\n\r\n"
            )
            part = b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n\r\n'
            sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
            sent = 0
            while sent < total and not select.select([sock], [], [], 0)[0]:
                try:
                    sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                except (BrokenPipeError, ConnectionResetError):
                    break
                sent += len(chunk)
            sock.settimeout(10)
            answer = b""
            while b"}" not in answer and (data := sock.recv(4096)):
                answer += data
    finally:
        gateway.stop()
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert f"larger than the limit of {cap} bytes".encode() in answer
    assert sent < total // 4


def test_csv_export_escapes_formula_cells(api: Any, headers: dict[str, str], db: Any) -> None:
    from shared.db.models import Posting, Rating

    api.post("/api/v1/ratings", json={"url": URL.format(4055500077), "rating": 2},
             headers=headers)  # fmt: skip
    rating = db.query(Rating).order_by(Rating.id.desc()).first()
    posting = db.get(Posting, rating.posting_id)
    posting.title, posting.company = '=HYPERLINK("http://evil.example","click")', "+Acme"
    db.commit()
    res = api.get("/api/v1/exports/ratings.csv", headers=headers)
    assert res.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(res.text)))
    row = next(r for r in rows if r["job_id"] == "4055500077")
    assert row["title"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["company"] == "'+Acme"


def test_docs_work_offline(api: Any) -> None:
    page = api.get("/docs").text
    assets = [a for a in page.split('"') if a.startswith("/") and "." in a]
    assert "cdn" not in page.lower() and "<script>" not in page
    assert len(assets) == 4
    for asset in assets:
        assert api.get(asset).status_code == 200, asset
