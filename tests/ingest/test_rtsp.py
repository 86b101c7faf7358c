"""Recording from a real RTSP server on loopback (GStreamer), over TCP, at real time."""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sentinelle.core.clock import SystemClock
from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.events import EventKind, SessionEvent
from sentinelle.ingest.recovery import catalogue
from sentinelle.ingest.session import CameraSession, SessionConfig
from sentinelle.ingest.writer import FinishedSegment
from sentinelle.runtime import Runtime
from sentinelle.storage import layout
from sentinelle.storage.check import check
from tests import factories as f
from tests.support.rtsp import rtsp_server


@pytest.fixture(scope="module")
def rtsp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    clip = write_clip(tmp_path_factory.mktemp("rtsp") / "cam.mp4", 60, fps=10)
    with rtsp_server({"cam1": clip}) as base:
        yield base


def test_rtsp_stream_is_recorded_at_real_time(rt: Runtime, rtsp: str, tmp_path: Path) -> None:
    _, _, (cam, _) = f.town(rt)
    segments: list[FinishedSegment] = []
    events: list[SessionEvent] = []
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    session = CameraSession(
        SessionConfig(cam.id, f"{rtsp}/cam1", root),
        SystemClock(),
        lambda seg: (segments.append(seg), catalogue(rt, seg)),
        events.append,
    )
    stop = threading.Event()
    thread = threading.Thread(target=session.run, args=(stop,))
    lateness = _watch_lateness(session, stop)
    began = time.monotonic()
    thread.start()
    time.sleep(7)
    stop.set()
    thread.join(timeout=20)
    elapsed = time.monotonic() - began
    assert events[0].kind is EventKind.CONNECTED
    assert len(segments) == 1
    recorded = (segments[0].end - segments[0].start).total_seconds()
    assert elapsed - 4.0 <= recorded <= elapsed  # connection set-up, first keyframe
    assert (segments[0].codec, segments[0].width, segments[0].height) == ("h264", 320, 240)
    # instants are when packets arrived, not a probing read-ahead (about 1 s) later
    steady = sorted(lateness[len(lateness) // 2 :])
    assert abs(steady[len(steady) // 2]) < 0.3
    assert check(rt, rehash=True).ok


def _watch_lateness(session: CameraSession, stop: threading.Event) -> list[float]:
    """Seconds by which each live packet's instant lies after its arrival (as published)."""
    sub = session.fanout.subscribe(depth=10_000)
    found: list[float] = []

    def watch() -> None:
        while not stop.is_set():
            with contextlib.suppress(queue.Empty):
                live = sub.get(timeout=0.2)
                found.append((live.at - datetime.now(UTC)).total_seconds())

    threading.Thread(target=watch, daemon=True).start()
    return found
