"""Audits of a camera's sub-stream (privacy, the mask audit): each audit row says which stream
it sampled; a sub-stream failure flags the recording from the main stream's last audit that
saw the polygon hidden (the recording is the main stream's); inconclusive streaks and the
unverified bound are counted per stream, and the sub-stream counts only for a camera that
has one."""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np

from sentinelle.audit.models import Actor, AuditAction
from sentinelle.audit.repository import EntryFilter, list_entries
from sentinelle.core.clock import FakeClock
from sentinelle.privacy import audit_service, service
from sentinelle.privacy.audit import FrameResult, Verdict, check_frame, raster_mask
from sentinelle.privacy.audit_service import AuditedStream, AuditTrigger
from sentinelle.privacy.geometry import rasterize
from sentinelle.privacy.models import MaskSetInput
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.privacy.conftest import polygon, rect

WINDOW = (0.1, 0.1, 0.4, 0.5)
W, H = 320, 240
ADMIN = Actor.user(7, "admin-dupont")
MAIN, SUB = AuditedStream.MAIN, AuditedStream.SUB
PERIODIC = AuditTrigger.PERIODIC


def _result(verdict: Verdict) -> FrameResult:
    """A real check of a synthetic frame that gives `verdict` for polygon "fenêtres"."""
    luma = np.random.default_rng(1).integers(0, 255, (H, W), dtype=np.uint8)
    mask = raster_mask(rasterize([rect(*WINDOW)], W, H))
    if verdict is not Verdict.FAIL:
        luma[mask] = 16
    if verdict is Verdict.INCONCLUSIVE:
        luma[...] = 16
    result = check_frame(luma, None, [("fenêtres", mask)])
    assert result.verdict is verdict
    return result


def _camera(rt: Runtime, *, sub: bool = True, zone_id: int | None = None) -> int:
    zone_id = f.zone(rt, f.authorisation(rt).id).id if zone_id is None else zone_id
    extra = {"sub_stream_url": "rtsp://viewer:pw@10.0.0.8:554/sub"} if sub else {}
    camera = f.camera(rt, zone_id, "CAM-SUB" if sub else "CAM-MAIN", **extra)
    masks = MaskSetInput(polygons=[polygon("fenêtres", rect(*WINDOW))], reason="logements")
    service.do_set_masks(rt, ADMIN, camera.id, masks)
    return camera.id


def test_a_sub_stream_failure_flags_the_recording_since_the_main_streams_last_proof(
    rt: Runtime, clock: FakeClock
) -> None:
    camera = _camera(rt)
    t0 = clock.now() + timedelta(minutes=1)
    record = audit_service.do_record_audit
    record(rt, camera, t0, PERIODIC, _result(Verdict.PASS), 1, MAIN)
    record(rt, camera, t0 + timedelta(seconds=5), PERIODIC, _result(Verdict.PASS), 1, SUB)
    record(rt, camera, t0 + timedelta(minutes=1), PERIODIC, _result(Verdict.INCONCLUSIVE), 1)
    record(rt, camera, t0 + timedelta(minutes=2), PERIODIC, _result(Verdict.PASS), 1, SUB)
    failed = record(rt, camera, t0 + timedelta(minutes=3), PERIODIC, _result(Verdict.FAIL), 1, SUB)

    assert failed.audit.stream is SUB
    assert failed.latched
    assert failed.flag is not None
    # the main stream's inconclusive audit still saw the polygon hidden; the sub-stream's
    # later pass says nothing of the recording
    assert failed.flag.from_at == t0 + timedelta(minutes=1)
    streams = [a.stream for a in audit_service.audits(rt, camera)]
    assert streams == [SUB, SUB, MAIN, SUB, MAIN]  # newest first, each with its stream
    with rt.db.read() as s:
        entries = list_entries(s, EntryFilter(camera_id=camera), limit=None, newest_first=False)
    failure = next(e for e in entries if e.action == AuditAction.MASK_AUDIT_FAILED)
    assert json.loads(failure.details)["stream"] == "sub"
    assert failure.reason.startswith("mask audit of the sub-stream failed")


def test_inconclusive_streaks_are_counted_per_stream(rt: Runtime, clock: FakeClock) -> None:
    """The sub-stream tells nothing ten times in a row while the main stream passes: that is
    journalled once, for the sub-stream."""
    camera = _camera(rt)
    dark, passing = _result(Verdict.INCONCLUSIVE), _result(Verdict.PASS)
    for k in range(audit_service.INCONCLUSIVE_STREAK + 2):
        at = clock.now() + timedelta(minutes=k)
        audit_service.do_record_audit(rt, camera, at, PERIODIC, passing, 1, MAIN)
        at += timedelta(seconds=5)
        audit_service.do_record_audit(rt, camera, at, PERIODIC, dark, 1, SUB)
    with rt.db.read() as s:
        entries = list_entries(s, EntryFilter(camera_id=camera), limit=None, newest_first=False)
    streaks = [e for e in entries if e.action == AuditAction.MASK_AUDIT_INCONCLUSIVE]
    assert len(streaks) == 1
    assert json.loads(streaks[0].details)["stream"] == "sub"
    assert "of the sub-stream" in streaks[0].reason


def test_a_sub_stream_never_verified_is_a_problem_only_for_a_camera_that_has_one(
    rt: Runtime, clock: FakeClock
) -> None:
    zone = f.zone(rt, f.authorisation(rt).id)
    with_sub, without = _camera(rt, zone_id=zone.id), _camera(rt, sub=False, zone_id=zone.id)
    clock.advance(timedelta(hours=7))
    passing = _result(Verdict.PASS)
    for camera in (with_sub, without):  # the main streams pass now
        audit_service.do_record_audit(rt, camera, rt.now(), PERIODIC, passing, 1, MAIN)
    problems = {
        camera: [
            p.code
            for p in audit_service.with_verification(rt, service.camera_masks(rt, camera)).problems
        ]
        for camera in (with_sub, without)
    }
    assert problems == {with_sub: ["mask_unverified"], without: []}
    audit_service.do_record_audit(rt, with_sub, rt.now(), PERIODIC, passing, 1, SUB)
    masks = audit_service.with_verification(rt, service.camera_masks(rt, with_sub))
    assert masks.problems == ()
