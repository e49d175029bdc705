"""schemathesis over the whole API, through the real app on Postgres: every operation gets
generated valid and invalid requests (bounded in examples and time); none may answer 5xx,
and every response must match the OpenAPI schema (status documented, body and content type
as declared)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from services.gateway.app import create_app
from tests.conftest import cancel_user_jobs, signup

app = create_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def auth(database: str, redis_broker: str) -> Iterator[dict[str, str]]:
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        headers = signup(client)
        # Read now: the fuzzer may revoke this very token (DELETE /tokens/{id}) or sign out.
        user_id = client.get("/api/v1/me", headers=headers).json()["user"]["id"]
        yield headers
        cancel_user_jobs(user_id)  # the generated ratings and searches need no worker


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,  # the same examples every run
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_matches_its_schema(case: Any, auth: dict[str, str]) -> None:
    case.call_and_validate(headers=auth, checks=CHECKS)
