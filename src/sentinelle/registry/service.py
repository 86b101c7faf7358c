"""Registry use cases. Each owns its transaction and writes its journal entry in it.

The rule of law enforced here (CSI L252-1, product rule 1): a camera is *in service* only while
the authorisation of its zone is valid and covers it (camera limit included). Putting a camera
in service otherwise is refused; when an authorisation expires, `do_enforce_authorisations`
takes its cameras out of lawful service and journals it. `is_lawful` gives the same answer at
any instant, so later stages (recording, display) never depend on the sweep having run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sentinelle.access.models import CameraScope
from sentinelle.audit.models import Actor, AuditAction, EntryDraft
from sentinelle.audit.service import record
from sentinelle.core.clock import local_date
from sentinelle.registry import errors, perimeter, policy, repository, streams
from sentinelle.registry.models import (
    AuthorisationChanges,
    AuthorisationInput,
    AuthorisationStatus,
    CameraChanges,
    CameraGroupInput,
    CameraInput,
    CameraStatus,
    FieldOfView,
    ZoneChanges,
    ZoneInput,
)
from sentinelle.registry.tables import (
    AuthorisationRow,
    CameraGroupMemberRow,
    CameraGroupRow,
    CameraRow,
    ZoneRow,
)
from sentinelle.runtime import Runtime


def today(rt: Runtime) -> date:
    return local_date(rt.now(), rt.settings.timezone)


def status_of(auth: AuthorisationRow, on: date) -> AuthorisationStatus:
    return policy.authorisation_status(auth.issued_on, auth.expires_on, on)


def is_lawful(camera: CameraRow, on: date) -> bool:
    """Rule 1 at any instant: in service and under a valid authorisation."""
    return policy.is_lawfully_in_service(
        CameraStatus(camera.status), status_of(camera.zone.authorisation, on)
    )


@dataclass(frozen=True, slots=True)
class RecordableCamera:
    """A camera that may be recorded now, with its main stream URL (credentials included), and
    its sub-stream's (live view only, never recorded) if it has one."""

    camera_id: int
    code: str
    url: str
    field_of_view: FieldOfView
    fast_flows: bool
    sub_url: str | None = None


def lawful_cameras(rt: Runtime) -> list[RecordableCamera]:
    """Rule 1 for ingest: the cameras in lawful service today, and how to reach them."""
    on = today(rt)
    box = rt.box(streams.STREAM_PURPOSE)
    with rt.db.read() as s:
        cameras, _ = repository.list_cameras(
            s, CameraScope.everything(), status=CameraStatus.IN_SERVICE
        )
        return [
            RecordableCamera(
                c.id,
                c.code,
                box.open(c.main_url_sealed),
                FieldOfView(c.field_of_view),
                c.fast_flows,
                box.open(c.sub_url_sealed) if c.sub_url_sealed else None,
            )
            for c in cameras
            if is_lawful(c, on)
        ]


# --- authorisations and zones ---------------------------------------------------------------


def do_create_authorisation(
    rt: Runtime, actor: Actor, data: AuthorisationInput
) -> AuthorisationRow:
    expires_on = data.expires_on or policy.default_expiry(data.issued_on)
    policy.check_authorisation_terms(
        data.issued_on, expires_on, data.retention_max_days, data.retention_min_days
    )
    now = rt.now()
    with rt.db.write() as s:
        if repository.find_authorisation(s, data.reference) is not None:
            raise errors.reference_taken(data.reference)
        row = AuthorisationRow(
            **data.model_dump(mode="json", exclude={"expires_on", "issued_on"}),
            issued_on=data.issued_on,
            expires_on=expires_on,
            expiry_recorded=False,
            created_at=now,
        )
        s.add(row)
        s.flush()
        record(
            s,
            _entry(
                actor,
                AuditAction.AUTHORISATION_CREATED,
                row,
                data.model_dump(mode="json") | {"expires_on": expires_on.isoformat()},
            ),
            now,
        )
    return row


