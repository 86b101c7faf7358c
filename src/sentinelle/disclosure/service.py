"""Disclosure use cases: request (journalled, scope-checked), the review (frames shown,
journalled; the plan saved), the render request, cancel, download. The jobs that analyse and
render are in `jobs`. Invariants D1–D7 of `docs/design/disclosure.md`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sentinelle.access import errors as access_errors
from sentinelle.access.models import CameraScope
from sentinelle.audit.models import Actor, AuditAction, EntryDraft
from sentinelle.audit.service import record
from sentinelle.disclosure import errors, policy, source
from sentinelle.disclosure.models import DisclosureRequest, DisclosureStatus, PlanInput
from sentinelle.disclosure.tables import DisclosureRow
from sentinelle.evidence import service as evidence
from sentinelle.evidence.models import ExportStatus
from sentinelle.privacy.anonymise import frames, plan, serial
from sentinelle.privacy.anonymise.models import Analysis, Box, ManualRegion, RedactionPlan
from sentinelle.registry import repository as registry
from sentinelle.runtime import Runtime

ANALYSIS_FILE = "analysis.json"
_REVIEWABLE = frozenset(
    {DisclosureStatus.REVIEW, DisclosureStatus.RENDER_QUEUED, DisclosureStatus.RENDERING}
)


def disclosures_dir(rt: Runtime) -> Path:
    return rt.settings.resolved_data_dir / "disclosures"


def work_dir(rt: Runtime, reference: str) -> Path:
    """Where a disclosure's analysis is kept until its package is made."""
    return disclosures_dir(rt) / "work" / reference


def do_request_disclosure(
    rt: Runtime, actor: Actor, request: DisclosureRequest, scope: CameraScope
) -> DisclosureRow:
    """Queue the analysis of one exported file; journal the request with its purpose,
    recipient and reason (D1, D2)."""
    export = evidence.get_export(rt, request.export_id)
    with rt.db.read() as s:  # scope first: nothing is told of an export out of scope
        for camera_id in export.camera_ids:
            if not scope.covers(registry.get_camera(s, camera_id).group_ids):
                raise access_errors.camera_out_of_scope(camera_id)
    if export.status != ExportStatus.DONE:
        raise errors.export_not_ready(export.reference, export.status)
    src = source.find(export, request.file)
    if src.seconds > source.MAX_SECONDS:
        raise errors.too_long(request.file, src.seconds, source.MAX_SECONDS)
    now = rt.now()
    with rt.db.write() as s:
        row = _new_row(actor, request, src, now)
        s.add(row)
        s.flush()
        row.reference = f"ANO-{now:%Y%m%d}-{row.id:05d}"
        row.work_dir = str(work_dir(rt, row.reference))
        record(s, _entry(actor, row, AuditAction.DISCLOSURE_REQUESTED, request.reason), now)
    return row


def _new_row(
    actor: Actor, request: DisclosureRequest, src: source.SourceFile, now: datetime
) -> DisclosureRow:
    return DisclosureRow(
        reference=f"pending-{time.monotonic_ns()}",
        export_id=request.export_id,
        camera_id=src.camera_id,
        camera_code=src.camera_code,
        source_file=src.file,
        source_sha256=src.sha256,
        purpose=request.purpose,
        recipient=request.recipient,
        reason=request.reason,
        status=DisclosureStatus.QUEUED,
        requested_by_kind=actor.kind,
        requested_by_name=actor.name,
        requested_by_id=actor.user_id,
        created_at=now,
        viewers={},
        work_dir="",
    )


def entry(
    actor: Actor,
    row: DisclosureRow,
    action: AuditAction,
    reason: str,
    details: dict[str, Any] | None = None,
) -> EntryDraft:
    """The journal entry of an action on a disclosure (also used by the jobs)."""
    return _entry(actor, row, action, reason, details)


