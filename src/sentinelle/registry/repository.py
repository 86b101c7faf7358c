"""Registry queries. Never commits."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sentinelle.access.models import CameraScope
from sentinelle.registry import errors
from sentinelle.registry.models import CameraStatus
from sentinelle.registry.tables import (
    AuthorisationRow,
    CameraGroupMemberRow,
    CameraGroupRow,
    CameraRow,
    ZoneRow,
)


def get_authorisation(s: Session, authorisation_id: int) -> AuthorisationRow:
    row = s.get(AuthorisationRow, authorisation_id)
    if row is None:
        raise errors.authorisation_not_found(authorisation_id)
    return row


def lock_authorisation(s: Session, authorisation_id: int) -> None:
    """Hold the authorisation's row until the transaction ends (serialises service entries)."""
    s.execute(
        sa.select(AuthorisationRow.id)
        .where(AuthorisationRow.id == authorisation_id)
        .with_for_update()
    )


def find_authorisation(s: Session, reference: str) -> AuthorisationRow | None:
    return s.execute(
        sa.select(AuthorisationRow).where(AuthorisationRow.reference == reference)
    ).scalar_one_or_none()


def list_authorisations(s: Session) -> list[AuthorisationRow]:
    return list(s.execute(sa.select(AuthorisationRow).order_by(AuthorisationRow.id)).scalars())


def get_zone(s: Session, zone_id: int) -> ZoneRow:
    row = s.get(ZoneRow, zone_id)
    if row is None:
        raise errors.zone_not_found(zone_id)
    return row


def find_zone(s: Session, authorisation_id: int, name: str) -> ZoneRow | None:
    return s.execute(
        sa.select(ZoneRow).where(ZoneRow.authorisation_id == authorisation_id, ZoneRow.name == name)
    ).scalar_one_or_none()


def list_zones(
    s: Session, authorisation_id: int | None = None, scope: CameraScope | None = None
) -> list[ZoneRow]:
    """Zones (of one authorisation); with a limited `scope`, only zones holding one of its
    cameras."""
    stmt = sa.select(ZoneRow).order_by(ZoneRow.id)
    if authorisation_id is not None:
        stmt = stmt.where(ZoneRow.authorisation_id == authorisation_id)
    if scope is not None and not scope.all_cameras:
        visible = sa.select(CameraRow.zone_id).where(_scope_clause(scope))
        stmt = stmt.where(ZoneRow.id.in_(visible))
    return list(s.execute(stmt).scalars())


def get_camera(s: Session, camera_id: int) -> CameraRow:
    row = s.get(CameraRow, camera_id)
    if row is None:
        raise errors.camera_not_found(camera_id)
    return row


def find_camera(s: Session, code: str) -> CameraRow | None:
    return s.execute(sa.select(CameraRow).where(CameraRow.code == code)).scalar_one_or_none()


def _scope_clause(scope: CameraScope) -> sa.ColumnElement[bool]:
    if scope.all_cameras:
        return sa.true()
    members = sa.select(CameraGroupMemberRow.camera_id).where(
        CameraGroupMemberRow.group_id.in_(sorted(scope.group_ids))
    )
    return CameraRow.id.in_(members)


def list_cameras(
    s: Session,
    scope: CameraScope,
    *,
    limit: int | None = None,
    offset: int = 0,
    status: CameraStatus | None = None,
) -> tuple[list[CameraRow], int]:
    where = [_scope_clause(scope)]
    if status is not None:
        where.append(CameraRow.status == str(status))
    total = s.execute(sa.select(sa.func.count()).select_from(CameraRow).where(*where)).scalar_one()
    stmt = sa.select(CameraRow).where(*where).order_by(CameraRow.code).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(s.execute(stmt).scalars()), int(total)


def cameras_of_authorisation(
    s: Session, authorisation_id: int, status: CameraStatus | None = None
) -> list[CameraRow]:
    stmt = (
        sa.select(CameraRow)
        .join(ZoneRow, CameraRow.zone_id == ZoneRow.id)
        .where(ZoneRow.authorisation_id == authorisation_id)
        .order_by(CameraRow.code)
    )
    if status is not None:
        stmt = stmt.where(CameraRow.status == str(status))
    return list(s.execute(stmt).scalars())


def get_group(s: Session, group_id: int) -> CameraGroupRow:
    row = s.get(CameraGroupRow, group_id)
    if row is None:
        raise errors.group_not_found(group_id)
    return row


def find_group(s: Session, name: str) -> CameraGroupRow | None:
    return s.execute(
        sa.select(CameraGroupRow).where(CameraGroupRow.name == name)
    ).scalar_one_or_none()


def list_groups(s: Session) -> list[CameraGroupRow]:
    return list(s.execute(sa.select(CameraGroupRow).order_by(CameraGroupRow.name)).scalars())
