"""Journal queries. Never commits: the caller's unit of work does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

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


def lock_head(session: Session) -> tuple[int, str]:
    """Lock the chain head for this transaction and return (last_seq, last_hash)."""
    stmt = sa.select(AuditHeadRow.last_seq, AuditHeadRow.last_hash).where(
        AuditHeadRow.id == HEAD_ID
    )
    row = session.execute(stmt.with_for_update()).one_or_none()
    if row is None:
        session.execute(
            sa.insert(AuditHeadRow).values(id=HEAD_ID, last_seq=0, last_hash=GENESIS_HASH)
        )
        return 0, GENESIS_HASH
    return int(row.last_seq), str(row.last_hash)


def read_head(session: Session) -> tuple[int, str]:
    row = session.execute(
        sa.select(AuditHeadRow.last_seq, AuditHeadRow.last_hash).where(AuditHeadRow.id == HEAD_ID)
    ).one_or_none()
    return (0, GENESIS_HASH) if row is None else (int(row.last_seq), str(row.last_hash))


def append(session: Session, row: RawRow) -> None:
    """Insert one complete raw row and move the head to it."""
    session.execute(sa.insert(AuditEntryRow).values(dict(zip(ROW_FIELDS, row, strict=True))))
    session.execute(
        sa.update(AuditHeadRow)
        .where(AuditHeadRow.id == HEAD_ID)
        .values(last_seq=row[0], last_hash=row[12])
    )


def iter_raw(session: Session, batch: int = 20_000) -> Iterator[list[RawRow]]:
    """Every entry in sequence order, as raw tuples, in batches (server-side cursor on PG)."""
    result = session.execute(
        sa.select(*_COLUMNS).order_by(AuditEntryRow.seq).execution_options(yield_per=batch)
    )
    for part in result.partitions(batch):
        yield [tuple(r) for r in part]


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
