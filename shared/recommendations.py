"""The caller's unrated postings ranked by expected score, minus what they hid or blocked."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.db.base import utcnow
from shared.db.models import BlockRule, HiddenPosting, Posting, Prediction, Rating
from shared.extraction.currency import USD_SCALE
from shared.postings import visible_posting
from shared.quotas import check_block_rules
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
    """Ranked by stored predictions: the caller has run shared.scoring.ensure_scored."""
    hidden = exists().where(
        HiddenPosting.user_id == user_id, HiddenPosting.posting_id == Posting.id
    )
    rated = exists().where(Rating.user_id == user_id, Rating.posting_id == Posting.id)
    stmt = (
        select(Posting, Prediction)
        .join(Prediction, and_(Prediction.posting_id == Posting.id, Prediction.user_id == user_id))
        .where(~hidden, ~rated, Posting.is_closed.is_(False))
        .order_by(Prediction.expected_score.desc(), Posting.id.desc())
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
    companies, title_blocked = _block_rules(session, user_id)
    if companies:  # one hashed anti-join, however many rules
        stmt = stmt.where(
            or_(Posting.company.is_(None), func.lower(Posting.company).not_in(companies))
        )
    if title_blocked is None:
        return [(p, pr) for p, pr in session.execute(stmt.limit(limit)).all()]
    # Title rules are substrings: one compiled pattern over the ranked rows, read in pages
    # until `limit` pass, rather than every rule against every posting in SQL.
    out: list[tuple[Posting, Prediction]] = []
    page, offset = 2 * limit + 50, 0
    while len(out) < limit:
        rows = session.execute(stmt.limit(page).offset(offset)).all()
        out += [(p, pr) for p, pr in rows if not title_blocked(p.title or "")]
        if len(rows) < page:
            break
        offset += page
    return out[:limit]


def _block_rules(session: Session, user_id: int) -> tuple[list[str], Callable[[str], bool] | None]:
    """The user's blocked companies (lower-cased) and a test for blocked titles."""
    rules = session.execute(
        select(BlockRule.kind, BlockRule.pattern).where(BlockRule.user_id == user_id)
    ).all()
    companies = sorted({p.lower() for k, p in rules if k == "company"})
    titles = sorted({p.lower() for k, p in rules if k == "title"}, key=len)
    if not titles:
        return companies, None
    pattern = re.compile("|".join(map(re.escape, titles)))
    return companies, lambda title: pattern.search(title.lower()) is not None


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
    check_block_rules(session, user_id)
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


REASONS = 3


# A list's cards carry the description's first lines, not the whole text (real postings run
# to 4-8 KB each: most of a list's bytes); GET /postings/{id} has it all.
def item(
    posting: Posting,
    prediction: Prediction | dict[str, Any],
    explanation: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A recommendation card: the posting (its description's first lines), its odds,
    "2.4 / 3" and its top reasons."""
    from shared.schemas import PostingCard

    pred = (
        prediction
        if isinstance(prediction, dict)
        else {
            "predicted": prediction.predicted,
            "probabilities": prediction.probabilities,
            "expected_score": prediction.expected_score,
        }
    )
    card = PostingCard.of(posting).model_dump(mode="json")
    out = {
        "posting": card,
        "predicted": pred["predicted"],
        "probabilities": pred["probabilities"],
        "expected_score": pred["expected_score"],
        "score_text": f"{pred['expected_score']:.1f} / 3",
    }
    if explanation is not None:
        out["reasons"] = [
            {k: c[k] for k in ("label", "effect", "shown")}
            for c in explanation["contributions"][:REASONS]
        ]
    return out


# With min_match the ranking is filtered after the fact, from this many top postings.
MATCH_POOL = 2000


class NeedsProfile(ValueError):
    def __init__(self) -> None:
        super().__init__(
            "min_match needs a profile: add your skills and experience on Profile first"
        )


def recommendation_page(
    session: Session, user_id: int, filters: Filters, limit: int, min_match: float | None
) -> tuple[dict[str, Any], datetime | None]:
    """The JSON body of `GET /recommendations`, and when it goes stale by the clock alone
    (a `posted_within` window moving past a listed posting), None if never.

    Raises NeedsProfile for min_match without a profile."""
    from shared.career.qualify import match_fields, matches_for
    from shared.reposts.service import fold, repost_fields
    from shared.scoring import explain_postings
    from shared.training import active_model

    pool = 2 * limit if min_match is None else MATCH_POOL  # reposts fold into one card
    ranked = recommend(session, user_id, filters, pool)
    fits = matches_for(session, user_id, [p for p, _ in ranked])
    if min_match is not None:
        if ranked and not fits:
            raise NeedsProfile
        ranked = [r for r in ranked if r[0].id in fits and fits[r[0].id].match >= min_match]
    folded = fold(ranked)[:limit]
    postings = [p for p, _ in folded]
    extras = repost_fields(session, user_id, postings)
    model = active_model(session, user_id)
    whys = explain_postings(session, user_id, postings, [pr.expected_score for _, pr in folded])
    body = {
        "items": [
            {**item(p, pr, why), **match_fields(fits, p.id), **extras[p.id]}
            for (p, pr), why in zip(folded, whys, strict=True)
        ],
        "model_version": model.version if model else None,
        "heuristic": model is None,
    }
    return body, _window_ends(postings, filters.posted_within_days)


def _window_ends(postings: list[Posting], days: int | None) -> datetime | None:
    """When the first listed posting leaves a `posted_within` window (a posting outside the
    list leaving it changes nothing listed)."""
    stamps = [p.posted_at for p in postings if p.posted_at is not None]
    if days is None or not stamps:
        return None
    return min(stamps) + timedelta(days=days)
