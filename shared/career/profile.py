"""The user's profile: skills they confirmed (with where each came from), experience,
title, seniority, and a resume whose skills are suggested until the user reviews them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from shared.career.match import UserFacts
from shared.career.schemas import ProfileIn, ProfileOut, SkillOut
from shared.db.base import utcnow
from shared.db.models import Profile
from shared.extraction.fields import years_experience as years_in_text
from shared.extraction.models import PostingText
from shared.extraction.skills import canonical_skill, extract_skills
from shared.settings import Settings, get_settings


class ProfileError(ValueError):
    pass


def get_profile(session: Session, user_id: int) -> Profile | None:
    return session.get(Profile, user_id)


def _profile(session: Session, user_id: int) -> Profile:
    profile = session.get(Profile, user_id)
    if profile is None:
        now = utcnow()
        profile = Profile(
            user_id=user_id, skills=[], suggested_skills=[], created_at=now, updated_at=now
        )
        session.add(profile)
    return profile


def normalise_skills(names: list[str]) -> list[str]:
    """Vocabulary names, in the order given, without repeats; unknown names refused."""
    out: dict[str, None] = {}
    unknown = []
    for name in names:
        if not name.strip():
            continue
        canonical = canonical_skill(name)
        if canonical is None:
            unknown.append(name.strip())
        else:
            out.setdefault(canonical, None)
    if unknown:
        shown = ", ".join(repr(u) for u in unknown[:10])
        raise ProfileError(
            f"unknown skill(s) {shown}: use names from the skills vocabulary "
            "(GET /api/v1/profile/vocabulary)"
        )
    return list(out)


def update_profile(session: Session, user_id: int, body: ProfileIn) -> Profile:
    profile = _profile(session, user_id)
    sent = body.model_fields_set
    if "skills" in sent:
        names = normalise_skills(body.skills or [])
        known = {s["name"]: s["source"] for s in [*profile.suggested_skills, *profile.skills]}
        profile.skills = [{"name": n, "source": known.get(n, "manual")} for n in names]
        # The list sent is the reviewed one: suggestions left out of it are declined.
        profile.suggested_skills = []
    for name in ("years_experience", "current_title", "seniority"):
        if name in sent:
            value = getattr(body, name)
            setattr(profile, name, (value.strip() or None) if isinstance(value, str) else value)
    if "resume_text" in sent:
        text = (body.resume_text or "").strip()
        if text:
            read_resume(session, profile, text, filename=None)
        else:
            profile.resume_text = profile.resume_filename = profile.resume_extraction = None
    profile.updated_at = utcnow()
    session.flush()
    return profile


def upload_resume(
    session: Session, user_id: int, text: str, filename: str, settings: Settings | None = None
) -> Profile:
    profile = _profile(session, user_id)
    read_resume(session, profile, text, filename=filename, settings=settings)
    profile.updated_at = utcnow()
    session.flush()
    return profile


def read_resume(
    session: Session,
    profile: Profile,
    text: str,
    *,
    filename: str | None,
    settings: Settings | None = None,
) -> None:
    """Keep the text and suggest what it names: the LLM's reading when configured (cached,
    budgeted), else — or when it falls back — the vocabulary rules."""
    settings = settings or get_settings()
    skills, years, outcome = _read_skills(session, profile.user_id, text, settings)
    have = {s["name"] for s in profile.skills}
    profile.resume_text = text
    profile.resume_filename = filename
    profile.resume_extraction = outcome
    source = "resume_llm" if outcome in ("llm", "cached") else "resume"
    profile.suggested_skills = [{"name": s, "source": source} for s in skills if s not in have]
    profile.suggested_years = years


def _read_skills(
    session: Session, user_id: int, text: str, settings: Settings
) -> tuple[list[str], float | None, str]:
    rules = extract_skills(text), years_in_text(text)
    if not settings.llm_enabled:
        return rules[0], rules[1], "rules"
    from shared.extraction.llm import LLMExtractor
    from shared.extraction.llm_schema import prompt_hash

    doc = PostingText(description_text=text)
    result = LLMExtractor(settings).extract(
        session, doc, content_hash=prompt_hash(doc), user_id=user_id, posting_id=None
    )
    if result.extraction is None:
        return rules[0], rules[1], result.outcome  # fallback:<reason>
    names = [c for c in (canonical_skill(s) for s in result.extraction.skills) if c]
    outcome = "cached" if result.outcome == "cached" else "llm"
    return list(dict.fromkeys(names)), result.extraction.years_experience, outcome


def profile_out(profile: Profile | None) -> ProfileOut:
    if profile is None:
        return ProfileOut(
            skills=[],
            suggested_skills=[],
            suggested_years_experience=None,
            years_experience=None,
            current_title=None,
            seniority=None,
            resume_filename=None,
            resume_text=None,
            resume_extraction=None,
            resume_max_bytes=get_settings().resume_max_bytes,
            updated_at=None,
        )
    return ProfileOut(
        skills=[SkillOut.model_validate(s) for s in profile.skills],
        suggested_skills=[SkillOut.model_validate(s) for s in profile.suggested_skills],
        suggested_years_experience=profile.suggested_years,
        years_experience=profile.years_experience,
        current_title=profile.current_title,
        seniority=profile.seniority,
        resume_filename=profile.resume_filename,
        resume_text=profile.resume_text,
        resume_extraction=profile.resume_extraction,
        resume_max_bytes=get_settings().resume_max_bytes,
        updated_at=profile.updated_at,
    )


def user_facts(profile: Profile | None, assume: list[str] | None = None) -> UserFacts:
    if profile is None:
        return UserFacts(frozenset(assume or ()))
    skills = {s["name"] for s in profile.skills} | set(assume or ())
    return UserFacts(frozenset(skills), profile.years_experience, profile.seniority)


def profile_export(session: Session, user_id: int) -> dict[str, Any] | None:
    profile = get_profile(session, user_id)
    if profile is None:
        return None
    return profile_out(profile).model_dump(mode="json", exclude={"resume_max_bytes"})
