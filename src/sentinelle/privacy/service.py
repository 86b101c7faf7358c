"""Privacy mask use cases. Each change owns its transaction and writes its journal entry in
it (P2); reads give the masks in force now or at any past instant (P3).

Every change adds a complete version (polygons and chosen mode) and never edits one. A failed
audit latches server mode (P4) until an administrator confirms the camera is fixed; a PTZ
camera whose polygons are not all bound to presets may not be put in server mode (P5)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sentinelle.audit.models import Actor, AuditAction, EntryDraft
from sentinelle.audit.service import record
from sentinelle.privacy import errors, geometry, policy, repository
from sentinelle.privacy.models import (
    CameraMasks,
    ConfirmFixedInput,
    Latch,
    MaskMode,
    MaskModeInput,
    MaskSetInput,
    MaskVersion,
    Polygon,
)
from sentinelle.privacy.tables import MaskLatchRow, MaskSetRow
from sentinelle.registry import errors as registry_errors
from sentinelle.registry import repository as registry
from sentinelle.registry.models import CameraKind
from sentinelle.registry.tables import CameraRow
from sentinelle.runtime import Runtime

# --- reads ---------------------------------------------------------------------------------


def camera_masks(rt: Runtime, camera_id: int) -> CameraMasks:
    """The camera's masks as they stand now, with what the pipeline must do."""
    with rt.db.read() as s:
        return _view(s, registry.get_camera(s, camera_id))


def cameras_masks(
    rt: Runtime, camera_ids: Collection[int]
) -> tuple[dict[int, CameraMasks], dict[int, Exception]]:
    """`camera_masks` of many cameras in one query (the ingest worker's refresh): the masks
    of each camera that could be read, and for each other one why not — a camera that does
    not exist, or rows this version cannot read (an unknown fill): one camera's problem,
    never the others'. A failing query fails the call."""
    with rt.db.read() as s:
        states = repository.states_of_cameras(s, camera_ids)
        read: dict[int, CameraMasks] = {}
        unreadable: dict[int, Exception] = {}
        for state in states:
            try:
                read[state.camera_id] = _assemble(state)
            except Exception as exc:  # noqa: BLE001 - told to the caller, camera by camera
                unreadable[state.camera_id] = exc
    for camera_id in set(camera_ids) - read.keys() - unreadable.keys():
        unreadable[camera_id] = registry_errors.camera_not_found(camera_id)
    return read, unreadable


def changes_stamp(rt: Runtime) -> tuple[int, ...]:
    """A stamp that moves whenever any camera's masks, latches or enforcement change: the
    newest version, the newest latch, how many latches are confirmed, and which cameras are
    PTZ (their count and the sum of their ids: a camera that becomes or stops being `ptz`
    changes the enforcement, P5). One cheap query — the registry's cameras are a few hundred
    rows — so the ingest worker can apply a change within a second instead of at its next full
    refresh (P2)."""
    ptz = CameraRow.kind == str(CameraKind.PTZ)
    with rt.db.read() as s:
        row = s.execute(
            sa.select(
                sa.select(sa.func.coalesce(sa.func.max(MaskSetRow.id), 0)).scalar_subquery(),
                sa.select(sa.func.coalesce(sa.func.max(MaskLatchRow.id), 0)).scalar_subquery(),
                sa.select(sa.func.count(MaskLatchRow.confirmed_at)).scalar_subquery(),
                sa.select(sa.func.count(CameraRow.id)).where(ptz).scalar_subquery(),
                sa.select(sa.func.coalesce(sa.func.sum(CameraRow.id), 0))
                .where(ptz)
                .scalar_subquery(),
            )
        ).one()
        return tuple(int(value) for value in row)


def masks_at(rt: Runtime, camera_id: int, at: datetime) -> MaskVersion:
    """The version that governed the camera's video at `at` (for exports of the past)."""
    with rt.db.read() as s:
        registry.get_camera(s, camera_id)
        return repository.version_at(s, camera_id, at)


def history(rt: Runtime, camera_id: int) -> tuple[list[MaskVersion], list[Latch]]:
    """Every version (newest first) and every latch (newest first) of the camera."""
    with rt.db.read() as s:
        registry.get_camera(s, camera_id)
        return repository.versions(s, camera_id), repository.latches(s, camera_id)


def camera_view(s: Session, camera: CameraRow) -> CameraMasks:
    """`camera_masks` in the caller's transaction."""
    return _view(s, camera)


def _view(s: Session, camera: CameraRow) -> CameraMasks:
    current = repository.current_version(s, camera.id)
    return _masks(camera.id, camera.kind, current, repository.open_latch(s, camera.id))


def _assemble(state: repository.CameraState) -> CameraMasks:
    """`_view` from rows already read (`repository.states_of_cameras`)."""
    current = (
        repository.never_configured(state.camera_id)
        if state.mask_set is None
        else repository.to_version(state.mask_set)
    )
    return _masks(state.camera_id, state.kind, current, state.latch)


def _masks(
    camera_id: int, kind: str, current: MaskVersion, latch_row: MaskLatchRow | None
) -> CameraMasks:
    latched = latch_row is not None
    return CameraMasks(
        camera_id=camera_id,
        camera_kind=kind,
        current=current,
        latch=None if latch_row is None else repository.to_latch(latch_row),
        effective_mode=policy.effective_mode(current.mode, latched),
        enforcement=policy.enforcement(kind, current.mode, latched, current.polygons),
        problems=policy.problems(kind, current.mode, latched, current.polygons),
    )


# --- changes -------------------------------------------------------------------------------


