"""Storage queries. Never commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sentinelle.registry.tables import AuthorisationRow, CameraRow, ZoneRow
from sentinelle.storage import errors
from sentinelle.storage.models import GENESIS, RetentionTerms, SegmentState, Span
from sentinelle.storage.tables import (
    CameraChainRow,
    DestructionRow,
    HoldItemRow,
    LegalHoldRow,
    ReadHoldRow,
    SegmentRow,
)


def lock_chain(s: Session, camera_id: int) -> tuple[int, str]:
    """Lock the camera's chain head for this transaction; create it at genesis if new."""
    row = s.get(CameraChainRow, camera_id, with_for_update=True)
    if row is None:
        s.add(CameraChainRow(camera_id=camera_id, last_seq=0, last_hash=GENESIS))
        s.flush()
        return 0, GENESIS
    return row.last_seq, row.last_hash


def move_chain(s: Session, camera_id: int, seq: int, digest: str) -> None:
    s.execute(
        sa.update(CameraChainRow)
        .where(CameraChainRow.camera_id == camera_id)
        .values(last_seq=seq, last_hash=digest)
    )


def segments_between(
    s: Session, camera_id: int, start: datetime, end: datetime, limit: int = 10_000
) -> list[SegmentRow]:
    """Active segments of a camera overlapping [start, end), in time order.

    A camera's segments never overlap (S5), so none that overlaps `start` begins before the
    last one starting at or before it: bounding `start_at` below lets the (camera, start)
    index serve the query instead of scanning the camera's whole history.
    """
    last_before = (
        sa.select(sa.func.max(SegmentRow.start_at))
        .where(SegmentRow.camera_id == camera_id, SegmentRow.start_at <= start)
        .scalar_subquery()
    )
    stmt = (
        sa.select(SegmentRow)
        .where(
            SegmentRow.camera_id == camera_id,
            SegmentRow.state == SegmentState.ACTIVE,
            SegmentRow.start_at >= sa.func.coalesce(last_before, start),
            SegmentRow.start_at < end,
            SegmentRow.end_at > start,
        )
        .order_by(SegmentRow.start_at)
        .limit(limit)
    )
    return list(s.execute(stmt).scalars())


def latest_segment(s: Session, camera_id: int) -> SegmentRow | None:
    stmt = (
        sa.select(SegmentRow)
        .where(SegmentRow.camera_id == camera_id, SegmentRow.state == SegmentState.ACTIVE)
        .order_by(SegmentRow.start_at.desc())
        .limit(1)
    )
    return s.execute(stmt).scalar_one_or_none()


@dataclass(frozen=True, slots=True)
class CameraRetention:
    camera_id: int
    code: str
    terms: RetentionTerms


def retention_of_cameras(s: Session) -> list[CameraRetention]:
    stmt = (
        sa.select(
            CameraRow.id,
            CameraRow.code,
            CameraRow.retention_days,
            AuthorisationRow.retention_min_days,
            AuthorisationRow.retention_max_days,
        )
        .join(ZoneRow, CameraRow.zone_id == ZoneRow.id)
        .join(AuthorisationRow, ZoneRow.authorisation_id == AuthorisationRow.id)
        .order_by(CameraRow.id)
    )
    return [CameraRetention(r[0], r[1], RetentionTerms(r[2], r[3], r[4])) for r in s.execute(stmt)]


def hold_spans(
    s: Session, camera_id: int | None = None
) -> tuple[dict[int, list[Span]], dict[int, list[Span]]]:
    """(active, released) hold ranges per camera (of one camera when given)."""
    stmt = sa.select(
        HoldItemRow.camera_id, HoldItemRow.start_at, HoldItemRow.end_at, LegalHoldRow.released_at
    ).join(LegalHoldRow, HoldItemRow.hold_id == LegalHoldRow.id)
    if camera_id is not None:
        stmt = stmt.where(HoldItemRow.camera_id == camera_id)
    active: dict[int, list[Span]] = defaultdict(list)
    released: dict[int, list[Span]] = defaultdict(list)
    for camera, start, end, released_at in s.execute(stmt):
        (active if released_at is None else released)[camera].append(Span(start, end))
    reads = sa.select(ReadHoldRow.camera_id, ReadHoldRow.start_at, ReadHoldRow.end_at)
    if camera_id is not None:
        reads = reads.where(ReadHoldRow.camera_id == camera_id)
    for camera, start, end in s.execute(reads):
        active[camera].append(Span(start, end))
    return active, released


