"""Scoring postings for one user: the active model when there is one, otherwise the
transparent pay-and-seniority heuristic. Loaded models are cached per process by version."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared.artifacts import read_artifact
from shared.db.base import utcnow
from shared.db.models import HiddenPosting, ModelVersion, Posting, Prediction, Rating
from shared.learning.prior import PRIOR_EXPLANATION, prior_scores
from shared.learning.service import get_preferences
from shared.training import active_model, posting_record

_CACHE: OrderedDict[tuple[int, str], Any] = OrderedDict()
_CACHE_SIZE = 32
_LOCK = Lock()


def estimator_for(model: ModelVersion) -> Any:
    from shared.ml import load_model

    key = (model.id, model.artifact_sha256)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    estimator = load_model(read_artifact(model), model.artifact_sha256)
    with _LOCK:
        _CACHE[key] = estimator
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return estimator


def score_postings(
    session: Session, user_id: int, postings: list[Posting], *, explain_top: int = 0
) -> tuple[list[dict[str, Any]], ModelVersion | None]:
    """Predicted rating, class probabilities and expected score for each posting."""
    from shared.ml import HEURISTIC_EXPLANATION, explain, heuristic_scores, posting_frame, predict

    if not postings:
        return [], None
    model = active_model(session, user_id)
    frame = posting_frame([posting_record(p) for p in postings])
    if model is None:
        prefs = get_preferences(session, user_id)
        if prefs is not None and not prefs.is_empty():
            outs, reason = prior_scores(frame, prefs), PRIOR_EXPLANATION
        else:
            outs, reason = heuristic_scores(frame), HEURISTIC_EXPLANATION
        why = [{"feature": reason, "effect": 0.0}] if explain_top else []
        return [_out(o, None, why) for o in outs], None
    estimator = estimator_for(model)
    outs = predict(estimator, frame)
    results = []
    for i, o in enumerate(outs):
        why = explain(estimator, frame.iloc[[i]], top=explain_top) if explain_top else []
        results.append(_out(o, model.version, why))
    return results, model


def _out(o: Any, version: int | None, why: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "predicted": int(o.predicted),
        "probabilities": [round(float(p), 4) for p in o.probabilities],
        "expected_score": round(float(o.expected_score), 4),
        "model_version": version,
        "heuristic": version is None,
        "explanation": why,
    }


def rescore_without_model(session: Session, user_id: int) -> int:
    """After the stated preferences change: predictions made without a model are redone."""
    session.execute(
        delete(Prediction).where(
            Prediction.user_id == user_id, Prediction.model_version_id.is_(None)
        )
    )
    return ensure_scored(session, user_id)


def ensure_scored(session: Session, user_id: int, limit: int = 5000) -> int:
    """Give every stored, unrated, unhidden posting a prediction row for this user, so the
    recommendation list stays one indexed query. New postings found by anyone's search
    are scored here on first sight; training rescores everything."""
    rated = select(Rating.posting_id).where(Rating.user_id == user_id)
    hidden = select(HiddenPosting.posting_id).where(HiddenPosting.user_id == user_id)
    scored = select(Prediction.posting_id).where(Prediction.user_id == user_id)
    missing = list(
        session.scalars(
            select(Posting)
            # Imported rows are one user's private text, never anyone's recommendation.
            .where(Posting.title.is_not(None), Posting.source != "imported")
            .where(Posting.id.not_in(rated), Posting.id.not_in(hidden))
            .where(Posting.id.not_in(scored))
            .limit(limit)
        ).all()
    )
    if not missing:
        return 0
    outs, model = score_postings(session, user_id, missing)
    now = utcnow()
    session.add_all(
        Prediction(
            user_id=user_id,
            posting_id=p.id,
            model_version_id=model.id if model else None,
            predicted=o["predicted"],
            probabilities=o["probabilities"],
            expected_score=o["expected_score"],
            created_at=now,
        )
        for p, o in zip(missing, outs, strict=True)
    )
    session.flush()
    return len(missing)
