"""Weekly hours (issue 16, item 3): an operator's hours by day of the week, in the operator lists and in the
wishes. Lists and wishes saved before have none, which means the daily window on every day, as before.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No batch mode: SQLite would copy and drop `operators`; adding a column needs no copy.
    op.add_column("operators", sa.Column("weekly_hours", sa.JSON(), nullable=True))
    op.add_column("wishes", sa.Column("weekly_hours", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("wishes", "weekly_hours")
    op.drop_column("operators", "weekly_hours")