def _entry(
    actor: Actor,
    row: DisclosureRow,
    action: AuditAction,
    reason: str,
    details: dict[str, Any] | None = None,
) -> EntryDraft:
    base = {
        "export_id": row.export_id,
        "file": row.source_file,
        "purpose": row.purpose,
        "recipient": row.recipient,
    }
    return EntryDraft(
        actor=actor,
        action=action,
        target_type="disclosure",
        target_id=row.reference,
        camera_id=row.camera_id,
        reason=reason,
        details=base | (details or {}),
    )


def get_disclosure(rt: Runtime, disclosure_id: int) -> DisclosureRow:
    with rt.db.read() as s:
        row = s.get(DisclosureRow, disclosure_id)
        if row is None:
            raise errors.disclosure_not_found(disclosure_id)
        s.expunge(row)
        return row


def list_disclosures(
    rt: Runtime,
    export_id: int | None = None,
    limit: int = 100,
    visible: Callable[[DisclosureRow], bool] = lambda _: True,
) -> list[DisclosureRow]:
    """The latest `limit` disclosures the caller may see (`visible`: their scope), newest
    first — the scope is applied before the limit, so none is hidden by others' rows."""
    stmt = sa.select(DisclosureRow).order_by(DisclosureRow.id.desc())
    if export_id is not None:
        stmt = stmt.where(DisclosureRow.export_id == export_id)
    with rt.db.read() as s:
        rows = [row for row in s.execute(stmt).scalars() if visible(row)][:limit]
        s.expunge_all()
        return rows


def analysis_of(row: DisclosureRow) -> Analysis:
    """The detections and tracks of an analysed disclosure."""
    if row.status in {DisclosureStatus.QUEUED, DisclosureStatus.ANALYSING}:
        raise errors.wrong_status(row.reference, row.status, "show its detections")
    path = Path(row.work_dir) / ANALYSIS_FILE
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise errors.wrong_status(row.reference, row.status, "show its detections") from exc
    return serial.analysis_from_json(data)


def plan_of(row: DisclosureRow) -> RedactionPlan:
    """The saved plan, or the default one (hide every track) before any save."""
    return serial.plan_from_json(row.plan) if row.plan is not None else RedactionPlan()


def to_plan(body: PlanInput) -> RedactionPlan:
    return RedactionPlan(
        effect=body.effect,
        keep=frozenset(body.keep),
        dismissed=frozenset(body.dismissed),
        hidden=frozenset(body.hidden),
        manual=tuple(
            ManualRegion(r.id, r.first_frame, r.last_frame, Box(*r.box)) for r in body.manual
        ),
    )


def do_save_plan(
    rt: Runtime, actor: Actor, disclosure_id: int, body: PlanInput, version: int
) -> DisclosureRow:
    """Save the agent's plan (checked against the analysis), journalled with its figures.
    `version` is the plan version the agent edited (409 `disclosure_plan_outdated` if another
    save came in between)."""
    row = get_disclosure(rt, disclosure_id)
    if row.status != DisclosureStatus.REVIEW:
        raise errors.wrong_status(row.reference, row.status, "change its plan")
    redaction = to_plan(body)
    plan.check_plan(analysis_of(row), redaction)
    now = rt.now()
    with rt.db.write() as s:
        live = _locked(s, disclosure_id)
        if live.status != DisclosureStatus.REVIEW:
            raise errors.wrong_status(live.reference, live.status, "change its plan")
        if live.plan_version != version:
            raise errors.plan_outdated(live.reference)
        live.plan = serial.plan_to_json(redaction)
        live.plan_version += 1
        live.plan_saved_by, live.plan_saved_at = actor.name, now
        details = _plan_figures(redaction)
        reason = "plan d'anonymisation enregistré"
        record(s, _entry(actor, live, AuditAction.DISCLOSURE_PLAN_SAVED, reason, details), now)
        s.flush()
        s.expunge(live)
    return live


def _plan_figures(redaction: RedactionPlan) -> dict[str, Any]:
    return {
        "effect": str(redaction.effect),
        "kept_tracks": sorted(redaction.keep),
        "dismissed_tracks": sorted(redaction.dismissed),
        "hidden_tracks": sorted(redaction.hidden),
        "manual_regions": len(redaction.manual),
    }


