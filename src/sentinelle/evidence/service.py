"""Export use cases: request (journalled, scope-checked), run (the job), cancel, list, the
export journal and verification. Invariants E1–E8 of `docs/design/playback-and-evidence.md`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sentinelle.access import errors as access_errors
from sentinelle.access.models import CameraScope
from sentinelle.audit.models import Actor, ActorKind, AuditAction, EntryDraft
from sentinelle.audit.service import record
from sentinelle.core.errors import SentinelleError, Unavailable
from sentinelle.evidence import assets, build, errors, manifest, oeff, privacy
from sentinelle.evidence.models import ExportRequest, ExportStatus, Period
from sentinelle.evidence.package import PackageWriter
from sentinelle.evidence.signing import SiteSigner, load_signer
from sentinelle.evidence.tables import ExportLineRow, ExportRow
from sentinelle.playback.timeline import timeline
from sentinelle.registry import repository as registry
from sentinelle.registry.tables import CameraRow
from sentinelle.runtime import Runtime
from sentinelle.storage import layout
from sentinelle.storage import repository as storage
from sentinelle.storage.models import Span
from sentinelle.storage.tables import SegmentRow

log = logging.getLogger(__name__)
_PROGRESS_EVERY = 1.0  # seconds between progress writes (and cancellation checks)


def exports_dir(rt: Runtime) -> Path:
    return rt.settings.resolved_data_dir / "exports"


def do_request_export(
    rt: Runtime,
    actor: Actor,
    request: ExportRequest,
    scope: CameraScope,
    out_dir: Path | None = None,
) -> ExportRow:
    """Queue an export after checking every camera's scope; journal the request (E1, E2)."""
    now = rt.now()
    if request.range_from > now:
        raise errors.range_in_future()
    with rt.db.write() as s:
        cameras = [_scoped_camera(s, camera_id, scope) for camera_id in request.camera_ids]
        row = _new_export(actor, request, now, out_dir or exports_dir(rt))
        s.add(row)
        s.flush()
        row.reference = f"EXP-{now:%Y%m%d}-{row.id:05d}"
        record(s, _requested_entry(actor, row, cameras), now)
    return row


def _scoped_camera(s: Session, camera_id: int, scope: CameraScope) -> CameraRow:
    camera = registry.get_camera(s, camera_id)
    if not scope.covers(camera.group_ids):
        raise access_errors.camera_out_of_scope(camera_id)
    return camera


def _new_export(actor: Actor, request: ExportRequest, now: datetime, out_dir: Path) -> ExportRow:
    return ExportRow(
        reference=f"pending-{time.monotonic_ns()}",
        status=ExportStatus.QUEUED,
        requested_by_kind=actor.kind,
        requested_by_name=actor.name,
        requested_by_id=actor.user_id,
        reason=request.reason,
        requisition=request.requisition,
        officer=request.officer,
        camera_ids=list(request.camera_ids),
        range_from=request.range_from,
        range_to=request.range_to,
        created_at=now,
        out_dir=str(out_dir),
    )


def _requested_entry(actor: Actor, row: ExportRow, cameras: Sequence[CameraRow]) -> EntryDraft:
    return EntryDraft(
        actor,
        AuditAction.EXPORT_REQUESTED,
        "export",
        row.reference,
        camera_id=cameras[0].id if len(cameras) == 1 else None,
        reason=row.reason,
        details={
            "cameras": [c.code for c in cameras],
            "from": manifest.utc_text(row.range_from),
            "to": manifest.utc_text(row.range_to),
            "requisition": row.requisition,
            "officer": row.officer,
        },
    )


def get_export(rt: Runtime, export_id: int) -> ExportRow:
    with rt.db.read() as s:
        row = s.get(ExportRow, export_id)
        if row is None:
            raise errors.export_not_found(export_id)
        return row


def list_exports(rt: Runtime, requested_by: int | None = None, limit: int = 100) -> list[ExportRow]:
    stmt = sa.select(ExportRow).order_by(ExportRow.id.desc()).limit(limit)
    if requested_by is not None:
        stmt = stmt.where(ExportRow.requested_by_id == requested_by)
    with rt.db.read() as s:
        return list(s.execute(stmt).scalars())


