"""Fixtures: a migrated database on SQLite and on PostgreSQL, a runtime with a fake clock.

Every test that takes `rt` (or `db_url`) runs twice, once per engine. PostgreSQL is never
skipped: an unreachable server (SENTINELLE_TEST_PG_URL) makes those tests fail.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from sentinelle.access import passwords
from sentinelle.core.clock import FakeClock
from sentinelle.core.settings import Settings
from sentinelle.db.engine import Database, create_engine
from sentinelle.migrations.runner import upgrade
from sentinelle.runtime import Runtime

PG_ADMIN_URL = os.environ.get(
    "SENTINELLE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
START = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
ENGINES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated to head."""
    name = f"sentinelle_test_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _reset_pg(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [
            r[0]
            for r in conn.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename NOT IN ('alembic_version', 'audit_head')"
            )
        ]
        for table in ("audit_entries", "audit_head"):
            conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        conn.execute(sa.text("UPDATE audit_head SET last_seq = 0, last_hash = :h"), {"h": "0" * 64})
        for table in ("audit_entries", "audit_head"):
            conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    engine.dispose()


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated, empty database URL, once per engine."""
    if request.param == "sqlite":
        path = tmp_path / "sentinelle.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_url")
    _reset_pg(url)
    return url


@pytest.fixture
def pg_only_url(pg_url: str) -> str:
    """The PostgreSQL test database, emptied: for tests about PostgreSQL itself."""
    _reset_pg(pg_url)
    return pg_url


# argon2id still, at its cheapest cost: the suite creates thousands of accounts and logs in
# hundreds of times, and the library's default cost (64 MiB, 3 passes) is CPU the real-time
# tests then lack. tests/access/ (where hashing and login are the subject) keeps the product's
# hasher.
_CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "access" not in request.node.path.relative_to(request.config.rootpath).parts[:2]:
        monkeypatch.setattr(passwords, "_HASHER", _CHEAP_HASHER)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=db_url)


@pytest.fixture
def rt(settings: Settings, clock: FakeClock) -> Iterator[Runtime]:
    settings.prepare()
    runtime = Runtime(
        settings=settings,
        db=Database.from_url(settings.resolved_database_url),
        clock=clock,
        site_secret=secrets.token_bytes(32),
    )
    yield runtime
    runtime.close()


_ENGINE_RUNS = {"postgresql": 0}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count the PostgreSQL tests that ran (with pytest-xdist, the controller sees every
    worker's reports here)."""
    if report.when == "call" and "[postgresql" in report.nodeid:
        _ENGINE_RUNS["postgresql"] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With SENTINELLE_REQUIRE_PG=1 (the full run of scripts/test), fail if no PostgreSQL test
    ran, so the PostgreSQL half of the suite can never disappear silently. An xdist worker
    sees only its share: the controller (or a run without xdist) decides."""
    if os.environ.get("SENTINELLE_REQUIRE_PG") != "1" or exitstatus != 0:
        return
    if hasattr(session.config, "workerinput"):
        return
    if _ENGINE_RUNS["postgresql"] == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print("\nno PostgreSQL test ran: failing (SENTINELLE_REQUIRE_PG=1)")  # noqa: T201
