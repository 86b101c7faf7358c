"""Disclosures: anonymised copies of exported files for third parties — request, review
(detections, frames, plan), render, cancel, download, verify."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import FileResponse

from sentinelle.access import errors as access_errors
from sentinelle.access.models import Permission, Principal
from sentinelle.api.schemas.common import ERROR_RESPONSES
from sentinelle.api.schemas.disclosure import AnalysisOut, DisclosureOut, ExportVideoOut
from sentinelle.api.schemas.evidence import ProblemOut, VerificationOut
from sentinelle.api.security import PrincipalDep, RuntimeDep, actor_of, guarded
from sentinelle.core.errors import Conflict
from sentinelle.disclosure import errors, package, service, source
from sentinelle.disclosure.models import DisclosureRequest, DisclosureStatus, PlanInput, Reason
from sentinelle.disclosure.tables import DisclosureRow
from sentinelle.evidence import service as evidence
from sentinelle.evidence.models import ExportStatus
from sentinelle.evidence.package import zip_of
from sentinelle.evidence.signing import fingerprint, previous_certificates, read_signer
from sentinelle.registry.service import camera_in_scope
from sentinelle.runtime import Runtime

router = APIRouter(prefix="/api", tags=["disclosures"], responses=ERROR_RESPONSES)
EXPORT = Permission.VIDEO_EXPORT


@router.get("/exports/{export_id}/videos", **guarded(EXPORT))
def export_videos(export_id: int, rt: RuntimeDep, principal: PrincipalDep) -> list[ExportVideoOut]:
    """The videos of a finished export that can be anonymised (one per camera and part)."""
    export = evidence.get_export(rt, export_id)
    scope = principal.scope_for(EXPORT)
    if not all(camera_in_scope(rt, camera_id, scope) for camera_id in export.camera_ids):
        raise access_errors.camera_out_of_scope(export.camera_ids[0])
    if export.status != ExportStatus.DONE:
        raise errors.export_not_ready(export.reference, export.status)
    return [_video(item) for item in source.items(export)]


def _video(item: dict[str, Any]) -> ExportVideoOut:
    video = item.get("video", {})
    return ExportVideoOut(
        file=item["file"],
        camera_id=item["camera"]["id"],
        camera_code=item["camera"]["code"],
        covered_from=item["covered"]["from"],
        covered_to=item["covered"]["to"],
        duration_seconds=item.get("duration_seconds", 0.0),
        frames=item.get("frames", 0),
        width=video.get("width", 0),
        height=video.get("height", 0),
        sha256=item["sha256"],
    )


@router.post("/disclosures", status_code=202, **guarded(EXPORT))
def request_disclosure(
    body: DisclosureRequest, principal: PrincipalDep, rt: RuntimeDep
) -> DisclosureOut:
    """Queue the analysis of one exported video (people and faces detected and tracked in
    every frame); journalled with purpose, recipient and reason."""
    scope = principal.scope_for(EXPORT)
    row = service.do_request_disclosure(rt, actor_of(principal), body, scope)
    return DisclosureOut.of(row)


@router.get("/disclosures", **guarded(EXPORT))
def list_disclosures(
    rt: RuntimeDep, principal: PrincipalDep, export_id: int | None = None
) -> list[DisclosureOut]:
    """The latest disclosures whose camera is in the caller's scope."""
    rows = service.list_disclosures(rt, export_id, visible=lambda r: _visible(rt, principal, r))
    return [DisclosureOut.of(r) for r in rows]


@router.get("/disclosures/{disclosure_id}", **guarded(EXPORT))
def get_disclosure(disclosure_id: int, rt: RuntimeDep, principal: PrincipalDep) -> DisclosureOut:
    return DisclosureOut.of(_scoped(rt, principal, disclosure_id))


@router.get("/disclosures/{disclosure_id}/analysis", **guarded(EXPORT))
def get_analysis(disclosure_id: int, rt: RuntimeDep, principal: PrincipalDep) -> AnalysisOut:
    """Every track the detectors followed, with its box in each frame (no identity)."""
    return AnalysisOut.of(service.analysis_of(_scoped(rt, principal, disclosure_id)))


