"""Turning a 1-D desirability score into calibrated probabilities of the ratings 0-3."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

from shared.ml.decision import N_CLASSES


class OrdinalCalibrator:
    """1-D cumulative-logit model P(y <= k | s) = sigmoid(theta_k - a * s), fit on held-out scores.

    A little L2 keeps it finite when a class is missing or perfectly separated. Optional
    sample weights (recency, see candidates.calibration_weights) let the thresholds, i.e.
    how often each rating is given, follow a rater whose standards drift. `recent` marks the
    ratings whose class frequencies the odds should end up with: the fitted odds are
    multiplied by (recent frequency / weighted frequency) per rating and renormalised, the
    Bayes correction for a shift in how often each rating is given (Saerens et al. 2002),
    while the score's slope is still learned from every rating.
    """

    def __init__(self, l2: float = 0.05) -> None:
        self.l2 = l2

    def _thetas(self, params: np.ndarray) -> np.ndarray:
        steps = np.exp(params[2:])
        return params[1] + np.concatenate([[0.0], np.cumsum(steps)])

    def _proba(self, params: np.ndarray, z: np.ndarray) -> np.ndarray:
        cumulative = expit(self._thetas(params)[None, :] - params[0] * z[:, None])
        cumulative = np.hstack([np.zeros((len(z), 1)), cumulative, np.ones((len(z), 1))])
        return np.clip(np.diff(cumulative, axis=1), 1e-9, None)

    def fit(
        self,
        scores: np.ndarray,
        y: np.ndarray,
        weights: np.ndarray | None = None,
        recent: np.ndarray | None = None,
    ) -> OrdinalCalibrator:
        scores = np.asarray(scores, float)
        self.center_ = float(np.mean(scores)) if len(scores) else 0.0
        spread = float(np.std(scores)) if len(scores) else 1.0
        self.scale_ = spread if spread > 1e-12 else 1.0
        z = (scores - self.center_) / self.scale_
        labels = np.asarray(y, int)

        onehot = np.eye(N_CLASSES)[labels]
        # Weights scaled to mean 1, so the L2 keeps its strength relative to the data.
        w = np.ones(len(z)) if weights is None else np.asarray(weights, float)
        w = w / w.mean() if len(w) and w.mean() > 0 else np.ones(len(z))
        self.params_ = minimize(
            self._loss,
            np.array([1.0, -1.0, 0.0, 0.0]),
            args=(z, onehot, w),
            jac=True,
            method="L-BFGS-B",
        ).x
        self.prior_ratio_ = (
            _frequencies(labels[recent]) / _frequencies(labels, w) if recent is not None else None
        )
        return self

    def _loss(
        self, params: np.ndarray, z: np.ndarray, onehot: np.ndarray, w: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """Weighted negative log-likelihood plus L2, with its analytic gradient."""
        eta = self._thetas(params)[None, :] - params[0] * z[:, None]
        c = expit(eta)
        cumulative = np.hstack([np.zeros((len(z), 1)), c, np.ones((len(z), 1))])
        p = np.clip(np.sum(np.diff(cumulative, axis=1) * onehot, axis=1), 1e-12, None)
        slope = w[:, None] * c * (1.0 - c) / p[:, None]
        # d log p / d eta_k: + where k is the true class's upper bound, - where its lower one.
        g_eta = slope * (onehot[:, :-1] - onehot[:, 1:])
        g_theta = -g_eta.sum(axis=0)
        steps = np.exp(params[2:])
        grad = np.empty_like(params)
        grad[0] = float(np.sum(g_eta.sum(axis=1) * z))
        grad[1] = g_theta.sum()
        grad[2:] = steps * np.cumsum(g_theta[::-1])[::-1][1:]
        value = float(-np.sum(w * np.log(p)) + self.l2 * np.sum(params**2))
        return value, grad + 2.0 * self.l2 * params

    def predict_proba(self, scores: np.ndarray) -> np.ndarray:
        z = (np.asarray(scores, float) - self.center_) / self.scale_
        p = self._proba(self.params_, z)
        # Artifacts written before the correction existed have no ratio.
        ratio = getattr(self, "prior_ratio_", None)
        if ratio is not None:
            p = p * ratio
        return p / p.sum(axis=1, keepdims=True)


def _frequencies(labels: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """How often each rating is given, with one pseudo-rating each (no zero for a rating
    not seen)."""
    counts = np.bincount(labels, weights=weights, minlength=N_CLASSES)[:N_CLASSES]
    return (counts + 1.0) / (counts.sum() + N_CLASSES)
