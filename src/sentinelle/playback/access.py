"""The access check every look at recorded video goes through (playback, snapshot, export),
and its journal entries (E1, E2).

`authorise` checks that whoever asks may act on every camera of a request with a video
permission — the permission, a valid habilitation, each camera known (404
`camera_not_found`) and within their scope (403 `camera_out_of_scope`), the whole request
refused if one camera is not — and returns the cameras' facts. The CLI and the system act
for the operator of the machine: only the cameras' existence is checked for them.
`journal_access` then writes one entry per camera, in the caller's transaction, before any
byte of video leaves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from sentinelle.access import errors as access_errors
from sentinelle.access.models import VIDEO_PERMISSIONS, Permission, Principal
from sentinelle.audit.models import Actor, AuditAction, EntryDraft
from sentinelle.audit.service import record
from sentinelle.playback import repository
from sentinelle.playback.models import CameraFacts
from sentinelle.registry import errors as registry_errors

Requester = Principal | Actor  # a logged-in user, or the CLI / the system


def actor_of(who: Requester) -> Actor:
    """The journal's actor for a requester."""
    if isinstance(who, Principal):
        return Actor.user(who.user_id, who.username)
    return who


def authorise(
    s: Session, who: Requester, camera_ids: Sequence[int], permission: Permission
) -> list[CameraFacts]:
    """The facts of the cameras (in the order asked, without repeats) if `who` may act on
    all of them with `permission`; raises otherwise, before anything is journalled."""
    wanted = list(dict.fromkeys(camera_ids))
    if isinstance(who, Principal):
        _check_permission(who, permission)
    found = repository.camera_facts(s, wanted)
    missing = [c for c in wanted if c not in found]
    if missing:
        raise registry_errors.camera_not_found(missing[0])
    if isinstance(who, Principal):
        scope = who.scope_for(permission)
        outside = [c for c in wanted if not scope.covers(found[c][1])]
        if outside:
            raise access_errors.camera_out_of_scope(outside[0])
    return [found[c][0] for c in wanted]


def _check_permission(principal: Principal, permission: Permission) -> None:
    if not principal.can(permission):
        raise access_errors.permission_denied(permission)
    scope = principal.scope_for(permission)
    if permission in VIDEO_PERMISSIONS and scope == scope.nothing():
        raise access_errors.habilitation_required()


def journal_access(
    s: Session,
    actor: Actor,
    action: AuditAction,
    cameras: Sequence[CameraFacts],
    reason: str,
    details: dict[str, Any],
    at: datetime,
) -> None:
    """One journal entry per camera (target the camera, with its code), in `s`'s transaction."""
    for camera in cameras:
        draft = EntryDraft(
            actor,
            action,
            target_type="camera",
            target_id=str(camera.id),
            camera_id=camera.id,
            reason=reason,
            details={"camera": camera.code, **details},
        )
        record(s, draft, at)
