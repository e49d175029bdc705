"""The LLM option of the career path, against the real OpenAI stand-in over HTTP with the
cache and usage tables in the real PostgreSQL: resume skills read by the LLM (cached,
budgeted, rules as fallback) and the plan's narrative (validated, cached, budgeted,
template as fallback)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.sandbox.openai_standin import OpenAIStandin
from shared.career.gaps import career_gaps
from shared.career.profile import update_profile, upload_resume
from shared.career.schemas import ProfileIn
from shared.db.models import HiddenPosting, LLMCacheEntry, LLMUsage, Posting
from shared.ratings import upsert_rating
from tests.career_data import RESUME, RESUME_SKILLS, make_posting, wanted_and_not
from tests.integration.llm import make_user, settings_for


def outcomes(db: Session, user_id: int) -> list[str]:
    query = select(LLMUsage.outcome).where(LLMUsage.user_id == user_id).order_by(LLMUsage.id)
    return list(db.scalars(query))


def test_resume_skills_by_the_llm_then_cached_then_rules_when_over_budget(
    db: Session, llm: OpenAIStandin
) -> None:
    text = f"{RESUME}\n(ref {uuid.uuid4().hex})"  # a text no earlier run has cached
    alice, bob, carol = make_user(db), make_user(db), make_user(db)
    profile = upload_resume(db, alice, text, "cv.txt", settings_for(llm, llm_max_retries=1))
    assert profile.resume_extraction == "llm"
    assert {s["name"] for s in profile.suggested_skills} == RESUME_SKILLS
    assert {s["source"] for s in profile.suggested_skills} == {"resume_llm"}
    assert profile.suggested_years == 6.0
    assert llm.stats()["requests"] == 1

    again = upload_resume(db, bob, text, "cv.txt", settings_for(llm, llm_max_retries=1))
    assert again.resume_extraction == "cached" and llm.stats()["requests"] == 1

    no_budget = settings_for(llm, llm_monthly_budget_usd=0)
    broke = upload_resume(db, carol, text + " ", "cv.txt", no_budget)
    assert broke.resume_extraction == "fallback:budget"
    assert {s["source"] for s in broke.suggested_skills} == {"resume"}  # the rules' reading
    assert {s["name"] for s in broke.suggested_skills} == RESUME_SKILLS
    assert (outcomes(db, alice), outcomes(db, bob), outcomes(db, carol)) == (
        ["ok"],
        ["cached"],
        ["fallback:budget"],
    )
    assert llm.stats()["requests"] == 1


@pytest.fixture
def path_user(db: Session) -> int:
    """The {Python, SQL} user of the path test, over this test's postings only."""
    uid = make_user(db)
    for pid in db.scalars(select(Posting.id)):
        db.add(HiddenPosting(user_id=uid, posting_id=pid))
    kubernetes, others = wanted_and_not(lambda title, text: make_posting(db, title, text))
    for made, rating in [(m, 3) for m in kubernetes] + others:
        upsert_rating(db, uid, made.id, rating)
    update_profile(db, uid, ProfileIn(skills=["Python", "SQL"], years_experience=5))
    db.execute(delete(LLMCacheEntry).where(LLMCacheEntry.model.like("%#career_plan")))
    return uid


def test_plan_narrative_cites_the_gaps_and_is_cached(
    db: Session, llm: OpenAIStandin, path_user: int
) -> None:
    first = career_gaps(db, path_user, 5, [], settings_for(llm, llm_max_retries=1))
    assert first.plan_source == "llm" and first.plan_fallback_reason is None
    assert first.narrative == (
        "Start with Kubernetes: 8 of your 8 stretch jobs ask for it, and with it 8 come within "
        "reach. Then add Terraform."
    )
    assert first.plan[0].step == "Learn Kubernetes"  # the steps and their numbers stay
    second = career_gaps(db, path_user, 5, [], settings_for(llm, llm_max_retries=1))
    assert second.plan_source == "llm_cached" and second.narrative == first.narrative
    assert llm.stats()["requests"] == 1
    # A what-if is answered by the template: no request.
    what_if = career_gaps(db, path_user, 5, ["Kubernetes"], settings_for(llm, llm_max_retries=1))
    assert what_if.plan_source == "template" and what_if.narrative is None
    assert llm.stats()["requests"] == 1
    assert outcomes(db, path_user) == ["ok", "cached"]


@pytest.mark.parametrize(
    ("mode", "reason", "requests"),
    [("invent", "unsupported", 2), ("malformed", "schema", 2), ("server_error", "server_error", 2)],
)
def test_narrative_outside_the_facts_or_broken_falls_back_to_the_template(
    db: Session, llm: OpenAIStandin, path_user: int, mode: str, reason: str, requests: int
) -> None:
    llm.configure(mode=mode)
    gaps = career_gaps(db, path_user, 5, [], settings_for(llm, llm_max_retries=1))
    assert gaps.plan_source == "template" and gaps.narrative is None
    assert gaps.plan_fallback_reason == reason
    assert gaps.plan[0].why.startswith("Kubernetes: 8 of your 8 stretch jobs ask for it")
    assert llm.stats()["requests"] == requests  # one retry, then the template
    assert outcomes(db, path_user) == [f"fallback:{reason}"]
    assert db.scalar(select(LLMCacheEntry).where(LLMCacheEntry.model.like("%#career_plan"))) is None


def test_narrative_over_budget_sends_nothing(
    db: Session, llm: OpenAIStandin, path_user: int
) -> None:
    gaps = career_gaps(db, path_user, 5, [], settings_for(llm, llm_monthly_budget_usd=0))
    assert (gaps.plan_source, gaps.plan_fallback_reason) == ("template", "budget")
    assert llm.stats()["requests"] == 0
