"""Journal queries. Never commits: the caller's unit of work does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sentinelle.audit.chain import ROW_FIELDS, RawRow
from sentinelle.audit.models import GENESIS_HASH, Entry
from sentinelle.audit.tables import AuditEntryRow, AuditHeadRow
from sentinelle.core.clock import from_micros, to_micros

HEAD_ID = 1
_COLUMNS = [getattr(AuditEntryRow, name) for name in ROW_FIELDS]


@dataclass(frozen=True, slots=True)
class EntryFilter:
    """Filters for listing and exporting: half-open period [since, until), actor, camera, action."""

    since: datetime | None = None
    until: datetime | None = None
    actor_name: str | None = None
    camera_id: int | None = None
    action: str | None = None


_ENTRIES = cast(sa.Table, AuditEntryRow.__table__)
_HEAD = cast(sa.Table, AuditHeadRow.__table__)
# Statements are built once: appends are on the hot path of every journalled action, and
# building statements (not running them) dominated their cost.
_LOCK_HEAD = (
    sa.select(_HEAD.c.last_seq, _HEAD.c.last_hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
)
_READ_HEAD = sa.select(_HEAD.c.last_seq, _HEAD.c.last_hash).where(_HEAD.c.id == HEAD_ID)
_INSERT_ENTRY = sa.insert(_ENTRIES)
_MOVE_HEAD = (
    sa.update(_HEAD)
    .where(_HEAD.c.id == HEAD_ID)
    .values(last_seq=sa.bindparam("new_seq"), last_hash=sa.bindparam("new_hash"))
)
# PostgreSQL: insert the entry and move the head in one round trip (a data-modifying CTE).
_INSERTED = (
    sa.insert(_ENTRIES)
    .values({name: sa.bindparam(f"p_{name}") for name in ROW_FIELDS})
    .returning(_ENTRIES.c.seq, _ENTRIES.c.hash)
    .cte("inserted")
)
_INSERT_AND_MOVE = (
    sa.update(_HEAD)
    .where(_HEAD.c.id == HEAD_ID)
    .values(
        last_seq=sa.select(_INSERTED.c.seq).scalar_subquery(),
        last_hash=sa.select(_INSERTED.c.hash).scalar_subquery(),
    )
)
_HEAD_CACHE = "audit_head"


def lock_head(session: Session) -> tuple[int, str]:
    """Lock the chain head for this transaction and return (last_seq, last_hash).

    The first call in a transaction locks and reads the head row; later calls in the same
    transaction (which holds the lock) reuse what `append` left in the session.
    """
    transaction = _innermost_transaction(session)
    cached = session.info.get(_HEAD_CACHE)
    if cached is not None and cached[0] is transaction:
        return cached[1], cached[2]
    row = session.connection().execute(_LOCK_HEAD).one_or_none()
    if row is None:
        session.connection().execute(
            sa.insert(_HEAD).values(id=HEAD_ID, last_seq=0, last_hash=GENESIS_HASH)
        )
        return 0, GENESIS_HASH
    return int(row[0]), str(row[1])


def read_head(session: Session) -> tuple[int, str]:
    row = session.connection().execute(_READ_HEAD).one_or_none()
    return (0, GENESIS_HASH) if row is None else (int(row[0]), str(row[1]))


def append(session: Session, row: RawRow) -> None:
    """Insert one complete raw row and move the head to it (the head must be locked)."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(_INSERT_AND_MOVE, {f"p_{k}": v for k, v in zip(ROW_FIELDS, row, strict=True)})
    else:
        conn.execute(_INSERT_ENTRY, dict(zip(ROW_FIELDS, row, strict=True)))
        conn.execute(_MOVE_HEAD, {"new_seq": row[0], "new_hash": row[12]})
    session.info[_HEAD_CACHE] = (_innermost_transaction(session), row[0], row[12])


def _innermost_transaction(session: Session) -> object:
    """The savepoint if one is open, else the transaction: a cached head is only trusted in
    the very (sub)transaction that wrote it, so a rolled-back savepoint cannot leave it stale."""
    return session.get_nested_transaction() or session.get_transaction()


_SELECT_SQL = f"SELECT {', '.join(ROW_FIELDS)} FROM audit_entries"  # noqa: S608


def iter_raw(
    session: Session, first: int | None = None, last: int | None = None, batch: int = 20_000
) -> Iterator[list[RawRow]]:
    """Entries in sequence order (optionally only `first`..`last`), raw tuples, in batches.

    Reads through the driver's own cursor (a server-side cursor on PostgreSQL): verifying a
    million entries spends its time hashing, not building result objects.
    """
    sql = _SELECT_SQL
    if first is not None and last is not None:
        sql += f" WHERE seq BETWEEN {int(first)} AND {int(last)}"
    sql += " ORDER BY seq"
    dbapi = session.connection().connection.dbapi_connection
    assert dbapi is not None  # noqa: S101 - the session holds a live connection
    named = session.get_bind().dialect.name == "postgresql"
    cursor = dbapi.cursor(name="audit_chain") if named else dbapi.cursor()
    try:
        if named:
            cursor.itersize = batch  # type: ignore[attr-defined]
        cursor.execute(sql)
        while rows := cursor.fetchmany(batch):
            yield list(rows)
    finally:
        cursor.close()


def hash_of(session: Session, seq: int) -> str | None:
    return session.execute(
        sa.select(_ENTRIES.c.hash).where(_ENTRIES.c.seq == seq)
    ).scalar_one_or_none()


def seq_stats(session: Session) -> tuple[int, int | None, int | None]:
    """(count, min seq, max seq) of the journal."""
    row = session.execute(
        sa.select(sa.func.count(), sa.func.min(_ENTRIES.c.seq), sa.func.max(_ENTRIES.c.seq))
    ).one()
    return int(row[0]), row[1], row[2]


def _where(flt: EntryFilter) -> list[sa.ColumnElement[bool]]:
    clauses: list[sa.ColumnElement[bool]] = []
    if flt.since is not None:
        clauses.append(AuditEntryRow.at_us >= to_micros(flt.since))
    if flt.until is not None:
        clauses.append(AuditEntryRow.at_us < to_micros(flt.until))
    if flt.actor_name:
        clauses.append(AuditEntryRow.actor_name == flt.actor_name)
    if flt.camera_id is not None:
        clauses.append(AuditEntryRow.camera_id == flt.camera_id)
    if flt.action:
        clauses.append(AuditEntryRow.action == flt.action)
    return clauses


def count(session: Session, flt: EntryFilter) -> int:
    stmt = sa.select(sa.func.count()).select_from(AuditEntryRow).where(*_where(flt))
    return int(session.execute(stmt).scalar_one())


def list_entries(
    session: Session, flt: EntryFilter, *, limit: int | None, offset: int = 0, newest_first: bool
) -> list[Entry]:
    order = AuditEntryRow.seq.desc() if newest_first else AuditEntryRow.seq.asc()
    stmt = sa.select(*_COLUMNS).where(*_where(flt)).order_by(order).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [to_entry(tuple(r)) for r in session.execute(stmt)]


def to_entry(row: RawRow) -> Entry:
    values = dict(zip(ROW_FIELDS, row, strict=True))
    at_us = values.pop("at_us")
    assert isinstance(at_us, int)  # noqa: S101 - column type guarantees it
    return Entry(at=from_micros(at_us), **values)  # type: ignore[arg-type]
