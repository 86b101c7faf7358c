"""Mask audit use cases: keep each audit's result, fail closed, and answer the history.

`do_record_audit` stores every result (passing ones too: they become the availability rate of
the masks). A failure, in the same transaction: journals `privacy.audit_failed` with the
evidence, latches server mode (`service.force_latch`, which journals `privacy.server_forced`)
and flags the footage recorded since the last audit that found the failed polygons hidden
(whatever its verdict; else since the camera began masking itself: `flag_start`) up to the
switch, which the worker closes (`close_flags`) when it restarts the camera with the burn-in.
Passing audits are not journalled one by one (the journal would drown: 1 440 a day per
camera); a run of `INCONCLUSIVE_STREAK` inconclusive audits in a row is, once.

Each audit says which stream of the camera it sampled (`AuditedStream`): the main stream
(recorded, shown) or the sub-stream (live only: the wall shows it), since a camera may lose
its masks on one of them only. A sub-stream that fails fails closed the same way (journal,
latch, flag: the recording is the main stream's, unproven since that stream's last audit that
saw the polygons hidden). Streaks and the unverified bound are counted per stream.

Audits an administrator asks for through the API are requests (`do_request_audit`) that the
worker recording the camera takes at its next refresh (`take_requests`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sentinelle.audit.models import Actor, AuditAction, EntryDraft
from sentinelle.audit.service import record
from sentinelle.core.errors import RuleViolation
from sentinelle.privacy import repository, service
from sentinelle.privacy.audit import FrameResult, Verdict
from sentinelle.privacy.models import CameraMasks, Enforcement, MaskProblem
from sentinelle.privacy.policy import is_ptz
from sentinelle.privacy.tables import (
    MaskAuditRequestRow,
    MaskAuditRow,
    MaskFlagRow,
    MaskLatchRow,
)
from sentinelle.registry import repository as registry
from sentinelle.registry.tables import CameraRow
from sentinelle.runtime import Runtime

AUDITOR = Actor.system("mask-audit")
INCONCLUSIVE_STREAK = 10  # inconclusive audits in a row that are journalled (once per run)
UNVERIFIED_AFTER = timedelta(hours=6)  # no conclusive audit this long: the masks are unverified
HISTORY_LIMIT = 500


class AuditedStream(StrEnum):
    """Which stream of the camera an audit sampled."""

    MAIN = "main"  # recorded, and shown live
    SUB = "sub"  # shown live only (the wall's tiles), never recorded


class AuditTrigger(StrEnum):
    START = "start"  # the first keyframe after the worker started the camera
    RECONNECT = "reconnect"  # the camera connected again (a reboot may reset its masks)
    PERIODIC = "periodic"  # every `mask_audit_interval_seconds`
    MANUAL = "manual"  # asked for by an administrator


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    camera_id: int
    at: datetime
    trigger: AuditTrigger
    verdict: Verdict
    details: dict[str, Any]
    mask_version: int
    stream: AuditedStream = AuditedStream.MAIN


@dataclass(frozen=True, slots=True)
class MaskFlag:
    """Footage that may show what a failed camera mask should have hidden."""

    id: int
    camera_id: int
    from_at: datetime
    to_at: datetime | None  # None: until the burn-in started (not yet noted)
    reason: str
    audit_id: int


@dataclass(frozen=True, slots=True)
class AuditOutcome:
    audit: AuditRecord
    latched: bool  # this audit opened the latch (the camera goes to server mode)
    flag: MaskFlag | None
    unverified_since: datetime | None = None  # set once, when this audit crossed the bound


def auditable(masks: CameraMasks) -> bool:
    """Whether the audit checks this camera: a fixed camera masking itself, with polygons (a
    PTZ camera's polygons are drawn on presets whose position the audit does not know)."""
    return (
        masks.enforcement is Enforcement.CAMERA_SIDE
        and not is_ptz(masks.camera_kind)
        and bool(masks.current.polygons)
    )


def not_auditable(camera_id: int, masks: CameraMasks) -> RuleViolation:
    return RuleViolation(
        "mask_audit_not_applicable",
        f"camera {camera_id} is not audited: only a fixed camera that applies its own masks "
        "(camera mode) and has polygons is",
        {"enforcement": str(masks.enforcement), "polygons": len(masks.current.polygons)},
    )


def do_record_audit(
    rt: Runtime,
    camera_id: int,
    at: datetime,
    trigger: AuditTrigger,
    result: FrameResult,
    mask_version: int,
    stream: AuditedStream = AuditedStream.MAIN,
) -> AuditOutcome:
    """Keep an audit's result (of `stream`); on failure, journal it, latch server mode and
    flag the footage (one transaction)."""
    now = rt.now()
    with rt.db.write() as s:
        camera = repository.lock_camera(s, camera_id)
        row = MaskAuditRow(
            camera_id=camera_id,
            at=at,
            trigger=str(trigger),
            verdict=str(result.verdict),
            details=result.as_json(),
            mask_version=mask_version,
            stream=str(stream),
        )
        s.add(row)
        s.flush()
        audit = _to_audit(row)
        if result.verdict is Verdict.FAIL:
            return _fail(s, camera, audit, now)
        if result.verdict is not Verdict.INCONCLUSIVE:
            return AuditOutcome(audit, latched=False, flag=None)
        return _inconclusive(s, camera, audit, now)


def _inconclusive(s: Session, camera: CameraRow, audit: AuditRecord, now: datetime) -> AuditOutcome:
    """Journal a run of inconclusive audits of one stream, and the crossing of the bound."""
    stream = audit.stream
    if _streak(s, camera.id, stream) == INCONCLUSIVE_STREAK:
        why = f"{INCONCLUSIVE_STREAK} mask audits in a row{_of(stream)} could tell nothing"
        since = _streak_start(s, camera.id, stream)
        details = {"audit": audit.id, "stream": str(stream), "since": since.isoformat()}
        record(s, _entry(AuditAction.MASK_AUDIT_INCONCLUSIVE, camera, why, details), now)
    unverified = _newly_unverified(s, camera, audit)
    if unverified is not None:
        hours = UNVERIFIED_AFTER.total_seconds() / 3600
        why = (
            f"no conclusive mask audit{_of(stream)} for {hours:g} h: "
            "the camera's masks are unverified"
        )
        details = {
            "audit": audit.id,
            "stream": str(stream),
            "since": unverified.isoformat(),
            "unverified": True,
        }
        record(s, _entry(AuditAction.MASK_AUDIT_INCONCLUSIVE, camera, why, details), now)
    return AuditOutcome(audit, latched=False, flag=None, unverified_since=unverified)


def _of(stream: AuditedStream) -> str:
    """How a reason names the stream: nothing for the main one (as before sub-streams)."""
    return " of the sub-stream" if stream is AuditedStream.SUB else ""


def unverified_since(
    s: Session, camera: CameraRow, at: datetime, stream: AuditedStream = AuditedStream.MAIN
) -> datetime | None:
    """Since when the camera's masks are unverified at `at` on `stream` — no conclusive audit
    of it for `UNVERIFIED_AFTER` since its last conclusive one or since the camera began
    masking itself — or None when they are verified."""
    since = _last_conclusive_or_start(s, camera, at, stream)
    return since if since is not None and at - since >= UNVERIFIED_AFTER else None


def audited_streams(camera: CameraRow) -> tuple[AuditedStream, ...]:
    """The streams the audit samples: the main one, and the sub-stream if the camera has one."""
    if camera.sub_url_sealed:
        return (AuditedStream.MAIN, AuditedStream.SUB)
    return (AuditedStream.MAIN,)


def with_verification(rt: Runtime, masks: CameraMasks) -> CameraMasks:
    """`masks` with a `mask_unverified` problem when the audit could not verify the camera's
    own masks for `UNVERIFIED_AFTER` (a small polygon, a dark or blank scene): the
    administrator is told, rather than trusting masks nobody has seen work."""
    if not auditable(masks):
        return masks
    with rt.db.read() as s:
        camera, now = registry.get_camera(s, masks.camera_id), rt.now()
        found = [unverified_since(s, camera, now, stream) for stream in audited_streams(camera)]
    known = [since for since in found if since is not None]
    if not known:
        return masks
    since = min(known)
    problem = MaskProblem(
        "mask_unverified",
        f"the camera's own masks could not be verified since {since.isoformat()}",
    )
    return replace(masks, problems=(*masks.problems, problem))


def _newly_unverified(s: Session, camera: CameraRow, audit: AuditRecord) -> datetime | None:
    """Since when, if this inconclusive audit is the first past the bound; else None."""
    since = unverified_since(s, camera, audit.at, audit.stream)
    if since is None:
        return None
    stmt = sa.select(sa.func.max(MaskAuditRow.at)).where(
        MaskAuditRow.camera_id == camera.id,
        MaskAuditRow.stream == str(audit.stream),
        MaskAuditRow.at < audit.at,
        MaskAuditRow.at >= since,
    )
    previous = s.execute(stmt).scalar_one_or_none()
    return since if previous is None or previous - since < UNVERIFIED_AFTER else None


def _last_conclusive_or_start(
    s: Session, camera: CameraRow, at: datetime, stream: AuditedStream
) -> datetime | None:
    stmt = sa.select(sa.func.max(MaskAuditRow.at)).where(
        MaskAuditRow.camera_id == camera.id,
        MaskAuditRow.stream == str(stream),
        MaskAuditRow.at <= at,
        MaskAuditRow.verdict != str(Verdict.INCONCLUSIVE),
    )
    starts = (s.execute(stmt).scalar_one_or_none(), _camera_mode_start(s, camera))
    known = [t for t in starts if t is not None]
    return max(known) if known else None


def _fail(s: Session, camera: CameraRow, audit: AuditRecord, now: datetime) -> AuditOutcome:
    failed = [p for p in audit.details["polygons"] if p["verdict"] == Verdict.FAIL]
    names = ", ".join(p["name"] for p in failed)
    reason = f"mask audit{_of(audit.stream)} failed: detail visible inside {names}"
    evidence = {
        "audit": audit.id,
        "stream": str(audit.stream),
        "trigger": str(audit.trigger),
        "frame_at": audit.at.isoformat(),
        "mask_version": audit.mask_version,
        "failed": failed,
        "size": audit.details["size"],
    }
    record(s, _entry(AuditAction.MASK_AUDIT_FAILED, camera, reason, evidence), now)
    latch = service.force_latch(s, AUDITOR, camera, reason, evidence, now)
    if latch is None:
        return AuditOutcome(audit, latched=False, flag=None)
    start = flag_start(s, camera, audit, {p["name"] for p in failed})
    flag = MaskFlagRow(
        camera_id=camera.id, from_at=start, to_at=None, reason=reason, audit_id=audit.id
    )
    s.add(flag)
    s.flush()
    return AuditOutcome(audit, latched=True, flag=_to_flag(flag))


def flag_start(s: Session, camera: CameraRow, audit: AuditRecord, failed: set[str]) -> datetime:
    """Where the footage that may show a failed polygon begins: the latest earlier audit of
    the main stream (the recorded one, whichever stream failed) that found every polygon of
    `failed` hidden (whatever the frame's verdict: a small or dark polygon elsewhere makes it
    inconclusive), else the start of the camera's own masking (its version in force, or the
    last confirmation that it was fixed); never after the failure."""
    since = _camera_mode_start(s, camera)
    stmt = (
        sa.select(MaskAuditRow.at, MaskAuditRow.details)
        .where(
            MaskAuditRow.camera_id == camera.id,
            MaskAuditRow.stream == str(AuditedStream.MAIN),
            MaskAuditRow.at < audit.at,
        )
        .order_by(MaskAuditRow.at.desc(), MaskAuditRow.id.desc())
    )
    if since is not None:
        stmt = stmt.where(MaskAuditRow.at >= since)
    rows = s.execute(stmt.execution_options(yield_per=200))
    try:
        for row in rows:
            at: datetime = row.at
            details: dict[str, Any] = row.details
            hidden = {p["name"] for p in details.get("polygons", []) if _was_hidden(p)}
            if failed <= hidden:
                return min(at, audit.at)
    finally:
        rows.close()
    return audit.at if since is None else min(since, audit.at)


def _was_hidden(polygon: dict[str, Any]) -> bool:
    """Whether an audit found this polygon hidden (results before `hidden` was kept: passed)."""
    return bool(polygon.get("hidden", polygon.get("verdict") == Verdict.PASS))


def _camera_mode_start(s: Session, camera: CameraRow) -> datetime | None:
    """Since when the camera masks itself: its version in force, or the last confirmation that
    it was fixed after a failed audit, whichever is later."""
    version = repository.current_version(s, camera.id).effective_from
    confirmed = s.execute(
        sa.select(sa.func.max(MaskLatchRow.confirmed_at)).where(MaskLatchRow.camera_id == camera.id)
    ).scalar_one_or_none()
    starts = [t for t in (version, confirmed) if t is not None]
    return max(starts) if starts else None


def close_flags(rt: Runtime, camera_id: int, at: datetime) -> int:
    """The camera's video is burnt in from `at`: its open flags end there. How many closed."""
    with rt.db.write() as s:
        stmt = (
            sa.update(MaskFlagRow)
            .where(MaskFlagRow.camera_id == camera_id, MaskFlagRow.to_at.is_(None))
            .values(to_at=at)
        )
        return int(s.execute(stmt).rowcount)  # type: ignore[attr-defined]


def audits(rt: Runtime, camera_id: int, limit: int = HISTORY_LIMIT) -> list[AuditRecord]:
    """The camera's audits, newest first."""
    with rt.db.read() as s:
        registry.get_camera(s, camera_id)
        stmt = (
            sa.select(MaskAuditRow)
            .where(MaskAuditRow.camera_id == camera_id)
            .order_by(MaskAuditRow.at.desc(), MaskAuditRow.id.desc())
            .limit(limit)
        )
        return [_to_audit(r) for r in s.execute(stmt).scalars()]


def flags(rt: Runtime, camera_id: int) -> list[MaskFlag]:
    """The camera's flagged periods, newest first."""
    with rt.db.read() as s:
        registry.get_camera(s, camera_id)
        stmt = (
            sa.select(MaskFlagRow)
            .where(MaskFlagRow.camera_id == camera_id)
            .order_by(MaskFlagRow.id.desc())
        )
        return [_to_flag(r) for r in s.execute(stmt).scalars()]


def do_request_audit(rt: Runtime, actor: Actor, camera_id: int) -> datetime:
    """Ask the worker recording the camera for an audit (at its next refresh); a request
    still waiting is kept rather than doubled. Returns when it was asked."""
    now = rt.now()
    with rt.db.write() as s:
        camera = repository.lock_camera(s, camera_id)
        masks = service.camera_view(s, camera)
        if not auditable(masks):
            raise not_auditable(camera_id, masks)
        stmt = sa.select(MaskAuditRequestRow).where(
            MaskAuditRequestRow.camera_id == camera_id, MaskAuditRequestRow.taken_at.is_(None)
        )
        waiting = s.execute(stmt.limit(1)).scalar_one_or_none()
        if waiting is not None:
            return waiting.requested_at
        s.add(MaskAuditRequestRow(camera_id=camera_id, requested_at=now, requested_by=actor.name))
        return now


def take_requests(rt: Runtime, camera_ids: set[int]) -> set[int]:
    """The cameras among `camera_ids` with an audit request waiting; the requests are taken."""
    if not camera_ids:
        return set()
    now = rt.now()
    with rt.db.write() as s:
        stmt = sa.select(MaskAuditRequestRow).where(
            MaskAuditRequestRow.camera_id.in_(camera_ids), MaskAuditRequestRow.taken_at.is_(None)
        )
        rows = list(s.execute(stmt).scalars())
        for row in rows:
            row.taken_at = now
        return {row.camera_id for row in rows}


def _conclusive_since(camera_id: int, stream: AuditedStream) -> sa.Select[int]:
    of_stream = (MaskAuditRow.camera_id == camera_id, MaskAuditRow.stream == str(stream))
    last = (
        sa.select(sa.func.max(MaskAuditRow.id))
        .where(*of_stream, MaskAuditRow.verdict != str(Verdict.INCONCLUSIVE))
        .scalar_subquery()
    )
    return sa.select(MaskAuditRow.id).where(*of_stream, MaskAuditRow.id > sa.func.coalesce(last, 0))


def _streak(s: Session, camera_id: int, stream: AuditedStream) -> int:
    """Inconclusive audits of `stream` since its last conclusive one."""
    stmt = sa.select(sa.func.count()).select_from(_conclusive_since(camera_id, stream).subquery())
    return int(s.execute(stmt).scalar_one())


def _streak_start(s: Session, camera_id: int, stream: AuditedStream) -> datetime:
    ids = _conclusive_since(camera_id, stream).subquery()
    stmt = sa.select(sa.func.min(MaskAuditRow.at)).where(MaskAuditRow.id.in_(sa.select(ids)))
    return s.execute(stmt).scalar_one()


def _to_audit(row: MaskAuditRow) -> AuditRecord:
    return AuditRecord(
        id=row.id,
        camera_id=row.camera_id,
        at=row.at,
        trigger=AuditTrigger(row.trigger),
        verdict=Verdict(row.verdict),
        details=row.details,
        mask_version=row.mask_version,
        stream=AuditedStream(row.stream),
    )


def _to_flag(row: MaskFlagRow) -> MaskFlag:
    return MaskFlag(row.id, row.camera_id, row.from_at, row.to_at, row.reason, row.audit_id)


def _entry(
    action: AuditAction, camera: CameraRow, reason: str, details: dict[str, Any]
) -> EntryDraft:
    return EntryDraft(
        AUDITOR,
        action,
        "camera",
        str(camera.id),
        camera_id=camera.id,
        reason=reason,
        details={"code": camera.code, **details},
    )
