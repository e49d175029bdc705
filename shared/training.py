"""Per-user models on the database side: when to retrain, the train job, model versions and
the batch of fresh predictions written after each training."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.artifacts import save_artifact
from shared.db.base import utcnow
from shared.db.models import Job, ModelVersion, Posting, Prediction, Rating, User
from shared.extraction.currency import to_usd
from shared.jobs import Progress, create_job
from shared.settings import get_settings


def active_model(session: Session, user_id: int) -> ModelVersion | None:
    return session.scalar(
        select(ModelVersion).where(ModelVersion.user_id == user_id, ModelVersion.is_active)
    )


def model_versions(session: Session, user_id: int) -> list[ModelVersion]:
    stmt = (
        select(ModelVersion).where(ModelVersion.user_id == user_id).order_by(ModelVersion.version)
    )
    return list(session.scalars(stmt).all())


def usable_ratings(session: Session, user_id: int, since: datetime | None = None) -> int:
    """Ratings whose posting has been read and extracted: what a model can learn from."""
    stmt = (
        select(func.count())
        .select_from(Rating)
        .join(Posting, Posting.id == Rating.posting_id)
        .where(Rating.user_id == user_id, Posting.extracted_at.is_not(None))
    )
    if since is not None:
        stmt = stmt.where(Rating.updated_at > since)
    return session.scalar(stmt) or 0


def require_enough_ratings(have: int) -> None:
    needed = get_settings().min_ratings_for_model
    if have < needed:
        raise ValueError(
            f"too few ratings to train a model: {have} of {needed} needed "
            "(counting postings already read); until then recommendations use pay and seniority"
        )


def train_job(session: Session, user_id: int, status: str) -> Job | None:
    """The user's queued or running training; ux_jobs_one_train allows one of each."""
    return session.scalar(
        select(Job).where(Job.user_id == user_id, Job.kind == "train", Job.status == status)
    )


def _queue_training(session: Session, user_id: int, reason: str) -> Job:
    """A new follow-up training, or the one another request queued a moment ago: requests
    that arrive while one runs are coalesced into one."""
    try:
        with session.begin_nested():
            return create_job(session, kind="train", user_id=user_id, params={"reason": reason})
    except IntegrityError:  # a concurrent request queued it first
        queued = train_job(session, user_id, "queued")
        assert queued is not None
        return queued


def request_training(session: Session, user_id: int) -> Job:
    """On demand: the training waiting for this user, or a new one (which runs after the
    one running now, if any)."""
    require_enough_ratings(usable_ratings(session, user_id))
    return train_job(session, user_id, "queued") or _queue_training(session, user_id, "on demand")


def due_for_training(
    session: Session, user_ids: Iterable[int], current: Job | None = None
) -> list[int]:
    """The users, of these, whose model is due for a training: none waiting, none of their
    postings still being fetched or read (`current`, the job asking, aside: a batch trains
    once, on all), enough usable ratings, and enough of them new or changed since the
    latest version (used or not: one that lost to the baseline counts too) or since the
    running training started. One statement for any number of users: the gateway asks for
    every user who rated in the last seconds at once."""
    settings = get_settings()

    def has_job(*where: Any) -> Any:
        return exists().where(Job.user_id == User.id, *where)

    def usable(*where: Any) -> Any:
        return (
            select(func.count())
            .select_from(Rating)
            .join(Posting, Posting.id == Rating.posting_id)
            .where(Rating.user_id == User.id, Posting.extracted_at.is_not(None), *where)
            .scalar_subquery()
        )

    reading: list[Any] = [
        Job.kind.in_(("scrape", "extract")),
        Job.status.in_(("queued", "running")),
    ]
    if current is not None:
        reading.append(Job.id != current.id)
    running_since = (
        select(Job.started_at)
        .where(Job.user_id == User.id, Job.kind == "train", Job.status == "running")
        .correlate(User)  # also inside `usable`'s subquery, two levels down
        .scalar_subquery()
    )
    latest_at = (
        select(ModelVersion.created_at)
        .where(ModelVersion.user_id == User.id)
        .order_by(ModelVersion.version.desc())
        .limit(1)
        .correlate(User)
        .scalar_subquery()
    )
    since = func.coalesce(running_since, latest_at)
    stmt = (
        select(User.id)
        .where(
            User.id.in_(list(user_ids)),
            ~has_job(Job.kind == "train", Job.status == "queued"),
            ~has_job(*reading),
            usable() >= settings.min_ratings_for_model,
            or_(since.is_(None), usable(Rating.updated_at > since) >= settings.retrain_every),
        )
        .order_by(User.id)
    )
    return list(session.scalars(stmt))


