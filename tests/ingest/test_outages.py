"""Outages around the recording: the database unavailable (recording goes on to disk and the
catalogue catches up), a camera that disappears mid-segment and comes back."""

from __future__ import annotations

import os
import secrets
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from sentinelle.core.clock import FakeClock, SystemClock
from sentinelle.core.settings import Settings
from sentinelle.db.engine import Database
from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.events import EventKind, GapReason, SessionEvent
from sentinelle.ingest.recovery import catalogue
from sentinelle.ingest.session import CameraSession, SessionConfig
from sentinelle.ingest.worker import IngestWorker
from sentinelle.ingest.writer import FinishedSegment
from sentinelle.runtime import Runtime
from sentinelle.storage import layout
from sentinelle.storage.check import check
from tests import factories as f
from tests.support.proxy import TcpProxy
from tests.support.rtsp import free_port, rtsp_server, rtsp_server_process


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("outages") / "clip.mp4", 20)


def _wait_for(predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def behind_proxy(
    pg_only_url: str, tmp_path: Path, clock: FakeClock
) -> Iterator[tuple[Runtime, TcpProxy]]:
    """A runtime whose PostgreSQL connections go through a proxy the test can cut."""
    url = make_url(pg_only_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    settings = Settings(data_dir=tmp_path / "data", database_url=through)
    settings.prepare()
    rt = Runtime(settings, Database.from_url(through), clock, secrets.token_bytes(32))
    yield rt, proxy
    proxy.cut()
    rt.db.dispose()


def _catalogued(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM segments")).scalar_one())
    finally:
        engine.dispose()


def test_recording_goes_on_while_the_database_is_down_and_the_catalogue_catches_up(
    behind_proxy: tuple[Runtime, TcpProxy], pg_only_url: str, clip: Path
) -> None:
    rt, proxy = behind_proxy
    f.town(rt, main_stream_url=f"file://{clip}")
    worker = IngestWorker(rt)
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    try:
        worker.start()
        assert _wait_for(lambda: _catalogued(pg_only_url) >= 2)
        proxy.cut()
        files_before = len(list(root.rglob("*.mp4")))
        assert _wait_for(lambda: worker.backlog()[0] >= 4)  # segments wait in memory
        assert len(list(root.rglob("*.mp4"))) > files_before  # ... and on disk
        catalogued_while_down = _catalogued(pg_only_url)
        proxy.restore()
        assert _wait_for(lambda: (worker.flush(), worker.backlog() == (0, 0))[1])
        assert _catalogued(pg_only_url) > catalogued_while_down
    finally:
        worker.stop_all()
    assert worker.backlog() == (0, 0)
    assert check(rt, rehash=True).ok  # every file has its row, every row its file


def test_a_camera_lost_mid_segment_leaves_a_visible_gap_and_is_recorded_again(
    rt: Runtime, tmp_path: Path
) -> None:
    _, _, (cam, _) = f.town(rt)
    clip = write_clip(tmp_path / "cam.mp4", 60)
    port = free_port()
    segments: list[FinishedSegment] = []
    events: list[SessionEvent] = []
    config = SessionConfig(
        cam.id,
        f"rtsp://127.0.0.1:{port}/cam",
        layout.recordings_root(rt.settings.resolved_data_dir),
        stall_seconds=2.0,
    )
    session = CameraSession(
        config, SystemClock(), lambda s: (segments.append(s), catalogue(rt, s)), events.append
    )
    stop = threading.Event()
    thread = threading.Thread(target=session.run, args=(stop,))
    with rtsp_server({"cam": clip}, port):
        thread.start()
        assert _wait_for(lambda: EventKind.CONNECTED in [e.kind for e in events])
        time.sleep(3)
    assert _wait_for(lambda: len(segments) == 1)  # the open segment was closed at the loss
    time.sleep(2)
    with rtsp_server({"cam": clip}, port):
        assert _wait_for(lambda: [e.kind for e in events].count(EventKind.CONNECTED) == 2)
        time.sleep(3)
        stop.set()
        thread.join(timeout=20)
    lost = [e for e in events if e.kind is EventKind.DISCONNECTED]
    assert lost[0].reason in (GapReason.LOST, GapReason.STALLED, GapReason.END_OF_STREAM)
    assert GapReason.UNREACHABLE in [e.reason for e in lost[1:]]  # while it was away
    first, second = segments[0], segments[1]
    assert (second.start - first.end).total_seconds() >= 1.5  # the gap is in the catalogue
    assert check(rt, rehash=True).ok


def test_a_frozen_camera_is_detected_as_a_stall_and_recorded_again(
    rt: Runtime, tmp_path: Path
) -> None:
    """The connection stays open but nothing comes: the stall time-out ends it (gap reason
    `stalled`), and recording resumes when the camera wakes up."""
    _, _, (cam, _) = f.town(rt)
    clip = write_clip(tmp_path / "cam.mp4", 60)
    segments: list[FinishedSegment] = []
    events: list[SessionEvent] = []
    with rtsp_server_process({"cam": clip}) as (base, server):
        config = SessionConfig(
            cam.id,
            f"{base}/cam",
            layout.recordings_root(rt.settings.resolved_data_dir),
            stall_seconds=2.0,
        )
        session = CameraSession(
            config, SystemClock(), lambda s: (segments.append(s), catalogue(rt, s)), events.append
        )
        stop = threading.Event()
        thread = threading.Thread(target=session.run, args=(stop,))
        thread.start()
        assert _wait_for(lambda: EventKind.CONNECTED in [e.kind for e in events])
        time.sleep(3)
        os.kill(server.pid, signal.SIGSTOP)
        try:
            assert _wait_for(lambda: len(segments) == 1, timeout=15)
        finally:
            os.kill(server.pid, signal.SIGCONT)
        assert _wait_for(lambda: [e.kind for e in events].count(EventKind.CONNECTED) == 2, 30)
        stop.set()
        thread.join(timeout=20)
    lost = [e for e in events if e.kind is EventKind.DISCONNECTED]
    assert lost[0].reason is GapReason.STALLED
