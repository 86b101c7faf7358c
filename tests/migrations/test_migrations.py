from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from sentinelle.db.engine import create_engine
from sentinelle.migrations.metadata import target_metadata
from sentinelle.migrations.runner import current_revision, head_revision, upgrade


def test_migrations_reach_head_and_match_the_tables(db_url: str) -> None:
    engine = create_engine(db_url)
    upgrade(engine)  # idempotent on an up-to-date database
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, target_metadata()) == []
    engine.dispose()


def test_upgrade_from_empty(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()
