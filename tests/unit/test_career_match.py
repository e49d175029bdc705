"""The match formula, nice-to-have detection, gap ranking, the plan's template and the
narrative's check — pure functions, no database."""

from __future__ import annotations

import pytest

from shared.career.match import PostingFacts, UserFacts, level, match
from shared.career.narrative import check_narrative
from shared.career.path import Placed, place, rank_gaps, zone_of
from shared.career.plan import template_plan
from shared.career.requirements import nice_to_have
from shared.career.schemas import Thresholds

T = Thresholds(want=2.0, match=0.7)


def test_required_skills_weigh_above_nice_to_have() -> None:
    user = UserFacts(frozenset({"Python"}))
    posting = PostingFacts(1, ("Python", "Kubernetes", "Terraform"), frozenset({"Terraform"}))
    m = match(user, posting)
    assert m.match == round(1 / 2.5, 4)
    assert m.missing_skills == ["Kubernetes", "Terraform"]  # required first
    assert match(user, posting, extra={"Kubernetes"}).match == 0.8
    assert match(user, posting, extra={"Terraform"}).match == 0.6
    assert m.with_skill(1.0) == 0.8 and m.with_skill(0.5) == 0.6


def test_experience_and_seniority_gaps_lower_the_match() -> None:
    posting = PostingFacts(1, ("Python",), years_experience=5, seniority="Director")
    junior = UserFacts(frozenset({"Python"}), years_experience=2, seniority="associate")
    m = match(junior, posting)
    assert m.experience_gap_years == 3.0 and m.seniority_gap_levels == 2
    assert m.match == round(1.0 * (1 - 0.3) * (1 - 0.3), 4)
    unknown = UserFacts(frozenset({"Python"}))  # unknown years and level cost nothing
    assert match(unknown, posting).match == 1.0
    assert match(UserFacts(frozenset()), PostingFacts(2, ())).match == 1.0


@pytest.mark.parametrize(
    ("label", "expected"),
    [("Mid-Senior level", 3), ("mid-senior", 3), ("Entry level", 1), ("Not Applicable", None)],
)
def test_seniority_levels(label: str, expected: int | None) -> None:
    assert level(label) == expected


def test_nice_to_have_by_heading_and_by_sentence() -> None:
    text = (
        "We build services in Python and Go.\nRequirements:\n- Python and SQL\n"
        "- Kubernetes\nNice to have:\n- Terraform\n- Go\nWhat you'll do:\n- Ship Rust\n"
        "Experience with Spark is a plus."
    )
    skills = ["Python", "Go", "SQL", "Kubernetes", "Terraform", "Rust", "Spark"]
    # Go is also named outside the nice-to-have list, so it counts as required.
    assert nice_to_have(skills, text) == ["Terraform", "Spark"]
    assert nice_to_have(skills, None) == []


def _placed(pid: int, desirability: float, skills: tuple[str, ...]) -> Placed:
    return Placed(pid, f"p{pid}", "Acme", None, desirability, True, PostingFacts(pid, skills))


def test_gaps_rank_by_desirability_times_match_gained_and_skip_owned_skills() -> None:
    user = UserFacts(frozenset({"Python", "SQL"}))
    items = place(
        [
            _placed(1, 3.0, ("Python", "Kubernetes")),
            _placed(2, 3.0, ("Python", "Kubernetes")),
            _placed(3, 2.0, ("Python", "Go", "Rust")),
            _placed(4, 0.0, ("Java", "Spring Boot")),  # unwanted: never a gap
            _placed(5, 2.5, ("Python", "SQL")),  # within reach already
        ],
        user,
        T,
    )
    assert [i.zone for i in items] == ["stretch", "stretch", "stretch", "elsewhere", "within_reach"]
    gaps = rank_gaps(items, T)
    assert [g.skill for g in gaps] == ["Kubernetes", "Go", "Rust"]
    assert gaps[0].desirability_gain == 3.0 and gaps[0].postings_unlocked == 2
    assert gaps[1].postings_unlocked == 0 and gaps[1].desirability_gain == round(2 / 3, 2)
    steps = template_plan(gaps, {"stretch_postings_short": 0}, 3)
    assert steps[0].why.startswith("Kubernetes: 2 of your 3 stretch jobs ask for it; with it, 2")
    assert "none moves into reach" in steps[1].why


def test_zone_thresholds() -> None:
    assert zone_of(2.0, 0.7, T) == "within_reach"
    assert zone_of(3.0, 0.69, T) == "stretch"
    assert zone_of(1.9, 0.9, T) == "fallback"
    assert zone_of(0.0, 0.0, T) == "elsewhere"


def test_narrative_may_cite_only_the_gaps() -> None:
    facts = {
        "stretch_postings": 12,
        "gaps": [{"skill": "Kubernetes", "postings_asking": 7, "desirability_gain": 3.25}],
    }
    ok = "Start with Kubernetes: 7 of your 12 stretch jobs ask for it (gain 3.25)."
    assert check_narrative(ok, facts) is None
    assert "Haskell" in (check_narrative("Kubernetes, then Haskell.", facts) or "")
    assert "99" in (check_narrative("Kubernetes opens 99 doors.", facts) or "")
