"""Operators' wishes for a month (issue 16, item 3): the days they may enter them, and every save.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wish_windows",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("opened_by", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_wish_windows")),
    )
    op.create_table(
        "wishes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("operator_id", sa.Text(), nullable=False),
        *(sa.Column(name, sa.Text(), nullable=False)
          for name in ("earliest_start", "latest_end", "unavailable", "days_off_wished", "shift_requests")),
        sa.Column("entered_by", sa.Text(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wishes")),
    )
    op.create_index(op.f("ix_wishes_month"), "wishes", ["month"])


def downgrade() -> None:
    op.drop_index(op.f("ix_wishes_month"), table_name="wishes")
    op.drop_table("wishes")
    op.drop_table("wish_windows")
