"""The database schema is created and upgraded by the planner itself, with Alembic, at every start.

`upgrade_to_head(engine)` brings any database — empty, or made by an older planner — to the newest schema in
one transaction, and does nothing on a database that is already there. There is no `alembic.ini`: the
configuration is built here. To write the next migration after changing `planner.store.schema`, against a
scratch database at the current head::

    from alembic import command
    from sqlalchemy import create_engine
    from planner.store.migrations import alembic_config, upgrade_to_head

    engine = create_engine("sqlite:///scratch.db")
    upgrade_to_head(engine)
    with engine.begin() as connection:
        command.revision(alembic_config(connection), "what changed", autogenerate=True, rev_id="0002")

then read the generated file in `versions/`: Alembic guesses, and a migration must not import the models.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from planner.store.database import writing

__all__ = ["alembic_config", "upgrade_to_head", "head_revision", "current_revision"]

_HERE = Path(__file__).resolve().parent


def alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_HERE))
    config.attributes["connection"] = connection
    return config


def upgrade_to_head(engine: Engine) -> None:
    with writing(engine).begin() as connection:
        command.upgrade(alembic_config(connection), "head")


def head_revision() -> str:
    head = ScriptDirectory(str(_HERE)).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations in {_HERE / 'versions'}")
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at; None for a database the planner has never set up."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
