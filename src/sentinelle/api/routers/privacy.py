"""Privacy masks of each camera (rule 3, CSI L251-3): polygons, versions, enforcement mode,
and the latch a failed mask audit puts on a camera. Reads need registry.read, changes
registry.write (the administrator's); every route is scoped to its camera. The mask audit's
history is read here; an audit asked for here is run by the ingest worker recording the
camera (the API process decodes no video)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query

from sentinelle.access.models import Permission
from sentinelle.api.schemas.common import ERROR_RESPONSES
from sentinelle.api.schemas.privacy import (
    CameraMasksOut,
    LatchOut,
    MaskAuditOut,
    MaskAuditRequestOut,
    MaskAuditsOut,
    MaskFlagOut,
    MaskHistoryOut,
    MaskVersionOut,
)
from sentinelle.api.security import PrincipalDep, RuntimeDep, actor_of, guarded
from sentinelle.core.errors import InvalidInput
from sentinelle.privacy import audit_service, service
from sentinelle.privacy.models import ConfirmFixedInput, MaskModeInput, MaskSetInput

router = APIRouter(prefix="/api", tags=["privacy"], responses=ERROR_RESPONSES)

READ = Permission.REGISTRY_READ
WRITE = Permission.REGISTRY_WRITE
CAMERA = "camera_id"


@router.get("/cameras/{camera_id}/masks", **guarded(READ, camera=CAMERA))
def get_masks(camera_id: int, rt: RuntimeDep) -> CameraMasksOut:
    """The masks in force now: polygons, chosen and effective mode, latch, problems (with
    `mask_unverified` when the audit has not verified the camera's own masks for hours)."""
    masks = service.camera_masks(rt, camera_id)
    return CameraMasksOut.of(audit_service.with_verification(rt, masks))


@router.put("/cameras/{camera_id}/masks", **guarded(WRITE, camera=CAMERA))
def put_masks(
    camera_id: int, body: MaskSetInput, rt: RuntimeDep, principal: PrincipalDep
) -> CameraMasksOut:
    """Replace the polygons (a new version, from the next keyframe); reason required;
    journalled with a summary of what changed."""
    return CameraMasksOut.of(service.do_set_masks(rt, actor_of(principal), camera_id, body))


@router.get("/cameras/{camera_id}/masks/history", **guarded(READ, camera=CAMERA))
def get_history(camera_id: int, rt: RuntimeDep) -> MaskHistoryOut:
    """Every version and every latch, newest first."""
    versions, latches = service.history(rt, camera_id)
    return MaskHistoryOut(
        versions=[MaskVersionOut.of(v) for v in versions],
        latches=[LatchOut.of(x) for x in latches],
    )


@router.get("/cameras/{camera_id}/masks/at", **guarded(READ, camera=CAMERA))
def get_masks_at(
    camera_id: int,
    rt: RuntimeDep,
    at: datetime = Query(description="an instant with its UTC offset"),
) -> MaskVersionOut:
    """The version that governed the camera's video at `at` (version 0: none yet)."""
    if at.tzinfo is None:
        raise InvalidInput("naive_datetime", "give the instant with its offset (e.g. Z)")
    return MaskVersionOut.of(service.masks_at(rt, camera_id, at))


@router.put("/cameras/{camera_id}/masks/mode", **guarded(WRITE, camera=CAMERA))
def put_mode(
    camera_id: int, body: MaskModeInput, rt: RuntimeDep, principal: PrincipalDep
) -> CameraMasksOut:
    """Choose camera-side or server-side masking (a new version); reason required."""
    return CameraMasksOut.of(service.do_set_mode(rt, actor_of(principal), camera_id, body))


@router.post("/cameras/{camera_id}/masks/confirm-fixed", **guarded(WRITE, camera=CAMERA))
def confirm_fixed(
    camera_id: int, body: ConfirmFixedInput, rt: RuntimeDep, principal: PrincipalDep
) -> CameraMasksOut:
    """Confirm the camera's own masks are fixed after a failed audit: the latch opens and
    the chosen mode is in force again; reason required."""
    return CameraMasksOut.of(
        service.do_confirm_camera_fixed(rt, actor_of(principal), camera_id, body)
    )


@router.post("/cameras/{camera_id}/masks/audit", status_code=202, **guarded(WRITE, camera=CAMERA))
def request_audit(camera_id: int, rt: RuntimeDep, principal: PrincipalDep) -> MaskAuditRequestOut:
    """Ask for an audit of the camera's own masks now: the worker recording the camera runs it
    at its next refresh; the result appears in `/masks/audits`. Only a fixed camera in camera
    mode with polygons is audited (`mask_audit_not_applicable`)."""
    at = audit_service.do_request_audit(rt, actor_of(principal), camera_id)
    return MaskAuditRequestOut(camera_id=camera_id, requested_at=at)


@router.get("/cameras/{camera_id}/masks/audits", **guarded(READ, camera=CAMERA))
def get_audits(
    camera_id: int,
    rt: RuntimeDep,
    limit: int = Query(default=100, ge=1, le=audit_service.HISTORY_LIMIT),
) -> MaskAuditsOut:
    """The camera's mask audits (the latest `limit`) and its flagged periods, newest first."""
    return MaskAuditsOut(
        audits=[MaskAuditOut.of(a) for a in audit_service.audits(rt, camera_id, limit)],
        flags=[MaskFlagOut.of(x) for x in audit_service.flags(rt, camera_id)],
    )
