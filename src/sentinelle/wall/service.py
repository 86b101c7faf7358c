"""Wall layout use cases. Each owns its transaction and writes its journal entry in it.

A layout names only cameras its owner may watch live; a reader sees of any layout only the
cameras of their own live scope (others read as empty tiles)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sentinelle.access import errors as access_errors
from sentinelle.access.models import Permission, Principal
from sentinelle.audit.models import Actor, AuditAction, EntryDraft
from sentinelle.audit.service import record
from sentinelle.registry import errors as registry_errors
from sentinelle.runtime import Runtime
from sentinelle.wall import errors, policy, repository
from sentinelle.wall.models import Layout, LayoutInput
from sentinelle.wall.tables import LayoutRow

LIVE = Permission.VIDEO_LIVE


def list_layouts(rt: Runtime, principal: Principal) -> list[Layout]:
    """The reader's layouts, then the shared presets of others, as the reader may see them."""
    with rt.db.read() as s:
        rows = repository.readable_layouts(s, principal.user_id)
        ids = {c for row, _ in rows for c in row.tiles if c is not None}
        groups = repository.camera_groups(s, ids)
    scope = principal.scope_for(LIVE)

    def in_scope(camera_id: int) -> bool:
        return camera_id in groups and scope.covers(groups[camera_id])

    return [_layout(row, owner, in_scope) for row, owner in rows]


def do_save_layout(
    rt: Runtime, principal: Principal, data: LayoutInput, layout_id: int | None = None
) -> Layout:
    """Create a layout, or replace one of the caller's own (`layout_id`)."""
    tiles = policy.check_tiles(data.grid, data.tiles)
    now = rt.now()
    with rt.db.write() as s:
        _check_cameras(s, principal, {c for c in tiles if c is not None})
        same_name = repository.find_named(s, principal.user_id, data.name)
        if same_name is not None and same_name.id != layout_id:
            raise errors.layout_name_taken(data.name)
        if layout_id is None:
            row = LayoutRow(owner_id=principal.user_id, created_at=now)
            s.add(row)
        else:
            row = _owned(s, principal, layout_id)
        row.name, row.grid, row.tiles, row.shared = data.name, data.grid, list(tiles), data.shared
        row.updated_at = now
        s.flush()
        record(s, _entry(principal, AuditAction.LAYOUT_SAVED, row), now)
        return _layout(row, principal.username, lambda _: True)


def do_delete_layout(rt: Runtime, principal: Principal, layout_id: int) -> None:
    """Delete one of the caller's layouts."""
    now = rt.now()
    with rt.db.write() as s:
        row = _owned(s, principal, layout_id)
        record(s, _entry(principal, AuditAction.LAYOUT_DELETED, row), now)
        s.delete(row)


def _owned(s: Session, principal: Principal, layout_id: int) -> LayoutRow:
    row = repository.get_layout(s, layout_id)
    if row.owner_id != principal.user_id:
        if not row.shared:
            raise errors.layout_not_found(layout_id)  # others' own layouts are invisible
        raise errors.layout_not_owned(layout_id)
    return row


def _check_cameras(s: Session, principal: Principal, camera_ids: set[int]) -> None:
    groups = repository.camera_groups(s, camera_ids)
    scope = principal.scope_for(LIVE)
    for camera_id in sorted(camera_ids):
        if camera_id not in groups:
            raise registry_errors.camera_not_found(camera_id)
        if not scope.covers(groups[camera_id]):
            raise access_errors.camera_out_of_scope(camera_id)


def _layout(row: LayoutRow, owner: str, in_scope: policy.InScope) -> Layout:
    tiles, hidden = policy.visible_tiles(row.tiles, in_scope)
    return Layout(
        row.id, row.name, row.grid, tiles, row.shared, row.owner_id, owner, row.updated_at, hidden
    )


def _entry(principal: Principal, action: AuditAction, row: LayoutRow) -> EntryDraft:
    return EntryDraft(
        Actor.user(principal.user_id, principal.username),
        action,
        "wall_layout",
        str(row.id),
        details={"name": row.name, "grid": row.grid, "tiles": row.tiles, "shared": row.shared},
    )