def do_cancel_export(rt: Runtime, actor: Actor, export_id: int, reason: str) -> ExportRow:
    """Ask a queued or running export to stop; the job removes what it wrote."""
    with rt.db.write() as s:
        row = s.get(ExportRow, export_id, with_for_update=True)
        if row is None:
            raise errors.export_not_found(export_id)
        if row.status not in (ExportStatus.QUEUED, ExportStatus.RUNNING):
            raise errors.export_not_cancellable(row.reference, row.status)
        row.cancel_requested = True
        if row.status == ExportStatus.QUEUED:
            row.status, row.finished_at = ExportStatus.CANCELLED, rt.now()
            record(s, _outcome_entry(actor, row, AuditAction.EXPORT_CANCELLED, reason), rt.now())
    return row


# --------------------------------------------------------------------------- the job


@dataclass
class _Progress:
    """Writes progress at most every `_PROGRESS_EVERY` seconds; raises `Cancelled` when asked."""

    rt: Runtime
    export_id: int
    total: int
    done: int = 0
    last: float = 0.0

    def __call__(self, size: int) -> None:
        self.done += size
        now = time.monotonic()
        if now - self.last < _PROGRESS_EVERY and self.done < self.total:
            return
        self.last = now
        with self.rt.db.write() as s:
            row = s.get(ExportRow, self.export_id)
            assert row is not None  # noqa: S101 - exports are never deleted
            row.progress = min(self.done / max(self.total, 1), 0.99)
            cancelled = row.cancel_requested
        if cancelled:
            raise errors.Cancelled


def claim_next(rt: Runtime, export_id: int | None = None) -> int | None:
    """The oldest queued export (or `export_id` if still queued), now marked running by
    this caller; None when there is none."""
    stmt = sa.select(ExportRow).where(ExportRow.status == ExportStatus.QUEUED)
    if export_id is not None:
        stmt = stmt.where(ExportRow.id == export_id)
    with rt.db.write() as s:
        row = s.execute(
            stmt.order_by(ExportRow.id).limit(1).with_for_update(skip_locked=True)
        ).scalar_one_or_none()
        if row is None:
            return None
        row.status, row.started_at = ExportStatus.RUNNING, rt.now()
        return row.id


def run_export(rt: Runtime, export_id: int) -> ExportRow:
    """Produce a claimed export; whatever happens, its read hold is released and its
    outcome journalled. Returns the export as it ended."""
    row = get_export(rt, export_id)
    owner = f"export:{row.id}"
    try:
        _hold(rt, row, owner)
        _produce(rt, row)
    except errors.Cancelled:
        _ended(rt, row.id, ExportStatus.CANCELLED, AuditAction.EXPORT_CANCELLED, None)
    except SentinelleError as exc:
        _ended(rt, row.id, ExportStatus.FAILED, AuditAction.EXPORT_FAILED, exc)
    except Exception as exc:
        log.exception("export %s failed unexpectedly", row.reference)
        error = Unavailable("export_internal_error", f"internal error: {type(exc).__name__}")
        _ended(rt, row.id, ExportStatus.FAILED, AuditAction.EXPORT_FAILED, error)
    finally:
        with rt.db.write() as s:
            storage.release_read_holds(s, owner)
    return get_export(rt, export_id)


def _hold(rt: Runtime, row: ExportRow, owner: str) -> None:
    spans = {cam: Span(row.range_from, row.range_to) for cam in row.camera_ids}
    with rt.db.write() as s:
        storage.place_read_hold(s, owner, spans, rt.now())


@dataclass(frozen=True, slots=True)
class _Source:
    camera: build.CameraFacts
    segments: list[SegmentRow]
    prev_link: str


def _sources(rt: Runtime, row: ExportRow) -> list[_Source]:
    with rt.db.read() as s:
        out = []
        for camera_id in row.camera_ids:
            camera = registry.get_camera(s, camera_id)
            segments = storage.segments_between(s, camera_id, row.range_from, row.range_to)
            first = segments[0].chain_seq if segments else 0
            out.append(_Source(_facts(camera), segments, storage.link_before(s, camera_id, first)))
        return out


def _facts(camera: CameraRow) -> build.CameraFacts:
    return build.CameraFacts(
        id=camera.id,
        code=camera.code,
        name=camera.name,
        location=camera.address or camera.zone.name,
        latitude=camera.latitude,
        longitude=camera.longitude,
        url=camera.main_url_redacted,
    )


