"""The worker's mask audit on cameras served by a real RTSP server (loopback, real time): a
camera that loses its own mask is caught by the first audit after the loss and latched to
server masking, with its journal, flag and camera event; a camera that keeps its mask passes
and stays in camera mode; reconnections and administrators' requests trigger audits."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from sentinelle.audit.models import Actor, AuditAction, Entry
from sentinelle.audit.repository import EntryFilter, list_entries
from sentinelle.core.clock import FakeClock
from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.events import EventKind
from sentinelle.ingest.fanout import FanOut
from sentinelle.ingest.mask_audit import KEYFRAME_WAIT_SECONDS, MaskAuditor
from sentinelle.ingest.service import camera_events
from sentinelle.ingest.session import LivePacket
from sentinelle.ingest.worker import IngestWorker
from sentinelle.privacy import audit_service, service
from sentinelle.privacy.audit import Verdict
from sentinelle.privacy.audit_service import AuditRecord, AuditTrigger
from sentinelle.privacy.models import Enforcement, MaskMode, MaskModeInput, MaskSetInput
from sentinelle.registry.tables import CameraRow
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.privacy.conftest import polygon, rect
from tests.support.rtsp import rtsp_server

WINDOW = (0.1, 0.1, 0.4, 0.5)
LOST_AT = 4.0  # stream seconds: the camera "reboots" and its mask is gone
INTERVAL = 1.0  # audit period of these tests (seconds)
ADMIN = Actor.user(7, "admin-dupont")


@pytest.fixture(scope="module")
def rtsp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("mask-audit")
    kw = {"masks": [WINDOW], "gop_seconds": 1.0}
    clips = {
        "keeps": write_clip(root / "keeps.mp4", 6, **kw),  # type: ignore[arg-type]
        "loses": write_clip(root / "loses.mp4", 12, masks_lost_at=LOST_AT, **kw),  # type: ignore[arg-type]
    }
    with rtsp_server(clips) as base:
        yield base


def _masked_camera(rt: Runtime, code: str, url: str, zone_id: int | None = None) -> CameraRow:
    if zone_id is None:
        zone_id = f.zone(rt, f.authorisation(rt).id).id
    camera = f.camera(rt, zone_id, code, main_stream_url=url)
    masks = MaskSetInput(polygons=[polygon("fenêtres", rect(*WINDOW))], reason="logements")
    service.do_set_masks(rt, ADMIN, camera.id, masks)
    return camera


def _wait_for(predicate: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _oldest_first(rt: Runtime, camera_id: int) -> list[AuditRecord]:
    return sorted(audit_service.audits(rt, camera_id), key=lambda a: (a.at, a.id))


def _journal(rt: Runtime, camera_id: int) -> list[Entry]:
    with rt.db.read() as s:
        entries = list_entries(s, EntryFilter(camera_id=camera_id), limit=None, newest_first=False)
    return [e for e in entries if e.action.startswith("privacy.")]


def _assert_recorded(
    rt: Runtime,
    clock: FakeClock,
    camera_id: int,
    fail: AuditRecord,
    last_pass: AuditRecord,
    start: AuditRecord,
) -> None:
    """The journal, the flag and the camera event of a failed audit."""
    entries = _journal(rt, camera_id)
    actions = [e.action for e in entries]
    assert actions[-2:] == [AuditAction.MASK_AUDIT_FAILED, AuditAction.MASK_SERVER_FORCED]
    forced = json.loads(entries[-1].details)
    assert forced["audit"] == fail.id
    assert forced["failed"][0]["name"] == "fenêtres"
    assert forced["failed"][0]["measures"]["flat_share"] < 0.5
    assert entries[-1].actor_name == "mask-audit"
    assert "fenêtres" in entries[-1].reason

    (flag,) = audit_service.flags(rt, camera_id)
    assert flag.audit_id == fail.id
    assert flag.from_at == last_pass.at  # since the last passing audit...
    assert flag.to_at == clock.now()  # ...to the restart with the burn-in
    assert flag.from_at < fail.at

    window = (start.at - timedelta(hours=1), clock.now() + timedelta(hours=1))
    alarms = [
        e for e in camera_events(rt, camera_id, *window) if e.kind is EventKind.MASK_AUDIT_FAILED
    ]
    assert len(alarms) == 1
    assert alarms[0].at == fail.at
    assert "fenêtres" in alarms[0].detail


def test_a_camera_that_loses_its_mask_is_latched_to_server_masking(
    rt: Runtime, clock: FakeClock, rtsp: str
) -> None:
    camera = _masked_camera(rt, "CAM-LOSES", f"{rtsp}/loses")
    worker = IngestWorker(rt, mask_audit_interval=INTERVAL)
    try:
        worker.start()
        assert camera.id in worker.auditor.cameras  # type: ignore[union-attr]
        failed = lambda: any(a.verdict is Verdict.FAIL for a in audit_service.audits(rt, camera.id))  # noqa: E731
        assert _wait_for(failed)
        clock.advance(timedelta(minutes=1))  # the worker's next refresh
        worker.refresh()
        worker.flush()
        assert camera.id not in worker.auditor.cameras  # type: ignore[union-attr]
        assert worker.sessions[camera.id].burns  # restarted: the server masks it now
    finally:
        worker.stop_all()

    audits = _oldest_first(rt, camera.id)
    fail = next(a for a in audits if a.verdict is Verdict.FAIL)
    start = audits[0]
    assert start.trigger is AuditTrigger.START
    assert start.verdict is Verdict.PASS
    before = [a for a in audits if a.at < fail.at]
    assert before
    assert all(a.verdict is Verdict.PASS for a in before)
    # the periodic audit that followed the last passing one caught it: within one period
    assert fail.trigger is AuditTrigger.PERIODIC
    assert audits[len(before)] == fail
    assert fail.details["polygons"][0]["name"] == "fenêtres"
    assert fail.mask_version == 1

    masks = service.camera_masks(rt, camera.id)
    assert masks.latch is not None
    assert masks.latch.forced_by == "mask-audit"
    assert masks.current.mode is MaskMode.CAMERA  # chosen; server mode is forced
    assert masks.effective_mode is MaskMode.SERVER
    assert masks.enforcement is Enforcement.BURN_IN

    _assert_recorded(rt, clock, camera.id, fail, before[-1], start)


def test_a_camera_that_keeps_its_mask_passes_and_reconnections_are_audited(
    rt: Runtime, rtsp: str
) -> None:
    """The 6-second clip ends and the camera reconnects (a reboot, for the audit)."""
    camera = _masked_camera(rt, "CAM-KEEPS", f"{rtsp}/keeps")
    worker = IngestWorker(rt, mask_audit_interval=INTERVAL)
    triggers = lambda: {a.trigger for a in audit_service.audits(rt, camera.id)}  # noqa: E731
    try:
        worker.start()
        assert _wait_for(lambda: {AuditTrigger.START, AuditTrigger.PERIODIC} <= triggers())
        assert audit_service.do_request_audit(rt, ADMIN, camera.id) is not None
        worker.refresh()
        assert _wait_for(lambda: AuditTrigger.MANUAL in triggers())
        assert _wait_for(lambda: AuditTrigger.RECONNECT in triggers())
        worker.refresh()
        assert camera.id in worker.auditor.cameras  # type: ignore[union-attr]
    finally:
        worker.stop_all()
    audits = audit_service.audits(rt, camera.id)
    assert {a.verdict for a in audits} == {Verdict.PASS}
    masks = service.camera_masks(rt, camera.id)
    assert masks.latch is None
    assert masks.enforcement is Enforcement.CAMERA_SIDE
    assert audit_service.flags(rt, camera.id) == []
    assert _journal(rt, camera.id)[-1].action == AuditAction.MASKS_SET  # passes are not journalled


def test_cameras_without_polygons_or_in_server_mode_are_not_audited(rt: Runtime, rtsp: str) -> None:
    zone = f.zone(rt, f.authorisation(rt).id)
    bare = f.camera(rt, zone.id, "CAM-BARE", main_stream_url=f"{rtsp}/keeps")
    server = _masked_camera(rt, "CAM-SERVER", f"{rtsp}/keeps", zone.id)
    service.do_set_mode(rt, ADMIN, server.id, MaskModeInput(mode=MaskMode.SERVER, reason="burn-in"))
    worker = IngestWorker(rt, mask_audit_interval=INTERVAL)
    try:
        worker.start()
        assert set(worker.sessions) == {bare.id, server.id}
        assert worker.auditor is not None
        assert worker.auditor.cameras == {}
    finally:
        worker.stop_all()


def _waiting_auditor(rt: Runtime, fanout: FanOut[LivePacket]) -> tuple[MaskAuditor, int]:
    """An auditor whose start audit waits for a keyframe of a camera that sends nothing (its
    fan-out is real, nothing is published: the camera is down)."""
    camera = _masked_camera(rt, f"CAM-SILENT-{id(fanout)}", "rtsp://127.0.0.1:9/none")
    auditor = MaskAuditor(rt, lambda _id: fanout, lambda _event: None, interval=3600)
    auditor.refresh({camera.id: service.camera_masks(rt, camera.id)})
    assert _wait_for(lambda: fanout.subscribers == 1)  # waiting for the keyframe
    return auditor, camera.id


def test_stopping_an_audit_waiting_for_a_keyframe_does_not_hold_the_refresh(rt: Runtime) -> None:
    fanout: FanOut[LivePacket] = FanOut()
    auditor, camera_id = _waiting_auditor(rt, fanout)
    waiting = auditor.cameras[camera_id].thread
    refresh = threading.Thread(target=auditor.refresh, args=({},))  # the camera is gone
    refresh.start()
    refresh.join(timeout=KEYFRAME_WAIT_SECONDS / 5)  # far shorter than the keyframe wait
    assert not refresh.is_alive()
    assert waiting is not None
    assert not waiting.is_alive()
    assert auditor.cameras == {}
    assert fanout.subscribers == 0
    assert audit_service.audits(rt, camera_id) == []  # no frame: nothing recorded


def test_an_audit_waiting_for_a_keyframe_ends_when_the_fan_out_ends(rt: Runtime) -> None:
    fanout: FanOut[LivePacket] = FanOut()
    auditor, camera_id = _waiting_auditor(rt, fanout)
    try:
        fanout.close()  # the camera's session ended
        assert _wait_for(lambda: fanout.subscribers == 0, timeout=KEYFRAME_WAIT_SECONDS / 5)
        assert _wait_for(lambda: not auditor.cameras[camera_id].busy, timeout=5)
    finally:
        auditor.stop_all()
