"""postings.salary_basis: how the pay was chosen from a table of ranges

Revision ID: 0005_pay
Revises: 0004_recovery
Create Date: 2026-12-01 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_pay"
down_revision: str | None = "0004_recovery"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("postings") as batch:
        batch.add_column(sa.Column("salary_basis", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("postings") as batch:
        batch.drop_column("salary_basis")
