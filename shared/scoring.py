"""Scoring postings for one user: the active model (blended with the stated-preferences
prior when there are preferences), else the prior alone, else the transparent
pay-and-seniority heuristic. Loaded models are cached per process by version."""

from __future__ import annotations

from collections import OrderedDict
from threading import BoundedSemaphore, Lock
from typing import Any

import numpy as np
from sqlalchemy import and_, bindparam, delete, exists, select
from sqlalchemy.orm import Session, aliased

from shared.artifacts import read_artifact
from shared.career.qualify import NO_MATCH
from shared.db.base import utcnow
from shared.db.models import HiddenPosting, ModelVersion, Posting, Prediction, Profile, Rating
from shared.jobs import aware
from shared.learning.explain import blended_explanations
from shared.learning.prior import PRIOR_EXPLANATION, prior_proba, prior_scores
from shared.learning.service import get_preferences
from shared.ml.heuristic import heuristic_scores
from shared.ml.scoring import Blend, model_weight
from shared.postings import READY
from shared.ratings import dialect_insert
from shared.schemas import PostingPublic
from shared.training import active_model, posting_record

_CACHE: OrderedDict[tuple[int, str], Any] = OrderedDict()
_CACHE_SIZE = 32
_LOCK = Lock()
# Scoring holds its postings, their frame and features at once: 7-17 MB for 540 postings.
# Batches bound that per call, and two batches at a time per process bound it across the
# gateway's threads, which under the GIL only interleave (16 lists built at once left the
# gateway ~70 MB larger, for good: freed memory the allocator could not hand back).
SCORING_BATCH = 100
_SCORING = BoundedSemaphore(2)


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
    session: Session, user_id: int, postings: list[Posting], *, explain: bool = False
) -> tuple[list[dict[str, Any]], ModelVersion | None]:
    """Predicted rating, class probabilities and expected score for each posting: the
    active model's odds blended with the stated-preferences prior by shrinkage (the model's
    share grows with its ratings), the prior alone before a model, the heuristic without
    either; with `explain`, why (see `explain_postings`)."""
    from shared.ml import posting_frame, predict

    if not postings:
        return [], None
    model = active_model(session, user_id)
    frame = posting_frame([posting_record(p) for p in postings])
    prefs = get_preferences(session, user_id)
    stated = prefs if prefs is not None and not prefs.is_empty() else None
    features = None
    blend = None
    if model is None:
        outs = prior_scores(frame, stated) if stated else heuristic_scores(frame)
    else:
        estimator = estimator_for(model)
        # Computed once when explaining too: features are most of a prediction's cost.
        features = estimator.features(frame) if explain else None
        if stated is not None:
            blend = Blend(prior_proba(frame, stated), model_weight(model.n_ratings))
        outs = predict(estimator, frame, features, blend)
    results = [_out(o, model.version if model else None) for o in outs]
    if explain:
        expected = [r["expected_score"] for r in results]
        whys = _explanations(model, frame, expected, features, stated is not None, blend)
        for result, why in zip(results, whys, strict=True):
            result["explanation"] = why
    return results, model


def explain_postings(
    session: Session, user_id: int, postings: list[Posting], expected: list[float]
) -> list[dict[str, Any]]:
    """Why each posting got its expected score: baseline plus group contributions, in
    rating points, adding up to `expected` (the scores the user is shown). Cached per
    model version, posting text and extraction, and score: a recommendation list asks
    again for the same cards."""
    from shared.ml import posting_frame

    if not postings:
        return []
    model = active_model(session, user_id)
    prefs = get_preferences(session, user_id)
    stated = prefs if prefs is not None and not prefs.is_empty() else None
    # What the explanation depends on besides the posting and its score.
    basis = (user_id, model.id if model else None, stated.model_dump_json() if stated else None)
    keys = [
        (*basis, p.id, p.content_hash, p.extracted_at, e)
        for p, e in zip(postings, expected, strict=True)
    ]
    with _LOCK:
        found = {k: _REASONS[k] for k in keys if k in _REASONS}
    todo = [i for i, k in enumerate(keys) if k not in found]
    if todo:
        frame = posting_frame([posting_record(postings[i]) for i in todo])
        blend = (
            Blend(prior_proba(frame, stated), model_weight(model.n_ratings))
            if model is not None and stated is not None
            else None
        )
        whys = _explanations(
            model, frame, [expected[i] for i in todo], None, stated is not None, blend
        )
        with _LOCK:
            for i, why in zip(todo, whys, strict=True):
                found[keys[i]] = _REASONS[keys[i]] = why
            while len(_REASONS) > _EXPLAINED_SIZE:
                _REASONS.pop(next(iter(_REASONS)))
    return [found[k] for k in keys]


