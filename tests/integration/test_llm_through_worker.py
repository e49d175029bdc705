"""The optional LLM path through the real worker: the extract task calls the OpenAI-compatible
stand-in with the real openai client, keeps both results, and never sends a text twice."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from services.sandbox.openai_standin import OpenAIStandin
from shared.db.models import LLMUsage
from shared.db.session import session_scope
from tests.conftest import Worker, signup, wait_for

URL = "https://www.linkedin.com/jobs/view/{}/"


@pytest.fixture(scope="module")
def llm_worker(database: str, redis_broker: str, linkedin: Any) -> Iterator[OpenAIStandin]:
    with OpenAIStandin() as standin:
        env = {
            "LIR_LLM_BASE_URL": standin.base_url,
            "LIR_LLM_API_KEY": "test-key",
            "LIR_LLM_MODEL": "standin-mini",
        }
        worker = Worker("llm", env=env)
        try:
            yield standin
        finally:
            worker.stop()


def wait_extracted(api: Any, headers: dict[str, str], posting_id: int) -> dict[str, Any]:
    def extracted() -> Any:
        body = api.get(f"/api/v1/postings/{posting_id}", headers=headers).json()
        return body if body["extraction_source"] else None

    result: dict[str, Any] = wait_for(extracted, timeout=90)
    return result


def test_extraction_uses_the_llm_once_per_text_and_reports_agreement(
    llm_worker: OpenAIStandin, api: Any
) -> None:
    alice, bob = signup(api), signup(api)
    for headers in (alice, bob):  # the same posting for two users: one LLM call in all
        res = api.post(
            "/api/v1/ratings", json={"url": URL.format(3500100100), "rating": 2}, headers=headers
        )
        assert res.status_code == 202
    posting_id = res.json()["posting"]["id"]

    posting = wait_extracted(api, bob, posting_id)
    assert posting["extraction_source"] == "llm"
    wait_for(lambda: all(
        j["status"] not in ("queued", "running")
        for h in (alice, bob)
        for j in api.get("/api/v1/jobs", headers=h).json()["items"]
    ), timeout=60)  # fmt: skip
    # Other tests' leftover jobs may reach this worker too, so count this posting's calls.
    with session_scope() as session:
        outcomes = session.scalars(
            select(LLMUsage.outcome).where(LLMUsage.posting_id == posting_id)
        ).all()
    assert outcomes.count("ok") == 1
    assert set(outcomes) <= {"ok", "cached"}
    report = api.get("/api/v1/extraction/agreement", headers=alice).json()
    assert report["with_both_extractions"] == 1
    assert report["fields"]["seniority"]["compared"] == 1


def test_llm_failure_falls_back_to_the_rules(llm_worker: OpenAIStandin, api: Any) -> None:
    llm_worker.configure(mode="malformed")
    headers = signup(api)
    res = api.post(
        "/api/v1/ratings", json={"url": URL.format(3500100200), "rating": 1}, headers=headers
    )
    posting_id = res.json()["posting"]["id"]

    posting = wait_extracted(api, headers, posting_id)
    assert posting["extraction_source"] == "rules"
    jobs = api.get("/api/v1/jobs", headers=headers).json()["items"]
    extract = next(j for j in jobs if j["kind"] == "extract")
    assert extract["status"] == "succeeded"
    assert extract["result"]["llm_outcome"] == "fallback:malformed"
