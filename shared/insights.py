"""What drives a user's ratings, in numbers the Insights page draws."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.db.models import Posting, Rating
from shared.extraction.currency import to_usd
from shared.scoring import estimator_for
from shared.training import active_model, training_rows


def insights(session: Session, user_id: int) -> dict[str, Any]:
    counts = dict(
        session.execute(
            select(Rating.rating, func.count())
            .where(Rating.user_id == user_id)
            .group_by(Rating.rating)
        ).all()
    )
    pay = session.execute(
        select(
            Posting.annual_min,
            Posting.annual_max,
            Posting.salary_currency,
            Rating.rating,
            Posting.title,
            Posting.salary_basis,
        )
        .join(Rating, Rating.posting_id == Posting.id)
        .where(Rating.user_id == user_id, Posting.annual_max.is_not(None))
    ).all()
    return {
        "rating_counts": [int(counts.get(i, 0)) for i in range(4)],
        # Pay is compared in rough US dollars, each point keeping its own currency to show.
        "pay_vs_rating": [
            {
                "annual_min": a,
                "annual_max": b,
                "currency": c,
                "annual_max_usd": to_usd(b, c),
                "rating": r,
                "title": t,
                "salary_basis": basis,
            }
            for a, b, c, r, t, basis in pay
        ],
        "companies": _grouped(session, user_id, Posting.company, "company"),
        "seniority": _grouped(session, user_id, Posting.seniority, "seniority"),
        **_drivers(session, user_id),
    }


def _grouped(
    session: Session, user_id: int, column: Any, name: str, top: int = 12
) -> list[dict[str, Any]]:
    rows = session.execute(
        select(column, func.count(), func.avg(Rating.rating))
        .join(Rating, Rating.posting_id == Posting.id)
        .where(Rating.user_id == user_id, column.is_not(None))
        .group_by(column)
        .order_by(func.count().desc(), column)
        .limit(top)
    ).all()
    return [{name: k, "n": int(n), "mean_rating": round(float(m), 2)} for k, n, m in rows]


def _drivers(session: Session, user_id: int) -> dict[str, Any]:
    """The same contributions as a prediction's explanation, averaged over rated postings."""
    from shared.ml import drivers, posting_frame

    model = active_model(session, user_id)
    if model is None:
        empty: dict[str, list[Any]] = {"raise": [], "lower": []}
        return {
            "drivers": empty,
            "skills": empty,
            "facts": empty,
            "places": empty,
            "model_version": None,
        }
    records, _ = training_rows(session, user_id)
    found = drivers(estimator_for(model), posting_frame(records), top=15)
    return {
        "drivers": found["terms"],
        "skills": found["skills"],
        "facts": found["facts"],
        "places": found["places"],
        "model_version": model.version,
    }
