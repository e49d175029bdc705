"""Scoring postings for one user: the active model when there is one, otherwise the
transparent pay-and-seniority heuristic. Loaded models are cached per process by version."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from types import SimpleNamespace
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared.artifacts import read_artifact
from shared.db.base import utcnow
from shared.db.models import HiddenPosting, ModelVersion, Posting, Prediction, Rating
from shared.jobs import aware
from shared.learning.prior import PRIOR_EXPLANATION, prior_scores
from shared.learning.service import get_preferences
from shared.ratings import dialect_insert
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


def prediction_for(
    session: Session, user_id: int, posting: Posting, *, explain: bool = False
) -> dict[str, Any]:
    """One stored posting's prediction. The row written at training or on first sight
    answers when it is the active model's and newer than the posting's extraction (one
    indexed query, no features); otherwise it is computed and stored. The explanation needs
    the posting's features, so it is computed only when asked, and cached per model
    version and posting text."""
    found = _stored(session, user_id, posting)
    if found is not None and not explain:
        return found[0]
    key = (user_id, found[1] if found else None, posting.id, posting.content_hash)
    if found is not None and key in _EXPLAINED:
        return {**found[0], "explanation": _EXPLAINED[key]}
    [out], model = score_postings(session, user_id, [posting], explain_top=8 if explain else 0)
    if found is None:
        _upsert(session, _row(user_id, posting, out, model, utcnow()))
    if explain:
        key = (user_id, model.id if model else None, posting.id, posting.content_hash)
        with _LOCK:
            _EXPLAINED[key] = out["explanation"]
            while len(_EXPLAINED) > _EXPLAINED_SIZE:
                _EXPLAINED.pop(next(iter(_EXPLAINED)))
    return out


def _upsert(session: Session, row: Prediction) -> None:
    """Two requests for one new posting may race here: the later score wins, no error."""
    values = {c.key: getattr(row, c.key) for c in Prediction.__table__.columns}
    stmt = dialect_insert(session)(Prediction).values(**values)
    keep = {k: v for k, v in values.items() if k not in ("user_id", "posting_id")}
    session.execute(stmt.on_conflict_do_update(index_elements=["user_id", "posting_id"], set_=keep))


_EXPLAINED: dict[tuple[int, int | None, int, str | None], list[dict[str, Any]]] = {}
_EXPLAINED_SIZE = 4096


def _stored(
    session: Session, user_id: int, posting: Posting
) -> tuple[dict[str, Any], int | None] | None:
    row = session.execute(
        select(Prediction, ModelVersion.version, ModelVersion.is_active)
        .outerjoin(ModelVersion, ModelVersion.id == Prediction.model_version_id)
        .where(Prediction.user_id == user_id, Prediction.posting_id == posting.id)
    ).first()
    if row is None:
        return None
    pred, version, is_active = row
    if version is not None and not is_active:
        return None  # an older model's score
    if version is None and active_model(session, user_id) is not None:
        return None  # the heuristic's, from before the first model
    made, extracted = aware(pred.created_at), aware(posting.extracted_at)
    if made is None or (extracted is not None and made < extracted):
        return None  # the posting was read again since
    out = {
        "predicted": pred.predicted,
        "probabilities": pred.probabilities,
        "expected_score": pred.expected_score,
    }
    return _out(SimpleNamespace(**out), version, []), pred.model_version_id


def _row(
    user_id: int, posting: Posting, o: dict[str, Any], model: ModelVersion | None, now: Any
) -> Prediction:
    return Prediction(
        user_id=user_id,
        posting_id=posting.id,
        model_version_id=model.id if model else None,
        predicted=o["predicted"],
        probabilities=o["probabilities"],
        expected_score=o["expected_score"],
        created_at=now,
    )


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
    session.add_all(_row(user_id, p, o, model, now) for p, o in zip(missing, outs, strict=True))
    session.flush()
    return len(missing)
