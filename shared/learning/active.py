"""Rate next: the unrated postings whose rating would teach the model most.

Uncertainty sampling with a diversity penalty: each pick maximises the entropy of its
predicted distribution minus its closest similarity (TF-IDF of title words, pay band and
seniority) to the postings already picked. Before a model exists every distribution is
the same guess, so the penalty dominates and the picks cover the space.

The first two thirds of every batch covers the space regardless of the model (entropy left out):
uncertainty alone picks the postings between two ratings, which come back mostly as the
middle rating, and a model trained on them answers that rating for everything.

Thousands of candidates per request: each posting's hashed words are cached per process,
the odds are parsed in bulk, and the TF-IDF weights are computed from the cached columns."""

from __future__ import annotations

import math
import re
import zlib
from bisect import bisect_right
from functools import lru_cache
from threading import Lock
from typing import Any

import numpy as np
import scipy.sparse as sp
from sqlalchemy import Text, cast, exists, select
from sqlalchemy.orm import Session

from shared.db.models import HiddenPosting, Posting, Prediction, Rating
from shared.extraction.currency import to_usd
from shared.ml.ordinal import N_CLASSES
from shared.settings import get_settings

# Entropy is at most ln 4 ~ 1.39; a near-duplicate of a pick loses about that much.
DIVERSITY_WEIGHT = 1.5
# Share of each batch picked for coverage alone: 8 of bench_learning's rounds of 12, the
# best of 0, 4, 6 and 8 on an inner split (picked from rows < 150, scored on 150-249).
COVER_SHARE = 2 / 3
PAY_BANDS = (80_000, 120_000, 160_000, 200_000, 250_000)
TOKEN = re.compile(r"[a-z0-9+#]+")
HASH_BITS = 20
# Space text -> its hashed words; texts repeat across users and requests.
_WORDS: dict[str, np.ndarray] = {}
_WORDS_SIZE = 200_000
_LOCK = Lock()


def entropy(probabilities: np.ndarray) -> np.ndarray:
    p = np.clip(probabilities, 1e-12, 1.0)
    return np.asarray(-(p * np.log(p)).sum(axis=1))


@lru_cache(maxsize=64)
def _level(seniority: str | None) -> str:
    return "level" + "".join(ch for ch in (seniority or "none").lower() if ch.isalnum())


def space_text(title: str, seniority: str | None, pay_usd: float | None) -> str:
    """What a posting is, for the diversity penalty: title words, pay band, seniority."""
    if pay_usd is None or math.isnan(pay_usd):
        band = "paynone"
    else:
        band = f"payband{bisect_right(PAY_BANDS, pay_usd)}"
    return f"{title} {band} {_level(seniority)}"


def _hashed_words(text: str) -> np.ndarray:
    found = _WORDS.get(text)
    if found is None:
        words = TOKEN.findall(text.lower())
        found = np.array(
            [zlib.crc32(w.encode()) & ((1 << HASH_BITS) - 1) for w in words], dtype=np.int64
        )
        with _LOCK:
            if len(_WORDS) >= _WORDS_SIZE:
                _WORDS.clear()
            _WORDS[text] = found
    return found


def space_vectors(texts: list[str]) -> sp.csr_matrix:
    """Rows of L2-normalised TF-IDF over the texts' words (smoothed idf, as scikit-learn's
    TfidfVectorizer), with words hashed so nothing is fitted per request."""
    rows = [_hashed_words(t) for t in texts]
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    hashed = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    columns, inverse = np.unique(hashed, return_inverse=True)
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    counts = sp.csr_matrix(
        (np.ones(len(hashed)), inverse.ravel(), indptr), shape=(len(texts), len(columns))
    )
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=len(columns))
    idf = np.log((1 + len(texts)) / (1 + df)) + 1.0
    weighted = sp.csr_matrix(counts @ sp.diags(idf))
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    return sp.csr_matrix(sp.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ weighted)