def maybe_queue_training(session: Session, user_id: int, current: Job | None = None) -> Job | None:
    """Queue a train job when the user's model is due (`due_for_training`)."""
    if not due_for_training(session, [user_id], current):
        return None
    return _queue_training(session, user_id, "new ratings")


def check_retraining(session: Session, user_ids: Iterable[int]) -> None:
    """`maybe_queue_training` for these users, in one statement and one session (ratings
    that started no job)."""
    for user_id in due_for_training(session, user_ids):
        _queue_training(session, user_id, "new ratings")


def posting_record(posting: Posting, rated_at: Any = None) -> dict[str, Any]:
    return {
        "title": posting.title,
        "company": posting.company,
        "location": posting.location,
        "country": posting.country,
        "description_text": posting.description_text,
        "seniority": posting.seniority,
        "employment_type": posting.employment_type,
        "workplace_type": posting.workplace_type,
        # Pay in rough US dollars, so postings in different currencies compare.
        "annual_min": to_usd(posting.annual_min, posting.salary_currency),
        "annual_max": to_usd(posting.annual_max, posting.salary_currency),
        "salary_currency": posting.salary_currency,
        "pay_local": _midpoint(posting.annual_min, posting.annual_max),
        "skills": posting.skills or [],
        "years_experience": posting.years_experience,
        "rated_at": rated_at,
        "embedding": np.frombuffer(posting.embedding, dtype=np.float32)
        if posting.embedding
        else None,
    }


def _midpoint(low: float | None, high: float | None) -> float | None:
    values = [v for v in (low, high) if v is not None]
    return sum(values) / len(values) if values else None


def training_rows(session: Session, user_id: int) -> tuple[list[dict[str, Any]], np.ndarray]:
    """The user's rated postings that have been read and extracted, oldest first."""
    rows = session.execute(
        select(Rating, Posting)
        .join(Posting, Posting.id == Rating.posting_id)
        .where(Rating.user_id == user_id, Posting.extracted_at.is_not(None))
        .order_by(Rating.created_at, Rating.id)
    ).all()
    records = [posting_record(p, r.created_at) for r, p in rows]
    return records, np.array([r.rating for r, _ in rows], dtype=int)


def train_work(session: Session, job: Job, progress: Progress) -> dict[str, Any]:
    from shared.ml import beats_majority, dump_model, posting_frame, train_model

    assert job.user_id is not None
    records, y = training_rows(session, job.user_id)
    require_enough_ratings(len(y))
    progress(0.02, f"training on {len(y)} ratings")
    trained = train_model(
        posting_frame(records), y, progress=lambda f, m: progress(0.02 + 0.88 * f, m)
    )
    progress(0.92, "saving the model and scoring unrated postings")
    blob = dump_model(trained.estimator)
    version = (
        session.scalar(
            select(func.max(ModelVersion.version)).where(ModelVersion.user_id == job.user_id)
        )
        or 0
    ) + 1
    used = beats_majority(trained.metrics)
    previous = active_model(session, job.user_id)
    if used:
        session.execute(
            update(ModelVersion).where(ModelVersion.user_id == job.user_id).values(is_active=False)
        )
    model = ModelVersion(
        user_id=job.user_id,
        version=version,
        algorithm=trained.algorithm,
        hyperparams=trained.hyperparams,
        feature_version=trained.feature_version,
        metrics=trained.metrics,
        leaderboard=trained.leaderboard,
        n_ratings=len(y),
        train_seconds=trained.fit_seconds,
        is_active=used,
        created_at=utcnow(),
    )
    save_artifact(model, blob)
    session.add(model)
    session.flush()
    scored = 0
    if used:
        from shared.scoring import ensure_scored

        # Every unrated posting is rescored by the new version.
        session.execute(delete(Prediction).where(Prediction.user_id == job.user_id))
        scored = ensure_scored(session, job.user_id)
    return {
        "model_version": version,
        "in_use": used,
        "active_version": version if used else (previous.version if previous else None),
        "message": outcome(version, used, previous, trained.metrics),
        "verdict": trained.metrics.get("verdict"),
        "algorithm": trained.algorithm,
        "cv_accuracy": trained.metrics.get("cv_accuracy"),
        "cv_mae": trained.metrics.get("cv_mae"),
        "n_ratings": len(y),
        "scored_postings": scored,
    }


def outcome(
    version: int, used: bool, previous: ModelVersion | None, metrics: dict[str, Any]
) -> str:
    """The job's last word: whether the new version is in use, and why not if not."""
    if used:
        return f"finished: model v{version} is now in use"
    guess = metrics.get("baselines", {}).get("majority", {}).get("rating")
    kept = f"model v{previous.version}" if previous else "the pay-and-seniority heuristic"
    return (
        f"finished: model v{version} is no better than always guessing {guess}, "
        f"so {kept} stays in use"
    )
