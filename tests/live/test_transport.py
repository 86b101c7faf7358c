"""An ingest worker's live socket, fed by a real camera session on a loopback RTSP server:
one session and one muxer per camera whatever the number of clients, streams that decode,
slow clients that skip to a keyframe without stalling the recording."""

from __future__ import annotations

import json
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sentinelle.core.clock import SystemClock
from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.fanout import FanOut
from sentinelle.ingest.live_server import CLIENT_QUEUE, LiveClient, LiveServer
from sentinelle.ingest.livewire import (
    Frame,
    FrameKind,
    StreamChoice,
    error_frame,
    init_codec,
    init_frame,
)
from sentinelle.ingest.session import CameraSession, LivePacket, SessionConfig
from sentinelle.ingest.writer import FinishedSegment
from sentinelle.live.relay import VIEWER_QUEUE, Viewer
from tests.ingest.test_live_muxer import _probe
from tests.support.live import FeedReader
from tests.support.rtsp import rtsp_server

CAMERA = 7


@pytest.fixture(scope="module")
def rtsp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    clip = write_clip(tmp_path_factory.mktemp("rtsp") / "cam.mp4", 60, fps=10, gop_seconds=1)
    with rtsp_server({"cam": clip}) as base:
        yield base


class Recording:
    """A camera session recording the RTSP stream, and a live server on its fan-out."""

    def __init__(self, url: str, root: Path, socket_path: Path) -> None:
        self.segments: list[FinishedSegment] = []
        self.session = CameraSession(
            SessionConfig(CAMERA, url, root), SystemClock(), self.segments.append, lambda e: None
        )
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.session.run, args=(self.stop,), daemon=True)
        self.server = LiveServer(socket_path, self.lookup)
        self.lookups = 0

    def lookup(self, camera_id: int, stream: StreamChoice) -> FanOut[LivePacket] | None:
        self.lookups += 1
        return self.session.fanout if camera_id == CAMERA else None

    def __enter__(self) -> Recording:
        self.server.start()
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.close()
        self.stop.set()
        self.thread.join(20)


@pytest.fixture
def recording(rtsp: str, tmp_path: Path) -> Iterator[Recording]:
    with Recording(f"{rtsp}/cam", tmp_path / "rec", tmp_path / "run" / "ingest-0.sock") as rec:
        yield rec


def test_socket_is_private(recording: Recording) -> None:
    path = recording.server.path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_two_clients_share_one_session_and_get_decodable_streams(
    recording: Recording, tmp_path: Path
) -> None:
    first = FeedReader(recording.server.path, CAMERA)
    a = first.frames(25)
    second = FeedReader(recording.server.path, CAMERA)
    b = second.frames(15)
    assert len(recording.server.feeds) == 1
    assert recording.session.fanout.subscribers == 1  # one muxer for both clients
    for frames in (a, b):
        assert frames[0].kind is FrameKind.INIT
        assert frames[1].kind is FrameKind.FRAGMENT
        assert frames[1].keyframe
        codec, init = init_codec(frames[0].payload)
        assert codec.startswith("avc1.")
        path = tmp_path / f"live-{len(frames)}.mp4"
        path.write_bytes(init + b"".join(f.payload for f in frames[1:]))
        probed = _probe(path)
        assert (probed["width"], probed["height"]) == (320, 240)
        assert probed["nb_read_frames"] == str(len(frames) - 1)
    now = time.time() * 1_000_000
    assert 0 <= now - b[-1].arrived_us < 2_000_000
    first.close()
    second.close()
    _wait(lambda: not recording.server.feeds)
    assert recording.session.fanout.subscribers == 0  # the feed ends with its last client


def test_a_stalled_client_does_not_stall_recording(recording: Recording) -> None:
    stalled = FeedReader(recording.server.path, CAMERA)
    stalled.frame()
    _wait(lambda: recording.session.last_packet_at > 0)
    before = recording.session.last_packet_at
    time.sleep(2.5)  # the stalled client reads nothing
    assert recording.session.last_packet_at > before + 1.5
    live = FeedReader(recording.server.path, CAMERA)
    assert live.frame().kind is FrameKind.INIT
    stalled.close()
    live.close()


def test_the_feed_ends_with_its_camera_session(recording: Recording) -> None:
    reader = FeedReader(recording.server.path, CAMERA)
    assert reader.frame().kind is FrameKind.INIT
    recording.stop.set()  # the worker stops recording the camera (withdrawn, URL changed)
    recording.thread.join(20)
    assert recording.session.fanout.closed
    with pytest.raises(EOFError):
        _read_to_the_end(reader)
    _wait(lambda: not recording.server.feeds)
    reader.close()


def _read_to_the_end(reader: FeedReader) -> None:
    """What was queued, then the end of the connection (EOFError)."""
    for _ in range(10_000):
        reader.frame()


def test_unknown_camera_is_refused_with_a_reason(recording: Recording) -> None:
    reader = FeedReader(recording.server.path, 999)
    frame = reader.frame()
    assert frame.kind is FrameKind.ERROR
    assert json.loads(frame.payload)["code"] == "camera_not_live"
    reader.close()


def _fragment(keyframe: bool, n: int) -> Frame:
    return Frame(FrameKind.FRAGMENT, keyframe, n, bytes([n % 256]))


def test_a_lagging_client_skips_to_the_next_keyframe_with_the_init_segment() -> None:
    init = init_frame("avc1.42c00b", b"init", 0)
    client = LiveClient()
    client.offer(init, init)
    for n in range(CLIENT_QUEUE + 40):  # nobody reads: the queue overflows
        client.offer(_fragment(n % 50 == 0, n), init)
    resumed = [client.take(0) for _ in range(3)]
    assert resumed[0] == init
    assert resumed[1] == _fragment(True, 150)  # keyframes every 50: 0, 50, 100, 150
    assert resumed[2] == _fragment(False, 151)
    assert client.skipped > 0
    assert error_frame("x", "y").kind is FrameKind.ERROR


def _wait(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_lagging_viewer_of_the_api_skips_to_the_next_keyframe() -> None:
    init = init_frame("avc1.42c00b", b"init", 0).encode()
    viewer = Viewer((CAMERA, StreamChoice.MAIN))
    viewer.offer(init, False, init)
    frames = [_fragment(n % 50 == 0, n).encode() for n in range(VIEWER_QUEUE + 40)]
    for n, raw in enumerate(frames):  # nobody reads
        viewer.offer(raw, n % 50 == 0, init)
    resumed = [viewer.queue.get_nowait() for _ in range(3)]
    assert resumed == [init, frames[150], frames[151]]
    assert viewer.skipped > 0
