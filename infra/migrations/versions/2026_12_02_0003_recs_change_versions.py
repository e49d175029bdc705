"""change_versions: one counter per user and one for the shared postings, bumped with every
write a recommendation list depends on, so a cached list is checked by one indexed read.

Revision ID: 0003_recs
Revises: 0002_trust
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_recs"
down_revision: str | None = "0002_trust"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change_versions",
        sa.Column("scope", sa.String(32), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("change_versions")
