"""Pay in different currencies compares in rough US dollars: features, heuristic, filters."""

from __future__ import annotations

import math

import pytest

from shared.db.models import Posting
from shared.extraction.currency import to_usd
from shared.ml import heuristic_scores, posting_frame
from shared.training import posting_record


def test_to_usd_uses_the_fixed_rates_and_refuses_unknown_currencies() -> None:
    assert to_usd(83_000, "INR") == pytest.approx(1000)
    assert to_usd(92_000, "EUR") == pytest.approx(100_000)
    assert to_usd(100_000, "USD") == 100_000
    assert to_usd(100_000, "XYZ") is None
    assert to_usd(None, "USD") is None


def posting(annual: float, currency: str) -> Posting:
    return Posting(
        title="Data Engineer", seniority="Mid-Senior level", annual_min=annual,
        annual_max=annual, salary_currency=currency, skills=[],
    )  # fmt: skip


def test_rupees_do_not_outrank_dollars_in_the_heuristic() -> None:
    frame = posting_frame(
        [posting_record(posting(2_500_000, "INR")), posting_record(posting(150_000, "USD"))]
    )
    assert frame["annual_max"].tolist() == pytest.approx([2_500_000 / 83, 150_000])
    inr, usd = heuristic_scores(frame)
    assert usd.expected_score > inr.expected_score


def test_unknown_currency_means_unknown_pay() -> None:
    frame = posting_frame([posting_record(posting(90_000, "XYZ"))])
    assert math.isnan(frame["annual_max"].iloc[0])
