"""Camera event queries. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sentinelle.ingest.events import DETAIL_MAX, EventKind, GapReason, SessionEvent
from sentinelle.ingest.tables import CameraEventRow
from sentinelle.storage.tables import SegmentRow


def add_events(s: Session, events: Sequence[SessionEvent]) -> None:
    """Insert events (one statement)."""
    if not events:
        return
    s.execute(
        sa.insert(CameraEventRow),
        [
            {
                "camera_id": e.camera_id,
                "kind": e.kind.value,
                "reason": e.reason.value if e.reason else None,
                "at": e.at,
                "detail": e.detail[:DETAIL_MAX],
            }
            for e in events
        ],
    )


CONNECTIVITY = (EventKind.CONNECTED, EventKind.DISCONNECTED, EventKind.STOPPED, EventKind.WITHDRAWN)


def last_connectivity(s: Session, camera_ids: Sequence[int]) -> dict[int, SessionEvent]:
    """Each camera's latest event that says whether it is being recorded (`CONNECTIVITY`)."""
    if not camera_ids:
        return {}
    latest = (
        sa.select(sa.func.max(CameraEventRow.id))
        .where(
            CameraEventRow.camera_id.in_(camera_ids),
            CameraEventRow.kind.in_([k.value for k in CONNECTIVITY]),
        )
        .group_by(CameraEventRow.camera_id)
    )
    rows = s.execute(sa.select(CameraEventRow).where(CameraEventRow.id.in_(latest))).scalars()
    return {row.camera_id: _event(row) for row in rows}


def events_between(
    s: Session, camera_id: int, start: datetime, end: datetime, limit: int = 1_000
) -> list[SessionEvent]:
    """A camera's events in [start, end), in time order."""
    stmt = (
        sa.select(CameraEventRow)
        .where(
            CameraEventRow.camera_id == camera_id,
            CameraEventRow.at >= start,
            CameraEventRow.at < end,
        )
        .order_by(CameraEventRow.at, CameraEventRow.id)
        .limit(limit)
    )
    return [_event(row) for row in s.execute(stmt).scalars()]


def _event(row: CameraEventRow) -> SessionEvent:
    reason = GapReason(row.reason) if row.reason else None
    return SessionEvent(row.camera_id, EventKind(row.kind), row.at, row.detail, reason)


def catalogued_paths(s: Session, paths: Sequence[str]) -> set[str]:
    """Those of `paths` that have a catalogue row (in any state)."""
    if not paths:
        return set()
    stmt = sa.select(SegmentRow.path).where(SegmentRow.path.in_(paths))
    return set(s.execute(stmt).scalars())