def pick_informative(
    texts: list[str],
    probabilities: np.ndarray,
    limit: int,
    weight: float = DIVERSITY_WEIGHT,
    cover_share: float = COVER_SHARE,
) -> list[int]:
    """Greedy: highest entropy minus `weight` x max cosine similarity to earlier picks;
    the first `cover_share` of the picks by similarity alone (deterministic)."""
    n = len(texts)
    if n == 0 or limit <= 0:
        return []
    gain = entropy(probabilities.reshape(n, N_CLASSES))
    vectors = space_vectors(texts)
    closest = np.zeros(n)
    chosen: list[int] = []
    available = np.ones(n, dtype=bool)
    covering = round(cover_share * min(limit, n))
    for k in range(min(limit, n)):
        value = np.where(available, (gain if k >= covering else 0.0) - weight * closest, -np.inf)
        best = int(np.argmax(value))
        chosen.append(best)
        available[best] = False
        sims = np.asarray((vectors @ vectors[best].T).todense()).ravel()
        closest = np.maximum(closest, sims)
    return chosen


def parse_odds(texts: list[str]) -> np.ndarray:
    """Stored odds as JSON text ('[0.1, 0.2, 0.3, 0.4]'), parsed in one go: per-row JSON
    decoding is most of a 5 000-candidate request otherwise."""
    if not texts:
        return np.zeros((0, N_CLASSES))
    joined = ",".join(t.strip().strip("[]") for t in texts)
    return np.array(joined.split(","), dtype=float).reshape(len(texts), N_CLASSES)


def rate_next(session: Session, user_id: int, limit: int) -> dict[str, Any]:
    """The suggestions plus the progress a Rate-next page shows."""
    from shared.recommendations import item
    from shared.scoring import ensure_scored
    from shared.training import active_model, usable_ratings

    ensure_scored(session, user_id)
    rated = exists().where(Rating.user_id == user_id, Rating.posting_id == Posting.id)
    hidden = exists().where(
        HiddenPosting.user_id == user_id, HiddenPosting.posting_id == Posting.id
    )
    # Light columns only: thousands of candidates, full rows for the few picked.
    rows = session.execute(
        select(
            Posting.id,
            Posting.title,
            Posting.seniority,
            Posting.annual_max,
            Posting.salary_currency,
            cast(Prediction.probabilities, Text).label("odds"),
        )
        .join(Prediction, (Prediction.posting_id == Posting.id) & (Prediction.user_id == user_id))
        .where(~rated, ~hidden, Posting.is_closed.is_(False), Posting.source != "imported")
        # Coverage picks tie on the first pick: a fixed order keeps them the same per user.
        .order_by(Posting.id)
    ).all()
    ids = [r[0] for r in rows]
    texts = [
        space_text(title or "", seniority, to_usd(pay, currency))
        for _, title, seniority, pay, currency, _ in rows
    ]
    proba = parse_odds([r[5] for r in rows])
    picks = pick_informative(texts, proba, limit)
    picked_ids = [ids[i] for i in picks]
    gains = dict(zip(picked_ids, entropy(proba[picks]), strict=True))
    postings = {p.id: p for p in session.scalars(select(Posting).where(Posting.id.in_(picked_ids)))}
    predictions = {
        p.posting_id: p
        for p in session.scalars(
            select(Prediction).where(
                Prediction.user_id == user_id, Prediction.posting_id.in_(picked_ids)
            )
        )
    }
    model = active_model(session, user_id)
    items = []
    for pid in picked_ids:
        entry = item(postings[pid], predictions[pid])
        entry["uncertainty"] = round(float(gains[pid]), 4)
        items.append(entry)
    return {
        "items": items,
        "candidates": len(rows),
        "rated": usable_ratings(session, user_id),
        "model_ready_at": get_settings().min_ratings_for_model,
        "model_version": model.version if model else None,
    }
