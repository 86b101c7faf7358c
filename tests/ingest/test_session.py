from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from sentinelle.core.clock import FakeClock
from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.events import EventKind
from sentinelle.ingest.fanout import FanOut
from sentinelle.ingest.session import LivePacket
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.ingest.recorder import Recorder
from tests.support.streams import to_ts


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("session") / "clip.mp4", 130, fps=10)


def test_a_file_source_is_recorded_into_catalogued_segments(
    rt: Runtime, clock: FakeClock, clip: Path
) -> None:
    _, _, (cam, _) = f.town(rt)
    rec = Recorder(rt, clock, cam.id, str(clip))
    rec.thread.start()
    rec.thread.join(timeout=60)
    assert [e.kind for e in rec.events] == [
        EventKind.CONNECTED,
        EventKind.DISCONNECTED,
        EventKind.STOPPED,
    ]
    assert [round((s.end - s.start).total_seconds()) for s in rec.segments] == [60, 60, 10]


def test_a_dead_camera_never_delays_another(rt: Runtime, clock: FakeClock, clip: Path) -> None:
    _, _, (cam, other) = f.town(rt)
    dead = Recorder(rt, clock, other.id, "rtsp://127.0.0.1:9/nothing", events_wanted=2)
    live = Recorder(rt, clock, cam.id, str(clip))
    dead.thread.start()
    live.thread.start()
    live.thread.join(timeout=60)
    dead.thread.join(timeout=60)
    assert len(live.segments) == 3
    assert dead.segments == []
    failures = [e for e in dead.events if e.kind is EventKind.DISCONNECTED]
    assert len(failures) == 2
    assert "Connection refused" in failures[0].detail or failures[0].detail


def test_a_slow_subscriber_loses_packets_not_recording(
    rt: Runtime, clock: FakeClock, clip: Path
) -> None:
    _, _, (cam, _) = f.town(rt)
    rec = Recorder(rt, clock, cam.id, str(clip))
    slow = rec.session.fanout.subscribe(depth=4)  # never read
    rec.thread.start()
    rec.thread.join(timeout=60)
    assert len(rec.segments) == 3
    assert slow.dropped == 1300 - 4
    assert isinstance(slow.get(timeout=1), LivePacket)


def test_fanout_keeps_the_newest_items() -> None:
    fan: FanOut[int] = FanOut()
    sub = fan.subscribe(depth=2)
    for i in range(5):
        fan.publish(i)
    assert [sub.get(timeout=1), sub.get(timeout=1)] == [3, 4]
    assert sub.dropped == 3
    fan.unsubscribe(sub)
    assert fan.subscribers == 0


@pytest.fixture
def http_base(tmp_path: Path) -> Iterator[str]:
    """A plain HTTP server on loopback serving `tmp_path` (an HTTP camera or a file server)."""
    handler = functools.partial(QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        pass


def test_an_http_stream_is_recorded(
    rt: Runtime, clock: FakeClock, tmp_path: Path, http_base: str
) -> None:
    _, _, (cam, _) = f.town(rt)
    to_ts(write_clip(tmp_path / "cam.mp4", 25), tmp_path / "cam.ts")
    rec = Recorder(rt, clock, cam.id, f"{http_base}/cam.ts", target=timedelta(seconds=10))
    rec.run()
    assert rec.kinds() == [EventKind.CONNECTED, EventKind.DISCONNECTED, EventKind.STOPPED]
    assert rec.seconds() == [10.0, 10.0, 5.0]
