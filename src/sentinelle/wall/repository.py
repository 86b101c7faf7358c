"""Queries on wall layouts (never commits)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sentinelle.access.tables import UserRow
from sentinelle.registry.tables import CameraGroupMemberRow, CameraRow
from sentinelle.wall import errors
from sentinelle.wall.tables import LayoutRow


def get_layout(s: Session, layout_id: int) -> LayoutRow:
    row = s.get(LayoutRow, layout_id)
    if row is None:
        raise errors.layout_not_found(layout_id)
    return row


def find_named(s: Session, owner_id: int, name: str) -> LayoutRow | None:
    stmt = sa.select(LayoutRow).where(LayoutRow.owner_id == owner_id, LayoutRow.name == name)
    return s.execute(stmt).scalar_one_or_none()


def readable_layouts(s: Session, user_id: int) -> list[tuple[LayoutRow, str]]:
    """The user's own layouts and everyone's shared ones, with their owner's username."""
    stmt = (
        sa.select(LayoutRow, UserRow.username)
        .join(UserRow, UserRow.id == LayoutRow.owner_id)
        .where(sa.or_(LayoutRow.owner_id == user_id, LayoutRow.shared.is_(True)))
        .order_by(LayoutRow.shared, LayoutRow.name, LayoutRow.id)
    )
    return [(row, username) for row, username in s.execute(stmt)]


def camera_groups(s: Session, camera_ids: set[int]) -> dict[int, frozenset[int]]:
    """The groups of each existing camera among `camera_ids`."""
    found = set(s.execute(sa.select(CameraRow.id).where(CameraRow.id.in_(camera_ids))).scalars())
    groups: dict[int, set[int]] = {c: set() for c in found}
    stmt = sa.select(CameraGroupMemberRow.camera_id, CameraGroupMemberRow.group_id).where(
        CameraGroupMemberRow.camera_id.in_(found)
    )
    for camera_id, group_id in s.execute(stmt):
        groups[camera_id].add(group_id)
    return {c: frozenset(g) for c, g in groups.items()}
