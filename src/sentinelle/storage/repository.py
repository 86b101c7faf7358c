"""Storage queries. Never commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

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
    return active, released


def candidates(
    s: Session, camera_id: int, ended_before: datetime, after_seq: int, limit: int
) -> list[SegmentRow]:
    """Active segments of a camera that ended before a cut-off, in chain order after
    `after_seq` (so a held segment is looked at once per sweep)."""
    stmt = (
        sa.select(SegmentRow)
        .where(
            SegmentRow.camera_id == camera_id,
            SegmentRow.state == SegmentState.ACTIVE,
            SegmentRow.end_at <= ended_before,
            SegmentRow.chain_seq > after_seq,
        )
        .order_by(SegmentRow.chain_seq)
        .limit(limit)
        .with_for_update()
    )
    return list(s.execute(stmt).scalars())


def oldest_candidates(s: Session, ended_before: datetime, limit: int) -> list[SegmentRow]:
    """Active segments of all cameras that ended before a cut-off, oldest end first."""
    stmt = (
        sa.select(SegmentRow)
        .where(SegmentRow.state == SegmentState.ACTIVE, SegmentRow.end_at <= ended_before)
        .order_by(SegmentRow.end_at)
        .limit(limit)
    )
    return list(s.execute(stmt).scalars())


def mark_deleting(s: Session, ids: Sequence[int]) -> None:
    s.execute(
        sa.update(SegmentRow).where(SegmentRow.id.in_(ids)).values(state=SegmentState.DELETING)
    )


def deleting_segments(s: Session, limit: int = 10_000) -> list[tuple[int, str]]:
    stmt = (
        sa.select(SegmentRow.id, SegmentRow.path)
        .where(SegmentRow.state == SegmentState.DELETING)
        .limit(limit)
    )
    return [(r[0], r[1]) for r in s.execute(stmt)]


def remove_segments(s: Session, ids: Sequence[int]) -> None:
    s.execute(sa.delete(SegmentRow).where(SegmentRow.id.in_(ids)))


def complete_destructions(s: Session) -> None:
    """Mark register lines complete once none of their segments remain (phase 3 done)."""
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