def _explanations(
    model: ModelVersion | None,
    frame: Any,
    expected: list[float],
    features: Any = None,
    prior: bool = False,
    blend: Blend | None = None,
) -> list[dict[str, Any]]:
    from shared.ml import HEURISTIC_EXPLANATION, explain, explain_heuristic

    if model is None and prior:  # the stated preferences: a rule in words, nothing to split
        return [
            {"baseline": e, "expected_score": e, "contributions": [], "note": PRIOR_EXPLANATION}
            for e in expected
        ]
    if model is None:
        return [
            {**why, "note": HEURISTIC_EXPLANATION}
            for why in explain_heuristic(frame, np.asarray(expected, float))
        ]
    estimator = estimator_for(model)
    if blend is None:
        return explain(estimator, frame, np.asarray(expected, float), features)
    return blended_explanations(estimator, frame, expected, features, blend, model.n_ratings)


def prediction_for(
    session: Session, user_id: int, posting: Posting, *, explain: bool = False
) -> dict[str, Any]:
    """One stored posting's prediction. The row written at training or on first sight
    answers when it is the active model's and newer than the posting's extraction (one
    indexed query, no features); otherwise it is computed and stored. The explanation needs
    the posting's features, so it is computed only when asked, and cached per model
    version, posting text and score."""
    found = _stored(session, user_id, posting)
    if found is not None and not explain:
        return found[0]
    # The score is in the key: what it blends (the stated preferences) may have changed.
    key = (
        user_id,
        found[1] if found else None,
        posting.id,
        posting.content_hash,
        found[0]["expected_score"] if found else None,
    )
    if found is not None and key in _EXPLAINED:
        return {**found[0], "explanation": _EXPLAINED[key]}
    [out], model = score_postings(session, user_id, [posting], explain=explain)
    if found is None:
        _upsert(session, _row(user_id, posting, out, model, utcnow()))
    if explain:
        key = (
            user_id,
            model.id if model else None,
            posting.id,
            posting.content_hash,
            out["expected_score"],
        )
        with _LOCK:
            _EXPLAINED[key] = out["explanation"]
            while len(_EXPLAINED) > _EXPLAINED_SIZE:
                _EXPLAINED.pop(next(iter(_EXPLAINED)))
    return out


def _upsert(session: Session, values: dict[str, Any]) -> None:
    """Two requests for one new posting may race here: the later score wins, no error."""
    stmt = dialect_insert(session)(Prediction).values(**values)
    keep = {k: v for k, v in values.items() if k not in ("user_id", "posting_id")}
    session.execute(stmt.on_conflict_do_update(index_elements=["user_id", "posting_id"], set_=keep))


_EXPLAINED: dict[tuple[int, int | None, int, str | None, float | None], dict[str, Any]] = {}
_EXPLAINED_SIZE = 4096
_REASONS: dict[tuple[Any, ...], dict[str, Any]] = {}


# Built once and of the needed columns only: the stored prediction is the hot path.
_STORED = (
    select(
        Prediction.predicted,
        Prediction.probabilities,
        Prediction.expected_score,
        Prediction.created_at,
        Prediction.model_version_id,
        ModelVersion.version,
        ModelVersion.is_active,
    )
    .outerjoin(ModelVersion, ModelVersion.id == Prediction.model_version_id)
    .where(Prediction.user_id == bindparam("user_id"))
    .where(Prediction.posting_id == bindparam("posting_id"))
)


def _stored(
    session: Session, user_id: int, posting: Posting
) -> tuple[dict[str, Any], int | None] | None:
    pred = session.execute(_STORED, {"user_id": user_id, "posting_id": posting.id}).first()
    if pred is None:
        return None
    version = pred.version
    has_model = version is None and active_model(session, user_id) is not None
    if not _holds(version, pred.is_active, has_model, pred.created_at, posting.extracted_at):
        return None
    return _out(pred, version), pred.model_version_id


