"""A saved search's matches, ranked, with what is new to the user since they last looked."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from shared.db.base import utcnow
from shared.db.models import Posting, Prediction, SavedSearch, SavedSearchMatch
from shared.jobs import aware
from shared.recommendations import item
from shared.reposts.service import fold, repost_fields
from shared.scoring import ensure_scored


def matches(
    session: Session, saved: SavedSearch, *, only_new: bool = False, limit: int = 100
) -> list[dict[str, Any]]:
    """Ranked by the current prediction (the run's score when the posting is rated or
    hidden since). Each item says when the search first found it and whether it is new."""
    ensure_scored(session, saved.user_id)
    score = func.coalesce(Prediction.expected_score, SavedSearchMatch.expected_score)
    stmt = (
        select(SavedSearchMatch, Posting, Prediction)
        .join(Posting, Posting.id == SavedSearchMatch.posting_id)
        .outerjoin(
            Prediction,
            and_(Prediction.posting_id == Posting.id, Prediction.user_id == saved.user_id),
        )
        .where(SavedSearchMatch.saved_search_id == saved.id)
        .order_by(score.desc().nulls_last(), Posting.id.desc())
        .limit(limit)
    )
    if only_new:
        stmt = stmt.where(SavedSearchMatch.seen_at.is_(None))
    folded = fold(list(session.execute(stmt).all()), at=1)
    extras = repost_fields(session, saved.user_id, [row[1] for row in folded])
    out = []
    for match, posting, prediction in folded:
        base = item(posting, prediction or _stored(match))
        out.append(
            {
                "posting": base["posting"],
                "prediction": {
                    k: base[k] for k in ("predicted", "probabilities", "expected_score")
                },
                "first_seen_at": aware(match.first_seen_at),
                "is_new": match.seen_at is None,
                **extras[posting.id],
            }
        )
    return out


def _stored(match: SavedSearchMatch) -> dict[str, Any]:
    score = match.expected_score or 0.0
    return {"predicted": round(score), "probabilities": [], "expected_score": score}


def mark_seen(session: Session, saved: SavedSearch, groups: list[int] | None = None) -> int:
    """Seen: the user viewed the matches or marked them seen (None: all). A card stands for
    its group, so viewing it sees the reposts folded into it too."""
    stmt = update(SavedSearchMatch).where(
        SavedSearchMatch.saved_search_id == saved.id, SavedSearchMatch.seen_at.is_(None)
    )
    if groups is not None:
        members = select(Posting.id).where(
            or_(Posting.id.in_(groups), Posting.repost_of_id.in_(groups))
        )
        stmt = stmt.where(SavedSearchMatch.posting_id.in_(members))
    result = session.execute(stmt.values(seen_at=utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)