def _locked(s: Session, disclosure_id: int) -> DisclosureRow:
    row = s.execute(
        sa.select(DisclosureRow).where(DisclosureRow.id == disclosure_id).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise errors.disclosure_not_found(disclosure_id)
    return row


def do_request_render(rt: Runtime, actor: Actor, disclosure_id: int, reason: str) -> DisclosureRow:
    """Queue the render of the saved plan (a plan must have been saved after review)."""
    now = rt.now()
    with rt.db.write() as s:
        row = _locked(s, disclosure_id)
        if row.status != DisclosureStatus.REVIEW:
            raise errors.wrong_status(row.reference, row.status, "render")
        if row.plan is None or row.plan_saved_at is None:
            raise errors.plan_missing(row.reference)
        row.status = DisclosureStatus.RENDER_QUEUED
        row.progress = 0.0
        row.render_requested_by_kind = actor.kind
        row.render_requested_by_name = actor.name
        row.render_requested_by_id = actor.user_id
        record(s, _entry(actor, row, AuditAction.DISCLOSURE_RENDER_REQUESTED, reason), now)
        s.flush()
        s.expunge(row)
    return row


def do_cancel(rt: Runtime, actor: Actor, disclosure_id: int, reason: str) -> DisclosureRow:
    """Cancel a disclosure not yet finished, journalled at once with the caller and their
    reason: a queued or reviewed one ends now, a running job at its next progress check or,
    at the latest, before it records its result (whatever it wrote is then removed)."""
    now = rt.now()
    with rt.db.write() as s:
        row = _locked(s, disclosure_id)
        if not policy.cancellable(row.status):
            raise errors.wrong_status(row.reference, row.status, "cancel")
        row.cancel_requested = True
        if row.status not in {DisclosureStatus.ANALYSING, DisclosureStatus.RENDERING}:
            row.status, row.finished_at = DisclosureStatus.CANCELLED, now
        details = {"while": row.status}
        record(s, _entry(actor, row, AuditAction.DISCLOSURE_CANCELLED, reason, details), now)
        s.flush()
        s.expunge(row)
    return row


def do_view_frame(rt: Runtime, actor: Actor, row: DisclosureRow, index: int) -> bytes:
    """A source frame for the review screen as JPEG; the look is journalled first (D1), once
    per viewer per quarter hour of review."""
    if row.status not in _REVIEWABLE:
        raise errors.wrong_status(row.reference, row.status, "show its frames")
    src = Path(evidence.get_export(rt, row.export_id).package_path) / row.source_file
    _journal_view(rt, actor, row.id, index)
    return frames.frame_jpeg(src, index)


def _journal_view(rt: Runtime, actor: Actor, disclosure_id: int, index: int) -> None:
    now = rt.now()
    key = str(actor.user_id) if actor.user_id is not None else f"{actor.kind}:{actor.name}"
    with rt.db.write() as s:
        live = _locked(s, disclosure_id)
        if live.status not in _REVIEWABLE:  # cancelled meanwhile: nothing is shown
            raise errors.wrong_status(live.reference, live.status, "show its frames")
        seen = dict(live.viewers or {})
        last = datetime.fromisoformat(seen[key]) if key in seen else None
        if not policy.needs_view_entry(last, now):
            return
        seen[key] = now.isoformat()
        live.viewers = seen
        reason = "revue des détections avant anonymisation"
        details = {"first_frame": index}
        record(s, _entry(actor, live, AuditAction.DISCLOSURE_VIEWED, reason, details), now)


def do_record_download(rt: Runtime, actor: Actor, row: DisclosureRow, reason: str) -> None:
    """Journal that an anonymised package left the system by download (D1)."""
    with rt.db.write() as s:
        record(s, _entry(actor, row, AuditAction.DISCLOSURE_DOWNLOADED, reason), rt.now())
