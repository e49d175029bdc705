"""Why a blended score is what it is: the model's contributions, scaled by its share, plus
one item for the stated preferences; together they add up to the expected score shown."""

from __future__ import annotations

from typing import Any

import pandas as pd
import scipy.sparse as sp

from shared.ml.explanation import explain, significant
from shared.ml.model import PostingModel
from shared.ml.scoring import Blend


def blended_explanations(
    estimator: PostingModel,
    frame: pd.DataFrame,
    expected: list[float],
    features: sp.csr_matrix | None,
    blend: Blend,
    n_ratings: int,
) -> list[dict[str, Any]]:
    """A mixture's mean is the mix of the means: expected = w x model's + (1 - w) x prior's.
    So the model's contributions (to its own expected score), scaled by w, plus one 'stated
    preferences' item worth (1 - w) x (prior's expected - baseline) add up to the expected
    score shown; the preferences item also absorbs the rounding of the odds shown."""
    w = blend.model_weight
    out = []
    for why, e in zip(explain(estimator, frame, None, features), expected, strict=True):
        items = [
            {**c, "effect": round(w * c["effect"], 6), "shown": significant(w * c["effect"])}
            for c in why["contributions"]
        ]
        effect = float(e) - why["baseline"] - sum(c["effect"] for c in items)
        items.append(
            {
                "group": "stated preferences",
                "label": "your stated preferences",
                "effect": round(effect, 6),
                "shown": significant(effect),
            }
        )
        items.sort(key=lambda c: -abs(c["effect"]))
        out.append(
            {
                **why,
                "expected_score": round(float(e), 6),
                "contributions": items,
                "note": blend_note(w, n_ratings),
            }
        )
    return out


def blend_note(weight: float, n_ratings: int) -> str:
    return (
        f"Your model, trained on {n_ratings} ratings, counts for {weight:.0%} of this score; "
        f"your stated preferences for the other {1 - weight:.0%}. The model's share grows "
        "as you rate more."
    )
