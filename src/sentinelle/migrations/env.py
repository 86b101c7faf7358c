"""Alembic environment: runs migrations on the engine handed over by `runner`."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Engine

from sentinelle.migrations.metadata import target_metadata


def run() -> None:
    engine: Engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata(),
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run()
