"""Live-view use cases: open a live view (journalled, returns grants), check a viewer's
WebSocket, journal the end of a view.

Invariants (docs/design/live-view.md): `do_open_live` commits one `video.live_started` entry
per camera, with the reason, before any grant exists, hence before any byte of video leaves;
a WebSocket relays video only under a grant, to the grant's user, while that user may still
watch the camera (permission, habilitation, scope) and the camera is lawfully shown (rule 1),
all checked again when it opens; its end is journalled (`video.live_stopped`, duration).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from sentinelle.access.models import Permission, Principal, Role
from sentinelle.audit.models import AuditAction
from sentinelle.ingest import repository as ingest_repository
from sentinelle.ingest.events import EventKind
from sentinelle.live import errors, grants
from sentinelle.live.models import (
    CameraLiveStatus,
    LiveGrant,
    LiveInput,
    LiveState,
    OpenedCamera,
    OpenedLive,
)
from sentinelle.playback.access import actor_of, authorise, journal_access
from sentinelle.playback.models import CameraFacts
from sentinelle.registry import repository as registry_repository
from sentinelle.registry.service import is_lawful, today
from sentinelle.runtime import Runtime

LIVE = Permission.VIDEO_LIVE


def check_reason(principal: Principal, reason: str) -> str:
    """External viewers say why they watch; operators on duty may say nothing."""
    cleaned = reason.strip()
    if not cleaned and principal.role is Role.EXTERNAL_VIEWER:
        raise errors.reason_required()
    return cleaned


def do_open_live(rt: Runtime, principal: Principal, data: LiveInput) -> OpenedLive:
    """Check the request (the whole of it refused if one camera may not be watched), journal
    one `video.live_started` per camera, then return a grant per camera."""
    reason = check_reason(principal, data.reason)
    now = rt.now()
    with rt.db.write() as s:
        cameras = authorise(s, principal, data.camera_ids, LIVE)
        _check_lawful(rt, s, cameras)
        details = {"stream": str(data.stream)}
        journal_access(
            s, actor_of(principal), AuditAction.LIVE_STARTED, cameras, reason, details, now
        )
    opened = []
    for camera in cameras:
        grant = LiveGrant(principal.user_id, camera.id, now, now + grants.GRANT_LIFETIME)
        opened.append(OpenedCamera(camera, grants.issue(rt.site_secret, grant, reason), grant))
    return OpenedLive(data.stream, reason, tuple(opened))


def check_viewing(
    rt: Runtime, principal: Principal, token: str, camera_id: int
) -> tuple[LiveGrant, str, CameraFacts]:
    """The grant, reason and camera of a WebSocket about to relay `camera_id` to
    `principal`; raises unless all still hold."""
    grant, reason = grants.read(rt.site_secret, token, rt.now())
    if grant.camera_id != camera_id:
        raise errors.invalid_grant()
    if grant.user_id != principal.user_id:
        raise errors.grant_not_yours()
    with rt.db.read() as s:
        (camera,) = authorise(s, principal, [camera_id], LIVE)
        _check_lawful(rt, s, [camera])
    return grant, reason, camera


def do_stop_live(
    rt: Runtime,
    principal: Principal,
    camera: CameraFacts,
    reason: str,
    began: datetime,
    details: dict[str, object],
) -> None:
    """Journal the end of one camera's live view, with its duration."""
    now = rt.now()
    seconds = round(max(0.0, (now - began).total_seconds()), 3)
    with rt.db.write() as s:
        journal_access(
            s,
            actor_of(principal),
            AuditAction.LIVE_STOPPED,
            [camera],
            reason,
            {"duration_seconds": seconds, **details},
            now,
        )


def live_status(rt: Runtime, principal: Principal) -> list[CameraLiveStatus]:
    """The live state of every camera in `principal`'s live scope (no video: not journalled),
    from the registry (rule 1) and the ingest workers' latest connectivity events."""
    on = today(rt)
    with rt.db.read() as s:
        cameras, _ = registry_repository.list_cameras(s, principal.scope_for(LIVE))
        last = ingest_repository.last_connectivity(s, [c.id for c in cameras])
        out = []
        for camera in cameras:
            event = last.get(camera.id)
            if not is_lawful(camera, on):
                state = LiveState.OUT_OF_SERVICE
            elif event is not None and event.kind is EventKind.CONNECTED:
                state = LiveState.RECORDING
            else:
                state = LiveState.NO_SIGNAL
            reason = event.reason.value if event is not None and event.reason else None
            since = event.at if event is not None else None
            out.append(CameraLiveStatus(camera.id, camera.code, camera.name, state, since, reason))
    return out


def _check_lawful(rt: Runtime, s: Session, cameras: list[CameraFacts]) -> None:
    """Rule 1: a camera without a valid authorisation (or out of service) is not shown."""
    on = today(rt)
    for camera in cameras:
        if not is_lawful(registry_repository.get_camera(s, camera.id), on):
            raise errors.camera_not_lawful(camera.id)