def _holds(
    version: int | None,
    is_active: bool | None,
    has_model: bool,
    scored_at: Any,
    extracted_at: Any,
) -> bool:
    """Whether a stored score still answers (both ways of reading it use this one rule)."""
    if version is not None and not is_active:
        return False  # an older model's score
    if version is None and has_model:
        return False  # the heuristic's, from before the first model
    made, extracted = aware(scored_at), aware(extracted_at)
    # Not if the posting was read again since it was scored.
    return made is not None and (extracted is None or made >= extracted)


_ACTIVE = aliased(ModelVersion)
# The stored-prediction hot path in one statement: the posting's shown columns, what says
# whether it is fresh and extracted by the current rules, the user's stored score with its
# model version, and whether the user has an active model or a profile.
STORED_ANSWER = (
    select(
        *(Posting.__table__.c[name] for name in PostingPublic.model_fields),
        Posting.extracted_at,
        READY.label("ready"),
        Prediction.predicted,
        Prediction.probabilities,
        Prediction.expected_score,
        Prediction.created_at.label("scored_at"),
        ModelVersion.version.label("model_version"),
        ModelVersion.is_active.label("model_is_active"),
        exists()
        .where(_ACTIVE.user_id == bindparam("user_id"), _ACTIVE.is_active)
        .label("has_model"),
        exists().where(Profile.user_id == bindparam("user_id")).label("has_profile"),
    )
    .select_from(Posting)
    .outerjoin(
        Prediction,
        and_(Prediction.posting_id == Posting.id, Prediction.user_id == bindparam("user_id")),
    )
    .outerjoin(ModelVersion, ModelVersion.id == Prediction.model_version_id)
    .where(Posting.job_id == bindparam("job_id"))
)


def stored_answer(row: Any) -> dict[str, Any] | None:
    """`POST /predictions` for a stored posting whose stored score still holds, from the row
    of `STORED_ANSWER` (params `user_id`, `job_id`, `fresh_after`): the posting and its
    prediction, as `prediction_for` gives them. None for anything else (a new, stale or not
    yet extracted posting, a score to compute, a profile to match against), which the full
    path answers."""
    if row is None or row.predicted is None or row.has_profile or not row.ready:
        return None  # a stale posting is read again, an old extraction redone, first
    if not _holds(
        row.model_version, row.model_is_active, row.has_model, row.scored_at, row.extracted_at
    ):
        return None
    prediction = {**_out(row, row.model_version), **NO_MATCH}
    return {"posting": PostingPublic.model_validate(row), "prediction": prediction}


def _row(
    user_id: int, posting: Posting, o: dict[str, Any], model: ModelVersion | None, now: Any
) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "posting_id": posting.id,
        "model_version_id": model.id if model else None,
        "predicted": o["predicted"],
        "probabilities": o["probabilities"],
        "expected_score": o["expected_score"],
        "created_at": now,
    }


def _out(o: Any, version: int | None) -> dict[str, Any]:
    return {
        "predicted": int(o.predicted),
        "probabilities": list(o.probabilities),
        "expected_score": float(o.expected_score),
        "model_version": version,
        "heuristic": version is None,
    }


def rescore_after_preferences(session: Session, user_id: int) -> int:
    """After the stated preferences change every prediction depends on them (the prior
    alone, or blended into the model's), so all are redone."""
    session.execute(delete(Prediction).where(Prediction.user_id == user_id))
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
            select(Posting.id)
            # Imported rows are one user's private text, never anyone's recommendation.
            .where(Posting.title.is_not(None), Posting.source != "imported")
            .where(Posting.id.not_in(rated), Posting.id.not_in(hidden))
            .where(Posting.id.not_in(scored))
            .order_by(Posting.id)  # concurrent callers insert keys in one order: no deadlock
            .limit(limit)
        )
    )
    if not missing:
        return 0
    # A page asks for its parts at once (the path's map and gaps), so two requests may score
    # the same new postings together; they compute the same rows, and the first one kept wins.
    insert = dialect_insert(session)(Prediction).on_conflict_do_nothing(
        index_elements=["user_id", "posting_id"]
    )
    session.flush()  # nothing flushes in a batch's turn, so no turn waits on another's locks
    for start in range(0, len(missing), SCORING_BATCH):
        ids = missing[start : start + SCORING_BATCH]
        with _SCORING, session.no_autoflush:
            postings = list(session.scalars(select(Posting).where(Posting.id.in_(ids))))
            outs, model = score_postings(session, user_id, postings)
            now = utcnow()
            rows = [_row(user_id, p, o, model, now) for p, o in zip(postings, outs, strict=True)]
        session.execute(insert, rows)
    return len(missing)
