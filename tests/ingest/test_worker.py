from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.worker import IngestWorker
from sentinelle.registry.models import CameraStatus
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
