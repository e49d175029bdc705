"""What `GET /me` shows of a user: counts of their rows and their active model."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, and_, bindparam, func, select
from sqlalchemy.orm import Session

from shared.db.models import Job, ModelVersion, Posting, Prediction, Rating, User

_USER: BindParameter[int] = bindparam("user_id")
_COUNTS = {
    "ratings": select(func.count()).where(Rating.user_id == _USER),
    "postings_fetched": select(func.count())
    .select_from(Rating)
    .join(Posting)
    .where(Rating.user_id == _USER, Posting.status == "fetched"),
    "predictions": select(func.count()).where(Prediction.user_id == _USER),
    "active_jobs": select(func.count()).where(
        Job.user_id == _USER, Job.status.in_(("queued", "running"))
    ),
}
# One statement, built once: the counts and the active model were five round trips.
_SUMMARY = (
    select(
        *(count.scalar_subquery().label(name) for name, count in _COUNTS.items()),
        ModelVersion.version,
        ModelVersion.metrics,
    )
    .select_from(User)
    .outerjoin(ModelVersion, and_(ModelVersion.user_id == User.id, ModelVersion.is_active))
    .where(User.id == _USER)
)


def summary(session: Session, user_id: int) -> dict[str, Any]:
    row = session.execute(_SUMMARY, {"user_id": user_id}).one()
    model = None
    if row.version is not None:
        model = {"version": row.version, "cv_accuracy": (row.metrics or {}).get("cv_accuracy")}
    return {"counts": {name: int(row._mapping[name] or 0) for name in _COUNTS}, "model": model}