def place_read_hold(s: Session, owner: str, spans: Mapping[int, Span], now: datetime) -> None:
    """Hold footage a job is about to read (E7). Locks the cameras' chains first, so a
    sweeper deciding on them either finished before (its segments are no longer active) or
    sees the hold."""
    lock_chains(s, sorted(spans))
    s.add_all(
        ReadHoldRow(owner=owner, camera_id=cam, start_at=sp.start, end_at=sp.end, placed_at=now)
        for cam, sp in spans.items()
    )


def release_read_holds(s: Session, owner: str) -> None:
    s.execute(sa.delete(ReadHoldRow).where(ReadHoldRow.owner == owner))


class Candidate(NamedTuple):
    """What a sweeper needs of a segment to decide, register and destroy it."""

    id: int
    camera_id: int
    chain_seq: int
    start_at: datetime
    end_at: datetime
    bytes: int
    path: str
    chain_hash: str


_CANDIDATE_COLUMNS = (
    SegmentRow.id,
    SegmentRow.camera_id,
    SegmentRow.chain_seq,
    SegmentRow.start_at,
    SegmentRow.end_at,
    SegmentRow.bytes,
    SegmentRow.path,
    SegmentRow.chain_hash,
)
# A run of one camera's chain: (camera_id, first_seq, last_seq), both ends included.
ChainRange = tuple[int, int, int]
_SEGMENTS = cast(sa.Table, SegmentRow.__table__)  # Core: plain executemany, no ORM sync
_IN_RANGE = sa.and_(
    _SEGMENTS.c.camera_id == sa.bindparam("camera"),
    _SEGMENTS.c.chain_seq.between(sa.bindparam("first"), sa.bindparam("last")),
)


def window_end(s: Session, after: datetime | None, ended_before: datetime, size: int) -> datetime:
    """The end of a window (`after`, end] holding about `size` segments of all cameras that
    ended before the cut-off (read from the `end_at` index alone); the cut-off when fewer do."""
    stmt = sa.select(SegmentRow.end_at).where(SegmentRow.end_at <= ended_before)
    if after is not None:
        stmt = stmt.where(SegmentRow.end_at > after)
    stmt = stmt.order_by(SegmentRow.end_at).offset(size - 1).limit(1)
    return s.execute(stmt).scalar_one_or_none() or ended_before


def lock_chains(s: Session, camera_ids: Sequence[int]) -> None:
    """Lock these cameras' chain heads for this transaction, in camera order (as holds being
    placed lock theirs), so that segments, holds and sweeps of a camera wait for each other."""
    stmt = (
        sa.select(CameraChainRow.camera_id)
        .where(CameraChainRow.camera_id.in_(camera_ids))
        .order_by(CameraChainRow.camera_id)
        .with_for_update()
    )
    s.execute(stmt).all()


def candidates(
    s: Session, camera_ids: Sequence[int], after: datetime | None, upto: datetime
) -> list[Candidate]:
    """Active segments of these cameras whose end is in (`after`, `upto`], oldest end first.
    Read after `lock_chains`: the chain locks keep them from changing under the caller.

    `start_at < upto` (implied, S5) lets the (camera, start) index serve the query too. The
    state is tested here rather than in SQL: without statistics, SQLite would walk the `state`
    index, in which nearly every segment is `active`."""
    stmt = sa.select(*_CANDIDATE_COLUMNS, SegmentRow.state).where(
        SegmentRow.camera_id.in_(camera_ids),
        SegmentRow.end_at <= upto,
        SegmentRow.start_at < upto,
    )
    if after is not None:
        stmt = stmt.where(SegmentRow.end_at > after)
    rows = s.execute(stmt.order_by(SegmentRow.end_at, SegmentRow.id))
    return [Candidate(*row[:-1]) for row in rows if row[-1] == SegmentState.ACTIVE]


def mark_deleting(s: Session, ranges: Sequence[ChainRange]) -> None:
    """Phase 1 of a destruction (S10): these runs of segments are never served again."""
    stmt = sa.update(_SEGMENTS).where(_IN_RANGE).values(state=SegmentState.DELETING)
    s.execute(stmt, _range_params(ranges))


def remove_runs(s: Session, ranges: Sequence[ChainRange]) -> None:
    """Phase 3 of a destruction (S10): remove the rows of these runs, all marked `deleting` by
    `mark_deleting` (a chain position is never reused). Not filtered on the state: planners
    would take the `state` index, whose statistics do not know the transient `deleting`."""
    s.execute(sa.delete(_SEGMENTS).where(_IN_RANGE), _range_params(ranges))


