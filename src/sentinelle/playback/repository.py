"""Playback queries: the columns timelines, playlists and snapshots need, nothing more (a
30-day timeline reads 43,200 segments of one camera), run through Core where many rows come
back. Never commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sentinelle.ingest.events import EventKind
from sentinelle.ingest.tables import CameraEventRow
from sentinelle.playback.models import CameraFacts, SegmentFacts
from sentinelle.registry.tables import AuthorisationRow, CameraGroupMemberRow, CameraRow, ZoneRow
from sentinelle.storage.models import SegmentState
from sentinelle.storage.tables import DestructionRow, SegmentRow

# Events that open or close a gap (see `timeline`).
STATE_KINDS = (
    EventKind.CONNECTED,
    EventKind.DISCONNECTED,
    EventKind.STOPPED,
    EventKind.WITHDRAWN,
)


def _overlapping(camera_id: int, start: datetime, end: datetime) -> list[sa.ColumnElement[bool]]:
    """Active segments of one camera overlapping [start, end). A camera's segments never
    overlap (S5), so bounding `start_at` below by the last start at or before `start` lets the
    (camera, start) index serve the query (as `storage.repository.segments_between`)."""
    last_before = (
        sa.select(sa.func.max(SegmentRow.start_at))
        .where(SegmentRow.camera_id == camera_id, SegmentRow.start_at <= start)
        .scalar_subquery()
    )
    return [
        SegmentRow.camera_id == camera_id,
        SegmentRow.start_at >= sa.func.coalesce(last_before, start),
        SegmentRow.start_at < end,
        SegmentRow.end_at > start,
    ]


def segment_facts(s: Session, camera_id: int, start: datetime, end: datetime) -> list[SegmentFacts]:
    """The active segments of a camera overlapping [start, end), in time order."""
    stmt = (
        sa.select(
            SegmentRow.id,
            SegmentRow.start_at,
            SegmentRow.end_at,
            SegmentRow.bytes,
            SegmentRow.codec,
            SegmentRow.width,
            SegmentRow.height,
            SegmentRow.fps,
            SegmentRow.state,
        )
        .where(*_overlapping(camera_id, start, end))
        .order_by(SegmentRow.start_at)
    )
    rows = s.connection().execute(stmt).all()  # Core, fetched at once: 43,200 rows
    return [SegmentFacts(*row[:-1]) for row in rows if row[-1] == SegmentState.ACTIVE]


def segment_spans(
    s: Session, camera_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, list[tuple[datetime, datetime]]]:
    """(start, end) of the active segments of each camera overlapping [start, end)."""
    spans: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for camera_id in camera_ids:
        stmt = (
            sa.select(SegmentRow.start_at, SegmentRow.end_at, SegmentRow.state)
            .where(*_overlapping(camera_id, start, end))
            .order_by(SegmentRow.start_at)
        )
        rows = s.connection().execute(stmt).all()
        spans[camera_id] = [(r[0], r[1]) for r in rows if r[2] == SegmentState.ACTIVE]
    return spans


class PlayableSegment(NamedTuple):
    """What a playlist needs of a segment."""

    id: int
    start: datetime
    end: datetime
    path: str
    bytes: int


def playable_segments(
    s: Session, camera_id: int, start: datetime, end: datetime
) -> list[PlayableSegment]:
    stmt = (
        sa.select(
            SegmentRow.id,
            SegmentRow.start_at,
            SegmentRow.end_at,
            SegmentRow.path,
            SegmentRow.bytes,
            SegmentRow.state,
        )
        .where(*_overlapping(camera_id, start, end))
        .order_by(SegmentRow.start_at)
    )
    rows = s.connection().execute(stmt).all()
    return [PlayableSegment(*r[:-1]) for r in rows if r[-1] == SegmentState.ACTIVE]


class StoredSegment(NamedTuple):
    """A segment asked for by id, in any state."""

    id: int
    camera_id: int
    start: datetime
    end: datetime
    path: str
    bytes: int
    state: str
    keyframes_ms: list[int]


_STORED = (
    SegmentRow.id,
    SegmentRow.camera_id,
    SegmentRow.start_at,
    SegmentRow.end_at,
    SegmentRow.path,
    SegmentRow.bytes,
    SegmentRow.state,
    SegmentRow.keyframes_ms,
)


def stored_segment(s: Session, segment_id: int) -> StoredSegment | None:
    row = s.execute(sa.select(*_STORED).where(SegmentRow.id == segment_id)).one_or_none()
    return None if row is None else StoredSegment(*row)


def segment_at(s: Session, camera_id: int, at: datetime) -> StoredSegment | None:
    """The active segment of a camera whose span [start, end) holds `at`."""
    stmt = (
        sa.select(*_STORED)
        .where(SegmentRow.camera_id == camera_id, SegmentRow.start_at <= at)
        .order_by(SegmentRow.start_at.desc())
        .limit(1)
    )
    row = s.execute(stmt).one_or_none()
    if row is None:
        return None
    found = StoredSegment(*row)
    return found if found.end > at and found.state == SegmentState.ACTIVE else None


def purged_spans(
    s: Session, camera_id: int, start: datetime, end: datetime
) -> list[tuple[datetime, datetime, str]]:
    """(start, end, reason) of the register lines of a camera overlapping [start, end)."""
    stmt = (
        sa.select(DestructionRow.start_at, DestructionRow.end_at, DestructionRow.reason)
        .where(
            DestructionRow.camera_id == camera_id,
            DestructionRow.start_at < end,
            DestructionRow.end_at > start,
        )
        .order_by(DestructionRow.start_at)
    )
    return [(r[0], r[1], r[2]) for r in s.execute(stmt)]


class StateEvent(NamedTuple):
    at: datetime
    kind: EventKind
    reason: str | None


def state_events(s: Session, camera_id: int, start: datetime, end: datetime) -> list[StateEvent]:
    """The camera's events that open or close gaps in [start, end), preceded by those that
    set the state the period begins in: the last other event before `start`, and the first
    `disconnected` after it (a long outage repeats `disconnected` at every attempt)."""
    columns = (CameraEventRow.at, CameraEventRow.kind, CameraEventRow.reason)
    mine = CameraEventRow.camera_id == camera_id
    disconnected = str(EventKind.DISCONNECTED)
    others = [str(k) for k in STATE_KINDS if k is not EventKind.DISCONNECTED]
    last = s.execute(
        sa.select(*columns)
        .where(mine, CameraEventRow.kind.in_(others), CameraEventRow.at < start)
        .order_by(CameraEventRow.at.desc(), CameraEventRow.id.desc())
        .limit(1)
    ).one_or_none()
    opening = sa.select(*columns).where(
        mine, CameraEventRow.kind == disconnected, CameraEventRow.at < start
    )
    if last is not None:
        opening = opening.where(CameraEventRow.at >= last[0])
    first = s.execute(opening.order_by(CameraEventRow.at, CameraEventRow.id).limit(1)).one_or_none()
    within = (
        sa.select(*columns)
        .where(
            mine,
            CameraEventRow.kind.in_([str(k) for k in STATE_KINDS]),
            CameraEventRow.at >= start,
            CameraEventRow.at < end,
        )
        .order_by(CameraEventRow.at, CameraEventRow.id)
    )
    rows = [r for r in (last, first) if r is not None] + list(s.execute(within))
    return [StateEvent(r[0], EventKind(r[1]), r[2]) for r in rows]


@dataclass(frozen=True, slots=True)
class ServiceFacts:
    """What says whether a camera was to be recorded: its registry history as far as the
    registry keeps it, and its authorisation's validity."""

    created_at: datetime
    status: str
    status_changed_at: datetime
    issued_on: date
    expires_on: date


