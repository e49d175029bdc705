from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import select

from services.gateway.deps import SessionDep, UserDep, not_found
from shared.db.models import Job
from shared.jobs import create_job
from shared.schemas import JobPublic, ModelVersionPublic
from shared.settings import get_settings
from shared.training import active_model, model_versions, usable_ratings

router = APIRouter(prefix="/models", tags=["models"])


@router.get("")
def list_models(session: SessionDep, user: UserDep) -> list[ModelVersionPublic]:
    return [ModelVersionPublic.model_validate(m) for m in model_versions(session, user.id)]


@router.get("/active")
def get_active(session: SessionDep, user: UserDep) -> ModelVersionPublic:
    model = active_model(session, user.id)
    if model is None:
        raise not_found("active model (rate more postings, then train)")
    return ModelVersionPublic.model_validate(model)


@router.post("/train", status_code=status.HTTP_202_ACCEPTED)
def train(session: SessionDep, user: UserDep) -> dict[str, Any]:
    needed, have = get_settings().min_ratings_for_model, usable_ratings(session, user.id)
    if have < needed:
        raise HTTPException(
            422,
            f"too few ratings to train a model: {have} of {needed} needed "
            "(counting postings already read); "
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
