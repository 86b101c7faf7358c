from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from sentinelle.core.clock import FakeClock
from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.events import EventKind
from sentinelle.ingest.service import camera_events
from sentinelle.ingest.worker import IngestWorker
from sentinelle.registry.models import CameraStatus, FieldOfView
from sentinelle.registry.service import do_set_camera_status
from sentinelle.runtime import Runtime
from tests import factories as f


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("worker") / "clip.mp4", 65, fps=10)


def _segments(rt: Runtime) -> dict[int, int]:
    with rt.db.read() as s:
        rows = s.execute(sa.text("SELECT camera_id, count(*) FROM segments GROUP BY camera_id"))
        return {int(r[0]): int(r[1]) for r in rows}


def _wait_for(predicate, timeout: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_only_lawful_cameras_are_recorded(rt: Runtime, clip: Path) -> None:
    auth = f.authorisation(rt)
    zone = f.zone(rt, auth.id)
    lawful = f.camera(rt, zone.id, "LAWFUL", main_stream_url=f"file://{clip}")
    idle = f.camera(
        rt, zone.id, "IDLE", main_stream_url=f"file://{clip}", status=CameraStatus.OUT_OF_SERVICE
    )
    worker = IngestWorker(rt)
    try:
        worker.start()
        assert set(worker.sessions) == {lawful.id}
        assert _wait_for(lambda: _segments(rt).get(lawful.id) == 2)
        do_set_camera_status(rt, f.ADMIN, lawful.id, CameraStatus.OUT_OF_SERVICE, "travaux")
        worker.refresh()
        assert worker.sessions == {}
    finally:
        worker.stop_all()
    assert idle.id not in _segments(rt)


def test_a_non_conforming_stream_is_an_event_and_is_still_recorded(
    rt: Runtime, clip: Path, tmp_path: Path
) -> None:
    """The 2007 standard asks 704×576 of a narrow field of view, 352×288 of a wide one: a
    320×240 camera is reported, and recorded all the same."""
    wider = write_clip(tmp_path / "wider.mp4", 25, width=384, height=288)
    zone = f.zone(rt, f.authorisation(rt).id)
    narrow = f.camera(rt, zone.id, "NARROW", main_stream_url=f"file://{clip}")
    wide = f.camera(
        rt, zone.id, "WIDE", main_stream_url=f"file://{wider}", field_of_view=FieldOfView.WIDE
    )
    worker = IngestWorker(rt)
    try:
        worker.start()
        assert _wait_for(lambda: min(_segments(rt).get(c, 0) for c in (narrow.id, wide.id)) >= 1)
        worker.flush()
    finally:
        worker.stop_all()
    window = (rt.now() - timedelta(days=1), rt.now() + timedelta(days=2))
    events = camera_events(rt, narrow.id, *window)
    flagged = [e for e in events if e.kind is EventKind.NONCONFORMING]
    assert len(flagged) == 1
    assert "resolution 320×240 below 704×576" in flagged[0].detail
    assert EventKind.CONFORMING not in [e.kind for e in events]
    wide_kinds = [e.kind for e in camera_events(rt, wide.id, *window)]
    assert EventKind.CONFORMING in wide_kinds
    assert EventKind.NONCONFORMING not in wide_kinds


def test_recording_stops_when_the_authorisation_expires(
    rt: Runtime, clock: FakeClock, clip: Path
) -> None:
    """Rule 1: no valid prefectoral authorisation, no recording."""
    expiring = f.authorisation(rt, reference="2026/DSC/0002", expires_on=date(2026, 11, 23))
    url = f"file://{clip}"
    soon = f.camera(rt, f.zone(rt, expiring.id, "Gare").id, "SOON", main_stream_url=url)
    worker = IngestWorker(rt)
    try:
        worker.start()
        assert set(worker.sessions) == {soon.id}
        clock.advance(timedelta(days=2))
        worker.refresh()
        assert worker.sessions == {}
    finally:
        worker.stop_all()
