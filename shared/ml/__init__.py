"""Per-user rating models for LinkedIn postings: features, candidates, scoring, artifacts.

Typical use (no DB or Celery in here):

    frame = posting_frame(records)            # one dict per posting, see frame.FRAME_COLUMNS
    if use_heuristic(ratings):
        out = heuristic_scores(frame)         # + HEURISTIC_EXPLANATION
    else:
        trained = train_model(frame, np.array(ratings), progress=heartbeat)
        blob = dump_model(trained.estimator)  # store blob + model_sha256(blob)
        model = load_model(blob, sha256)      # raises ModelIntegrityError / UntrustedModelError
        out = predict(model, candidates_frame)  # rank by .expected_score
        why = explain(model, candidates_frame, [o.expected_score for o in out])
        insights = drivers(model, rated_frame)

At ingest, `embeddings.embed_texts([embeddings.embedding_text(title, description)])`
gives the optional vector for the record's "embedding" key (None without the extra).
"""

from shared.ml.baselines import beats_majority, verdict
from shared.ml.decision import PredictionOut, decide
from shared.ml.explanation import drivers, explain, explain_heuristic, remember
from shared.ml.frame import posting_frame
from shared.ml.heuristic import (
    HEURISTIC_EXPLANATION,
    MIN_TRAINING_RATINGS,
    heuristic_scores,
    use_heuristic,
)
from shared.ml.model import PostingModel
from shared.ml.persistence import (
    ModelIntegrityError,
    UntrustedModelError,
    dump_model,
    load_model,
    model_sha256,
)
from shared.ml.scoring import predict
from shared.ml.training import train_model
from shared.ml.types import TrainedModel

__all__ = [
    "beats_majority",
    "verdict",
    "HEURISTIC_EXPLANATION",
    "MIN_TRAINING_RATINGS",
    "ModelIntegrityError",
    "PostingModel",
    "PredictionOut",
    "TrainedModel",
    "UntrustedModelError",
    "decide",
    "drivers",
    "dump_model",
    "explain",
    "explain_heuristic",
    "heuristic_scores",
    "load_model",
    "model_sha256",
    "posting_frame",
    "predict",
    "remember",
    "train_model",
    "use_heuristic",
]
