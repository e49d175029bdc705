from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import select

from services.gateway.deps import SessionDep, UserDep, not_found
from shared.db.models import Job, ModelVersion
from shared.jobs import create_job
from shared.ratings import count_ratings
from shared.schemas import JobPublic
from shared.settings import get_settings
from shared.training import active_model

router = APIRouter(prefix="/models", tags=["models"])


def model_out(m: ModelVersion) -> dict[str, Any]:
    return {
        "id": m.id,
        "version": m.version,
        "algorithm": m.algorithm,
        "hyperparams": m.hyperparams,
        "feature_version": m.feature_version,
        "metrics": m.metrics,
        "leaderboard": m.leaderboard,
        "n_ratings": m.n_ratings,
        "train_seconds": m.train_seconds,
        "is_active": m.is_active,
        "artifact_sha256": m.artifact_sha256,
        "created_at": m.created_at,
    }


@router.get("")
def list_models(session: SessionDep, user: UserDep) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(ModelVersion).where(ModelVersion.user_id == user.id).order_by(ModelVersion.version)
    )
    return [model_out(m) for m in rows]


@router.get("/active")
def get_active(session: SessionDep, user: UserDep) -> dict[str, Any]:
    model = active_model(session, user.id)
    if model is None:
        raise not_found("active model (rate more postings, then train)")
    return model_out(model)


@router.post("/train", status_code=status.HTTP_202_ACCEPTED)
def train(session: SessionDep, user: UserDep) -> dict[str, Any]:
    needed, have = get_settings().min_ratings_for_model, count_ratings(session, user.id)
    if have < needed:
        raise HTTPException(
            422,
            f"too few ratings to train a model: {have} of {needed} needed; "
            "until then recommendations use pay and seniority",
        )
    running = session.scalar(
        select(Job).where(
            Job.user_id == user.id, Job.kind == "train", Job.status.in_(("queued", "running"))
        )
    )
    job = running or create_job(
        session, kind="train", user_id=user.id, params={"reason": "on demand"}
    )
    return {"job": JobPublic.model_validate(job).model_dump(mode="json")}
