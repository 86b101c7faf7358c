"""The mask audit samples a camera's sub-stream too (the live wall shows sub-streams), on
cameras served by a real RTSP server (loopback, real time): a camera whose main stream is
masked and whose sub-stream is not is caught, latched to server masking, and the audit row,
the journal and the camera event say which stream; a camera masked on both passes on both,
and an audit never closes a sub-stream a live viewer is watching."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from sentinelle.audit.models import Actor, AuditAction, Entry
from sentinelle.audit.repository import EntryFilter, list_entries
from sentinelle.core.clock import FakeClock
from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.events import EventKind
from sentinelle.ingest.livewire import StreamChoice
from sentinelle.ingest.service import camera_events
from sentinelle.ingest.worker import IngestWorker
from sentinelle.privacy import audit_service, service
from sentinelle.privacy.audit import Verdict
from sentinelle.privacy.audit_service import AuditedStream, AuditRecord, AuditTrigger
from sentinelle.privacy.models import Enforcement, MaskSetInput
from sentinelle.registry.tables import CameraRow
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.privacy.conftest import polygon, rect
from tests.support.rtsp import rtsp_server

WINDOW = (0.1, 0.1, 0.4, 0.5)
INTERVAL = 1.0  # audit period of these tests (seconds)
ADMIN = Actor.user(7, "admin-dupont")
MAIN, SUB = AuditedStream.MAIN, AuditedStream.SUB


@pytest.fixture(scope="module")
def rtsp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("mask-audit-sub")
    clips = {
        "main": write_clip(root / "main.mp4", 12, masks=[WINDOW], gop_seconds=1.0),
        # the sub-stream: smaller, and the camera's mask is missing on it from the start
        "sub-bare": write_clip(
            root / "sub-bare.mp4", 12, width=256, height=192, masks=[WINDOW], masks_lost_at=0
        ),
        "sub-masked": write_clip(
            root / "sub-masked.mp4", 12, width=256, height=192, masks=[WINDOW], gop_seconds=1.0
        ),
    }
    with rtsp_server(clips) as base:
        yield base


def _camera(rt: Runtime, code: str, main: str, sub: str) -> CameraRow:
    zone = f.zone(rt, f.authorisation(rt).id)
    camera = f.camera(rt, zone.id, code, main_stream_url=main, sub_stream_url=sub)
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


def _audits(rt: Runtime, camera_id: int) -> list[AuditRecord]:
    return sorted(audit_service.audits(rt, camera_id), key=lambda a: (a.at, a.id))


def _journal(rt: Runtime, camera_id: int) -> list[Entry]:
    with rt.db.read() as s:
        entries = list_entries(s, EntryFilter(camera_id=camera_id), limit=None, newest_first=False)
    return [e for e in entries if e.action.startswith("privacy.")]


def test_a_sub_stream_that_shows_the_private_area_latches_server_masking(
    rt: Runtime, clock: FakeClock, rtsp: str
) -> None:
    camera = _camera(rt, "CAM-SUB-BARE", f"{rtsp}/main", f"{rtsp}/sub-bare")
    worker = IngestWorker(rt, mask_audit_interval=INTERVAL, sub_linger=0.5)

    def failed() -> bool:
        return any(a.verdict is Verdict.FAIL for a in _audits(rt, camera.id))

    try:
        worker.start()
        assert _wait_for(failed)
        clock.advance(timedelta(minutes=1))  # the worker's next refresh
        worker.refresh()
        worker.flush()
        assert camera.id not in worker.auditor.cameras  # type: ignore[union-attr]
        assert worker.sessions[camera.id].burns  # restarted: the server masks it now
        assert camera.id not in worker.subs  # the unmasked sub-stream session is gone
    finally:
        worker.stop_all()

    audits = _audits(rt, camera.id)
    (fail,) = [a for a in audits if a.verdict is Verdict.FAIL]
    assert fail.stream is SUB
    assert fail.trigger is AuditTrigger.START  # the sub-stream's first check caught it
    assert fail.details["size"] == [256, 192]
    (main,) = [a for a in audits if a.stream is MAIN]
    assert (main.verdict, main.trigger) == (Verdict.PASS, AuditTrigger.START)
    assert main.at < fail.at  # the main stream first, then the sub-stream

    masks = service.camera_masks(rt, camera.id)
    assert masks.latch is not None
    assert masks.enforcement is Enforcement.BURN_IN

    entries = _journal(rt, camera.id)
    assert [e.action for e in entries[-2:]] == [
        AuditAction.MASK_AUDIT_FAILED,
        AuditAction.MASK_SERVER_FORCED,
    ]
    for entry in entries[-2:]:
        evidence = json.loads(entry.details)
        assert (evidence["audit"], evidence["stream"]) == (fail.id, "sub")
        assert "sub-stream" in entry.reason
        assert "fenêtres" in entry.reason

    # the recording (main stream) is unproven since that stream's last audit that saw the
    # polygon hidden: it is flagged from there to the restart with the burn-in
    (flag,) = audit_service.flags(rt, camera.id)
    assert (flag.audit_id, flag.from_at, flag.to_at) == (fail.id, main.at, clock.now())

    window = (main.at - timedelta(hours=1), clock.now() + timedelta(hours=1))
    (alarm,) = [
        e for e in camera_events(rt, camera.id, *window) if e.kind is EventKind.MASK_AUDIT_FAILED
    ]
    assert alarm.at == fail.at
    assert "on the sub-stream" in alarm.detail


def test_both_streams_masked_pass_and_an_audit_leaves_a_watched_sub_stream_open(
    rt: Runtime, rtsp: str
) -> None:
    camera = _camera(rt, "CAM-SUB-MASKED", f"{rtsp}/main", f"{rtsp}/sub-masked")
    # audits 3 s apart, each holding the sub-stream a moment: it is closed half a second after
    worker = IngestWorker(rt, mask_audit_interval=3.0, sub_linger=0.5)

    def subs() -> list[AuditRecord]:
        return [a for a in _audits(rt, camera.id) if a.stream is SUB]

    try:
        worker.start()
        assert _wait_for(lambda: len(subs()) >= 1)
        # the audit's hold ends: the sub-stream session closes after its linger
        assert _wait_for(lambda: camera.id not in worker.subs, timeout=10)

        fanout = worker.live_fanout(camera.id, StreamChoice.SUB)  # a live viewer comes
        assert fanout is not None
        watched = worker.subs[camera.id]
        seen = len(subs())
        assert _wait_for(lambda: len(subs()) >= seen + 2)  # audits took and released it
        time.sleep(1.0)  # past the linger: an audit's release must not close it
        assert worker.subs.get(camera.id) is watched
        assert watched.thread.is_alive()

        worker.release_live(camera.id, StreamChoice.SUB)  # the viewer leaves
        assert _wait_for(lambda: camera.id not in worker.subs, timeout=10)
        assert camera.id in worker.auditor.cameras  # type: ignore[union-attr]
    finally:
        worker.stop_all()

    audits = _audits(rt, camera.id)
    assert {a.verdict for a in audits} == {Verdict.PASS}
    assert {a.stream for a in audits} == {MAIN, SUB}
    assert {tuple(a.details["size"]) for a in audits if a.stream is SUB} == {(256, 192)}
    assert service.camera_masks(rt, camera.id).latch is None
    assert audit_service.flags(rt, camera.id) == []
