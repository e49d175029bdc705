"""The caller's unrated postings ranked by expected score, minus what they hid or blocked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.db.base import utcnow
from shared.db.models import BlockRule, HiddenPosting, Posting, Prediction, Rating
from shared.extraction.currency import USD_SCALE
from shared.postings import visible_posting
from shared.scoring import ensure_scored
from shared.tracker.service import tracked

BLOCK_KINDS = ("company", "title")


@dataclass(frozen=True)
class Filters:
    min_salary: float | None = None
    workplace: str | None = None
    seniority: str | None = None
    posted_within_days: int | None = None
    # Postings on the tracker are dealt with; shown only when asked.
    include_tracked: bool = False


def recommend(
    session: Session, user_id: int, filters: Filters, limit: int = 50
) -> list[tuple[Posting, Prediction]]:
    ensure_scored(session, user_id)
    blocked = exists().where(
        BlockRule.user_id == user_id,
        or_(
            and_(
                BlockRule.kind == "company",
                func.lower(Posting.company) == func.lower(BlockRule.pattern),
            ),
            and_(
                BlockRule.kind == "title",
                func.lower(Posting.title).contains(func.lower(BlockRule.pattern)),
            ),
        ),
    )
    hidden = exists().where(
        HiddenPosting.user_id == user_id, HiddenPosting.posting_id == Posting.id
    )
    rated = exists().where(Rating.user_id == user_id, Rating.posting_id == Posting.id)
    stmt = (
        select(Posting, Prediction)
        .join(Prediction, and_(Prediction.posting_id == Posting.id, Prediction.user_id == user_id))
        .where(~blocked, ~hidden, ~rated, Posting.is_closed.is_(False))
        .order_by(Prediction.expected_score.desc(), Posting.id.desc())
        .limit(limit)
    )
    if not filters.include_tracked:
        stmt = stmt.where(~tracked(user_id))
    if filters.min_salary is not None:
        stmt = stmt.where(pay_usd() >= filters.min_salary)
    if filters.workplace:
        stmt = stmt.where(Posting.workplace_type == filters.workplace)
    if filters.seniority:
        stmt = stmt.where(func.lower(Posting.seniority) == filters.seniority.lower())
    if filters.posted_within_days:
        stmt = stmt.where(
            Posting.posted_at >= utcnow() - timedelta(days=filters.posted_within_days)
        )
    return [(p, pr) for p, pr in session.execute(stmt).all()]


def pay_usd() -> ColumnElement[float]:
    """A posting's top annual pay in rough US dollars, as SQL (NULL when unknown)."""
    rate = case(
        {code: 1.0 / scale for code, scale in USD_SCALE.items()},
        value=Posting.salary_currency,
        else_=None,
    )
    return func.coalesce(Posting.annual_max, Posting.annual_min) * rate


def add_block_rule(session: Session, user_id: int, kind: str, pattern: str) -> BlockRule:
    pattern = pattern.strip()
    if kind not in BLOCK_KINDS:
        raise ValueError("kind must be 'company' or 'title'")
    if not pattern:
        raise ValueError("pattern must not be empty")
    existing = session.scalar(
        select(BlockRule).where(
            BlockRule.user_id == user_id,
            BlockRule.kind == kind,
            func.lower(BlockRule.pattern) == pattern.lower(),
        )
    )
    if existing is not None:
        return existing
    rule = BlockRule(user_id=user_id, kind=kind, pattern=pattern, created_at=utcnow())
    session.add(rule)
    session.flush()
    return rule


def hide_posting(session: Session, user_id: int, posting_id: int) -> None:
    if visible_posting(session, user_id, posting_id) is None:
        raise LookupError("posting not found")
    try:
        with session.begin_nested():
            session.add(HiddenPosting(user_id=user_id, posting_id=posting_id, created_at=utcnow()))
    except IntegrityError:
        pass  # hidden already


def remove_block_rule(session: Session, user_id: int, rule_id: int) -> bool:
    result = session.execute(
        delete(BlockRule).where(BlockRule.id == rule_id, BlockRule.user_id == user_id)
    )
    return bool(getattr(result, "rowcount", 0))


def item(posting: Posting, prediction: Prediction | dict[str, Any]) -> dict[str, Any]:
    from shared.schemas import PostingPublic

    pred = (
        prediction
        if isinstance(prediction, dict)
        else {
            "predicted": prediction.predicted,
            "probabilities": prediction.probabilities,
            "expected_score": prediction.expected_score,
        }
    )
    return {
        "posting": PostingPublic.model_validate(posting).model_dump(mode="json"),
        "predicted": pred["predicted"],
        "probabilities": pred["probabilities"],
        "expected_score": pred["expected_score"],
    }
