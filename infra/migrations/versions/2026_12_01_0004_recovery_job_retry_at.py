"""jobs.retry_at: a job deferred (LinkedIn rate limit, transient error) is sent again then

Revision ID: 0004_recovery
Revises: 0003_career
Create Date: 2026-12-01 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_recovery"
down_revision: str | None = "0003_career"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("jobs", "retry_at")
