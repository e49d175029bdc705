"""GET /career/gaps: the ranked gaps, the experience gap, what a what-if moves into reach,
and the plan (template, or the LLM narrative on top when configured)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from shared.career.match import match
from shared.career.path import (
    experience_gap,
    place,
    placed_postings,
    rank_gaps,
    thresholds,
    zone_of,
)
from shared.career.plan import template_plan
from shared.career.profile import get_profile, user_facts
from shared.career.schemas import GapsOut
from shared.settings import Settings, get_settings


def career_gaps(
    session: Session,
    user_id: int,
    limit: int,
    assume: list[str],
    settings: Settings | None = None,
) -> GapsOut:
    t = thresholds()
    profile = get_profile(session, user_id)
    base_user, user = user_facts(profile), user_facts(profile, assume)
    items = place(placed_postings(session, user_id), user, t)
    moves: list[int] = []
    if assume:
        for item in items:
            before = zone_of(item.desirability, match(base_user, item.facts).match, t)
            if item.zone == "within_reach" and before != "within_reach":
                moves.append(item.posting_id)
    gaps = rank_gaps(items, t)[:limit]
    stretch = sum(1 for i in items if i.zone == "stretch")
    within = sum(1 for i in items if i.zone == "within_reach")
    experience = experience_gap(items, user, t)
    steps = template_plan(gaps, experience, stretch)
    narrative, source, reason = None, "template", None
    settings = settings or get_settings()
    # The narrative is for the user's real plan; what-ifs are quick template answers.
    if settings.llm_enabled and gaps and not assume:
        facts: dict[str, Any] = {
            "stretch_postings": stretch,
            "within_reach": within,
            "gaps": [g.model_dump(exclude={"examples"}) for g in gaps[:5]],
            "experience": experience,
        }
        from shared.career.narrative import narrate  # openai only when it is configured

        result = narrate(session, settings, user_id, facts)
        if result.text is not None:
            narrative, source = result.text, result.outcome
        else:
            reason = result.outcome.removeprefix("fallback:")
    return GapsOut(
        target_postings=stretch,
        within_reach=within,
        gaps=gaps,
        experience=experience,
        plan=steps,
        narrative=narrative,
        plan_source=source,
        plan_fallback_reason=reason,
        assumed=assume,
        moves_into_reach=moves,
        thresholds=t,
    )
