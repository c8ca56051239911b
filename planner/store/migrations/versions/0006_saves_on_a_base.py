"""Operator lists and rule sets name the save they replace, so a save made on an old list or old rules is refused.

Every list and rule set saved so far was, in its time, the month's current one: each is chained to the one
saved before it in its month (0 for the first), which keeps the newest as the current one, as before.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("operator_lists", "rule_sets")


def upgrade() -> None:
    # No batch mode: SQLite would copy and drop operator_lists, and dropping it deletes every operator (ON
    # DELETE CASCADE, foreign keys on). A column with a default and a unique index need no copy.
    connection = op.get_bind()
    for name in TABLES:
        if name == "operator_lists":
            op.add_column(name, sa.Column("replaces", sa.Integer(), nullable=False, server_default="0"))
        else:
            op.add_column(name, sa.Column("replaces", sa.Integer(), nullable=True))
        table = sa.table(name, sa.column("id", sa.Integer()), sa.column("month", sa.String()),
                         sa.column("replaces", sa.Integer()))
        before: dict[str, int] = {}
        for row_id, month in connection.execute(sa.select(table.c.id, table.c.month).order_by(table.c.id)):
            connection.execute(sa.update(table).where(table.c.id == row_id).values(replaces=before.get(month, 0)))
            before[month] = row_id
        op.create_index(f"uq_{name}_month_replaces", name, ["month", "replaces"], unique=True)


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_index(f"uq_{name}_month_replaces", name)
        with op.batch_alter_table(name) as batch:
            batch.drop_column("replaces")