@router.get(
    "/disclosures/{disclosure_id}/frames/{index}.jpg",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}, "description": "the source frame"}},
    **guarded(EXPORT),
)
def get_frame(disclosure_id: int, index: int, rt: RuntimeDep, principal: PrincipalDep) -> Response:
    """A frame of the source video for the review (journalled once per quarter hour)."""
    row = _scoped(rt, principal, disclosure_id)
    image = service.do_view_frame(rt, actor_of(principal), row, index)
    return Response(image, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"})


@router.put("/disclosures/{disclosure_id}/plan", **guarded(EXPORT))
def save_plan(
    disclosure_id: int,
    body: PlanInput,
    rt: RuntimeDep,
    principal: PrincipalDep,
    version: int = Query(..., ge=0, description="the plan_version the edit started from"),
) -> DisclosureOut:
    """Keep the person concerned, dismiss false detections, hide regions by hand."""
    _scoped(rt, principal, disclosure_id)
    return DisclosureOut.of(
        service.do_save_plan(rt, actor_of(principal), disclosure_id, body, version)
    )


@router.post("/disclosures/{disclosure_id}/render", status_code=202, **guarded(EXPORT))
def render(
    disclosure_id: int, body: Reason, rt: RuntimeDep, principal: PrincipalDep
) -> DisclosureOut:
    """Queue the render of the saved plan: the redacted video and its signed log."""
    _scoped(rt, principal, disclosure_id)
    row = service.do_request_render(rt, actor_of(principal), disclosure_id, body.reason)
    return DisclosureOut.of(row)


@router.post("/disclosures/{disclosure_id}/cancel", **guarded(EXPORT))
def cancel(
    disclosure_id: int, body: Reason, rt: RuntimeDep, principal: PrincipalDep
) -> DisclosureOut:
    _scoped(rt, principal, disclosure_id)
    return DisclosureOut.of(service.do_cancel(rt, actor_of(principal), disclosure_id, body.reason))


@router.get("/disclosures/{disclosure_id}/package.zip", **guarded(EXPORT))
def download(
    disclosure_id: int,
    rt: RuntimeDep,
    principal: PrincipalDep,
    reason: str = Query(..., min_length=1, max_length=2000),
) -> FileResponse:
    """The signed package as a ZIP (made on first download), journalled with its reason."""
    row = _finished(rt, principal, disclosure_id)
    zipped = zip_of(Path(row.package_path))
    service.do_record_download(rt, actor_of(principal), row, reason)
    return FileResponse(zipped, media_type="application/zip", filename=zipped.name)


@router.get("/disclosures/{disclosure_id}/verification", **guarded(EXPORT))
def verify(disclosure_id: int, rt: RuntimeDep, principal: PrincipalDep) -> VerificationOut:
    """Re-check the log's signature and every file's hash as the package is on disk now."""
    row = _finished(rt, principal, disclosure_id)
    older = {fingerprint(cert) for _, cert in previous_certificates(rt)}
    sites = frozenset(older | {read_signer(rt).fingerprint()})  # the site's, current or replaced
    report = package.verify(Path(row.package_path), row.log_sha256, sites)
    return VerificationOut(
        ok=report.ok,
        files_checked=report.files_checked,
        videos_checked=1,
        certificate_fingerprint=report.certificate_fingerprint,
        problems=[ProblemOut(path=p, code=c, message=m) for p, c, m in report.problems],
    )


def _visible(rt: Runtime, principal: Principal, row: DisclosureRow) -> bool:
    return camera_in_scope(rt, row.camera_id, principal.scope_for(EXPORT))


def _scoped(rt: Runtime, principal: Principal, disclosure_id: int) -> DisclosureRow:
    row = service.get_disclosure(rt, disclosure_id)
    if not _visible(rt, principal, row):
        raise access_errors.camera_out_of_scope(row.camera_id)
    return row


def _finished(rt: Runtime, principal: Principal, disclosure_id: int) -> DisclosureRow:
    row = _scoped(rt, principal, disclosure_id)
    if row.status != DisclosureStatus.DONE:
        raise Conflict("disclosure_not_ready", f"disclosure {row.reference} is {row.status}")
    return row