def service_facts(s: Session, camera_id: int) -> ServiceFacts | None:
    stmt = (
        sa.select(
            CameraRow.created_at,
            CameraRow.status,
            CameraRow.status_changed_at,
            AuthorisationRow.issued_on,
            AuthorisationRow.expires_on,
        )
        .join(ZoneRow, CameraRow.zone_id == ZoneRow.id)
        .join(AuthorisationRow, ZoneRow.authorisation_id == AuthorisationRow.id)
        .where(CameraRow.id == camera_id)
    )
    row = s.execute(stmt).one_or_none()
    return None if row is None else ServiceFacts(*row)


def camera_facts(
    s: Session, camera_ids: Sequence[int]
) -> dict[int, tuple[CameraFacts, frozenset[int]]]:
    """Facts and group ids of those of `camera_ids` that exist."""
    stmt = sa.select(
        CameraRow.id,
        CameraRow.code,
        CameraRow.name,
        CameraRow.address,
        CameraRow.latitude,
        CameraRow.longitude,
    ).where(CameraRow.id.in_(camera_ids))
    facts = {r[0]: CameraFacts(*r) for r in s.execute(stmt)}
    groups: dict[int, set[int]] = defaultdict(set)
    members = sa.select(CameraGroupMemberRow.camera_id, CameraGroupMemberRow.group_id).where(
        CameraGroupMemberRow.camera_id.in_(camera_ids)
    )
    for camera_id, group_id in s.execute(members):
        groups[camera_id].add(group_id)
    return {i: (f, frozenset(groups[i])) for i, f in facts.items()}


def camera_id_of(s: Session, code: str) -> int | None:
    stmt: sa.Select[Any] = sa.select(CameraRow.id).where(CameraRow.code == code)
    return s.execute(stmt).scalar_one_or_none()
