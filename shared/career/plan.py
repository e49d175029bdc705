"""The plan: ordered steps written from the computed gaps by a template, each carrying the
numbers behind it. The LLM narrative (narrative.py) is layered on top, never instead."""

from __future__ import annotations

from typing import Any

from shared.career.schemas import Gap, PlanStep

PLAN_STEPS = 5


def _jobs(n: int) -> str:
    return f"{n} job" if n == 1 else f"{n} jobs"


def template_plan(gaps: list[Gap], experience: dict[str, Any], stretch: int) -> list[PlanStep]:
    steps = []
    for gap in gaps[:PLAN_STEPS]:
        if gap.postings_unlocked:
            effect = f"with it, {gap.postings_unlocked} become within reach"
        else:
            effect = "none moves into reach on that alone, but each comes closer"
        steps.append(
            PlanStep(
                step=f"Learn {gap.skill}",
                why=(
                    f"{gap.skill}: {gap.postings_asking} of your {stretch} stretch "
                    f"{'job asks' if stretch == 1 else 'jobs ask'} for it; {effect} "
                    f"(desirability-weighted match gain {gap.desirability_gain:.2f})."
                ),
                skill=gap.skill,
                postings_asking=gap.postings_asking,
                postings_unlocked=gap.postings_unlocked,
                desirability_gain=gap.desirability_gain,
            )
        )
    short = experience.get("stretch_postings_short") or 0
    if short:
        unlocked = experience.get("postings_unlocked") or 0
        steps.append(
            PlanStep(
                step="Build up years of experience",
                why=(
                    f"{_jobs(short)} of your stretch list ask for more years than you have "
                    f"(median gap {experience.get('median_gap_years')} years); closing that "
                    f"alone would bring {unlocked} within reach."
                ),
                postings_asking=short,
                postings_unlocked=unlocked,
            )
        )
    return steps