def do_update_authorisation(
    rt: Runtime, actor: Actor, authorisation_id: int, changes: AuthorisationChanges, reason: str
) -> AuthorisationRow:
    """Amend or renew an authorisation. Cameras must stay within the new retention bounds and
    camera limit; if the amended authorisation is not lawful today, its cameras leave service
    in the same transaction."""
    given = changes.model_dump(mode="json", exclude_unset=True)
    now = rt.now()
    with rt.db.write() as s:
        row = repository.get_authorisation(s, authorisation_id)
        repository.lock_authorisation(s, row.id)
        _check_amendment(s, row, changes, given)
        before = {k: _jsonable(getattr(row, k)) for k in given}
        for key, value in given.items():
            setattr(row, key, getattr(changes, key) if key.endswith("_on") else value)
        if "expires_on" in given:
            row.expiry_recorded = False
        details = {"before": before, "after": given}
        record(s, _entry(actor, AuditAction.AUTHORISATION_UPDATED, row, details, reason), now)
        status = status_of(row, today(rt))
        if not status.lawful:
            _withdraw_cameras(s, row, status, actor, now)
    return row


def _check_amendment(
    s: Session, row: AuthorisationRow, changes: AuthorisationChanges, given: dict[str, Any]
) -> None:
    issued = changes.issued_on or row.issued_on
    expires = changes.expires_on or row.expires_on
    r_max = given.get("retention_max_days", row.retention_max_days)
    r_min = given.get("retention_min_days", row.retention_min_days)
    policy.check_authorisation_terms(issued, expires, r_max, r_min)
    low, high = policy.retention_bounds(r_max, r_min)
    cameras = repository.cameras_of_authorisation(s, row.id)
    outside = [c.code for c in cameras if not low <= c.retention_days <= high]
    if outside:
        raise errors.retention_max_below_cameras(high, outside)
    limit = given.get("camera_limit", row.camera_limit)
    serving = [c.code for c in cameras if c.status == CameraStatus.IN_SERVICE]
    if limit is not None and len(serving) > limit:
        raise errors.camera_limit_below_service(limit, serving)


def do_create_zone(rt: Runtime, actor: Actor, data: ZoneInput) -> ZoneRow:
    now = rt.now()
    with rt.db.write() as s:
        auth = repository.get_authorisation(s, data.authorisation_id)
        if repository.find_zone(s, auth.id, data.name) is not None:
            raise errors.zone_name_taken(data.name)
        zone = ZoneRow(
            authorisation_id=auth.id,
            name=data.name,
            description=data.description,
            perimeter=_checked_perimeter(data.perimeter),
            created_at=now,
        )
        s.add(zone)
        s.flush()
        record(
            s,
            EntryDraft(
                actor,
                AuditAction.ZONE_CREATED,
                "zone",
                str(zone.id),
                details=data.model_dump(mode="json"),
            ),
            now,
        )
    return zone


def do_update_zone(
    rt: Runtime, actor: Actor, zone_id: int, changes: ZoneChanges, reason: str = ""
) -> ZoneRow:
    """Rename a zone, change its description or (re)draw its perimeter; `perimeter: null`
    removes it. The perimeter is checked (`perimeter.check`) before anything is written."""
    given = changes.model_dump(mode="json", exclude_unset=True)
    if changes.perimeter is not None:
        perimeter.check(changes.perimeter)
    now = rt.now()
    with rt.db.write() as s:
        zone = repository.get_zone(s, zone_id)
        if not given:
            return zone  # nothing to change, nothing to journal
        renamed = "name" in given and given["name"] != zone.name
        if renamed and repository.find_zone(s, zone.authorisation_id, given["name"]):
            raise errors.zone_name_taken(given["name"])
        before = {k: _jsonable(getattr(zone, k)) for k in given}
        for key, value in given.items():  # SQL NULL, not JSON null, for a removed perimeter
            setattr(zone, key, sa.null() if value is None else value)
        details = {"before": before, "after": given}
        record(
            s,
            EntryDraft(
                actor,
                AuditAction.ZONE_UPDATED,
                "zone",
                str(zone.id),
                reason=reason,
                details=details,
            ),
            now,
        )
    return zone


def _checked_perimeter(given: perimeter.Perimeter | None) -> dict[str, object] | None:
    if given is None:
        return None
    perimeter.check(given)
    return given.model_dump(mode="json")


# --- cameras --------------------------------------------------------------------------------


