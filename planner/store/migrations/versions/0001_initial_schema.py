"""Initial schema: forecasts, operator lists, rule sets, roster versions with shifts, locks and edits, audit.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _instant(name: str, nullable: bool = False) -> sa.Column:
    # planner.store.schema.UtcDateTime is this type with UTC conversion in Python; the DDL is the same.
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _who(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _month() -> sa.Column:
    return sa.Column("month", sa.String(7), nullable=False)


def upgrade() -> None:
    op.create_table(
        "forecasts",
        sa.Column("id", sa.Integer(), nullable=False),
        _month(),
        sa.Column("timezone", sa.Text(), nullable=False),
        sa.Column("country", sa.String(8), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("calls", sa.JSON(), nullable=False),
        sa.Column("aht_sec", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        _who("uploaded_by"),
        _instant("uploaded_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecasts")),
    )
    op.create_index(op.f("ix_forecasts_month"), "forecasts", ["month"])

    op.create_table(
        "operator_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        _month(),
        sa.Column("source", sa.Text(), nullable=False),
        _who("saved_by"),
        _instant("saved_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_lists")),
    )
    op.create_index(op.f("ix_operator_lists_month"), "operator_lists", ["month"])

    op.create_table(
        "operators",
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("earliest_start", sa.Integer(), nullable=False),
        sa.Column("latest_end", sa.Integer(), nullable=False),
        sa.Column("unavailable", sa.JSON(), nullable=False),
        sa.Column("days_off_wished", sa.JSON(), nullable=False),
        sa.Column("team", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("district", sa.Text(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"], ["operator_lists.id"], name=op.f("fk_operators_list_id_operator_lists"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("list_id", "position", name=op.f("pk_operators")),
        sa.UniqueConstraint("list_id", "operator_id", name=op.f("uq_operators_list_id_operator_id")),
    )

    op.create_table(
        "rule_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        _month(),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        _who("saved_by"),
        _instant("saved_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_sets")),
    )
    op.create_index(op.f("ix_rule_sets_month"), "rule_sets", ["month"])

    op.create_table(
        "roster_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        _month(),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.Text(), nullable=False),
        sa.Column("country", sa.String(8), nullable=False),
        sa.Column("rule_set_id", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        _who("created_by"),
        _instant("created_at"),
        _who("updated_by"),
        _instant("updated_at"),
        _who("published_by", nullable=True),
        _instant("published_at", nullable=True),
        sa.CheckConstraint("status IN ('draft', 'published')", name=op.f("ck_roster_versions_status")),
        sa.ForeignKeyConstraint(
            ["rule_set_id"], ["rule_sets.id"], name=op.f("fk_roster_versions_rule_set_id_rule_sets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_versions")),
        sa.UniqueConstraint("month", "number", name=op.f("uq_roster_versions_month_number")),
    )
    op.create_index(op.f("ix_roster_versions_month"), "roster_versions", ["month"])

    op.create_table(
        "shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Text(), nullable=False),
        _instant("start"),
        _instant("end"),
        sa.Column("breaks", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"], ["roster_versions.id"], name=op.f("fk_shifts_version_id_roster_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts")),
    )
    op.create_index(op.f("ix_shifts_version_id"), "shifts", ["version_id"])

    op.create_table(
        "locked_cells",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Text(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"], ["roster_versions.id"], name=op.f("fk_locked_cells_version_id_roster_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "operator_id", "day", name=op.f("pk_locked_cells")),
    )

    op.create_table(
        "roster_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Text(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        _who("edited_by"),
        _instant("edited_at"),
        sa.ForeignKeyConstraint(
            ["version_id"], ["roster_versions.id"], name=op.f("fk_roster_edits_version_id_roster_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_edits")),
    )
    op.create_index(op.f("ix_roster_edits_version_id"), "roster_edits", ["version_id"])

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        _instant("at"),
        _who("username"),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"], ["roster_versions.id"], name=op.f("fk_audit_events_version_id_roster_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_at"), "audit_events", ["at"])


def downgrade() -> None:
    for table in (
        "audit_events", "roster_edits", "locked_cells", "shifts", "roster_versions", "rule_sets", "operators",
        "operator_lists", "forecasts",
    ):
        op.drop_table(table)
