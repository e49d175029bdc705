"""Stored predictions follow the one decision rule: rating = median of the stored odds,
expected score = their mean (rows written by the old cut-points could disagree).

Revision ID: 0002_trust
Revises: 0007_learning
Create Date: 2026-12-01
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_trust"
down_revision: str | None = "0007_learning"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

predictions = sa.table(
    "predictions",
    sa.column("user_id", sa.Integer),
    sa.column("posting_id", sa.Integer),
    sa.column("predicted", sa.Integer),
    sa.column("probabilities", sa.JSON),
    sa.column("expected_score", sa.Float),
)


def _decide(odds: list[float]) -> tuple[int, float]:
    """The rule as of this revision (frozen here, so later code changes cannot alter it)."""
    total = sum(odds) or 1.0
    cumulative = 0.0
    median = len(odds) - 1
    for k, p in enumerate(odds):
        cumulative += p / total
        if cumulative >= 0.5 - 1e-9:
            median = k
            break
    return median, round(sum(k * p / total for k, p in enumerate(odds)), 4)


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            predictions.c.user_id,
            predictions.c.posting_id,
            predictions.c.predicted,
            predictions.c.probabilities,
            predictions.c.expected_score,
        )
    ).all()
    for user_id, posting_id, predicted, odds, expected in rows:
        if isinstance(odds, str):
            odds = json.loads(odds)
        median, mean = _decide([float(p) for p in odds])
        if median != predicted or abs(mean - float(expected)) > 1e-4:
            bind.execute(
                sa.update(predictions)
                .where(predictions.c.user_id == user_id, predictions.c.posting_id == posting_id)
                .values(predicted=median, expected_score=mean)
            )


def downgrade() -> None:
    pass  # the old values were inconsistent; nothing worth restoring
