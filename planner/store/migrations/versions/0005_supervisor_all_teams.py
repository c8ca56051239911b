"""A supervisor's access to every team becomes an explicit choice: teams ["*"] (planner.auth.ALL_TEAMS).

Before, a supervisor saved without teams saw every team; now such an account would see none. Every supervisor
saved without teams is given ["*"], so each keeps exactly the access it had, now shown as "all teams".

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

USERS = sa.table("users", sa.column("name", sa.Text()), sa.column("role", sa.String()),
                 sa.column("teams", sa.JSON()))


def upgrade() -> None:
    connection = op.get_bind()
    for name, teams in connection.execute(sa.select(USERS.c.name, USERS.c.teams).where(USERS.c.role == "supervisor")):
        if not teams:
            connection.execute(sa.update(USERS).where(USERS.c.name == name).values(teams=["*"]))


def downgrade() -> None:
    connection = op.get_bind()
    for name, teams in connection.execute(sa.select(USERS.c.name, USERS.c.teams).where(USERS.c.role == "supervisor")):
        if teams == ["*"]:
            connection.execute(sa.update(USERS).where(USERS.c.name == name).values(teams=[]))
