"""Alembic environment: run migrations on the engine handed over by ``nearhome.appdb.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

from nearhome.appdb.models import Base


def _engine() -> Engine:
    engine = context.config.attributes.get("engine")
    if isinstance(engine, Engine):
        return engine
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        msg = "no sqlalchemy.url given to the board migrations"
        raise RuntimeError(msg)
    return create_engine(url)


def run_migrations() -> None:
    """Apply migrations in one transaction (SQLite uses batch mode for ALTERs)."""
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=engine.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
