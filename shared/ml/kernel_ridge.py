"""Weighted ridge regression in kernel (n x n) form, with exact leave-one-out.

With far fewer ratings than features, the n x n Gram matrix is the cheap
object: one eigendecomposition gives the fit and the leave-one-out predictions
for every penalty, and block weights only change a sum of precomputed Gram
matrices. The intercept is unpenalised; sample weights carry recency.
"""

from __future__ import annotations

import numpy as np


class KernelRidge:
    def __init__(self, gram: np.ndarray, y: np.ndarray, weights: np.ndarray) -> None:
        self.y = np.asarray(y, float)
        self.sw = np.sqrt(np.asarray(weights, float))
        self.u = self.sw / np.linalg.norm(self.sw)
        scaled = gram * self.sw[:, None] * self.sw[None, :]
        # Project out the (weighted) intercept direction so it stays unpenalised.
        pu = scaled @ self.u
        projected = scaled - np.outer(self.u, pu) - np.outer(pu, self.u)
        projected += np.outer(self.u, self.u) * float(self.u @ pu)
        lam, self.q = np.linalg.eigh((projected + projected.T) / 2)
        self.lam = np.clip(lam, 0.0, None)
        self.yt = self.sw * self.y
        self.qt = self.q.T @ (self.yt - self.u * (self.u @ self.yt))
        self.q2 = self.q**2

    def penalties(self, grid: tuple[float, ...]) -> np.ndarray:
        """Penalties on the scale of this Gram matrix (its mean eigenvalue)."""
        return max(float(self.lam.mean()), 1e-12) * np.asarray(grid)

    def loo_predictions(self, alpha: float) -> np.ndarray:
        shrink = self.lam / (self.lam + alpha)
        fitted = self.q @ (shrink * self.qt) + self.u * (self.u @ self.yt)
        leverage = self.q2 @ shrink + self.u**2
        residual = (self.yt - fitted) / np.clip(1.0 - leverage, 1e-9, None)
        return self.y - residual / self.sw

    def dual(self, alpha: float, gram: np.ndarray) -> tuple[np.ndarray, float]:
        """Dual coefficients a and intercept b: score(x) = k(x, train) @ a + b."""
        keep = self.lam > 1e-10 * max(float(self.lam.max()), 1e-12)
        inner = self.q[:, keep] @ (self.qt[keep] / (self.lam[keep] + alpha))
        a = self.sw * (inner - self.u * (self.u @ inner))
        w = self.sw**2
        b = float(np.sum(w * (self.y - gram @ a)) / np.sum(w))
        return a, b
