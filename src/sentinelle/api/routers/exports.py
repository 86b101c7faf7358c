"""Evidence exports: request, follow, cancel, download, verify; the export journal."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

from sentinelle.access import errors as access_errors
from sentinelle.access.models import Permission, Principal
from sentinelle.api.schemas.common import ERROR_RESPONSES, Reason
from sentinelle.api.schemas.evidence import (
    ExportLineOut,
    ExportOut,
    ProblemOut,
    VerificationOut,
)
from sentinelle.api.security import PrincipalDep, RuntimeDep, actor_of, guarded
from sentinelle.core.errors import Conflict, InvalidInput
from sentinelle.evidence import service, verifier
from sentinelle.evidence.models import ExportRequest, ExportStatus
from sentinelle.evidence.package import zip_of
from sentinelle.evidence.tables import ExportRow
from sentinelle.registry.service import camera_in_scope
from sentinelle.runtime import Runtime

router = APIRouter(prefix="/api", tags=["exports"], responses=ERROR_RESPONSES)
EXPORT = Permission.VIDEO_EXPORT


@router.post("/exports", status_code=202, **guarded(EXPORT))
def request_export(body: ExportRequest, principal: PrincipalDep, rt: RuntimeDep) -> ExportOut:
    """Queue an export (lossless MP4 per camera, signed manifest, report, verifier, player).
    Every camera must be in the caller's scope; the request is journalled with its reason."""
    row = service.do_request_export(rt, actor_of(principal), body, principal.scope_for(EXPORT))
    return ExportOut.of(row)


@router.get("/exports", **guarded(EXPORT))
def list_exports(rt: RuntimeDep, principal: PrincipalDep) -> list[ExportOut]:
    """The latest exports whose cameras are all in the caller's scope."""
    return [ExportOut.of(r) for r in service.list_exports(rt) if _visible(rt, principal, r)]


@router.get("/exports/{export_id}", **guarded(EXPORT))
def get_export(export_id: int, rt: RuntimeDep, principal: PrincipalDep) -> ExportOut:
    return ExportOut.of(_scoped(rt, principal, export_id))


@router.post("/exports/{export_id}/cancel", **guarded(EXPORT))
def cancel_export(
    export_id: int, body: Reason, rt: RuntimeDep, principal: PrincipalDep
) -> ExportOut:
    _scoped(rt, principal, export_id)
    row = service.do_cancel_export(rt, actor_of(principal), export_id, body.reason)
    return ExportOut.of(row)


@router.get("/exports/{export_id}/package.zip", **guarded(EXPORT))
def download_export(
    export_id: int,
    rt: RuntimeDep,
    principal: PrincipalDep,
    reason: str = Query(..., min_length=1, max_length=2000),
) -> FileResponse:
    """The package as a ZIP (made on first download), journalled with its reason."""
    row = _finished(rt, principal, export_id)
    zipped = zip_of(Path(row.package_path))
    service.do_record_download(rt, actor_of(principal), row, reason)
    return FileResponse(zipped, media_type="application/zip", filename=zipped.name)


@router.get("/exports/{export_id}/verification", **guarded(EXPORT))
def verify_export(export_id: int, rt: RuntimeDep, principal: PrincipalDep) -> VerificationOut:
    """Re-check every hash and signature of the package as it is on disk now."""
    row = _finished(rt, principal, export_id)
    report = verifier.verify_package(Path(row.package_path))
    return VerificationOut(
        ok=report.ok,
        files_checked=report.files_checked,
        videos_checked=report.videos_checked,
        certificate_fingerprint=report.certificate_fingerprint,
        problems=[ProblemOut(path=p.path, code=p.code, message=p.message) for p in report.problems],
    )


@router.get("/export-journal", **guarded(Permission.REGISTER_READ))
def export_journal(
    rt: RuntimeDep,
    principal: PrincipalDep,
    since: datetime = Query(..., alias="from"),
    until: datetime = Query(..., alias="to"),
    reason: str = Query(..., min_length=1, max_length=2000),
) -> list[ExportLineOut]:
    """The export journal (rule 5) for a period; reading it is journalled."""
    if since.tzinfo is None or until.tzinfo is None:
        raise InvalidInput("naive_datetime", "from and to need a time zone (e.g. Z)")
    lines = service.export_journal(rt, actor_of(principal), since, until, reason)
    return [ExportLineOut.of(line) for line in lines]


def _visible(rt: Runtime, principal: Principal, row: ExportRow) -> bool:
    scope = principal.scope_for(EXPORT)
    return all(camera_in_scope(rt, camera_id, scope) for camera_id in row.camera_ids)


def _scoped(rt: Runtime, principal: Principal, export_id: int) -> ExportRow:
    row = service.get_export(rt, export_id)
    if not _visible(rt, principal, row):
        raise access_errors.camera_out_of_scope(row.camera_ids[0])
    return row


def _finished(rt: Runtime, principal: Principal, export_id: int) -> ExportRow:
    row = _scoped(rt, principal, export_id)
    if row.status != ExportStatus.DONE:
        raise Conflict("export_not_ready", f"export {row.reference} is {row.status}")
    return row
