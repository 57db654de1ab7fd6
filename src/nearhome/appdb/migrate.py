"""Bring a board database up to date with the Alembic migrations shipped in this package.

The migrations live inside the package (``nearhome.appdb:migrations``), so an installed
nearhome can upgrade its database without a checkout or an ``alembic.ini``.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from nearhome.appdb.database import BoardDatabase

SCRIPT_LOCATION = "nearhome.appdb:migrations"


def alembic_config(database: BoardDatabase) -> Config:
    """An Alembic configuration pointing at this package's migrations and ``database``."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    config.attributes["engine"] = database.engine
    return config


def upgrade_database(database: BoardDatabase, revision: str = "head") -> None:
    """Apply every migration up to ``revision`` (idempotent: a current database is untouched)."""
    command.upgrade(alembic_config(database), revision)


def downgrade_database(database: BoardDatabase, revision: str = "base") -> None:
    """Undo migrations down to ``revision`` (used by the migration round-trip test)."""
    command.downgrade(alembic_config(database), revision)
