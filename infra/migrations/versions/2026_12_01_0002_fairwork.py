"""jobs: priority class, parent job, dispatcher index, one training per user

Revision ID: 0002_fairwork
Revises: 0003_market
Create Date: 2026-12-01 21:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_fairwork"
down_revision: str | None = "0003_market"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONE_TRAIN = "kind = 'train' AND status IN ('queued', 'running')"


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("priority", sa.String(length=16), server_default="interactive", nullable=False)
        )
        batch_op.add_column(sa.Column("parent_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_jobs_parent_id_jobs"), "jobs", ["parent_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_index("ix_jobs_parent", ["parent_id"], unique=False)
        batch_op.create_index(
            "ix_jobs_dispatch", ["status", "kind", "priority", "user_id", "created_at"], unique=False
        )
    # Two trainings for one user may already be waiting; keep the newest before the index.
    op.execute(
        "UPDATE jobs SET status = 'cancelled', message = 'coalesced into a newer training' "
        f"WHERE {ONE_TRAIN} AND EXISTS (SELECT 1 FROM jobs AS j2 WHERE j2.kind = 'train' "
        "AND j2.user_id = jobs.user_id AND j2.status = jobs.status "
        "AND j2.created_at > jobs.created_at)"
    )
    op.create_index(
        "ux_jobs_one_train",
        "jobs",
        ["user_id", "status"],
        unique=True,
        postgresql_where=sa.text(ONE_TRAIN),
        sqlite_where=sa.text(ONE_TRAIN),
    )


def downgrade() -> None:
    op.drop_index("ux_jobs_one_train", table_name="jobs")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_dispatch")
        batch_op.drop_index("ix_jobs_parent")
        batch_op.drop_constraint(batch_op.f("fk_jobs_parent_id_jobs"), type_="foreignkey")
        batch_op.drop_column("parent_id")
        batch_op.drop_column("priority")
