"""A camera whose masks cannot be read is hidden, not the worker's end (P1): a mask row the
worker cannot understand (an unknown fill, as a newer API might write) makes that camera burn
in with unknown masks — nothing shown, nothing recorded — while the worker's refresh goes on
and the other cameras of its shard keep recording."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from sentinelle.audit.models import Actor
from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.events import EventKind
from sentinelle.ingest.worker import IngestWorker
from sentinelle.privacy import service as privacy
from sentinelle.privacy.models import MaskPolygon, MaskSetInput
from sentinelle.privacy.tables import MaskSetRow
from sentinelle.runtime import Runtime
from tests import factories as f

ADMIN = Actor.user(7, "admin-dupont")
WINDOWS = MaskPolygon(name="fenêtres", points=[(0.1, 0.1), (0.4, 0.1), (0.4, 0.5), (0.1, 0.5)])


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("worker-masks") / "clip.mp4", 4, fps=10)


def _wait_for(predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _write_unknown_fill(rt: Runtime, camera_id: int) -> None:
    """Store, with SQL, a polygon whose fill this version does not know."""
    with rt.db.write() as s:
        row = s.scalars(sa.select(MaskSetRow).where(MaskSetRow.camera_id == camera_id)).one()
        polygons = [dict(p, fill="flou-gaussien") for p in row.polygons]
        s.execute(sa.update(MaskSetRow).where(MaskSetRow.id == row.id).values(polygons=polygons))
    with pytest.raises(ValueError, match="flou-gaussien"):
        privacy.camera_masks(rt, camera_id)  # the row is really unreadable


def test_unreadable_masks_hide_their_camera_and_the_others_keep_recording(
    rt: Runtime, clip: Path
) -> None:
    zone = f.zone(rt, f.authorisation(rt).id)
    url = f"file://{clip}"
    plain = f.camera(rt, zone.id, "CAM-RUE", main_stream_url=url)
    masked = f.camera(rt, zone.id, "CAM-FACADE", main_stream_url=url)
    privacy.do_set_masks(rt, ADMIN, masked.id, MaskSetInput(polygons=[WINDOWS], reason="vue"))
    worker = IngestWorker(rt, pace_files=True)
    try:
        worker.start()
        assert not worker.sessions[masked.id].burns  # camera mode: the camera masks itself
        _write_unknown_fill(rt, masked.id)
        kept = worker.sessions[plain.id]
        worker.refresh()  # must not raise: the other cameras depend on it
        assert masked.id not in worker.masks
        assert plain.id in worker.masks
        assert worker.sessions[plain.id] is kept  # not restarted
        hidden = worker.sessions[masked.id]
        assert hidden.burns  # restarted behind the burn-in, with unknown masks
        viewer = hidden.session.fanout.subscribe(depth=10_000)
        assert _wait_for(
            lambda: any(
                e.camera_id == masked.id and e.kind is EventKind.PRIVACY_BURNIN_FAILED
                for e in list(worker.events)
            )
        )
        progress = kept.session.last_packet_at
        assert _wait_for(lambda: kept.session.last_packet_at > progress + 1.0)
        assert kept.thread.is_alive()
        assert hidden.thread.is_alive()
        assert viewer.items.qsize() == 0  # nothing of the camera is shown
        failed = [e for e in worker.events if e.kind is EventKind.PRIVACY_BURNIN_FAILED]
        assert "masks are not known" in failed[0].detail
        worker.refresh()  # and again: the refresh keeps working
        assert worker.sessions[masked.id] is hidden
    finally:
        worker.stop_all()
