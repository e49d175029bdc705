from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status

from services.gateway.deps import SessionDep, UserDep, not_found
from shared.schemas import JobPublic, ModelVersionPublic
from shared.training import active_model, model_versions, request_training

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
    try:
        job = request_training(session, user.id)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return {"job": JobPublic.model_validate(job).model_dump(mode="json")}
