"""Testing a camera stream before it is registered: properties, 2007 conformity, and a
preview image for habilitated staff (`sentinelle.ingest.probe`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from sentinelle.access.models import Permission
from sentinelle.api.schemas.common import ERROR_RESPONSES, ErrorBody
from sentinelle.api.schemas.probe import ProbeIn, ProbeOut
from sentinelle.api.security import PrincipalDep, RuntimeDep, actor_of, guarded
from sentinelle.ingest.probe import do_probe_stream

router = APIRouter(prefix="/api", tags=["registry"], responses=ERROR_RESPONSES)

_UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorBody, "description": "unreachable, timed out or credentials refused"}
}


@router.post("/cameras/probe", responses=_UNAVAILABLE, **guarded(Permission.REGISTRY_WRITE))
def probe_stream(body: ProbeIn, principal: PrincipalDep, rt: RuntimeDep) -> ProbeOut:
    """Open an rtsp:// or rtsps:// stream, read to its first keyframe and measure its frame
    rate; say whether it meets the arrêté of 3 August 2007 for the field of view and flows
    given. The keyframe comes back as a JPEG only to a caller with a valid habilitation; when
    the URL is a registered camera's, only if that habilitation covers it and it is in lawful
    service (else `preview.reason` is `camera_out_of_scope` or `camera_not_lawful`), with its
    masks in force burnt in unless it masks itself. Journalled (host tested, camera, outcome,
    never the URL's credentials)."""
    report = do_probe_stream(
        rt,
        actor_of(principal),
        body.url,
        body.field_of_view,
        body.fast_flows,
        scope=principal.video_scope,
    )
    return ProbeOut.of(report)