def do_create_camera(rt: Runtime, actor: Actor, data: CameraInput) -> CameraRow:
    box = rt.box(streams.STREAM_PURPOSE)
    main = streams.seal(box, "main", data.main_stream_url)
    sub = streams.seal(box, "sub", data.sub_stream_url) if data.sub_stream_url else None
    now = rt.now()
    with rt.db.write() as s:
        if repository.find_camera(s, data.code) is not None:
            raise errors.camera_code_taken(data.code)
        zone = repository.get_zone(s, data.zone_id)
        auth = zone.authorisation
        policy.check_retention(
            data.retention_days, auth.retention_max_days, auth.retention_min_days
        )
        if data.status is CameraStatus.IN_SERVICE:
            _check_may_serve(s, auth, today(rt), exclude_camera=None)
        fields = data.model_dump(exclude={"main_stream_url", "sub_stream_url"})
        camera = CameraRow(
            **{k: (str(v) if hasattr(v, "value") else v) for k, v in fields.items()},
            main_url_redacted=main.redacted,
            main_url_sealed=main.sealed,
            sub_url_redacted=sub.redacted if sub else None,
            sub_url_sealed=sub.sealed if sub else None,
            status_changed_at=now,
            created_at=now,
        )
        s.add(camera)
        s.flush()
        details = data.model_dump(mode="json", exclude={"main_stream_url", "sub_stream_url"})
        details |= {
            "main_stream_url": main.redacted,
            "sub_stream_url": sub.redacted if sub else None,
        }
        record(s, _camera_entry(actor, AuditAction.CAMERA_CREATED, camera, details), now)
    return camera


def do_update_camera(
    rt: Runtime, actor: Actor, camera_id: int, changes: CameraChanges, reason: str = ""
) -> CameraRow:
    given = changes.model_dump(exclude_unset=True)
    box = rt.box(streams.STREAM_PURPOSE)
    now = rt.now()
    with rt.db.write() as s:
        camera = repository.get_camera(s, camera_id)
        zone = repository.get_zone(s, given["zone_id"]) if "zone_id" in given else camera.zone
        auth = zone.authorisation
        retention = given.get("retention_days", camera.retention_days)
        policy.check_retention(retention, auth.retention_max_days, auth.retention_min_days)
        if camera.status == CameraStatus.IN_SERVICE and zone.id != camera.zone_id:
            _check_may_serve(s, auth, today(rt), exclude_camera=camera.id)
        diff: dict[str, Any] = {}
        for key, value in given.items():
            diff[key] = _apply_camera_field(camera, key, value, box)
        camera.zone = zone
        record(s, _camera_entry(actor, AuditAction.CAMERA_UPDATED, camera, diff, reason), now)
    return camera


def _apply_camera_field(camera: CameraRow, key: str, value: Any, box: Any) -> Any:
    """Set one changed field; stream URLs are validated and sealed. Returns what to journal."""
    if key in ("main_stream_url", "sub_stream_url"):
        role = key.removesuffix("_stream_url")
        if value is None and role == "sub":
            camera.sub_url_redacted = camera.sub_url_sealed = None
            return None
        if value is None:
            raise errors.invalid_stream_url("main", "a camera needs a main stream")
        sealed = streams.seal(box, role, value)
        setattr(camera, f"{role}_url_redacted", sealed.redacted)
        setattr(camera, f"{role}_url_sealed", sealed.sealed)
        return sealed.redacted
    stored = str(value) if hasattr(value, "value") else value
    setattr(camera, key, stored)
    return _jsonable(stored)


def do_set_camera_status(
    rt: Runtime, actor: Actor, camera_id: int, status: CameraStatus, reason: str
) -> CameraRow:
    now = rt.now()
    with rt.db.write() as s:
        camera = repository.get_camera(s, camera_id)
        current = CameraStatus(camera.status)
        policy.check_transition(current, status)
        if status is CameraStatus.IN_SERVICE and current is not CameraStatus.IN_SERVICE:
            _check_may_serve(s, camera.zone.authorisation, today(rt), exclude_camera=camera.id)
        if status is not current:
            camera.status = str(status)
            camera.status_changed_at = now
            record(
                s,
                _camera_entry(
                    actor,
                    AuditAction.CAMERA_STATUS_CHANGED,
                    camera,
                    {"from": current, "to": status},
                    reason,
                ),
                now,
            )
    return camera


def _check_may_serve(
    s: Session, auth: AuthorisationRow, on: date, exclude_camera: int | None
) -> None:
    status = status_of(auth, on)
    if not status.lawful:
        raise errors.authorisation_not_valid(auth.reference, status, on)
    repository.lock_authorisation(s, auth.id)  # one entry into service at a time per authorisation
    if auth.camera_limit is not None:
        serving = [
            c
            for c in repository.cameras_of_authorisation(s, auth.id, CameraStatus.IN_SERVICE)
            if c.id != exclude_camera
        ]
        if len(serving) >= auth.camera_limit:
            raise errors.camera_limit_reached(auth.reference, auth.camera_limit)


