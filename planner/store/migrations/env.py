"""Alembic environment: run only through `planner.store.migrations.upgrade_to_head`, which hands over an open
connection in a transaction, so the whole upgrade commits or rolls back as one."""

from alembic import context

from planner.store.schema import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite alters a table by copying it; batch mode does that for later migrations.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
