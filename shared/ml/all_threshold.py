"""All-threshold ordinal logistic regression, fitted in kernel form.

P(y <= k | x) = sigmoid(theta_k - f(x)), with f in the span of the training
postings (f = K a) and an L2 penalty on f's norm. The loss charges every
threshold a posting is on the wrong side of, so being off by two ratings
costs about twice as much as being off by one.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

from shared.ml.decision import N_CLASSES

# Ratings are integers 0-3: a loss converged to 1e-7 relative is far past what matters.
TOLERANCE = {"ftol": 1e-7, "gtol": 1e-4, "maxiter": 500}
# A touch of L2 on the thresholds keeps them finite when a fold has a single rating value.
THRESHOLD_L2 = 1e-3


class KernelAllThreshold:
    def __init__(self, gram: np.ndarray, y: np.ndarray, weights: np.ndarray) -> None:
        lam, q = np.linalg.eigh((gram + gram.T) / 2)
        keep = lam > 1e-9 * max(float(lam.max()), 1e-12)
        self.root = np.sqrt(lam[keep])
        self.q = q[:, keep]
        self.features = self.q * self.root  # f_train = features @ c
        self.mean_eigenvalue = max(float(lam[keep].mean()) if keep.any() else 1.0, 1e-12)
        self.y = np.asarray(y, int)
        self.w = np.asarray(weights, float)
        # s[i, k] = +1 when y_i <= k (posting should sit below threshold k), else -1.
        self.sign = np.where(self.y[:, None] <= np.arange(N_CLASSES - 1), 1.0, -1.0)
        self.state = np.concatenate([np.zeros(self.features.shape[1]), [-1.0, 0.0, 1.0]])

    def _loss(self, params: np.ndarray, alpha: float) -> tuple[float, np.ndarray]:
        c, theta = params[:-3], params[-3:]
        f = self.features @ c
        margin = self.sign * (theta[None, :] - f[:, None])
        value = float(np.sum(self.w[:, None] * np.logaddexp(0.0, -margin)))
        slope = self.w[:, None] * expit(-margin) * self.sign  # -d loss / d margin * sign
        grad_f = slope.sum(axis=1)
        grad_theta = -slope.sum(axis=0) + 2.0 * THRESHOLD_L2 * theta
        grad = np.concatenate([self.features.T @ grad_f + alpha * c, grad_theta])
        penalty = 0.5 * alpha * float(c @ c) + THRESHOLD_L2 * float(theta @ theta)
        return value + penalty, grad

    def fit(self, relative_alpha: float) -> KernelAllThreshold:
        """Warm-starts from the previous fit, so sweep penalties from large to small."""
        alpha = relative_alpha * self.mean_eigenvalue
        result = minimize(
            self._loss, self.state, args=(alpha,), jac=True, method="L-BFGS-B", options=TOLERANCE
        )
        self.state = result.x
        return self

    def dual(self) -> np.ndarray:
        """a with f(x) = k(x, train) @ a."""
        return self.q @ (self.state[:-3] / self.root)

    @property
    def thresholds(self) -> np.ndarray:
        return np.sort(self.state[-3:])


def ordinal_log_loss(scores: np.ndarray, y: np.ndarray, thresholds: np.ndarray) -> float:
    cumulative = expit(thresholds[None, :] - scores[:, None])
    cumulative = np.hstack([np.zeros((len(y), 1)), cumulative, np.ones((len(y), 1))])
    proba = np.diff(cumulative, axis=1)[np.arange(len(y)), y]
    return float(-np.mean(np.log(np.clip(proba, 1e-9, None))))
