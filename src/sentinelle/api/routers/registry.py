"""Authorisations, zones, cameras and camera groups."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Query

from sentinelle.access.models import Permission, Principal
from sentinelle.api.schemas.common import ERROR_RESPONSES, MAX_PAGE, Page
from sentinelle.api.schemas.registry import (
    AuthorisationOut,
    CameraEventOut,
    CameraGroupOut,
    CameraOut,
    CameraStatusChange,
    ConformityOut,
    GroupCameras,
    LegalMinimumsOut,
    ZoneOut,
)
from sentinelle.api.security import PrincipalDep, RuntimeDep, actor_of, guarded
from sentinelle.core.errors import NotFound
from sentinelle.ingest.service import camera_events
from sentinelle.registry import repository, service
from sentinelle.registry.models import (
    AuthorisationChanges,
    AuthorisationInput,
    CameraChanges,
    CameraGroupInput,
    CameraInput,
    CameraStatus,
    FieldOfView,
    ZoneChanges,
    ZoneInput,
)
from sentinelle.storage import conformity
from sentinelle.storage import repository as storage_repository

router = APIRouter(prefix="/api", tags=["registry"], responses=ERROR_RESPONSES)

READ = Permission.REGISTRY_READ
WRITE = Permission.REGISTRY_WRITE


class AuthorisationPatch(AuthorisationChanges):
    reason: str = ""


class CameraPatch(CameraChanges):
    reason: str = ""


class ZonePatch(ZoneChanges):
    reason: str = ""


@router.get("/authorisations", **guarded(READ))
def list_authorisations(rt: RuntimeDep) -> list[AuthorisationOut]:
    today = service.today(rt)
    with rt.db.read() as s:
        return [AuthorisationOut.of(a, today) for a in repository.list_authorisations(s)]


@router.post("/authorisations", status_code=201, **guarded(WRITE))
def create_authorisation(
    body: AuthorisationInput, principal: PrincipalDep, rt: RuntimeDep
) -> AuthorisationOut:
    row = service.do_create_authorisation(rt, actor_of(principal), body)
    with rt.db.read() as s:
        return AuthorisationOut.of(repository.get_authorisation(s, row.id), service.today(rt))


@router.get("/authorisations/{authorisation_id}", **guarded(READ))
def get_authorisation(authorisation_id: int, rt: RuntimeDep) -> AuthorisationOut:
    with rt.db.read() as s:
        row = repository.get_authorisation(s, authorisation_id)
        return AuthorisationOut.of(row, service.today(rt))


@router.patch("/authorisations/{authorisation_id}", **guarded(WRITE))
def patch_authorisation(
    authorisation_id: int, body: AuthorisationPatch, principal: PrincipalDep, rt: RuntimeDep
) -> AuthorisationOut:
    changes = AuthorisationChanges(**body.model_dump(exclude={"reason"}, exclude_unset=True))
    service.do_update_authorisation(rt, actor_of(principal), authorisation_id, changes, body.reason)
    return get_authorisation(authorisation_id, rt)


@router.get("/zones", **guarded(READ))
def list_zones(
    principal: PrincipalDep, rt: RuntimeDep, authorisation_id: int | None = None
) -> list[ZoneOut]:
    """Zones with their perimeters; a caller limited to some cameras (external viewers) sees
    only the zones that hold one of them."""
    scope = principal.scope_for(READ)
    with rt.db.read() as s:
        zones = repository.list_zones(s, authorisation_id, scope)
        return [ZoneOut.of(z) for z in zones]


@router.post("/zones", status_code=201, **guarded(WRITE))
def create_zone(body: ZoneInput, principal: PrincipalDep, rt: RuntimeDep) -> ZoneOut:
    zone = service.do_create_zone(rt, actor_of(principal), body)
    with rt.db.read() as s:
        return ZoneOut.of(repository.get_zone(s, zone.id))


@router.patch("/zones/{zone_id}", **guarded(WRITE))
def patch_zone(zone_id: int, body: ZonePatch, principal: PrincipalDep, rt: RuntimeDep) -> ZoneOut:
    """Rename a zone, change its description, draw or remove (`null`) its perimeter."""
    changes = ZoneChanges(**body.model_dump(exclude={"reason"}, exclude_unset=True))
    service.do_update_zone(rt, actor_of(principal), zone_id, changes, body.reason)
    with rt.db.read() as s:
        return ZoneOut.of(repository.get_zone(s, zone_id))


@router.get("/cameras", **guarded(READ))
def list_cameras(
    principal: PrincipalDep,
    rt: RuntimeDep,
    status: CameraStatus | None = None,
    limit: int = Query(100, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0),
) -> Page[CameraOut]:
    """Cameras the caller may see (external viewers: only those of their habilitations)."""
    today = service.today(rt)
    scope = principal.scope_for(READ)
    with rt.db.read() as s:
        rows, total = repository.list_cameras(s, scope, limit=limit, offset=offset, status=status)
        items = [CameraOut.of(c, today, _shows_streams(principal)) for c in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post("/cameras", status_code=201, **guarded(WRITE))
def create_camera(body: CameraInput, principal: PrincipalDep, rt: RuntimeDep) -> CameraOut:
    row = service.do_create_camera(rt, actor_of(principal), body)
    return get_camera(row.id, principal, rt)


@router.get("/cameras/{camera_id}", **guarded(READ, camera="camera_id"))
def get_camera(camera_id: int, principal: PrincipalDep, rt: RuntimeDep) -> CameraOut:
    with rt.db.read() as s:
        camera = repository.get_camera(s, camera_id)
        return CameraOut.of(camera, service.today(rt), _shows_streams(principal))


def _shows_streams(principal: Principal) -> bool:
    """Stream addresses are for those who configure or maintain cameras, not for viewers."""
    return principal.can(WRITE) or principal.can(Permission.CAMERA_STATUS)


@router.get("/cameras/{camera_id}/conformity", **guarded(READ, camera="camera_id"))
def get_conformity(camera_id: int, rt: RuntimeDep) -> ConformityOut:
    """Conformity of the last stored segment (resolution, real frame rate) to the 2007 standard."""
    with rt.db.read() as s:
        camera = repository.get_camera(s, camera_id)
        segment = storage_repository.latest_segment(s, camera_id)
    if segment is None:
        raise NotFound("no_recording", "this camera has no stored segment yet")
    result = conformity.assess(
        segment.width,
        segment.height,
        segment.fps,
        FieldOfView(camera.field_of_view),
        camera.fast_flows,
    )
    mins = result.minimums
    return ConformityOut(
        camera_id=camera_id,
        segment_start=segment.start_at,
        width=segment.width,
        height=segment.height,
        fps=segment.fps,
        legal_minimums=LegalMinimumsOut(width=mins.width, height=mins.height, fps=mins.fps),
        conforming=result.ok,
        problems=list(result.problems),
    )


@router.get("/cameras/{camera_id}/events", **guarded(READ, camera="camera_id"))
def list_camera_events(
    camera_id: int,
    rt: RuntimeDep,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = Query(500, ge=1, le=MAX_PAGE),
) -> list[CameraEventOut]:
    """Health events of a camera, oldest first (default: the last 24 hours): where its
    recording has gaps and why, stream faults, storage faults, conformity changes."""
    with rt.db.read() as s:
        repository.get_camera(s, camera_id)
    end = until or rt.now()
    start = since or end - timedelta(days=1)
    return [
        CameraEventOut(kind=e.kind, at=e.at, reason=e.reason, detail=e.detail)
        for e in camera_events(rt, camera_id, start, end, limit)
    ]


@router.patch("/cameras/{camera_id}", **guarded(WRITE, camera="camera_id"))
def patch_camera(
    camera_id: int, body: CameraPatch, principal: PrincipalDep, rt: RuntimeDep
) -> CameraOut:
    changes = CameraChanges(**body.model_dump(exclude={"reason"}, exclude_unset=True))
    service.do_update_camera(rt, actor_of(principal), camera_id, changes, body.reason)
    return get_camera(camera_id, principal, rt)


@router.post("/cameras/{camera_id}/status", **guarded(Permission.CAMERA_STATUS, camera="camera_id"))
def set_camera_status(
    camera_id: int, body: CameraStatusChange, principal: PrincipalDep, rt: RuntimeDep
) -> CameraOut:
    service.do_set_camera_status(rt, actor_of(principal), camera_id, body.status, body.reason)
    return get_camera(camera_id, principal, rt)


@router.get("/camera-groups", **guarded(READ))
def list_groups(rt: RuntimeDep) -> list[CameraGroupOut]:
    with rt.db.read() as s:
        return [CameraGroupOut.of(g) for g in repository.list_groups(s)]


@router.post("/camera-groups", status_code=201, **guarded(WRITE))
def create_group(body: CameraGroupInput, principal: PrincipalDep, rt: RuntimeDep) -> CameraGroupOut:
    group = service.do_create_group(rt, actor_of(principal), body)
    with rt.db.read() as s:
        return CameraGroupOut.of(repository.get_group(s, group.id))


@router.put("/camera-groups/{group_id}/cameras", **guarded(WRITE))
def set_group_cameras(
    group_id: int, body: GroupCameras, principal: PrincipalDep, rt: RuntimeDep
) -> CameraGroupOut:
    service.do_set_group_cameras(rt, actor_of(principal), group_id, body.camera_ids)
    with rt.db.read() as s:
        return CameraGroupOut.of(repository.get_group(s, group_id))
