"""Fold plans: small users, duplicate postings, time order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shared.ml import posting_frame
from shared.ml.folds import duplicate_groups, grouped, n_folds, stratified, time_order


def test_fold_count_adapts_to_small_users() -> None:
    assert n_folds(np.array([3] * 30)) == 0
    assert n_folds(np.array([0, 3, 3, 3, 0])) == 0
    assert n_folds(np.array([0, 3] * 6)) == 4
    assert n_folds(np.array([0, 1, 2, 3] * 25)) == 5
    splits = stratified(np.array([0] + [3] * 11), seed=1)
    assert len(splits) == 4
    assert sorted(np.concatenate([test for _, test in splits]).tolist()) == list(range(12))


def test_duplicates_share_a_group_and_a_fold() -> None:
    records = [
        {"title": f"Role {i % 10}", "company": "Acme", "description_text": f"Body {i % 10}"}
        for i in range(20)
    ]
    records[3]["description_text"] = "  body   3 "  # same text modulo case and spaces
    frame = posting_frame(records)
    groups = duplicate_groups(frame)
    assert len(set(groups.tolist())) == 10
    assert groups[3] == groups[13]
    y = np.array([0, 1, 2, 3, 3] * 4)
    for train, test in grouped(y, groups, seed=0):
        assert not set(groups[train]) & set(groups[test])


def test_time_order_uses_rated_at_and_falls_back_to_position() -> None:
    stamps = pd.to_datetime(["2026-01-03", "2026-01-01", None, "2026-01-02"], utc=True)
    frame = posting_frame([{"rated_at": t} for t in stamps])
    # The undated rating counts as oldest; ties keep row order.
    assert time_order(frame).tolist() == [3.0, 0.0, 1.0, 2.0]
    assert time_order(posting_frame([{}, {}, {}])).tolist() == [0.0, 1.0, 2.0]