def _produce(rt: Runtime, row: ExportRow) -> None:
    sources = _sources(rt, row)
    if not any(src.segments for src in sources):
        raise errors.no_footage(", ".join(src.camera.code for src in sources))
    signer = load_signer(rt)
    total = sum(seg.bytes for src in sources for seg in src.segments)
    pkg = PackageWriter(Path(row.out_dir), row.reference)
    try:
        ctx = _context(rt, row, signer, _Progress(rt, row.id, total))
        items = _write_items(rt, pkg, ctx, row, sources)
        codes = [src.camera.code for src in sources]
        _write_documents(rt, pkg, row, signer, items, codes)
        final = pkg.seal()
    except BaseException:
        pkg.discard()
        raise
    _done(rt, row.id, final, items)


def _context(rt: Runtime, row: ExportRow, signer: SiteSigner, progress: _Progress) -> build.Context:
    unit = oeff.ExportUnit(
        name=f"Sentinelle — {rt.settings.site_name} ({assets.host_name()})",
        url="",
        mac="",
        time=rt.now(),
        operator=row.requested_by_name,
    )
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    return build.Context(signer, unit, ZoneInfo(rt.settings.site_timezone), root, progress)


Delivered = list[tuple[build.Item, list[manifest.Gap]]]


def _write_items(
    rt: Runtime, pkg: PackageWriter, ctx: build.Context, row: ExportRow, sources: list[_Source]
) -> Delivered:
    period = Period(row.range_from, row.range_to)
    delivered: Delivered = []
    reader = build.read_sources(ctx, [seg for src in sources for seg in src.segments])
    for src in (src for src in sources if src.segments):
        gaps = _gaps(rt, src.camera.id, period)
        masker = privacy.masker(rt, src.camera.id)  # flagged footage is re-encoded, masked
        items = build.export_camera(pkg, ctx, src.camera, src.segments, period, reader, masker)
        links = {seg.chain_seq + 1: seg.chain_hash for seg in src.segments}
        for n, item in enumerate(items):
            first = item.segments[0]
            item.prev_chain_hash = (
                src.prev_link if first is src.segments[0] else links[first.chain_seq]
            )
            delivered.append((item, _gaps_of(gaps, items, n)))
    return delivered


def _gaps_of(gaps: list[manifest.Gap], items: list[build.Item], n: int) -> list[manifest.Gap]:
    """The camera's gaps an item states: those from its start to the next item's (the first
    item also those before it)."""
    lower = None if n == 0 else _covered(items[n]).start
    upper = None if n + 1 == len(items) else _covered(items[n + 1]).start
    return [
        g
        for g in gaps
        if (lower is None or g.start >= lower) and (upper is None or g.start < upper)
    ]


def _covered(item: build.Item) -> Period:
    assert item.covered is not None  # noqa: S101 - a finished item
    return item.covered


def _gaps(rt: Runtime, camera_id: int, period: Period) -> list[manifest.Gap]:
    """The camera's gaps in the period, with their reasons, from its timeline."""
    found = timeline(rt, camera_id, period.start, period.end).gaps
    return [manifest.Gap(g.start, g.end, str(g.reason), g.cause) for g in found]


def _write_documents(
    rt: Runtime,
    pkg: PackageWriter,
    row: ExportRow,
    signer: SiteSigner,
    items: Delivered,
    codes: list[str],
) -> None:
    """Report, read-me, verifier, player, certificate; then the manifest and its signatures."""
    site = {"name": rt.settings.site_name, "timezone": rt.settings.site_timezone}
    base = manifest.build(row, site, signer, items, rt.now(), codes)
    for rel, data in assets.documents(base):
        pkg.add(rel, data)
    pkg.add(manifest.CERTIFICATE_FILE, signer.certificate_pem())
    data = manifest.canonical(manifest.with_files(base, pkg.files))
    pkg.add(manifest.MANIFEST_FILE, data)
    pkg.add(manifest.SIGNATURE_FILE, signer.sign_pss(data, 32))
    pkg.add(manifest.CMS_FILE, signer.sign_cms_detached(data))