def do_enforce_authorisations(rt: Runtime) -> list[str]:
    """Take the cameras of every authorisation that is not lawful today (expired, or not yet
    valid after an amendment) out of service; journal each. Idempotent.

    Returns the codes of the cameras that left lawful service.
    """
    on, now, actor = today(rt), rt.now(), Actor.system("registry")
    removed: list[str] = []
    with rt.db.write() as s:
        for auth in repository.list_authorisations(s):
            status = status_of(auth, on)
            if status is AuthorisationStatus.EXPIRED and not auth.expiry_recorded:
                auth.expiry_recorded = True
                expired = {"expired_on": auth.expires_on.isoformat()}
                record(s, _entry(actor, AuditAction.AUTHORISATION_EXPIRED, auth, expired), now)
            if not status.lawful:
                removed += _withdraw_cameras(s, auth, status, actor, now)
    return removed


def _withdraw_cameras(
    s: Session, auth: AuthorisationRow, status: AuthorisationStatus, actor: Actor, now: datetime
) -> list[str]:
    """Move the in-service cameras of a non-lawful authorisation to awaiting_authorisation."""
    codes = []
    for camera in repository.cameras_of_authorisation(s, auth.id, CameraStatus.IN_SERVICE):
        camera.status = str(CameraStatus.AWAITING_AUTHORISATION)
        camera.status_changed_at = now
        codes.append(camera.code)
        details = {
            "authorisation": auth.reference,
            "authorisation_status": status,
            "expires_on": auth.expires_on.isoformat(),
            "to": CameraStatus.AWAITING_AUTHORISATION,
        }
        reason = f"authorisation {auth.reference} is {status}"
        record(
            s,
            _camera_entry(actor, AuditAction.CAMERA_LEFT_LAWFUL_SERVICE, camera, details, reason),
            now,
        )
    return codes


# --- camera groups --------------------------------------------------------------------------


def do_create_group(rt: Runtime, actor: Actor, data: CameraGroupInput) -> CameraGroupRow:
    now = rt.now()
    with rt.db.write() as s:
        if repository.find_group(s, data.name) is not None:
            raise errors.group_name_taken(data.name)
        group = CameraGroupRow(name=data.name, description=data.description, created_at=now)
        group.members = _members(s, data.camera_ids)
        s.add(group)
        s.flush()
        record(
            s,
            EntryDraft(
                actor,
                AuditAction.CAMERA_GROUP_CREATED,
                "camera_group",
                str(group.id),
                details=data.model_dump(mode="json"),
            ),
            now,
        )
    return group


def do_set_group_cameras(
    rt: Runtime, actor: Actor, group_id: int, camera_ids: list[int]
) -> CameraGroupRow:
    now = rt.now()
    with rt.db.write() as s:
        group = repository.get_group(s, group_id)
        before = group.camera_ids
        group.members = _members(s, camera_ids)
        s.flush()
        record(
            s,
            EntryDraft(
                actor,
                AuditAction.CAMERA_GROUP_UPDATED,
                "camera_group",
                str(group.id),
                details={"before": before, "after": group.camera_ids},
            ),
            now,
        )
    return group


def _members(s: Session, camera_ids: list[int]) -> list[CameraGroupMemberRow]:
    return [
        CameraGroupMemberRow(camera_id=repository.get_camera(s, cid).id)
        for cid in sorted(set(camera_ids))
    ]


# --- queries --------------------------------------------------------------------------------


def camera_in_scope(rt: Runtime, camera_id: int, scope: CameraScope) -> bool:
    """Whether `camera_id` exists and `scope` covers it (unknown cameras raise not found)."""
    with rt.db.read() as s:
        return scope.covers(repository.get_camera(s, camera_id).group_ids)


def _entry(
    actor: Actor,
    action: AuditAction,
    auth: AuthorisationRow,
    details: dict[str, Any],
    reason: str = "",
) -> EntryDraft:
    return EntryDraft(
        actor,
        action,
        "authorisation",
        str(auth.id),
        reason=reason,
        details={"reference": auth.reference, **details},
    )


def _camera_entry(
    actor: Actor, action: AuditAction, camera: CameraRow, details: dict[str, Any], reason: str = ""
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


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
