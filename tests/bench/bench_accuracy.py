"""Accuracy/speed benchmark of the product's training against the prototype's pipeline.

    .venv/bin/python tests/bench/bench_accuracy.py [--dataset CSV] [--split-at N]
        [--prequential-every K]

Reads a data set in the prototype's format (rows in rating order = time order),
extracts fields once as ingest would, then runs `train_model` and the reference
on the same folds. Prints ONE JSON line.
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

from shared.extraction import extract_fields, parse_prototype_text  # noqa: E402
from shared.ml import (  # noqa: E402
    dump_model,
    explain,
    load_model,
    model_sha256,
    posting_frame,
    predict,
    train_model,
)
from shared.ml.embeddings import embed_texts, embedding_text  # noqa: E402
from shared.ml.metrics import fold_metrics  # noqa: E402
from shared.ml.records import posting_record  # noqa: E402
from shared.ml.reference import ReferenceModel  # noqa: E402
from shared.ml.training import outer_splits  # noqa: E402

DEFAULT_DATASET = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "datasets"
    / "lirecommend_ratings_351.csv"
)
SEED = 42


def extract(texts: list[str], use_embeddings: bool) -> tuple[pd.DataFrame, float]:
    """What ingest does once per posting: parse, extract fields, embed."""
    started = time.perf_counter()
    docs = [parse_prototype_text(t) for t in texts]
    vectors = (
        embed_texts([embedding_text(d.title, d.description_text) for d in docs])
        if use_embeddings
        else None
    )
    records = [
        posting_record(doc, extract_fields(doc), embedding=None if vectors is None else vectors[i])
        for i, doc in enumerate(docs)
    ]
    return posting_frame(records), time.perf_counter() - started


def reference_cv(data: pd.DataFrame, splits: list[Any]) -> tuple[dict[str, float], float]:
    texts = data["posting_text"].tolist()
    salaries = data[["min_salary", "max_salary"]].to_numpy(float)
    y = data["rating"].to_numpy(int)
    started = time.perf_counter()
    folds = []
    for train, test in splits:
        model = ReferenceModel(SEED).fit([texts[i] for i in train], salaries[train], y[train])
        predicted = model.predict([texts[i] for i in test], salaries[test])
        folds.append(fold_metrics(predicted, None, predicted.astype(float), y[test]))
    seconds = time.perf_counter() - started
    return {k: float(np.mean([f[k] for f in folds])) for k in ("cv_accuracy", "cv_mae")}, seconds


def temporal(
    frame: pd.DataFrame, data: pd.DataFrame, y: np.ndarray, split_at: int
) -> dict[str, float]:
    """Train on ratings before split_at, test on the later ones: product and reference."""
    model = train_model(frame.iloc[:split_at], y[:split_at], seed=SEED).estimator
    predicted = model.predict(frame.iloc[split_at:])
    texts = data["posting_text"].tolist()
    salaries = data[["min_salary", "max_salary"]].to_numpy(float)
    reference = ReferenceModel(SEED).fit(texts[:split_at], salaries[:split_at], y[:split_at])
    reference_predicted = reference.predict(texts[split_at:], salaries[split_at:])
    later = y[split_at:]
    return {
        "temporal_accuracy": float(np.mean(predicted == later)),
        "temporal_mae": float(np.mean(np.abs(predicted - later))),
        "reference_temporal_accuracy": float(np.mean(reference_predicted == later)),
        "reference_temporal_mae": float(np.mean(np.abs(reference_predicted - later))),
    }


def prequential(frame: pd.DataFrame, y: np.ndarray, split_at: int, every: int) -> dict[str, float]:
    """How the product is used: walk the ratings after split_at in time order, retrain every
    `every` ratings on all ratings before, and predict the next ones."""
    predicted = np.empty(0, dtype=int)
    for start in range(split_at, len(y), every):
        model = train_model(frame.iloc[:start], y[:start], seed=SEED).estimator
        predicted = np.concatenate([predicted, model.predict(frame.iloc[start : start + every])])
    later = y[split_at:]
    return {
        "prequential_accuracy": float(np.mean(predicted == later)),
        "prequential_mae": float(np.mean(np.abs(predicted - later))),
        "prequential_retrains": float(len(range(split_at, len(y), every))),
    }


def score_and_explain(estimator: Any, row: pd.DataFrame) -> None:
    """What the API does for one stored posting with ?explain=true: features once, both uses."""
    features = estimator.features(row)
    [out] = predict(estimator, row, features)
    explain(estimator, row, np.array([out.expected_score]), features)


def predict_ms(estimator: Any, frame: pd.DataFrame, repeats: int = 50) -> dict[str, float]:
    """Median time to score one stored posting (extraction and embedding already stored),
    with and without its explanation, and the cold path: load the artifact, then score the
    first posting. Wall time, and this thread's CPU time: on a shared machine the wall time
    also counts the waits for a core, the CPU time only our own work."""
    blob = dump_model(estimator)
    started = time.perf_counter()
    loaded = load_model(blob, model_sha256(blob))
    predict(loaded, frame.iloc[[0]])
    cold = time.perf_counter() - started
    wall: dict[str, list[float]] = {"plain": [], "explained": []}
    cpu: dict[str, list[float]] = {"plain": [], "explained": []}
    for i in range(repeats):
        row = frame.iloc[[i % len(frame)]]
        for kind, work in (("plain", predict), ("explained", score_and_explain)):
            started, cpu_started = time.perf_counter(), time.thread_time()
            work(loaded, row)
            wall[kind].append(time.perf_counter() - started)
            cpu[kind].append(time.thread_time() - cpu_started)
    return {
        "predict_ms": float(np.median(wall["explained"]) * 1000.0),
        "predict_ms_without_explanation": float(np.median(wall["plain"]) * 1000.0),
        "predict_cpu_ms": float(np.median(cpu["explained"]) * 1000.0),
        "predict_cpu_ms_without_explanation": float(np.median(cpu["plain"]) * 1000.0),
        "model_load_ms": cold * 1000.0,
        "model_bytes": float(len(blob)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--split-at", type=int, default=250)
    parser.add_argument("--prequential-every", type=int, default=25)
    parser.add_argument("--no-embeddings", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    warnings.filterwarnings("ignore")

    data = pd.read_csv(args.dataset)
    y = data["rating"].to_numpy(int)
    frame, extract_seconds = extract(data["posting_text"].tolist(), not args.no_embeddings)
    # Warm imports and caches so fit_seconds measures training, not module loading.
    train_model(frame.iloc[:24], y[:24], seed=SEED)

    trained = train_model(frame, y, seed=SEED)
    splits = outer_splits(y, SEED, int(trained.metrics["n_folds"]) // 5 or 1)
    reference, reference_seconds = reference_cv(data, splits)
    metrics = trained.metrics
    majority = metrics["baselines"]["majority"]
    result = {
        "cv_accuracy": metrics["cv_accuracy"],
        "cv_mae": metrics["cv_mae"],
        "cv_mse": metrics["cv_mse"],
        "cv_log_loss": metrics["cv_log_loss"],
        "grouped_cv_accuracy": metrics["grouped_cv_accuracy"],
        **temporal(frame, data, y, args.split_at),
        "spearman": metrics["spearman"],
        "top_decile_precision": metrics["top_decile_precision"],
        "baseline_cv_accuracy": majority["cv_accuracy"],
        "baseline_cv_mae": majority["cv_mae"],
        "baseline_rating": majority["rating"],
        "heuristic_cv_accuracy": metrics["baselines"]["heuristic"]["cv_accuracy"],
        "heuristic_cv_mae": metrics["baselines"]["heuristic"]["cv_mae"],
        **prequential(frame, y, args.split_at, args.prequential_every),
        "reference_cv_accuracy": reference["cv_accuracy"],
        "reference_cv_mae": reference["cv_mae"],
        "fit_seconds": trained.fit_seconds,
        "extract_seconds": extract_seconds,
        "extract_ms_per_posting": 1000.0 * extract_seconds / len(y),
        "reference_fit_seconds": reference_seconds,
        **predict_ms(trained.estimator, frame),
        "model": trained.algorithm,
        "embeddings": any(v is not None for v in frame["embedding"]),
        "n_ratings": len(y),
    }
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()}))


if __name__ == "__main__":
    main()