def _range_params(ranges: Sequence[ChainRange]) -> list[dict[str, int]]:
    return [{"camera": c, "first": first, "last": last} for c, first, last in ranges]


def deleting_segments(s: Session, limit: int = 10_000) -> list[tuple[int, str]]:
    """Segments whose destruction was begun and not finished (normally none)."""
    deleting = SegmentRow.state == SegmentState.DELETING
    if s.get_bind().dialect.name == "sqlite":
        # SQLite's statistics say nothing of values: not told it is rare, it scans the table.
        deleting = sa.func.unlikely(deleting, type_=sa.Boolean)
    stmt = sa.select(SegmentRow.id, SegmentRow.path).where(deleting).limit(limit)
    return [(r[0], r[1]) for r in s.execute(stmt)]


def remove_segments(s: Session, ids: Sequence[int]) -> None:
    s.execute(sa.delete(SegmentRow).where(SegmentRow.id.in_(ids)))


def complete_lines(s: Session, line_ids: Sequence[int]) -> None:
    """Mark these register lines complete: their segments' rows are removed (phase 3 done)."""
    s.execute(
        sa.update(DestructionRow)
        .where(DestructionRow.id.in_(line_ids))
        .values(completed=True)
        .execution_options(synchronize_session=False)
    )


def complete_destructions(s: Session) -> None:
    """Mark register lines complete once none of their segments remain (after a crash)."""
    pending = s.execute(
        sa.select(DestructionRow).where(DestructionRow.completed.is_(False))
    ).scalars()
    for row in pending:
        left = s.execute(
            sa.select(sa.func.count())
            .select_from(SegmentRow)
            .where(
                SegmentRow.camera_id == row.camera_id,
                SegmentRow.chain_seq.between(row.first_seq, row.last_seq),
                SegmentRow.state == SegmentState.DELETING,
            )
        ).scalar_one()
        if left == 0:
            row.completed = True


def register_between(
    s: Session, since: datetime | None, until: datetime | None
) -> list[DestructionRow]:
    stmt = sa.select(DestructionRow).order_by(DestructionRow.destroyed_at, DestructionRow.id)
    if since is not None:
        stmt = stmt.where(DestructionRow.destroyed_at >= since)
    if until is not None:
        stmt = stmt.where(DestructionRow.destroyed_at < until)
    return list(s.execute(stmt).scalars())


def get_hold(s: Session, hold_id: int) -> LegalHoldRow:
    row = s.get(LegalHoldRow, hold_id)
    if row is None:
        raise errors.hold_not_found(hold_id)
    return row


def list_holds(s: Session, *, active_only: bool) -> list[LegalHoldRow]:
    stmt = sa.select(LegalHoldRow).order_by(LegalHoldRow.placed_at.desc())
    if active_only:
        stmt = stmt.where(LegalHoldRow.released_at.is_(None))
    return list(s.execute(stmt).scalars())


def link_before(s: Session, camera_id: int, seq: int) -> str:
    """The chain hash preceding link `seq` of a camera: genesis, a catalogued segment's, or
    the last hash of the register line that destroyed it ("" when unknown)."""
    if seq <= 1:
        return GENESIS
    found = s.execute(
        sa.select(SegmentRow.chain_hash).where(
            SegmentRow.camera_id == camera_id, SegmentRow.chain_seq == seq - 1
        )
    ).scalar_one_or_none()
    if found is None:
        found = s.execute(
            sa.select(DestructionRow.last_hash)
            .where(DestructionRow.camera_id == camera_id, DestructionRow.last_seq == seq - 1)
            .limit(1)
        ).scalar_one_or_none()
    return found or ""


def register_page(
    s: Session,
    *,
    camera_id: int | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[DestructionRow], int]:
    """Register lines destroyed in [since, until) (of one camera when given), newest first,
    and how many match."""
    where: list[sa.ColumnElement[bool]] = []
    if camera_id is not None:
        where.append(DestructionRow.camera_id == camera_id)
    if since is not None:
        where.append(DestructionRow.destroyed_at >= since)
    if until is not None:
        where.append(DestructionRow.destroyed_at < until)
    count = sa.select(sa.func.count()).select_from(DestructionRow).where(*where)
    stmt = (
        sa.select(DestructionRow)
        .where(*where)
        .order_by(DestructionRow.destroyed_at.desc(), DestructionRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(s.execute(stmt).scalars()), int(s.execute(count).scalar_one())
