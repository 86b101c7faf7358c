"""The mask editor's reference picture: the camera's current picture that the administrator
draws the privacy masks on (rule 3). Seeing it is seeing images (rule 6, CSI L252-2): it
needs registry.write *and* a valid habilitation covering the camera, the camera must be in
lawful service (rule 1), and every picture shown is journalled (`privacy.reference_viewed`).
For a camera the server masks (server mode or latched), the masks in force are burnt in
(P1), as the burn-in records it; the raw picture only on an explicit `raw` request with a
reason, journalled as such. The stream URL is read from the registry here and never leaves
the server."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter

from sentinelle.access import errors as access_errors
from sentinelle.access.models import Permission, Principal
from sentinelle.api.schemas.common import ERROR_RESPONSES
from sentinelle.api.schemas.privacy_editor import ReferenceIn, ReferenceOut
from sentinelle.api.security import PrincipalDep, RuntimeDep, actor_of, guarded
from sentinelle.audit.models import Actor, AuditAction, EntryDraft
from sentinelle.audit.service import record
from sentinelle.core.errors import SentinelleError
from sentinelle.ingest.probe import probe
from sentinelle.live.errors import camera_not_lawful
from sentinelle.privacy import errors as privacy_errors
from sentinelle.privacy import service as privacy_service
from sentinelle.privacy.models import CameraMasks, Enforcement
from sentinelle.registry import repository, streams
from sentinelle.registry.service import is_lawful, today
from sentinelle.runtime import Runtime

router = APIRouter(prefix="/api", tags=["privacy"], responses=ERROR_RESPONSES)

WRITE = Permission.REGISTRY_WRITE


@router.post("/cameras/{camera_id}/masks/reference", **guarded(WRITE, camera="camera_id"))
def post_reference(
    camera_id: int, rt: RuntimeDep, principal: PrincipalDep, body: ReferenceIn | None = None
) -> ReferenceOut:
    """Read the camera's main stream to its first keyframe and return it as a JPEG, to draw
    masks on, with the masks in force burnt in unless the camera masks itself (`masked`);
    `raw: true` with a `reason` (`reason_required`) gives the picture without them. Refused
    without a valid habilitation covering the camera (`habilitation_required`,
    `camera_out_of_scope`) or when the camera is not in lawful service (`camera_not_lawful`).
    A camera that gives no picture (unreachable, silent, refusing its credentials) answers
    `available: false` with the stream test's code."""
    ask = body or ReferenceIn()
    reason = (ask.reason or "").strip()
    if ask.raw and not reason:
        raise privacy_errors.reason_required("the picture is shown without its masks")
    url, masks = _checked(rt, principal, camera_id)
    burnt = [] if ask.raw or masks.enforcement is Enforcement.CAMERA_SIDE else [masks]
    actor = actor_of(principal)
    asked: dict[str, Any] = {"raw": True, "reason": reason} if ask.raw else {}
    try:
        facts = probe(url, preview=True, masks=burnt)
    except SentinelleError as exc:
        _journal(rt, actor, camera_id, asked | {"outcome": exc.code, "image_shown": False})
        return ReferenceOut(
            camera_id=camera_id, available=False, reason=exc.code, taken_at=rt.now()
        )
    details = {"outcome": "ok", "image_shown": True, "width": facts.width, "height": facts.height}
    if burnt:
        details["masks_burnt_in"] = masks.current.version
    _journal(rt, actor, camera_id, details | asked)
    return ReferenceOut(
        camera_id=camera_id,
        available=True,
        width=facts.width,
        height=facts.height,
        codec=facts.codec,
        taken_at=rt.now(),
        masked=bool(burnt),
        jpeg_base64=base64.b64encode(facts.jpeg or b"").decode(),  # always there: preview=True
    )


def _checked(rt: Runtime, principal: Principal, camera_id: int) -> tuple[str, CameraMasks]:
    """The camera's main stream URL, credentials included, and its masks as they stand, if
    `principal` may see its images."""
    if principal.video_scope == principal.video_scope.nothing():
        raise access_errors.habilitation_required()
    with rt.db.read() as s:
        camera = repository.get_camera(s, camera_id)
        if not principal.video_scope.covers(camera.group_ids):
            raise access_errors.camera_out_of_scope(camera_id)
        if not is_lawful(camera, today(rt)):
            raise camera_not_lawful(camera_id)
        masks = privacy_service.camera_view(s, camera)
        return rt.box(streams.STREAM_PURPOSE).open(camera.main_url_sealed), masks


def _journal(rt: Runtime, actor: Actor, camera_id: int, details: dict[str, Any]) -> None:
    now = rt.now()
    with rt.db.write() as s:
        record(
            s,
            EntryDraft(
                actor, AuditAction.MASK_REFERENCE_VIEWED, "camera", str(camera_id), details=details
            ),
            now,
        )
