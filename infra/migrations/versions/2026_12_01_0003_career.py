"""career path: profiles and posting requirements

Revision ID: 0003_career
Revises: 0002_fairwork
Create Date: 2026-12-01 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003_career'
down_revision: str | None = '0002_fairwork'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('profiles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('suggested_skills', sa.JSON(), nullable=False),
    sa.Column('suggested_years', sa.Float(), nullable=True),
    sa.Column('years_experience', sa.Float(), nullable=True),
    sa.Column('current_title', sa.String(length=200), nullable=True),
    sa.Column('seniority', sa.String(length=16), nullable=True),
    sa.Column('resume_text', sa.Text(), nullable=True),
    sa.Column('resume_filename', sa.String(length=255), nullable=True),
    sa.Column('resume_extraction', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_profiles'))
    )
    op.create_table('posting_requirements',
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('extracted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('nice_to_have', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_posting_requirements_posting_id_postings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('posting_id', name=op.f('pk_posting_requirements'))
    )


def downgrade() -> None:
    op.drop_table('posting_requirements')
    op.drop_table('profiles')
