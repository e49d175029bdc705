"""The ordinal calibrator and the kernel ridge's exact leave-one-out."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from shared.ml.all_threshold import KernelAllThreshold
from shared.ml.candidates import CALIBRATION_HALFLIFE, CALIBRATION_WINDOW, calibration_weights
from shared.ml.kernel_ridge import KernelRidge
from shared.ml.ordinal import OrdinalCalibrator


def test_calibrator_gives_ordered_probabilities_summing_to_one() -> None:
    rng = np.random.default_rng(0)
    scores = rng.normal(size=200)
    y = np.clip(np.round(1.5 + scores + rng.normal(scale=0.4, size=200)), 0, 3).astype(int)
    proba = OrdinalCalibrator().fit(scores, y).predict_proba(np.array([-3.0, 0.0, 3.0]))
    assert proba.shape == (3, 4)
    assert proba.sum(axis=1) == pytest.approx(np.ones(3))
    assert proba[0].argmax() == 0
    assert proba[2].argmax() == 3
    expected = proba @ np.arange(4)
    assert expected[0] < expected[1] < expected[2]


def test_calibrator_copes_with_a_single_class() -> None:
    proba = OrdinalCalibrator().fit(np.zeros(5), np.full(5, 2)).predict_proba(np.zeros(2))
    assert proba.argmax(axis=1).tolist() == [2, 2]
    assert proba.sum(axis=1) == pytest.approx(np.ones(2))


def test_kernel_ridge_matches_weighted_ridge_and_its_leave_one_out() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(25, 40))
    y = rng.normal(size=25)
    w = rng.uniform(0.2, 1.0, size=25)
    gram = x @ x.T
    ridge = KernelRidge(gram, y, w)
    dual, intercept = ridge.dual(2.0, gram)
    reference = Ridge(alpha=2.0).fit(x, y, sample_weight=w)
    assert x.T @ dual == pytest.approx(reference.coef_, abs=1e-10)
    assert intercept == pytest.approx(reference.intercept_, abs=1e-10)
    loo = []
    for i in range(25):
        keep = np.arange(25) != i
        fitted = Ridge(alpha=2.0).fit(x[keep], y[keep], sample_weight=w[keep])
        loo.append(fitted.predict(x[i : i + 1])[0])
    assert ridge.loo_predictions(2.0) == pytest.approx(np.array(loo), abs=1e-10)


def test_all_threshold_fits_ordered_data_and_a_single_class() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(60, 5))
    y = np.clip(np.round(1.5 + 1.5 * x[:, 0]), 0, 3).astype(int)
    gram = x @ x.T
    model = KernelAllThreshold(gram, y, np.ones(60)).fit(0.01)
    predicted = np.searchsorted(model.thresholds, gram @ model.dual())
    assert np.mean(predicted == y) >= 0.9
    single = KernelAllThreshold(gram, np.full(60, 3), np.ones(60)).fit(0.1)
    assert np.searchsorted(single.thresholds, gram @ single.dual()).tolist() == [3] * 60


def test_calibrator_weights_move_the_thresholds_towards_the_weighted_ratings() -> None:
    # Same scores; the old half rated 3, the recent half 1: weighting the recent half pulls
    # the odds towards 1, weighting the old half towards 3.
    scores = np.zeros(40)
    y = np.array([3] * 20 + [1] * 20)
    recent = np.array([0.1] * 20 + [1.0] * 20)
    towards_recent = OrdinalCalibrator().fit(scores, y, recent).predict_proba(np.zeros(1))[0]
    towards_old = OrdinalCalibrator().fit(scores, y, recent[::-1]).predict_proba(np.zeros(1))[0]
    plain = OrdinalCalibrator().fit(scores, y).predict_proba(np.zeros(1))[0]
    assert towards_recent[1] > plain[1] > towards_old[1]
    assert towards_recent @ np.arange(4) < plain @ np.arange(4) < towards_old @ np.arange(4)


def test_calibrator_odds_take_the_recent_ratings_frequencies_and_no_more() -> None:
    rng = np.random.default_rng(3)
    scores = rng.normal(size=120)
    y = np.clip(np.round(1.5 + scores + rng.normal(scale=0.5, size=120)), 0, 3).astype(int)
    probe = np.linspace(-2.0, 2.0, 9)
    plain = OrdinalCalibrator().fit(scores, y).predict_proba(probe)
    # All ratings recent (a user within the window): exactly the plain odds.
    every = OrdinalCalibrator().fit(scores, y, None, np.ones(120, dtype=bool))
    assert np.array_equal(every.predict_proba(probe), plain)
    # The recent ones were mostly 0 and 1: the odds of 0 and 1 go up everywhere, of 3 down.
    y[80:] = np.minimum(y[80:], 1)
    shifted = OrdinalCalibrator().fit(scores, y, None, np.arange(120) >= 80)
    unshifted = OrdinalCalibrator().fit(scores, y).predict_proba(probe)
    moved = shifted.predict_proba(probe)
    assert np.all(moved[:, :2].sum(axis=1) > unshifted[:, :2].sum(axis=1))
    assert np.all(moved[:, 3] < unshifted[:, 3])
    assert moved.sum(axis=1) == pytest.approx(np.ones(9))


def test_calibration_weights_keep_a_window_of_recent_ratings_whole_and_decay_older_ones() -> None:
    order = np.array([0.0, 50.0, 100.0, 150.0, 200.0, 250.0])  # time ranks, latest 250
    weights = calibration_weights(order)
    assert weights[order >= 250 - CALIBRATION_WINDOW] == pytest.approx(1.0)
    assert weights[1] == pytest.approx(0.5 ** ((200 - CALIBRATION_WINDOW) / CALIBRATION_HALFLIFE))
    assert np.all(np.diff(weights) >= 0)  # never less weight for a later rating
    assert calibration_weights(np.arange(40.0)) == pytest.approx(np.ones(40))  # a small user
