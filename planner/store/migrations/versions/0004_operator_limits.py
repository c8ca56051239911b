"""Operators' own limits under the rules max_consecutive_days and max_working_weekends (NULL: the centre's).

Only adds two nullable columns: every operator saved before keeps the centre's limits.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = ("max_consecutive_days", "max_working_weekends")


def upgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
