"""Broken object-level authorisation, generated from the app's route table: every API route
with a path id is called by user B with an object of user A's, for every kind of object,
and must answer 404 exactly like a missing one (while A's own call does not).

A new route whose path id has no factory below FAILS this test: add one to FACTORIES (and a
body to BODIES when the route needs one)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from services.gateway.app import create_app
from tests.conftest import cancel_jobs, signup

Headers = dict[str, str]


def _rating(api: Any, a: Headers, db: Any) -> str:
    url = f"https://www.linkedin.com/jobs/view/{4077000000 + uuid.uuid4().int % 10**6}/"
    return str(api.post("/api/v1/ratings", json={"url": url, "rating": 2}, headers=a).json()
               ["rating"]["id"])  # fmt: skip


def _job(api: Any, a: Headers, db: Any) -> str:
    url = f"https://www.linkedin.com/jobs/view/{4078000000 + uuid.uuid4().int % 10**6}/"
    return str(api.post("/api/v1/ratings", json={"url": url, "rating": 1}, headers=a).json()
               ["job"]["id"])  # fmt: skip


def _private_posting(api: Any, a: Headers, db: Any) -> str:
    """An imported posting: only its importer may see it (LinkedIn postings are public)."""
    from shared.db.base import utcnow
    from shared.db.models import Posting

    owner = api.get("/api/v1/me", headers=a).json()["user"]["id"]
    posting = Posting(source="imported", status="imported", owner_id=owner,
                      title="Private imported text", description_text="mine only",
                      created_at=utcnow(), updated_at=utcnow())  # fmt: skip
    db.add(posting)
    db.commit()
    return str(posting.id)


def _token(api: Any, a: Headers, db: Any) -> str:
    api.post("/api/v1/auth/tokens", json={"name": "bola"}, headers=a)
    return str(api.get("/api/v1/auth/tokens", headers=a).json()[-1]["id"])


def _block_rule(api: Any, a: Headers, db: Any) -> str:
    pattern = f"Acme {uuid.uuid4().hex[:6]}"
    body = {"kind": "company", "pattern": pattern}
    return str(api.post("/api/v1/blocklist", json=body, headers=a).json()["id"])


def _tracked_posting(api: Any, a: Headers, db: Any) -> str:
    """A's application (keyed by its posting) on the tracker."""
    posting_id = _private_posting(api, a, db)
    res = api.put(f"/api/v1/applications/{posting_id}", json={"status": "saved"}, headers=a)
    assert res.status_code == 201, res.text
    return posting_id


def _saved_search(api: Any, a: Headers, db: Any) -> str:
    body = {"keywords": "bola", "every_hours": 100}
    return str(api.post("/api/v1/saved-searches", json=body, headers=a).json()["id"])


# Path parameter name -> makes one object owned by user A and returns its id.
FACTORIES: dict[str, Callable[[Any, Headers, Any], str]] = {
    "rating_id": _rating,
    "job_id": _job,
    "posting_id": _private_posting,
    "token_id": _token,
    "rule_id": _block_rule,
    "saved_search_id": _saved_search,
}
# "METHOD path" -> a factory, where the route's object is not what its parameter names.
ROUTE_FACTORIES: dict[str, Callable[[Any, Headers, Any], str]] = {
    "DELETE /api/v1/applications/{posting_id}": _tracked_posting,
}
# "METHOD path" -> a valid body, for routes that need one.
BODIES: dict[str, dict[str, Any]] = {
    "PATCH /api/v1/ratings/{rating_id}": {"rating": 1},
    "PUT /api/v1/applications/{posting_id}": {"status": "applied"},
    "PATCH /api/v1/saved-searches/{saved_search_id}": {"name": "renamed"},
}


def _id_routes() -> list[tuple[str, str, Any]]:
    """(method, path, route) for every API route with a path parameter, as the app routes."""
    found = []
    for route in iter_route_contexts(create_app().routes):
        path = route.path or ""
        if isinstance(route.original_route, APIRoute) and path.startswith("/api/") and "{" in path:
            for method in sorted(route.methods or ()):
                found.append((method, path, route))
    return found


ROUTES = _id_routes()


def test_the_matrix_is_not_empty() -> None:
    assert len(ROUTES) >= 9
    assert {p for r in ROUTES for p in re.findall(r"{(\w+)}", r[1])} >= set(FACTORIES)


@pytest.mark.parametrize(
    ("method", "path", "route"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES]
)
def test_another_users_object_is_404(api: Any, db: Any, method: str, path: str, route: Any) -> None:
    params = re.findall(r"{(\w+)}", path)
    missing = [p for p in params if p not in FACTORIES]
    assert not missing, (
        f"{method} {path}: no BOLA object factory for {missing}; add one to FACTORIES in "
        "tests/integration/test_bola_matrix.py so this route's access check is tested"
    )
    key = f"{method} {path}"
    if route.body_field is not None and key not in BODIES:
        pytest.fail(f"{key} needs a body: add a valid one to BODIES")
    a, b = signup(api), signup(api)
    url = path
    for name in params:
        factory = ROUTE_FACTORIES.get(key, FACTORIES[name])
        url = url.replace("{" + name + "}", factory(api, a, db))
    body = BODIES.get(key)
    as_b = api.request(method, url, json=body, headers=b)
    assert as_b.status_code == 404, f"{key} as another user: {as_b.status_code} {as_b.text}"
    assert as_b.json()["detail"].endswith("not found")
    as_a = api.request(method, url, json=body, headers=a)
    assert as_a.status_code < 400, f"{key} as the owner: {as_a.status_code} {as_a.text}"
    cancel_jobs(api, a)  # no scrape backlog for a later module's worker
