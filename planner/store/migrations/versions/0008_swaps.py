"""Shift swaps between operators (issue 16, item 4): one row per swap asked, with its answer and decision.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "swaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("from_operator", sa.Text(), nullable=False),
        sa.Column("from_day", sa.Date(), nullable=False),
        sa.Column("to_operator", sa.Text(), nullable=False),
        sa.Column("to_day", sa.Date(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("asked_by", sa.Text(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_by", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('asked', 'accepted', 'declined', 'approved', 'refused')",
                           name=op.f("ck_swaps_status")),
        sa.CheckConstraint("kind IN ('swap', 'give')", name=op.f("ck_swaps_kind")),
        sa.ForeignKeyConstraint(["version_id"], ["roster_versions.id"],
                                name=op.f("fk_swaps_version_id_roster_versions"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_swaps")),
    )
    op.create_index(op.f("ix_swaps_version_id"), "swaps", ["version_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_swaps_version_id"), table_name="swaps")
    op.drop_table("swaps")