def _done(rt: Runtime, export_id: int, final: Path, items: Delivered) -> None:
    """Mark the export done, write its export journal lines and journal it (E8)."""
    now = rt.now()
    with rt.db.write() as s:
        row = s.get(ExportRow, export_id)
        assert row is not None  # noqa: S101
        row.status, row.finished_at, row.progress = ExportStatus.DONE, now, 1.0
        row.package_path = str(final)
        row.manifest_sha256 = _sha256_file(final / manifest.MANIFEST_FILE)
        row.bytes = sum(p.stat().st_size for p in final.rglob("*") if p.is_file())
        s.add_all(_line(row, item, now) for item, _ in items)
        actor = _requester(row)
        record(s, _outcome_entry(actor, row, AuditAction.EXPORT_COMPLETED, row.reason), now)


def _sha256_file(path: Path) -> str:
    return layout.sha256_of(path)


def _line(row: ExportRow, item: build.Item, now: datetime) -> ExportLineRow:
    assert item.covered is not None  # noqa: S101
    return ExportLineRow(
        export_id=row.id,
        reference=row.reference,
        camera_id=item.camera.id,
        camera_code=item.camera.code,
        images_from=item.covered.start,
        images_to=item.covered.end,
        duration_seconds=round(item.covered.seconds, 3),
        exported_at=now,
        exporter_kind=row.requested_by_kind,
        exporter_name=row.requested_by_name,
        exporter_id=row.requested_by_id,
        requisition=row.requisition,
        officer=row.officer,
        file_sha256=item.sha256,
    )


def _ended(
    rt: Runtime,
    export_id: int,
    status: ExportStatus,
    action: AuditAction,
    error: SentinelleError | None,
) -> None:
    now = rt.now()
    with rt.db.write() as s:
        row = s.get(ExportRow, export_id)
        assert row is not None  # noqa: S101
        row.status, row.finished_at = status, now
        if error is not None:
            row.error_code, row.error_message = error.code, str(error)[:2000]
        record(s, _outcome_entry(Actor.system("exports"), row, action, row.reason), now)


def _requester(row: ExportRow) -> Actor:
    return Actor(ActorKind(row.requested_by_kind), row.requested_by_name, row.requested_by_id)


def _outcome_entry(actor: Actor, row: ExportRow, action: AuditAction, reason: str) -> EntryDraft:
    details: dict[str, Any] = {"status": row.status, "cameras": row.camera_ids}
    if row.error_code:
        details["error"] = row.error_code
    if row.manifest_sha256:
        details["manifest_sha256"] = row.manifest_sha256
    return EntryDraft(actor, action, "export", row.reference, reason=reason, details=details)


# --------------------------------------------------------------------------- the export journal


def export_journal(
    rt: Runtime, actor: Actor, start: datetime, end: datetime, reason: str
) -> list[ExportLineRow]:
    """Lines of the export journal exported in [start, end); reading it is journalled."""
    with rt.db.write() as s:
        lines = list(
            s.execute(
                sa.select(ExportLineRow)
                .where(ExportLineRow.exported_at >= start, ExportLineRow.exported_at < end)
                .order_by(ExportLineRow.exported_at, ExportLineRow.id)
            ).scalars()
        )
        details = {
            "from": manifest.utc_text(start),
            "to": manifest.utc_text(end),
            "lines": len(lines),
        }
        record(
            s,
            EntryDraft(
                actor,
                AuditAction.EXPORT_JOURNAL_EXPORTED,
                "export_journal",
                "",
                reason=reason,
                details=details,
            ),
            rt.now(),
        )
    return lines


def end_interrupted(rt: Runtime) -> list[str]:
    """Fail the exports left running by a dead process, removing their partial packages and
    read holds (run at the start of the only job runner). Their references."""
    with rt.db.read() as s:
        stuck = list(
            s.execute(
                sa.select(ExportRow).where(ExportRow.status == ExportStatus.RUNNING)
            ).scalars()
        )
    for row in stuck:
        PackageWriter.remove_partial(Path(row.out_dir), row.reference)
        error = errors.interrupted(row.reference)
        _ended(rt, row.id, ExportStatus.FAILED, AuditAction.EXPORT_FAILED, error)
        with rt.db.write() as s:
            storage.release_read_holds(s, f"export:{row.id}")
    return [row.reference for row in stuck]


def do_record_download(rt: Runtime, actor: Actor, row: ExportRow, reason: str) -> None:
    """Journal that a package left the system by download (E1)."""
    with rt.db.write() as s:
        entry = _outcome_entry(actor, row, AuditAction.EXPORT_DOWNLOADED, reason)
        record(s, entry, rt.now())
