"""Operator accounts: the role `operator` and the operator id such an account is tied to (issue 16, item 1).

The role check is replaced to allow the new role, so on SQLite the users table is copied (batch mode). Nothing
refers to users by key — the audit log and the edit history keep names — so the copy loses nothing.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ROLES_BEFORE = "role IN ('planner', 'supervisor', 'admin')"
ROLES_AFTER = "role IN ('planner', 'supervisor', 'admin', 'operator')"


def upgrade() -> None:
    with op.batch_alter_table("users", copy_from=_users(ROLES_BEFORE)) as batch:
        batch.add_column(sa.Column("operator_id", sa.Text(), nullable=True))
        batch.drop_constraint(op.f("ck_users_role"), type_="check")
        batch.create_check_constraint(op.f("ck_users_role"), sa.text(ROLES_AFTER))


def downgrade() -> None:
    operators = op.get_bind().scalar(sa.text("SELECT count(*) FROM users WHERE role = 'operator'"))
    if operators:
        raise RuntimeError(f"{operators} operator account(s) exist, which the older schema cannot hold; give "
                           "them another role or keep this version")
    with op.batch_alter_table("users", copy_from=_users(ROLES_AFTER, with_operator=True)) as batch:
        batch.drop_constraint(op.f("ck_users_role"), type_="check")
        batch.create_check_constraint(op.f("ck_users_role"), sa.text(ROLES_BEFORE))
        batch.drop_column("operator_id")


def _users(roles: str, *, with_operator: bool = False) -> sa.Table:
    """The users table as 0002 made it (and 0007, `with_operator`): batch mode copies it from this definition,
    since SQLite's reflection does not return check constraints to drop."""
    operator = [sa.Column("operator_id", sa.Text(), nullable=True)] if with_operator else []
    return sa.Table(
        "users",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("teams", sa.JSON(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        *operator,
        sa.CheckConstraint(roles, name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
