"""Operators' own limits under the rules max_consecutive_days and max_working_weekends (NULL: the centre's), and
their shift requests (rule shift_requests; NULL: none).

Only adds nullable columns: every operator saved before keeps the centre's limits and has no shift request.

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

COLUMNS = (("max_consecutive_days", sa.Integer()), ("max_working_weekends", sa.Integer()),
           ("shift_requests", sa.JSON()))


def upgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