def do_set_masks(rt: Runtime, actor: Actor, camera_id: int, data: MaskSetInput) -> CameraMasks:
    """Record a new version with `data`'s polygons (the chosen mode is kept)."""
    _require_reason(data.reason, "the masks change")
    polygons = geometry.validate_polygons(data.polygons)
    now = rt.now()
    with rt.db.write() as s:
        camera = repository.lock_camera(s, camera_id)
        current = repository.current_version(s, camera_id)
        policy.check_presets(camera.kind, polygons)
        policy.check_mode(camera.kind, current.mode, polygons)
        digest = policy.digest(polygons)
        if current.version > 0 and digest == current.digest:
            raise errors.masks_unchanged(current.version)
        row = _add_version(s, actor, camera_id, current, polygons, current.mode, data.reason, now)
        details: dict[str, Any] = {
            **_version_details(row, current),
            "polygons": len(polygons),
            **policy.diff(current.polygons, polygons),
        }
        record(s, _entry(actor, AuditAction.MASKS_SET, camera, data.reason, details), now)
        return _view(s, camera)


def do_set_mode(rt: Runtime, actor: Actor, camera_id: int, data: MaskModeInput) -> CameraMasks:
    """Record a new version in which the camera uses `data.mode` (same polygons)."""
    _require_reason(data.reason, "the mode changes")
    now = rt.now()
    with rt.db.write() as s:
        camera = repository.lock_camera(s, camera_id)
        current = repository.current_version(s, camera_id)
        if data.mode is current.mode:
            raise errors.mode_unchanged(data.mode)
        if data.mode is MaskMode.CAMERA and repository.open_latch(s, camera_id) is not None:
            raise errors.mode_latched()
        policy.check_mode(camera.kind, data.mode, current.polygons)
        row = _add_version(
            s, actor, camera_id, current, current.polygons, data.mode, data.reason, now
        )
        details = {**_version_details(row, current), "from": current.mode, "to": data.mode}
        record(s, _entry(actor, AuditAction.MASK_MODE_SET, camera, data.reason, details), now)
        return _view(s, camera)


def do_force_server(
    rt: Runtime,
    actor: Actor,
    camera_id: int,
    reason: str,
    details: dict[str, Any] | None = None,
) -> CameraMasks:
    """Latch server mode after a failed mask audit (P4). Idempotent: while a latch is open,
    a new failure neither opens another nor writes an entry (the audit keeps its results)."""
    _require_reason(reason, "server mode is forced")
    now = rt.now()
    with rt.db.write() as s:
        camera = repository.lock_camera(s, camera_id)
        force_latch(s, actor, camera, reason, details or {}, now)
        return _view(s, camera)


def force_latch(
    s: Session, actor: Actor, camera: CameraRow, reason: str, details: dict[str, Any], now: datetime
) -> MaskLatchRow | None:
    """Open a latch and journal it, in the caller's transaction (the camera's row locked);
    None when one is already open."""
    if repository.open_latch(s, camera.id) is not None:
        return None
    row = MaskLatchRow(
        camera_id=camera.id, forced_at=now, forced_by=actor.name, reason=reason, details=details
    )
    s.add(row)
    s.flush()
    view = _view(s, camera)
    summary = {"latch": row.id, "enforcement": view.enforcement, **details}
    record(s, _entry(actor, AuditAction.MASK_SERVER_FORCED, camera, reason, summary), now)
    return row


def do_confirm_camera_fixed(
    rt: Runtime, actor: Actor, camera_id: int, data: ConfirmFixedInput
) -> CameraMasks:
    """An administrator confirms the camera's own masks are fixed: the latch opens and the
    chosen mode is in force again."""
    _require_reason(data.reason, "the camera is declared fixed")
    now = rt.now()
    with rt.db.write() as s:
        camera = repository.lock_camera(s, camera_id)
        row = repository.open_latch(s, camera_id)
        if row is None:
            raise errors.not_latched(camera_id)
        row.confirmed_at, row.confirmed_by, row.confirm_reason = now, actor.name, data.reason
        s.flush()
        details = {"latch": row.id, "forced_at": row.forced_at.isoformat()}
        record(
            s,
            _entry(actor, AuditAction.MASK_CAMERA_CONFIRMED_FIXED, camera, data.reason, details),
            now,
        )
        return _view(s, camera)


def _require_reason(reason: str, what: str) -> None:
    if not reason.strip():
        raise errors.reason_required(what)


def _add_version(
    s: Session,
    actor: Actor,
    camera_id: int,
    current: MaskVersion,
    polygons: tuple[Polygon, ...],
    mode: MaskMode,
    reason: str,
    now: datetime,
) -> MaskSetRow:
    row = MaskSetRow(
        camera_id=camera_id,
        version=current.version + 1,
        polygons=[p.as_json() for p in polygons],
        mode=str(mode),
        digest=policy.digest(polygons),
        created_by=actor.name,
        created_by_id=actor.user_id,
        created_at=now,
        reason=reason,
        effective_from=now,
    )
    s.add(row)
    s.flush()
    return row


def _version_details(row: MaskSetRow, previous: MaskVersion) -> dict[str, Any]:
    return {
        "version": row.version,
        "previous_version": previous.version,
        "mode": row.mode,
        "digest": row.digest,
        "effective_from": row.effective_from.isoformat(),
    }


def _entry(
    actor: Actor, action: AuditAction, camera: CameraRow, reason: str, details: dict[str, Any]
) -> EntryDraft:
    return EntryDraft(
        actor,
        action,
        "camera",
        str(camera.id),
        camera_id=camera.id,
        reason=reason,
        details={"code": camera.code, **details},
    )
