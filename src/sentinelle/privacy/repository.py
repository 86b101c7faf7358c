"""Queries on mask versions and latches (never commits), and their conversion to the
immutable types of `models`."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sentinelle.privacy import policy
from sentinelle.privacy.models import Latch, MaskMode, MaskVersion, Polygon
from sentinelle.privacy.tables import MaskLatchRow, MaskSetRow
from sentinelle.registry import repository as registry
from sentinelle.registry.tables import CameraRow


def lock_camera(s: Session, camera_id: int) -> CameraRow:
    """The camera, its row held until the transaction ends: serialises mask changes (a new
    version number, at most one open latch) per camera."""
    camera = registry.get_camera(s, camera_id)
    s.execute(sa.select(CameraRow.id).where(CameraRow.id == camera_id).with_for_update())
    return camera


def current_version(s: Session, camera_id: int) -> MaskVersion:
    """The highest version, or version 0 (no polygons, camera mode) if none was ever set."""
    stmt = _versions(camera_id).limit(1)
    row = s.execute(stmt).scalar_one_or_none()
    return never_configured(camera_id) if row is None else to_version(row)


def version_at(s: Session, camera_id: int, at: datetime) -> MaskVersion:
    """The version that governed the camera at instant `at` (version 0 before the first)."""
    stmt = _versions(camera_id).where(MaskSetRow.effective_from <= at).limit(1)
    row = s.execute(stmt).scalar_one_or_none()
    return never_configured(camera_id) if row is None else to_version(row)


def versions(s: Session, camera_id: int) -> list[MaskVersion]:
    """Every stored version, newest first."""
    return [to_version(r) for r in s.execute(_versions(camera_id)).scalars()]


def _versions(camera_id: int) -> sa.Select[MaskSetRow]:
    return (
        sa.select(MaskSetRow)
        .where(MaskSetRow.camera_id == camera_id)
        .order_by(MaskSetRow.version.desc())
    )


class CameraState(NamedTuple):
    """What a camera's masks are made of: its kind, highest version and newest open latch."""

    camera_id: int
    kind: str
    mask_set: MaskSetRow | None
    latch: MaskLatchRow | None


def states_of_cameras(s: Session, camera_ids: Collection[int]) -> list[CameraState]:
    """Each of these cameras (those that exist) with its highest version and its newest open
    latch (None where it has none), in one query: what `current_version` and `open_latch` give
    one camera at a time."""
    ids = set(camera_ids)
    newest = (
        sa.select(MaskSetRow.camera_id, sa.func.max(MaskSetRow.version).label("version"))
        .where(MaskSetRow.camera_id.in_(ids))
        .group_by(MaskSetRow.camera_id)
        .subquery()
    )
    open_latches = (
        sa.select(MaskLatchRow.camera_id, sa.func.max(MaskLatchRow.id).label("id"))
        .where(MaskLatchRow.camera_id.in_(ids), MaskLatchRow.confirmed_at.is_(None))
        .group_by(MaskLatchRow.camera_id)
        .subquery()
    )
    stmt = (
        sa.select(CameraRow.id, CameraRow.kind, MaskSetRow, MaskLatchRow)
        .where(CameraRow.id.in_(ids))
        .outerjoin(newest, newest.c.camera_id == CameraRow.id)
        .outerjoin(
            MaskSetRow,
            (MaskSetRow.camera_id == CameraRow.id) & (MaskSetRow.version == newest.c.version),
        )
        .outerjoin(open_latches, open_latches.c.camera_id == CameraRow.id)
        .outerjoin(MaskLatchRow, MaskLatchRow.id == open_latches.c.id)
        .order_by(CameraRow.id)
    )
    return [CameraState(*row) for row in s.execute(stmt)]


def open_latch(s: Session, camera_id: int) -> MaskLatchRow | None:
    stmt = sa.select(MaskLatchRow).where(
        MaskLatchRow.camera_id == camera_id, MaskLatchRow.confirmed_at.is_(None)
    )
    return s.execute(stmt.order_by(MaskLatchRow.id.desc()).limit(1)).scalar_one_or_none()


def latches(s: Session, camera_id: int) -> list[Latch]:
    """Every latch of the camera, newest first."""
    stmt = (
        sa.select(MaskLatchRow)
        .where(MaskLatchRow.camera_id == camera_id)
        .order_by(MaskLatchRow.id.desc())
    )
    return [to_latch(r) for r in s.execute(stmt).scalars()]


def never_configured(camera_id: int) -> MaskVersion:
    return MaskVersion(camera_id, 0, (), MaskMode.CAMERA, "", None, "", None, policy.digest(()))


def to_version(row: MaskSetRow) -> MaskVersion:
    return MaskVersion(
        camera_id=row.camera_id,
        version=row.version,
        polygons=tuple(Polygon.from_json(p) for p in row.polygons),
        mode=MaskMode(row.mode),
        created_by=row.created_by,
        created_at=row.created_at,
        reason=row.reason,
        effective_from=row.effective_from,
        digest=row.digest,
    )


def to_latch(row: MaskLatchRow) -> Latch:
    return Latch(
        id=row.id,
        camera_id=row.camera_id,
        forced_at=row.forced_at,
        forced_by=row.forced_by,
        reason=row.reason,
        confirmed_at=row.confirmed_at,
        confirmed_by=row.confirmed_by,
        confirm_reason=row.confirm_reason,
    )
