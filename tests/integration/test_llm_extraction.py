"""LLM extraction end to end: the real openai client against the real OpenAI stand-in over
HTTP, with the cache and usage tables in the real PostgreSQL (the `db` fixture)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.sandbox.openai_standin import OpenAIStandin
from shared.db.models import LLMCacheEntry, LLMUsage, Posting, Rating
from shared.extraction import PostingText, extract_fields, extract_posting
from shared.extraction.agreement import field_agreement
from shared.extraction.llm import LLMExtractor
from shared.extraction.llm_schema import build_messages
from shared.settings import Settings
from tests.conftest import free_port
from tests.integration.llm import MODEL, make_user, settings_for

REPO = Path(__file__).resolve().parents[2]
DOC = PostingText(
    title="Senior Backend Engineer",
    company="Acme",
    location="Austin, TX",
    salary_text="$150,000.00/yr - $180,000.00/yr",
    seniority="Mid-Senior level",
    employment_type="Full-time",
    description_text=(
        "We build services in Go and Python on Kubernetes. 5+ years of experience and a "
        "Bachelor's degree in CS required. This is a hybrid role in Austin."
    ),
)


def usage_rows(db: Session, user_id: int) -> list[LLMUsage]:
    query = select(LLMUsage).where(LLMUsage.user_id == user_id).order_by(LLMUsage.id)
    return list(db.scalars(query))


def new_hash() -> str:
    return uuid.uuid4().hex


def test_ok_then_cached_across_users_without_a_second_request(
    db: Session, llm: OpenAIStandin
) -> None:
    extractor = LLMExtractor(settings_for(llm), backoff_seconds=0.01)
    alice, bob = make_user(db), make_user(db)
    content_hash = new_hash()

    first = extractor.extract(db, DOC, content_hash=content_hash, user_id=alice, posting_id=None)
    assert first.outcome == "ok"
    assert first.attempts == 1
    # The stand-in answers with our rules, so the validated answer must equal them.
    rules = extract_fields(DOC)
    assert first.extraction is not None
    assert first.extraction.model_dump(exclude={"salary"}) == rules.model_dump(exclude={"salary"})
    assert first.extraction.salary is not None
    assert (first.extraction.salary.annual_min, first.extraction.salary.annual_max) == (
        150000,
        180000,
    )
    assert first.extraction.salary.source == "llm"
    assert first.prompt_tokens > 0 and first.completion_tokens > 0
    assert first.cost_usd == pytest.approx(
        first.prompt_tokens / 1000 * 0.00015 + first.completion_tokens / 1000 * 0.0006
    )
    assert llm.stats()["requests"] == 1
    assert db.get(LLMCacheEntry, (content_hash, MODEL)) is not None

    second = extractor.extract(db, DOC, content_hash=content_hash, user_id=bob, posting_id=None)
    assert second.outcome == "cached"
    assert second.extraction == first.extraction
    assert llm.stats()["requests"] == 1  # nothing sent twice

    [a] = usage_rows(db, alice)
    assert (a.outcome, a.model, a.prompt_tokens, a.completion_tokens) == (
        "ok",
        MODEL,
        first.prompt_tokens,
        first.completion_tokens,
    )
    assert a.cost_usd == pytest.approx(first.cost_usd)
    [b] = usage_rows(db, bob)
    assert (b.outcome, b.prompt_tokens, b.completion_tokens, b.cost_usd) == ("cached", 0, 0, 0.0)


def test_budget_exhausted_falls_back_without_a_request(db: Session, llm: OpenAIStandin) -> None:
    extractor = LLMExtractor(settings_for(llm, llm_monthly_budget_usd=0.01), backoff_seconds=0.01)
    user, other = make_user(db), make_user(db)
    # This month's spending reaches the budget; last month's does not count.
    db.add(LLMUsage(user_id=user, model=MODEL, cost_usd=0.01, outcome="ok"))
    db.add(
        LLMUsage(
            user_id=other,
            model=MODEL,
            cost_usd=0.01,
            outcome="ok",
            created_at=datetime(2020, 1, 15, tzinfo=UTC),
        )
    )
    db.flush()

    spent = extractor.extract(db, DOC, content_hash=new_hash(), user_id=user, posting_id=None)
    assert (spent.outcome, spent.extraction) == ("fallback:budget", None)
    assert llm.stats()["requests"] == 0
    assert [r.outcome for r in usage_rows(db, user)] == ["ok", "fallback:budget"]

    fresh = extractor.extract(db, DOC, content_hash=new_hash(), user_id=other, posting_id=None)
    assert fresh.outcome == "ok"
    assert llm.stats()["requests"] == 1


def test_budget_is_spent_by_calls(db: Session, llm: OpenAIStandin) -> None:
    # The check before each call uses an estimate (a generous answer size), so the budget
    # is never overrun: room for one estimate and a bit, but not two real calls plus one.
    estimate = LLMExtractor(settings_for(llm)).estimate_cost(build_messages(DOC))
    extractor = LLMExtractor(settings_for(llm, llm_monthly_budget_usd=estimate * 1.2))
    user = make_user(db)
    outcomes = [
        extractor.extract(db, DOC, content_hash=new_hash(), user_id=user, posting_id=None).outcome
        for _ in range(3)
    ]
    assert outcomes == ["ok", "fallback:budget", "fallback:budget"]
    assert llm.stats()["requests"] == 1
    assert extractor.month_spent(db, user) <= estimate * 1.2


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("malformed", "malformed"),
        ("schema_invalid", "schema"),
        ("refusal", "refusal"),
        ("rate_limit", "rate_limit"),
        ("server_error", "server_error"),
    ],
)
def test_failures_retry_then_fall_back_with_reason(
    db: Session, llm: OpenAIStandin, mode: str, reason: str
) -> None:
    llm.configure(mode=mode)
    extractor = LLMExtractor(settings_for(llm, llm_max_retries=2), backoff_seconds=0.01)
    user = make_user(db)
    content_hash = new_hash()

    result = extractor.extract(db, DOC, content_hash=content_hash, user_id=user, posting_id=None)

    assert (result.outcome, result.extraction, result.attempts) == (f"fallback:{reason}", None, 3)
    assert llm.stats()["requests"] == 3
    assert db.get(LLMCacheEntry, (content_hash, MODEL)) is None
    [row] = usage_rows(db, user)
    assert row.outcome == f"fallback:{reason}"
    # Answers that arrived were billed, even when unusable; HTTP errors were not.
    billed = mode in ("malformed", "schema_invalid", "refusal")
    assert (row.prompt_tokens > 0) is billed
    assert row.prompt_tokens == result.prompt_tokens


def test_timeout_retries_then_falls_back(db: Session, llm: OpenAIStandin) -> None:
    llm.configure(mode="timeout", sleep_seconds=10)
    settings = settings_for(llm, llm_timeout_seconds=0.3, llm_max_retries=1)
    extractor = LLMExtractor(settings, backoff_seconds=0.01)
    user = make_user(db)

    result = extractor.extract(db, DOC, content_hash=new_hash(), user_id=user, posting_id=None)

    assert (result.outcome, result.attempts) == ("fallback:timeout", 2)
    assert llm.stats()["requests"] == 2
    assert [r.outcome for r in usage_rows(db, user)] == ["fallback:timeout"]


@pytest.mark.parametrize("failure", ["rate_limit", "server_error", "malformed", "timeout"])
def test_transient_failure_then_success(db: Session, llm: OpenAIStandin, failure: str) -> None:
    llm.configure(sequence=[failure], sleep_seconds=10)
    settings = settings_for(llm, llm_timeout_seconds=0.3)
    extractor = LLMExtractor(settings, backoff_seconds=0.01)
    user = make_user(db)

    result = extractor.extract(db, DOC, content_hash=new_hash(), user_id=user, posting_id=None)

    assert (result.outcome, result.attempts) == ("ok", 2)
    assert llm.stats()["by_mode"] == {failure: 1, "good": 1}


def test_concurrent_workers_send_the_same_posting_once(database: str, llm: OpenAIStandin) -> None:
    """Two workers, each in its own transaction, extract the same text at the same time: the
    second waits for the first to commit and then reads the cache."""
    from shared.db.session import get_sessionmaker

    llm.configure(sequence=["timeout"], sleep_seconds=0.5)  # a slow but good answer
    extractor = LLMExtractor(settings_for(llm), backoff_seconds=0.01)
    content_hash = new_hash()
    outcomes: list[str] = []

    def worker() -> None:
        with get_sessionmaker()() as session:
            result = extractor.extract(
                session, DOC, content_hash=content_hash, user_id=None, posting_id=None
            )
            session.commit()
            outcomes.append(result.outcome)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes) == ["cached", "ok"]
    assert llm.stats()["requests"] == 1
    with get_sessionmaker()() as session:
        session.execute(delete(LLMCacheEntry).where(LLMCacheEntry.content_hash == content_hash))
        session.commit()


def test_extract_posting_side_by_side(db: Session, llm: OpenAIStandin) -> None:
    user = make_user(db)
    off = extract_posting(
        db,
        DOC,
        content_hash=new_hash(),
        user_id=user,
        posting_id=None,
        settings=Settings(llm_base_url="", llm_model="", llm_api_key=""),  # type: ignore[arg-type]
    )
    assert (off.source, off.llm, off.llm_outcome) == ("rules", None, None)
    assert llm.stats()["requests"] == 0

    on = extract_posting(
        db, DOC, content_hash=new_hash(), user_id=user, posting_id=None, settings=settings_for(llm)
    )
    assert (on.source, on.llm_outcome, on.llm_model) == ("llm", "ok", MODEL)
    assert on.rules == extract_fields(DOC)
    values = on.posting_values()
    assert values["extraction_source"] == "llm"
    assert (values["salary_currency"], values["annual_min"], values["annual_max"]) == (
        "USD",
        150000,
        180000,
    )
    assert values["rules_extraction"]["rules_version"] == on.rules_version
    assert values["llm_extraction"]["model"] == MODEL

    llm.configure(mode="server_error", reset_stats=True)
    down = extract_posting(
        db,
        DOC,
        content_hash=new_hash(),
        user_id=user,
        posting_id=None,
        settings=settings_for(llm, llm_max_retries=0),
    )
    assert (down.source, down.llm, down.llm_outcome) == ("rules", None, "fallback:server_error")
    assert llm.stats()["requests"] == 1  # llm_max_retries=0: no retry
    assert down.posting_values()["llm_extraction"] is None


def test_field_agreement_over_rated_postings(db: Session, llm: OpenAIStandin) -> None:
    user = make_user(db)
    settings = settings_for(llm)
    docs = [
        DOC,
        DOC.model_copy(update={"title": "Staff Data Engineer", "location": "Seattle, WA"}),
    ]
    for doc in docs:
        posting = Posting(job_id=uuid.uuid4().hex[:16], title=doc.title, location=doc.location)
        db.add(posting)
        db.flush()
        result = extract_posting(
            db, doc, content_hash=new_hash(), user_id=user, posting_id=posting.id, settings=settings
        )
        for key, value in result.posting_values().items():
            setattr(posting, key, value)
        db.add(Rating(user_id=user, posting_id=posting.id, rating=2))
    # The LLM disagrees on one field of the second posting.
    second = db.scalars(select(Posting).where(Posting.title == "Staff Data Engineer")).one()
    second.llm_extraction = {**second.llm_extraction, "city": "Redmond"}  # type: ignore[dict-item]
    db.flush()

    report = field_agreement(db, user)

    assert (report["rated_postings"], report["with_both_extractions"]) == (2, 2)
    fields = report["fields"]
    assert fields["city"] == {"compared": 2, "agree": 1, "rate": 0.5}
    assert fields["annual_max"] == {"compared": 2, "agree": 2, "rate": 1.0}
    assert fields["seniority"] == {"compared": 2, "agree": 2, "rate": 1.0}
    assert fields["visa_sponsorship"] == {"compared": 0, "agree": 0, "rate": None}
    assert fields["skills"] == {"compared": 2, "mean_jaccard": 1.0}


def test_standin_runs_as_a_process_and_is_controlled_over_http() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.sandbox.openai_standin", "--port", str(port)],
        cwd=REPO,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{base}/__standin/stats", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
        config = {"mode": "refusal", "reset_stats": True}
        assert httpx.post(f"{base}/__standin/config", json=config).status_code == 200
        assert httpx.post(f"{base}/__standin/config", json={"mode": "nope"}).status_code == 400
        body = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}
        answer = httpx.post(f"{base}/v1/chat/completions", json=body).json()
        assert answer["choices"][0]["message"]["refusal"] == "I'm sorry, I can't help with that."
        assert httpx.get(f"{base}/__standin/stats").json() == {
            "requests": 1,
            "by_mode": {"refusal": 1},
            "mode": "refusal",
        }
    finally:
        proc.terminate()
        proc.wait(timeout=10)
