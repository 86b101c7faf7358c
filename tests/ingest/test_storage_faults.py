"""Faults of the storage under the recordings: a full disk and a read-only directory. The
camera's recording stops with an event and resumes once the fault is gone; what was written
before the fault is kept (recovered up to its last complete fragment); other cameras keep
recording."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from sentinelle.core.clock import FakeClock
from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.events import EventKind, GapReason, SessionEvent
from sentinelle.ingest.service import camera_events
from sentinelle.ingest.worker import IngestWorker
from sentinelle.runtime import Runtime
from sentinelle.storage import layout
from sentinelle.storage.check import check
from tests import factories as f
from tests.ingest.recorder import Recorder
from tests.support.volumes import fill, set_immutable, small_volume


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("storage-faults") / "clip.mp4", 60)


def _wait_for(predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def recordings(rt: Runtime) -> Iterator[Path]:
    with small_volume(layout.recordings_root(rt.settings.resolved_data_dir), "1m") as root:
        yield root


def test_a_full_disk_stops_recording_keeps_what_was_written_and_recovers(
    rt: Runtime, clock: FakeClock, clip: Path, recordings: Path
) -> None:
    _, _, (cam, _) = f.town(rt)
    ballast = fill(recordings, leave_bytes=20_000)

    def done(events: list[SessionEvent]) -> bool:
        reasons = [e.reason for e in events if e.kind is EventKind.DISCONNECTED]
        if reasons == [GapReason.STORAGE]:
            ballast.unlink(
                missing_ok=True
            )  # the operator frees space; the session retries by itself
        return GapReason.END_OF_STREAM in reasons

    rec = Recorder(rt, clock, cam.id, str(clip), target=timedelta(seconds=10), done=done).run()
    fault = [e for e in rec.events if e.kind is EventKind.STORAGE_ERROR]
    assert len(fault) == 1
    assert "No space left" in fault[0].detail
    assert rec.kinds().count(EventKind.CONNECTED) == 2
    before_fault = rec.segments[: [s.recovered for s in rec.segments].index(True) + 1]
    assert before_fault[-1].recovered  # the interrupted segment, cut after its last fragment
    assert before_fault[-1].end > before_fault[-1].start
    after = rec.segments[len(before_fault) :]
    assert sum(round((s.end - s.start).total_seconds()) for s in after) == 60  # full replay
    assert not list(recordings.rglob("*.part"))
    assert check(rt, rehash=True).ok


def test_a_read_only_directory_stops_one_camera_only_and_the_event_is_stored(
    rt: Runtime, clip: Path
) -> None:
    _, _, (blocked, other) = f.town(rt, main_stream_url=f"file://{clip}")
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    (root / str(blocked.id)).mkdir(parents=True)
    set_immutable(root / str(blocked.id), True)
    worker = IngestWorker(rt)
    try:
        worker.start()
        assert _wait_for(lambda: _segments(rt).get(other.id, 0) >= 2)
        assert _segments(rt).get(blocked.id, 0) == 0
        worker.flush()
        stored = camera_events(
            rt, blocked.id, rt.now() - timedelta(days=1), rt.now() + timedelta(days=1)
        )
        assert EventKind.STORAGE_ERROR in [e.kind for e in stored]
        assert GapReason.STORAGE in [e.reason for e in stored]
        set_immutable(root / str(blocked.id), False)
        assert _wait_for(lambda: _segments(rt).get(blocked.id, 0) >= 1, timeout=40)
    finally:
        set_immutable(root / str(blocked.id), False)
        worker.stop_all()
    assert check(rt, rehash=True).ok


def _segments(rt: Runtime) -> dict[int, int]:
    with rt.db.read() as s:
        rows = s.execute(sa.text("SELECT camera_id, count(*) FROM segments GROUP BY camera_id"))
        return {int(r[0]): int(r[1]) for r in rows}
