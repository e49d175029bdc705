"""How fast the product's model learns from few ratings, by how they are chosen.

    .venv/bin/python tests/bench/bench_learning.py --dataset CSV --pool-end N [--profile JSON]

Rows before N are the pool, rows from N on the test set (rated later). Each strategy picks
12, 24, 48 and 96 pool ratings, trains the product's model (shared.ml.train_model) on
exactly those, and is scored on the test rows. `active` is the product's rate-next choice
(shared.learning.active.pick_informative) in rounds of 12, retraining between rounds;
`active_prior` starts from the stated-preferences prior and blends it by shrinkage, for
each blend strength measured. `ceiling` is what the ratings allow the model whatever the
picks (the whole pool; cross-validation within the test rows). Prints ONE JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from shared.learning.active import pick_informative, space_text  # noqa: E402
from shared.learning.prior import prior_proba, prior_scores  # noqa: E402
from shared.learning.schemas import Preferences  # noqa: E402
from shared.ml import heuristic_scores, predict, train_model, use_heuristic  # noqa: E402
from shared.ml.decision import PredictionOut  # noqa: E402
from shared.ml.reference import ReferenceModel  # noqa: E402
from shared.ml.scoring import BLEND_POWER, BLEND_STRENGTH, Blend, model_weight  # noqa: E402
from tests.bench.bench_accuracy import DEFAULT_DATASET, extract  # noqa: E402

SIZES = (12, 24, 48, 96)
ROUND = 12
SEEDS = (0, 1, 2, 3, 4)
# Blend curves measured, (k, p): the model weighs n^p / (n^p + k^p); k = 0 is the learned
# model alone, p = 1 plain shrinkage. The product's (BLEND_STRENGTH, BLEND_POWER) should be
# the best of them.
PRODUCT = (BLEND_STRENGTH, BLEND_POWER)
BLEND_STRENGTHS: tuple[tuple[float, float], ...] = (
    (0.0, 1.0),
    *((k, 1.0) for k in (12.0, 24.0, 48.0, 96.0, 192.0, 384.0)),
    *((k, p) for k in (100.0, 150.0, 200.0) for p in (2.0, 3.0, 4.0)),
)


def curve(k: tuple[float, float]) -> str:
    return f"k{k[0]:g}" + (f"^{k[1]:g}" if k[1] != 1 else "")


def metrics(outs: list[PredictionOut], y: np.ndarray) -> dict[str, float]:
    predicted = np.array([o.predicted for o in outs])
    return {
        "accuracy": round(float(np.mean(predicted == y)), 4),
        "mae": round(float(np.mean(np.abs(predicted - y))), 4),
    }


def fallback(frame: pd.DataFrame, prefs: Preferences | None) -> list[PredictionOut]:
    """What the product serves without a model: the prior, or the bare heuristic."""
    return prior_scores(frame, prefs) if prefs is not None else heuristic_scores(frame)


def scored(
    frame: pd.DataFrame,
    y: np.ndarray,
    picked: list[int],
    target: pd.DataFrame,
    prefs: Preferences | None = None,
    strengths: tuple[tuple[float, float], ...] = (PRODUCT,),
) -> list[list[PredictionOut]]:
    """Train the product's model once on the picked rows and score `target`, blended with
    the prior (when `prefs`) at each shrinkage strength, as shared.scoring does."""
    labels = y[picked]
    if use_heuristic(labels.tolist()):
        return [fallback(target, prefs)] * len(strengths)
    estimator = train_model(frame.iloc[picked], labels, seed=42).estimator
    if prefs is None:
        return [predict(estimator, target)] * len(strengths)
    prior = prior_proba(target, prefs)
    return [
        predict(estimator, target, blend=Blend(prior, model_weight(len(picked), *k)))
        for k in strengths
    ]


def active_picks(
    pool: pd.DataFrame, y: np.ndarray, prefs: Preferences | None
) -> dict[int, list[int]]:
    """Rate-next in rounds: pick ROUND, retrain on everything rated so far, pick again."""
    texts = [
        space_text(str(t), str(s), float(a) if a == a else None)
        for t, s, a in zip(pool["title"], pool["seniority"], pool["annual_max"], strict=True)
    ]
    picked: list[int] = []
    out: dict[int, list[int]] = {}
    while len(picked) < max(SIZES):
        rest = [i for i in range(len(pool)) if i not in set(picked)]
        outs = (
            scored(pool, y, picked, pool.iloc[rest], prefs)[0]
            if picked
            else fallback(pool.iloc[rest], prefs)
        )
        proba = np.array([o.probabilities for o in outs])
        step = pick_informative([texts[i] for i in rest], proba, ROUND)
        picked += [rest[i] for i in step]
        if len(picked) in SIZES:
            out[len(picked)] = list(picked)
    return out


def prequential(
    frame: pd.DataFrame, y: np.ndarray, pool_end: int, prefs: Preferences | None
) -> dict[str, Any]:
    """Retrained before each block of 25 on every earlier row, scored as the product does
    (blended with the prior when there is a profile), at each blend strength."""
    strengths = BLEND_STRENGTHS if prefs is not None else ((0.0, 1.0),)
    predicted: dict[tuple[float, float], list[int]] = {k: [] for k in strengths}
    for start in range(pool_end, len(y), 25):
        stop = min(start + 25, len(y))
        estimator = train_model(frame.iloc[:start], y[:start], seed=42).estimator
        target = frame.iloc[start:stop]
        prior = prior_proba(target, prefs) if prefs is not None else None
        for k in strengths:
            blend = Blend(prior, model_weight(start, *k)) if prior is not None else None
            predicted[k] += [o.predicted for o in predict(estimator, target, blend=blend)]
    later = y[pool_end:]

    def scores(k: tuple[float, float]) -> dict[str, float]:
        p = np.array(predicted[k])
        return {
            "accuracy": round(float(np.mean(p == later)), 4),
            "mae": round(float(np.mean(np.abs(p - later))), 4),
        }

    product = scores(PRODUCT if prefs is not None else (0.0, 1.0))
    return {
        "prequential_accuracy": product["accuracy"],
        "prequential_mae": product["mae"],
        "prequential_by_strength": {curve(k): scores(k) for k in strengths},
    }


def ceiling(
    frame: pd.DataFrame, data: pd.DataFrame, pool_end: int, folds: int = 5
) -> dict[str, Any]:
    """What these ratings allow the product's model, whatever the picks: trained on the whole
    pool (every rating a strategy may ask for), and cross-validated within the test rows
    themselves, alone and with the whole pool (the rater's later standards known to the
    model, and every rating but the one predicted: more than any walk forward in time has).
    The prototype's model (bench_accuracy's reference) is cross-validated the same way, to
    tell the ratings' limit from our model's. Beside them, always answering the test rows'
    most common rating."""
    y = data["rating"].to_numpy(int)
    pool, test = frame.iloc[:pool_end], frame.iloc[pool_end:]
    pool_y, test_y = y[:pool_end], y[pool_end:]
    texts = data["posting_text"].tolist()
    salaries = data[["min_salary", "max_salary"]].to_numpy(float)
    whole_pool = metrics(scored(pool, pool_y, list(range(len(pool_y))), test)[0], test_y)
    order = np.random.default_rng(0).permutation(len(test_y))

    def cross_validated(with_pool: bool) -> dict[str, float]:
        outs: list[PredictionOut | None] = [None] * len(test_y)
        for fold in range(folds):
            held = order[fold::folds]
            kept = np.setdiff1d(order, held)
            frame, labels = test.iloc[kept], test_y[kept]
            if with_pool:
                frame, labels = pd.concat([pool, frame]), np.concatenate([pool_y, labels])
            estimator = train_model(frame, labels, seed=42).estimator
            for i, out in zip(held, predict(estimator, test.iloc[held]), strict=True):
                outs[i] = out
        return metrics([o for o in outs if o is not None], test_y)

    def reference_cross_validated() -> dict[str, float]:
        predicted = np.zeros(len(test_y), dtype=int)
        for fold in range(folds):
            held = order[fold::folds] + pool_end
            kept = np.setdiff1d(np.arange(len(y)), held)
            model = ReferenceModel(42).fit([texts[i] for i in kept], salaries[kept], y[kept])
            predicted[held - pool_end] = model.predict([texts[i] for i in held], salaries[held])
        return {
            "accuracy": round(float(np.mean(predicted == test_y)), 4),
            "mae": round(float(np.mean(np.abs(predicted - test_y))), 4),
        }

    counts = np.bincount(test_y, minlength=4)
    return {
        "whole_pool": whole_pool,
        "test_cv": cross_validated(with_pool=False),
        "pool_and_test_cv": cross_validated(with_pool=True),
        "reference_pool_and_test_cv": reference_cross_validated(),
        "test_majority_accuracy": round(float(counts.max() / counts.sum()), 4),
        "pool_counts": np.bincount(pool_y, minlength=4).tolist(),
        "test_counts": counts.tolist(),
    }


def pick_ms(pool: pd.DataFrame, n: int = 5000, repeats: int = 7) -> float:
    """p50 of the rate-next selection over n candidates (the pool's titles repeated with
    random distributions): the in-memory part of GET /rate-next, without the database."""
    rng = np.random.default_rng(0)
    rows = rng.integers(0, len(pool), n)
    texts = [
        space_text(str(pool["title"].iloc[i]), str(pool["seniority"].iloc[i]), None) for i in rows
    ]
    proba = rng.dirichlet(np.ones(4), n)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        pick_informative(texts, proba, 10)
        times.append(time.perf_counter() - started)
    return round(float(np.median(times)) * 1000.0, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--pool-end", type=int, required=True)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--no-embeddings", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    warnings.filterwarnings("ignore")

    data = pd.read_csv(args.dataset)
    y = data["rating"].to_numpy(int)
    frame, _ = extract(data["posting_text"].tolist(), not args.no_embeddings)
    pool, test = frame.iloc[: args.pool_end], frame.iloc[args.pool_end :]
    pool_y, test_y = y[: args.pool_end], y[args.pool_end :]
    prefs = (
        Preferences.model_validate(json.loads(args.profile.read_text())) if args.profile else None
    )
    result: dict[str, Any] = {"seconds": {}}

    def timed(name: str, work: Any) -> None:
        started = time.perf_counter()
        result[name] = work()
        result["seconds"][name] = round(time.perf_counter() - started, 2)

    timed(
        "time_order",
        lambda: {
            str(n): metrics(scored(pool, pool_y, list(range(n)), test)[0], test_y) for n in SIZES
        },
    )

    def random_mean() -> dict[str, dict[str, float]]:
        out = {}
        for n in SIZES:
            runs = []
            for seed in SEEDS:
                picked = np.random.default_rng(seed).permutation(len(pool))[:n].tolist()
                runs.append(metrics(scored(pool, pool_y, picked, test)[0], test_y))
            out[str(n)] = {k: round(float(np.mean([r[k] for r in runs])), 4) for k in runs[0]}
        return out

    timed("random", random_mean)
    timed(
        "active",
        lambda: {
            str(n): metrics(scored(pool, pool_y, p, test)[0], test_y)
            for n, p in active_picks(pool, pool_y, None).items()
        },
    )
    result["heuristic_only"] = metrics(heuristic_scores(test), test_y)
    if prefs is not None:
        result["prior_only"] = metrics(prior_scores(test, prefs), test_y)

        def with_prior() -> dict[str, Any]:
            # Picked as the product does: rate-next on the blend at the product's strength.
            picks = active_picks(pool, pool_y, prefs)
            by_n = {
                n: scored(pool, pool_y, p, test, prefs, BLEND_STRENGTHS) for n, p in picks.items()
            }
            by_strength = {
                curve(k): {str(n): metrics(outs[j], test_y) for n, outs in by_n.items()}
                for j, k in enumerate(BLEND_STRENGTHS)
            }
            return {
                **by_strength[curve(PRODUCT)],
                "blend_curve": curve(PRODUCT),
                "by_strength": by_strength,
            }

        timed("active_prior", with_prior)
    timed("ceiling", lambda: ceiling(frame, data, args.pool_end))
    timed("prequential", lambda: prequential(frame, y, args.pool_end, prefs))
    result.update(result.pop("prequential"))
    if prefs is not None:
        # The strength that measures best: mean accuracy over the active_prior sizes and the
        # prequential walk (few ratings and many), then mean MAE. The product's
        # (BLEND_STRENGTH, BLEND_POWER) is set from this.
        def mean_of(k: str, key: str) -> float:
            few = [m[key] for m in result["active_prior"]["by_strength"][k].values()]
            return float(np.mean([*few, result["prequential_by_strength"][k][key]]))

        result["best_curve"] = max(
            result["prequential_by_strength"],
            key=lambda k: (mean_of(k, "accuracy"), -mean_of(k, "mae")),
        )
    result["rate_next_pick_ms_5000"] = pick_ms(pool)
    result["n_pool"], result["n_test"] = len(pool_y), len(test_y)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
