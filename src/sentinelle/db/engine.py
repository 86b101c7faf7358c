"""Engine and sessions.

`Database.write()` opens a unit of work: one transaction, committed when the block ends, rolled
back on any exception, so a failed use case leaves no partial rows and no journal entry. On
SQLite it begins with `BEGIN IMMEDIATE`, taking the write lock up front, so two writers queue
instead of failing on lock upgrade; `Database.read()` begins a plain deferred transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from sentinelle.core.errors import ConfigurationError

_BEGIN_OPTION = "sentinelle_begin"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# A PostgreSQL server that vanishes (host down, network cut) must fail calls within about
# half a minute, not hang them: connection time-out, TCP keepalives and a send time-out.
PG_CONNECT_ARGS = {
    "connect_timeout": 10,
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 30_000,
}


def create_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`, tuned per dialect (WAL, foreign keys and busy timeout on SQLite)."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    if url.startswith("postgresql"):
        connect_args = PG_CONNECT_ARGS | kwargs.pop("connect_args", {})
        return sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)
    raise ConfigurationError("unsupported_database", f"unsupported database URL scheme: {url!r}")


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """The process's handle on the catalogue database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False, autoflush=True)

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(create_engine(url))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One unit of work: commits at the end of the block, rolls back on error."""
        session = self._sessions()
        try:
            session.connection(execution_options={_BEGIN_OPTION: "IMMEDIATE"})
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction, ended (rolled back) when the block ends. Objects loaded in
        it stay readable afterwards (detached, not expired)."""
        session = self._sessions()
        try:
            yield session
        finally:
            session.close()

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read-only transaction in which every statement sees the same committed state
        (REPEATABLE READ on PostgreSQL; a SQLite read transaction in WAL mode already does)."""
        with self.read() as session:
            if self.dialect == "postgresql":
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
